#!/usr/bin/env bash
# list.sh: "user list -o json", "user list" (piped) and "export" as
# processes at LIST_USERS users (default 1,000,000), side by side with a
# raw scan of the same users bucket (bench/minimalscan: open the bbolt
# file, iterate the bucket, touch every byte of every value), all with
# their output on /dev/null, in one run. Issue 12's target: user list -o
# json and export at most 5x the raw scan.
#
#   bash bench/list.sh
#   LIST_USERS=100000 RUNS=10 bash bench/list.sh
#
# It builds the scale database once (scale_test.go's shape: 10,000 groups,
# every user in 2 of them with 3 direct permissions; about 45 s and 640 MB
# at 1,000,000 users) in $AUTHCTL_BENCH_DIR, or in a temporary directory
# removed at the end. The binaries are built as releases are (static,
# -trimpath, stripped). Prints RESULT lines (timing.sh: median of RUNS runs
# in ROUNDS interleaved rounds), the ratios to the raw scan, and each
# command's CPU time and peak resident memory from one run (on a shared
# machine the CPU ratios move less than the wall ones). DJANGO=1 adds
# "export --format django" (not a target; about 10x slower than export).
# BEFORE=path/to/authctl adds another build's "user list -o json" and
# "export" to the same rounds, for before-and-after figures from one run.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
LIST_USERS=${LIST_USERS:-1000000}
RUNS=${RUNS:-10}
ROUNDS=${ROUNDS:-5}
groups=$((LIST_USERS / 10 < 10000 ? LIST_USERS / 10 : 10000))
[ "$groups" -ge 2 ] || groups=2

cleanup_dirs=()
cleanup() { for d in "${cleanup_dirs[@]}"; do rm -rf "$d"; done; }
trap cleanup EXIT
bench_dir=${AUTHCTL_BENCH_DIR:-}
if [ -z "$bench_dir" ]; then
  bench_dir=$(mktemp -d "${TMPDIR:-/tmp}/authctl-list.XXXXXX")
  cleanup_dirs+=("$bench_dir")
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/authctl-listbin.XXXXXX")
cleanup_dirs+=("$work")

build() { (cd "$root" && CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$1" "$2"); }
build "$work/authctl" .
build "$work/minimalscan" ./bench/minimalscan

echo "# load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
start=$(date +%s)
(cd "$root" && AUTHCTL_BENCH_DIR="$bench_dir" AUTHCTL_SCALE="$LIST_USERS:$groups" go test -count=1 -run '^TestPrepareScale$' ./bench/ >&2)
db=$bench_dir/scale-$LIST_USERS.db
echo "# database: $LIST_USERS users, $groups groups, $(stat -c %s "$db") bytes (built or found in $(($(date +%s) - start)) s)"

export HOME=$work/home XDG_CONFIG_HOME=$work/home/.config
mkdir -p "$HOME"
# shellcheck source=bench/timing.sh
. "$here/timing.sh"
q() { printf '%q ' "$@"; }
results=$work/results.txt
entries=(
  list.raw_scan "$RUNS" "$(q "$work/minimalscan" "$db" users)"
  list.user_list_json "$RUNS" "$(q "$work/authctl" --db "$db" user list -o json)"
  list.user_list_lines "$RUNS" "$(q "$work/authctl" --db "$db" user list)"
  list.export "$RUNS" "$(q "$work/authctl" --db "$db" export)"
)
if [ -n "${BEFORE:-}" ]; then
  entries+=(
    list.before_user_list_json "$RUNS" "$(q "$BEFORE" --db "$db" user list -o json)"
    list.before_export "$RUNS" "$(q "$BEFORE" --db "$db" export)"
  )
fi
if [ "${DJANGO:-0}" = 1 ]; then
  entries+=(list.export_django "$RUNS" "$(q "$work/authctl" --db "$db" export --format django)")
fi
time_rounds "$ROUNDS" "${entries[@]}" | tee "$results"

echo "## ratios to the raw scan (target: user list -o json and export <= 5x)"
awk '$1 == "RESULT" { ms[$2] = $3 }
  END {
    for (k in ms) if (k != "list.raw_scan") printf "RATIO %s %.2fx (%.1f ms / %.1f ms)\n", k, ms[k] / ms["list.raw_scan"], ms[k], ms["list.raw_scan"]
  }' "$results" | sort

echo "## CPU time (user + system) and peak resident memory (maxrss), one run each"
for c in "minimalscan $db users" "authctl --db $db user list -o json" "authctl --db $db user list" "authctl --db $db export"; do
  # shellcheck disable=SC2086
  /usr/bin/time -f "CPU %U %S %M $c" "$work"/$c >/dev/null
done 2>&1 | awk '$1 == "CPU" {
    cpu = $2 + $3; if (!base) base = cpu
    cmd = $5; for (i = 6; i <= NF; i++) if ($i != "--db" && $(i-1) != "--db") cmd = cmd " " $i
    printf "CPU %-30s %6.2f s (%.2fx the scan), maxrss %d KB\n", cmd, cpu, cpu / base, $4
  }'
echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
