#!/usr/bin/env bash
# seed.sh: issue 4's speed figures for seeding, authctl side by side with
# Django 3.2 (Debian's python3-django) in the same run.
#
#   bash bench/seed.sh                  # uses or prepares $AUTHCTL_BENCH_DIR
#   SCALE=0 bash bench/seed.sh          # without part D (the 1,000,000 users)
#   APPLY_SCALE=0 bash bench/seed.sh    # without part E (bench/seed_scale.sh)
#
# A. Hashing-bound seeding, per hasher at authctl's default costs, of
#    BENCH_SEED_USERS users a phase (default 24): Service.Apply of plain
#    passwords with the worker pool on every core against the bare
#    hasher.Set.Make kept busy on every core, in pairs
#    (BenchmarkSeedHashing, -benchtime SEED_BENCHTIME, default 7x), and
#    the same on one worker (BenchmarkSeedHashingOneWorker,
#    SEED_BENCHTIME_ONE, default 3x).
# B. Django's create_user loop of the same users and passwords, one
#    process, with the same hasher and costs (pbkdf2_sha256 at authctl's
#    iterations through a subclass; argon2 t=2 m=100 MiB p=8, which are
#    Django's defaults; bcrypt_sha256 cost 12; scrypt N=2^14 r=8 p=5
#    through a backport of Django 4's ScryptPasswordHasher, which is
#    hashlib.scrypt, since Django 3.2 has none), and the bare
#    make_password loop.
# C. Pre-hashed seeding: a JSON file of PREHASHED_USERS users (default
#    100,000), each with a distinct pbkdf2_sha256 hash, 10 groups and 20
#    permissions; "authctl apply -f FILE" as a process on a fresh
#    database, APPLY_RUNS times (default 5), wall time and peak memory;
#    Django's bulk_create of the same rows (and group memberships) on a
#    freshly migrated SQLite database, DJANGO_BULK_RUNS times (default 3),
#    timed in-process and as a process. With PROFILE=1 (the default) a
#    CPU and memory profile of the same apply run in-process
#    (BenchmarkApplyPrehashed).
# D. Scale (unless SCALE=0): databases of 100 users and 10 groups, and
#    100,000 and SCALE_USERS (default 1,000,000) users with 10,000 groups,
#    written through the store (bench/scale_test.go); "authctl check" as a
#    process on each (PROC_RUNS runs, default 300, in ROUNDS interleaved
#    rounds, default 5; see timing.sh); "authctl
#    user list -o json" on the two large ones, wall time and peak memory
#    (USERLIST_RUNS, default 3); the file size per user.
# E. Apply by order, format and size (unless APPLY_SCALE=0):
#    bench/seed_scale.sh, with its own variables (SIZES, default 100000;
#    ORDERS, FORMATS, RUNS, DJANGO_SIZES, DJANGO_RUNS) and its own summary.
#
# Machine-readable lines "RESULT <key> <value> <unit>" and the Go benchmark
# lines go to stdout, a summary table at the end; the rest is for people.
# Peak memory comes from bench/peakmem.py: wait4()'s maxrss (what
# /usr/bin/time -v reports) and the largest RssAnon and RssFile seen.
# Everything is written into temporary directories, removed at the end.
# Needs Go, python3, and for B and C python3-django, python3-argon2 and
# python3-bcrypt; hyperfine for D (else a shell loop).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
PY=${PYTHON:-/usr/bin/python3}
SEED_BENCHTIME=${SEED_BENCHTIME:-7x}
SEED_BENCHTIME_ONE=${SEED_BENCHTIME_ONE:-3x}
export BENCH_SEED_USERS=${BENCH_SEED_USERS:-24}
PREHASHED_USERS=${PREHASHED_USERS:-100000}
APPLY_RUNS=${APPLY_RUNS:-5}
DJANGO_BULK_RUNS=${DJANGO_BULK_RUNS:-3}
SCALE=${SCALE:-1}
SCALE_USERS=${SCALE_USERS:-1000000}
PROC_RUNS=${PROC_RUNS:-300}
ROUNDS=${ROUNDS:-5}
USERLIST_RUNS=${USERLIST_RUNS:-3}
PROFILE=${PROFILE:-1}
APPLY_SCALE=${APPLY_SCALE:-1}

