#!/usr/bin/env bash
# argon2_faults.sh: page faults and kernel time of argon2 (and scrypt) in a
# fresh process, with and without the hasher's prefault, beside Django 3.2's
# check_password as a process, all at Django's default costs (argon2id
# m=100 MiB t=2 p=8; scrypt N=2^14 r=8 p=5).
#
#   bash bench/argon2_faults.sh
#
# It builds authctl twice: as shipped, and with -tags authctl_noprefault
# (the same code without prefault: the mapped memory of argon2 and scrypt
# is then faulted in a page at a time by the hash's first writes). Each
# command runs as its own process
# under /usr/bin/time, the variants interleaved round by round (ROUNDS,
# default 9) so that machine load hits them alike; the table shows medians
# of wall, user and system seconds and minor page faults:
#   hash      authctl password hash --hasher argon2 (one hash)
#   auth      authctl authenticate alice (one verification, a database
#             read and an audit write)
#   scrypt    authctl password hash --hasher scrypt
#   django    python3 -c: django.setup() then check_password on the same
#             argon2 hash (argon2-cffi)
#   hashonly  bench/hashkernel: one hash (argon2, scrypt) in a fresh
#             process, measured from just before to just after it, so
#             that the process's start-up and exit do not count: the
#             issue 12 target is kernel time <= 10% of the hash's wall time.
#             Four builds: as shipped (hashkernel: huge pages where they
#             cannot stall), -tags authctl_prefault_huge (every block huge,
#             the behaviour before), authctl_prefault_small (4 KiB pages
#             only) and authctl_noprefault; and, as "floor-huge" and
#             "floor-small", no hash: 100 MiB of new memory populated on
#             huge or 4 KiB pages, the kernel time any program pays to
#             have that much memory zeroed for it.
# With FRAGMENT=1 the hashonly rounds run a second time ("frag:" rows) on
# purpose-fragmented memory: bench/hashkernel/fragment.py holds about half
# of the free memory so that no free 2 MiB block is left, and takes back
# the blocks each hash frees, up to 0.5 GB a round (a few minutes to set
# up; it needs THP, and it is stopped at the end). free2m in the table
# is the median count of free 2 MiB blocks just before each hash.
# Lines "RESULT <key> <value> <unit>" go to stdout for run.sh.
#
# GAP=s (default 0) sleeps s seconds before each hashonly process: under a
# hypervisor with free page reporting (virtio-balloon), memory left free
# for about two seconds goes back to the host, and a process that starts
# after such a pause (as a login does) pays for the host taking it back in;
# back to back, each process reuses what the one before it freed.
#
# Environment: PYTHON (default /usr/bin/python3, which must have Django and
# argon2-cffi), ROUNDS, FRAGMENT, HASHONLY=1 (the hashonly rounds only),
# GAP.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
PY=${PYTHON:-/usr/bin/python3}
ROUNDS=${ROUNDS:-9}
FRAGMENT=${FRAGMENT:-0}
HASHONLY=${HASHONLY:-0}
GAP=${GAP:-0}

tmp=$(mktemp -d)
fragpid=
cleanup() {
	if [[ -n $fragpid ]]; then kill "$fragpid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
kernels=(hashkernel hashkernel-huge hashkernel-small hashkernel-noprefault)
(cd "$root" && go build -o "$tmp/hashkernel" ./bench/hashkernel &&
	go build -tags authctl_prefault_huge -o "$tmp/hashkernel-huge" ./bench/hashkernel &&
	go build -tags authctl_prefault_small -o "$tmp/hashkernel-small" ./bench/hashkernel &&
	go build -tags authctl_noprefault -o "$tmp/hashkernel-noprefault" ./bench/hashkernel)
: >"$tmp/samples"
: >"$tmp/hashonly"

# hashonly PREFIX: one round of the hash alone, inside a fresh process
# (bench/hashkernel): getrusage just before and after it, so that exec,
# runtime start and exit do not count. The builds run in a new random
# order each round: a process gets the memory the one before it freed, and
# a huge page costs the kernel more right after a process that used 4 KiB
# pages (0.08-0.16 s against 0.02-0.03 s in the fixed order of an earlier
# version of this script).
hashonly() {
	local v a
	for v in $(printf '%s\n' "${kernels[@]}" | shuf); do
		algs=(argon2 scrypt)
		# The floor: the kernel's part of filling 100 MiB of new memory
		# (bench/hashkernel floor-huge, floor-small), in the same rounds.
		if [[ $v == hashkernel ]]; then algs+=(floor-huge floor-small); fi
		for a in "${algs[@]}"; do
			sleep "$GAP"
			echo "$1$a/$v $("$tmp/$v" "$a")" >>"$tmp/hashonly"
		done
	done
}

# The processes (skipped with HASHONLY=1), the hash alone beside them.
if [[ $HASHONLY != 1 ]]; then
(cd "$root" && go build -o "$tmp/authctl" . && go build -tags authctl_noprefault -o "$tmp/authctl-noprefault" .)

export HOME=$tmp XDG_CONFIG_HOME=$tmp/config XDG_STATE_HOME=$tmp/state XDG_DATA_HOME=$tmp/data
export AUTHCTL_DB=$tmp/auth.db AUTHCTL_HASHER_ALGORITHM=argon2
printf 'correct horse battery staple\n' >"$tmp/pw"
"$tmp/authctl" user create alice --password-file "$tmp/pw" -q
hash=$("$tmp/authctl" password hash --hasher argon2 --password-file "$tmp/pw")
cat >"$tmp/dj.py" <<'PY'
import sys
import django
from django.conf import settings
settings.configure(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])
django.setup()
from django.contrib.auth.hashers import check_password
sys.exit(0 if check_password(sys.stdin.readline().rstrip("\n"), sys.argv[1]) else 1)
PY