cleanup_dirs=()
cleanup() { for d in "${cleanup_dirs[@]}"; do rm -rf "$d"; done; }
trap cleanup EXIT

django=1
if ! "$PY" -c 'import django, argon2, bcrypt' 2>/dev/null; then
  echo "# seed.sh: Django is not usable with $PY: parts B and C's Django side are skipped" >&2
  echo "#   (apt-get install python3-django python3-argon2 python3-bcrypt)" >&2
  django=0
fi

bench_dir=${AUTHCTL_BENCH_DIR:-}
if [ -z "$bench_dir" ]; then
  bench_dir=$(mktemp -d "${TMPDIR:-/tmp}/authctl-bench.XXXXXX")
  cleanup_dirs+=("$bench_dir")
fi
if [ ! -f "$bench_dir/params.env" ]; then
  echo "# building authctl and seeding $bench_dir" >&2
  (cd "$root" && AUTHCTL_BENCH_DIR="$bench_dir" go test -count=1 -run '^TestPrepare$' ./bench/ >&2)
fi
# shellcheck disable=SC1091
. "$bench_dir/params.env"
if command -v go >/dev/null; then
  export GOPATH GOMODCACHE GOCACHE
  GOPATH=$(go env GOPATH) GOMODCACHE=$(go env GOMODCACHE) GOCACHE=$(go env GOCACHE)
fi
export PBKDF2_ITERATIONS ARGON2_TIME ARGON2_MEMORY_KIB ARGON2_THREADS BCRYPT_COST SCRYPT_N SCRYPT_R SCRYPT_P

work=$(mktemp -d "${TMPDIR:-/tmp}/authctl-seed.XXXXXX")
cleanup_dirs+=("$work")
mkdir -p "$BENCH_HOME"
# The programs timed get a fake home (no config file).
run_env=(env HOME="$BENCH_HOME" XDG_CONFIG_HOME="$BENCH_HOME/.config" XDG_DATA_HOME="$BENCH_HOME/.local/share" XDG_STATE_HOME="$BENCH_HOME/.local/state")
peakmem() { "$PY" "$here/peakmem.py" "$@"; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p"; }
# result KEY VALUE REST...: print a RESULT line and keep it for the summary.
result() { echo "RESULT $*" | tee -a "$work/results.txt"; }

echo "# machine: $(nproc) CPUs, $(go version | cut -d' ' -f3-), $(uname -sr); load average $(cut -d' ' -f1-3 /proc/loadavg)"

########################################################################
echo "## A. hashing-bound seeding: Service.Apply vs the bare hasher ($BENCH_SEED_USERS users a phase; pairs: $SEED_BENCHTIME on every core, $SEED_BENCHTIME_ONE on one worker)"
(cd "$root" && go test -count=1 -run '^$' -bench '^BenchmarkSeedHashing$' -benchtime "$SEED_BENCHTIME" -timeout 60m ./bench/ &&
  go test -count=1 -run '^$' -bench '^BenchmarkSeedHashingOneWorker$' -benchtime "$SEED_BENCHTIME_ONE" -timeout 60m ./bench/) |
  grep -E '^(Benchmark|cpu)' | tee "$work/go-seed.txt"

########################################################################
if [ "$django" = 1 ]; then
  proj=$work/django
  # shellcheck source=bench/django_project.sh
  . "$here/django_project.sh"
  django_project "$proj"
  cat >"$proj/seed_hash.py" <<'EOF'
# Django's side of part A: per hasher, N passwords through make_password
# (the bare hash function, one thread) and N users through create_user,
# each its own INSERT, as a seeding script would; users/s, and CPU time
# per wall second (above 1: the hash runs threads of its own).
import os
import re
import time

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.test.utils import override_settings

N = int(os.environ["BENCH_SEED_USERS"])
HASHERS = {
    "argon2": ("benchproj.hashers.Argon2PasswordHasher", r"^argon2\$argon2id\$v=19\$m=%s,t=%s,p=%s\$" % (os.environ["ARGON2_MEMORY_KIB"], os.environ["ARGON2_TIME"], os.environ["ARGON2_THREADS"])),
    "pbkdf2_sha256": ("benchproj.hashers.PBKDF2PasswordHasher", r"^pbkdf2_sha256\$%s\$" % os.environ["PBKDF2_ITERATIONS"]),
    "bcrypt_sha256": ("benchproj.hashers.BCryptSHA256PasswordHasher", r"^bcrypt_sha256\$\$2b\$%s\$" % os.environ["BCRYPT_COST"]),
    "scrypt": ("benchproj.hashers.ScryptPasswordHasher", r"^scrypt\$%s\$[^$]+\$%s\$%s\$" % (os.environ["SCRYPT_N"], os.environ["SCRYPT_R"], os.environ["SCRYPT_P"])),
}


def pw(i):
    return "violet-harbour-%d-lantern" % i


def timed(fn):
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


for alg, (path, shape) in HASHERS.items():
    others = [p for p, _ in HASHERS.values() if p != path]
    with override_settings(PASSWORD_HASHERS=[path] + others):
        if not re.match(shape, make_password(pw(0))):
            raise SystemExit("%s: make_password does not use authctl's parameters (%s)" % (alg, shape))
        wall, cpu = timed(lambda: [make_password(pw(i)) for i in range(N)])
        print("RESULT django.seed.make_password.%s %.3f users/s (%d in %.2f s, cpu/wall %.2f)" % (alg, N / wall, N, wall, cpu / wall))
        User.objects.filter(username__startswith="seed").delete()
        wall, cpu = timed(lambda: [User.objects.create_user("seed%04d" % i, "seed%04d@example.com" % i, pw(i)) for i in range(N)])
        print("RESULT django.seed.create_user.%s %.3f users/s (%d in %.2f s, cpu/wall %.2f)" % (alg, N / wall, N, wall, cpu / wall))
        if User.objects.filter(username__startswith="seed").count() != N or not re.match(shape, User.objects.get(username="seed0001").password):
            raise SystemExit("%s: create_user did not store %d users with authctl's parameters" % (alg, N))
EOF
  cp "$here/django_bulk.py" "$proj/bulk.py"
  (cd "$proj" && "$PY" manage.py migrate -v 0)
  cp "$proj/db.sqlite3" "$proj/migrated.sqlite3"
  echo "## B. Django: make_password and create_user loops ($BENCH_SEED_USERS users a hasher, one process)"
  (cd "$proj" && "$PY" manage.py shell -c "exec(open('seed_hash.py').read())") | tee -a "$work/results.txt"
fi

########################################################################
echo "## C. pre-hashed seeding: $PREHASHED_USERS users given as password_hash"
(cd "$root" && AUTHCTL_BENCH_DIR="$work" AUTHCTL_SEED_FILE_USERS="$PREHASHED_USERS" go test -count=1 -run '^TestPrepareSeedFile$' ./bench/ >/dev/null)
seed_file=$work/seed-prehashed.json
echo "# $seed_file: $(stat -c %s "$seed_file") bytes"

# apply_runs KEY BIN: APPLY_RUNS applies of the file on fresh databases.
apply_runs() {
  local key=$1 bin=$2 i line db
  for ((i = 0; i < APPLY_RUNS; i++)); do
    db=$work/apply-$key/auth.db
    rm -rf "$(dirname "$db")"
    line=$(peakmem -- "${run_env[@]}" "$bin" apply -f "$seed_file" --db "$db")
    echo "# $key run $((i + 1)): $line db_bytes=$(stat -c %s "$db" 2>/dev/null || echo 0)"
    case $line in *exit=0*) ;; *) echo "seed.sh: $bin apply failed" >&2; exit 1 ;; esac
    echo "$line db_bytes=$(stat -c %s "$db")" >>"$work/apply-$key.txt"
  done
  if [ "$key" = authctl ]; then
    "${run_env[@]}" "$bin" audit verify --db "$db" | sed 's/^/# /'
  fi
  rm -rf "$(dirname "$db")"
  for f in wall_s maxrss_kib anon_kib file_kib db_bytes; do
    result "prehashed.$key.$f" "$(field "$f" <"$work/apply-$key.txt" | median)" "(median of $APPLY_RUNS)"
  done
  result "prehashed.$key.maxrss_kib_max" "$(field maxrss_kib <"$work/apply-$key.txt" | sort -g | tail -1)" "(largest of $APPLY_RUNS)"
}
apply_runs authctl "$AUTHCTL_BIN"