# run NAME CMD...: one process, its figures appended to samples.
run() {
	local name=$1
	shift
	/usr/bin/time -f '%e %U %S %R' -o "$tmp/t" "$@" <"$tmp/pw" >/dev/null
	echo "$name $(tail -n 1 "$tmp/t")" >>"$tmp/samples"
}

for ((i = 0; i < ROUNDS; i++)); do
	for v in authctl authctl-noprefault; do
		run "hash/$v" "$tmp/$v" password hash --hasher argon2 --password-stdin
		run "auth/$v" "$tmp/$v" authenticate alice --password-stdin -q
		run "scrypt/$v" "$tmp/$v" password hash --hasher scrypt --password-stdin
	done
	run "django/check_password" "$PY" "$tmp/dj.py" "$hash"
	hashonly ""
done
else
	for ((i = 0; i < ROUNDS; i++)); do hashonly ""; done
fi

if [[ $FRAGMENT == 1 ]]; then
	: >"$tmp/frag.out"
	# Each round frees about 0.5 GB that fragment.py must take back.
	"$PY" "$here/hashkernel/fragment.py" 1024 $((1024 + ROUNDS * 512)) >"$tmp/frag.out" &
	fragpid=$!
	until grep -q ready "$tmp/frag.out"; do
		kill -0 "$fragpid" || { echo "fragment.py failed" >&2; exit 1; }
		sleep 1
	done
	echo "# $(cat "$tmp/frag.out")"
	for ((i = 0; i < ROUNDS; i++)); do hashonly "frag:"; done
	kill "$fragpid"
	wait "$fragpid" 2>/dev/null || true
	fragpid=
fi

"$PY" - "$tmp/samples" "$ROUNDS" "$(nproc)" "$(cat /proc/loadavg)" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, *vals = line.split()
    rows.setdefault(name, []).append([float(v) for v in vals])
med = {k: [statistics.median(c) for c in zip(*v)] for k, v in rows.items()}
print(f"# {sys.argv[2]} rounds, {sys.argv[3]} CPUs, load {sys.argv[4]}")
if med:
    print(f"# {'process':32} {'wall s':>7} {'user s':>7} {'sys s':>7} {'faults':>8}  sys/wall")
for k in sorted(med):
    w, u, s, f = med[k]
    print(f"# {k:32} {w:7.3f} {u:7.3f} {s:7.3f} {f:8.0f}  {s / w:6.1%}")
for k in sorted(med):
    w, u, s, f = med[k]
    key = k.replace("/", "_").replace("-", "_")
    print(f"RESULT faults_{key}_wall {w:.3f} s")
    print(f"RESULT faults_{key}_sys {s:.3f} s")
    print(f"RESULT faults_{key}_minflt {f:.0f} faults")
hashonly = {}
for line in open(sys.argv[1].replace("samples", "hashonly")):
    name, *kv = line.split()
    hashonly.setdefault(name, []).append({k: float(v) for k, v in (x.split("=") for x in kv)})
print(f"# {'the hash alone, in a fresh process':37} {'wall s':>7} {'user s':>7} {'sys s':>7} {'faults':>8} {'free2m':>6}  sys/wall (median of the ratios)")
for k in sorted(hashonly):
    runs = hashonly[k]
    m = {f: statistics.median(r[f] for r in runs) for f in runs[0]}
    share = statistics.median(r["sys_s"] / r["wall_s"] for r in runs)
    print(f"# {k:37} {m['wall_s']:7.3f} {m['user_s']:7.3f} {m['sys_s']:7.3f} {m['minflt']:8.0f} {m['free2m']:6.0f}  {share:6.1%} (range {min(r['sys_s'] / r['wall_s'] for r in runs):.1%}-{max(r['sys_s'] / r['wall_s'] for r in runs):.1%})")
    key = k.replace("/", "_").replace("-", "_").replace(":", "_")
    print(f"RESULT hashonly_{key}_wall {m['wall_s']:.4f} s")
    print(f"RESULT hashonly_{key}_sys {m['sys_s']:.4f} s")
    print(f"RESULT hashonly_{key}_share {share:.3f} ratio")
    print(f"RESULT hashonly_{key}_minflt {m['minflt']:.0f} faults")
floor = hashonly.get("floor-huge/hashkernel")
argon = hashonly.get("argon2/hashkernel")
if floor and argon:
    share = statistics.median(r["sys_s"] for r in floor) / statistics.median(r["wall_s"] for r in argon)
    print(f"# the floor: populating 100 MiB on huge pages takes {share:.1%} of the shipped argon2 hash's wall time in kernel time")
    print(f"RESULT hashonly_floor_share_of_argon2 {share:.3f} ratio")
dj = med.get("django/check_password", [0])[0]
for v in ("authctl", "authctl-noprefault") if dj else ():
    r = med[f"auth/{v}"][0] / dj
    print(f"# authenticate ({v}) / Django check_password process, wall: {r:.2f}")
    print(f"RESULT faults_auth_vs_django_{v.replace('-', '_')} {r:.2f} ratio")
PY