if [ "$django" = 1 ]; then
  : >"$work/django-bulk.txt"
  for ((i = 0; i < DJANGO_BULK_RUNS; i++)); do
    cp "$proj/migrated.sqlite3" "$proj/db.sqlite3"
    line=$(cd "$proj" && SEED_FILE="$seed_file" peakmem --stdout "$work/bulk-out.txt" -- "$PY" manage.py shell -c "exec(open('bulk.py').read())")
    echo "# django bulk_create run $((i + 1)): $line $(cat "$work/bulk-out.txt")"
    case $line in *exit=0*) ;; *) echo "seed.sh: Django bulk_create failed" >&2; exit 1 ;; esac
    echo "$line $(cat "$work/bulk-out.txt") db_bytes=$(stat -c %s "$proj/db.sqlite3")" >>"$work/django-bulk.txt"
  done
  for f in bulk_total_s bulk_db_s wall_s maxrss_kib db_bytes; do
    result "prehashed.django.$f" "$(field "$f" <"$work/django-bulk.txt" | median)" "(median of $DJANGO_BULK_RUNS)"
  done
fi

if [ "$PROFILE" = 1 ]; then
  echo "# C. profile: the same apply in-process (BenchmarkApplyPrehashed, 3 runs), the largest cumulative shares"
  (cd "$root" && BENCH_SEED_FILE_USERS="$PREHASHED_USERS" go test -count=1 -run '^$' -bench '^BenchmarkApplyPrehashed$' -benchtime 3x \
    -cpuprofile "$work/apply-cpu.prof" -memprofile "$work/apply-mem.prof" -o "$work/bench.test" ./bench/ | grep '^Benchmark')
  go tool pprof -top -cum "$work/bench.test" "$work/apply-cpu.prof" 2>/dev/null |
    grep -E ' (authctl/internal/seed\.Decode|authctl/internal/auth\.\(\*Service\)\.(PlanApply|checkDocument|WritePlan|writePlan|writeUser|appendAudit)|authctl/internal/auth\.auditHash|authctl/internal/store/bolt\.\(\*txn\)\.(PutUser|AppendAudit|LastAudit|User)|go\.etcd\.io/bbolt\.\(\*Tx\)\.Commit|go\.etcd\.io/bbolt\.\(\*DB\)\.mmap|go\.etcd\.io/bbolt\.\(\*node\)\.dereference|encoding/json\.(Marshal|Unmarshal)|runtime\.gcBgMarkWorker)$' || true
  echo "# allocated bytes by function (3 runs):"
  go tool pprof -sample_index=alloc_space -top "$work/bench.test" "$work/apply-mem.prof" 2>/dev/null | sed -n '/flat%/,$p' | head -9 || true
fi

########################################################################
if [ "$SCALE" != 0 ]; then
  echo "## D. scale: 100 users / 10 groups, 100,000 and $SCALE_USERS users / 10,000 groups"
  scale_dir=$(mktemp -d "${TMPDIR:-/tmp}/authctl-scale.XXXXXX")
  cleanup_dirs+=("$scale_dir")
  start=$(date +%s%N)
  (cd "$root" && AUTHCTL_BENCH_DIR="$scale_dir" AUTHCTL_SCALE="100:10 100000:10000 $SCALE_USERS:10000" \
    go test -count=1 -timeout 60m -run '^TestPrepareScale$' ./bench/ >/dev/null)
  echo "# built in $((($(date +%s%N) - start) / 1000000)) ms"
  sizes=(100 100000 "$SCALE_USERS")
  entries=()
  for n in "${sizes[@]}"; do
    # shellcheck disable=SC1090
    . "$scale_dir/scale-$n.env"
    cmdline=("$AUTHCTL_BIN" check "$SCALE_CHECK_PERM" --user "$SCALE_CHECK_USER" -q --db "$SCALE_DB")
    "${run_env[@]}" "${cmdline[@]}" || { echo "seed.sh: ${cmdline[*]}: not allowed" >&2; exit 1; }
    entries+=("scale.check.$n" "$PROC_RUNS" "$(printf '%q ' "${cmdline[@]}")")
    # group show of the first group: with the membership index its cost
    # beyond start-up is the group's members, not the user count.
    show=("$AUTHCTL_BIN" group show group00000 --db "$SCALE_DB")
    "${run_env[@]}" "${show[@]}" >/dev/null || { echo "seed.sh: ${show[*]} failed" >&2; exit 1; }
    members=$("${run_env[@]}" "$AUTHCTL_BIN" group show group00000 -o json --db "$SCALE_DB" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["members"]))')
    result "scale.group_members.$n" "$members" "members of group00000"
    entries+=("scale.group_show.$n" "$PROC_RUNS" "$(printf '%q ' "${show[@]}")")
    bytes=$(stat -c %s "$SCALE_DB")
    result "scale.db_bytes.$n" "$bytes" "bytes ($((bytes / n)) bytes/user)"
  done
  # shellcheck source=bench/timing.sh
  . "$here/timing.sh"
  (
    export HOME="$BENCH_HOME" XDG_CONFIG_HOME="$BENCH_HOME/.config" XDG_DATA_HOME="$BENCH_HOME/.local/share" XDG_STATE_HOME="$BENCH_HOME/.local/state"
    time_rounds "$ROUNDS" "${entries[@]}"
  ) | tee -a "$work/results.txt"
  for n in 100000 "$SCALE_USERS"; do
    # shellcheck disable=SC1090
    . "$scale_dir/scale-$n.env"
    : >"$work/userlist-$n.txt"
    for ((i = 0; i < USERLIST_RUNS; i++)); do
      line=$(peakmem -- "${run_env[@]}" "$AUTHCTL_BIN" user list -o json --db "$SCALE_DB")
      echo "# user list -o json, $n users, run $((i + 1)): $line"
      echo "$line" >>"$work/userlist-$n.txt"
    done
    for f in wall_s maxrss_kib anon_kib file_kib; do
      result "scale.userlist.$n.$f" "$(field "$f" <"$work/userlist-$n.txt" | median)" "(median of $USERLIST_RUNS)"
    done
  done
fi

########################################################################
echo
echo "## Seeding summary ($(nproc) CPUs; load average at the end $(cut -d' ' -f1-3 /proc/loadavg))"
cat "$work/go-seed.txt" "$work/results.txt" 2>/dev/null | awk -v scale_users="$SCALE_USERS" -v prehashed="$PREHASHED_USERS" '
  /^BenchmarkSeedHashing(OneWorker)?\// {
    alg = $1; sub(/^BenchmarkSeedHashing(OneWorker)?\//, "", alg); sub(/-[0-9]+$/, "", alg)
    one = ($1 ~ /OneWorker/) ? "1" : ""
    for (i = 2; i < NF; i++) go[alg, one $(i + 1)] = $i
  }
  /^RESULT / { r[$2] = $3 }
  function x(a, b) { return (a == "" || b == "" || b + 0 == 0) ? "n/a" : sprintf("%.2fx", a / b) }
  function v(a, fmt) { return a == "" ? "n/a" : sprintf(fmt, a) }
  function mib(k) { return k == "" ? "n/a" : sprintf("%.0f MiB", k / 1024) }
  END {
    print "A/B. hashing-bound seeding, users/s; apply/bare: the median (and range) of the pair ratios; x Dj: authctl / the Django create_user loop"
    printf "| %-13s | %7s | %7s | %-22s | %7s | %7s | %-22s | %10s | %10s | %9s | %9s |\n", "hasher", "bare", "apply", "apply/bare (min-max)", "bare W=1", "apply W=1", "W=1 apply/bare", "Django c_u", "Django m_p", "apply x Dj", "W=1 x Dj"
    split("argon2 pbkdf2_sha256 bcrypt_sha256 scrypt", algs, " ")
    for (i = 1; i <= 4; i++) {
      a = algs[i]; d = r["django.seed.create_user." a]
      printf "| %-13s | %7s | %7s | %-22s | %7s | %7s | %-22s | %10s | %10s | %9s | %9s |\n", a,
        v(go[a, "bare_users/s"], "%.2f"), v(go[a, "apply_users/s"], "%.2f"),
        v(go[a, "apply/bare_%"], "%.1f%%") " (" v(go[a, "min_apply/bare_%"], "%.0f") "-" v(go[a, "max_apply/bare_%"], "%.0f") ")",
        v(go[a, "1bare_users/s"], "%.2f"), v(go[a, "1apply_users/s"], "%.2f"),
        v(go[a, "1apply/bare_%"], "%.1f%%") " (" v(go[a, "1min_apply/bare_%"], "%.0f") "-" v(go[a, "1max_apply/bare_%"], "%.0f") ")",
        v(d, "%.2f"), v(r["django.seed.make_password." a], "%.2f"),
        x(go[a, "apply_users/s"], d), x(go[a, "1apply_users/s"], d)
    }
    print ""
    print "C. pre-hashed seeding of " prehashed " users (medians; apply: a process on a fresh database)"
    t = r["prehashed.authctl.wall_s"]
    printf "  authctl apply: %s s, peak RSS %s (largest %s; own memory %s), database %s bytes/user   [targets: < 3 s, < 200 MiB]\n",
      v(t, "%.2f"), mib(r["prehashed.authctl.maxrss_kib"]), mib(r["prehashed.authctl.maxrss_kib_max"]), mib(r["prehashed.authctl.anon_kib"]),
      v(r["prehashed.authctl.db_bytes"] / prehashed, "%.0f")
    if ("prehashed.django.bulk_total_s" in r) {
      printf "  Django bulk_create in-process: %s s with reading the JSON, %s s without; as a process %s s, peak RSS %s\n",
        v(r["prehashed.django.bulk_total_s"], "%.2f"), v(r["prehashed.django.bulk_db_s"], "%.2f"), v(r["prehashed.django.wall_s"], "%.2f"), mib(r["prehashed.django.maxrss_kib"])
      printf "  Django / authctl: %s (in-process with JSON), %s (bulk_create alone), %s (processes)   [target: >= 5x]\n",
        x(r["prehashed.django.bulk_total_s"], t), x(r["prehashed.django.bulk_db_s"], t), x(r["prehashed.django.wall_s"], t)
    }
    if (("scale.check.100") in r) {
      print ""
      print "D. scale"
      printf "  check as a process: %s ms (100 users), %s ms (100,000), %s ms (%d): %s of the 100-user time   [target: <= 1.2x]\n",
        r["scale.check.100"], r["scale.check.100000"], r["scale.check." scale_users], scale_users, x(r["scale.check." scale_users], r["scale.check.100"])
      split("100000 " scale_users, ns, " ")
      for (i = 1; i <= 2; i++) {
        n = ns[i]
        printf "  user list -o json, %d users: %s s, peak RSS %s = own memory %s + mapped database pages %s\n", n,
          v(r["scale.userlist." n ".wall_s"], "%.2f"), mib(r["scale.userlist." n ".maxrss_kib"]), mib(r["scale.userlist." n ".anon_kib"]), mib(r["scale.userlist." n ".file_kib"])
      }
      printf "  group show as a process: %s ms (100 users, a group of %s), %s ms (%d users, a group of %s): %s ms beyond the small database   [target: <= 5 ms]\n",
        r["scale.group_show.100"], r["scale.group_members.100"], r["scale.group_show." scale_users], scale_users, r["scale.group_members." scale_users],
        (r["scale.group_show." scale_users] == "" ? "n/a" : sprintf("%.2f", r["scale.group_show." scale_users] - r["scale.group_show.100"]))
      printf "  database size: %s bytes/user at 100,000 users, %s at %d\n", v(r["scale.db_bytes.100000"] / 100000, "%.0f"), v(r["scale.db_bytes." scale_users] / scale_users, "%.0f"), scale_users
    }
  }'

########################################################################
if [ "$APPLY_SCALE" != 0 ]; then
  echo
  echo "## E. apply by order, format and size (bench/seed_scale.sh)"
  bash "$here/seed_scale.sh"
fi
