#!/usr/bin/env bash
# startup.sh: where an "authctl check" process spends its time, compared
# with the minimal bbolt reader and an empty Go program.
#
#   bash bench/startup.sh          # uses or prepares $AUTHCTL_BENCH_DIR
#
# Prints (RESULT/INIT lines are machine-readable, the rest for people):
#   1. the binaries: size and static or dynamic linking;
#   2. process wall times (hyperfine's median, else the mean of a shell
#      loop) of an empty Go
#      program, bench/minimalread, "authctl version" (start-up and command
#      tree only), "authctl check", and "authctl check" built with
#      CGO_ENABLED=0 (a statically linked variant, for comparison only);
#   3. package initialisation from GODEBUG=inittrace=1, averaged over
#      INIT_RUNS runs of "authctl check": the total and the costliest
#      packages, in microseconds of clock per process;
#   4. a CPU profile of the command run in-process (cmd.Run, without
#      process start-up): the share of Cobra's command tree, Viper's
#      configuration and the check itself;
#   5. with perf installed (and PERF unset or 1), a sampled profile of
#      PERF_RUNS check processes split into runtime bootstrap, package
#      initialisation and authctl's main.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
PROC_RUNS=${PROC_RUNS:-300}
INIT_RUNS=${INIT_RUNS:-200}
PERF_RUNS=${PERF_RUNS:-300}

cleanup_dirs=()
cleanup() { for d in "${cleanup_dirs[@]}"; do rm -rf "$d"; done; }
trap cleanup EXIT

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
# The timed programs get a fake home; the go tool keeps its own caches.
if command -v go >/dev/null; then
  export GOPATH GOMODCACHE GOCACHE
  GOPATH=$(go env GOPATH) GOMODCACHE=$(go env GOMODCACHE) GOCACHE=$(go env GOCACHE)
fi
mkdir -p "$BENCH_HOME"
export HOME="$BENCH_HOME" XDG_CONFIG_HOME="$BENCH_HOME/.config" XDG_DATA_HOME="$BENCH_HOME/.local/share" XDG_STATE_HOME="$BENCH_HOME/.local/state"

work=$(mktemp -d "${TMPDIR:-/tmp}/authctl-startup.XXXXXX")
cleanup_dirs+=("$work")
printf 'package main\n\nfunc main() {}\n' >"$work/empty.go"
(cd "$work" && go build -o "$work/empty" empty.go)
(cd "$root" && CGO_ENABLED=0 go build -o "$work/authctl-nocgo" authctl)

check=(check "$CHECK_PERM" --user "$CHECK_USER" -q --db "$AUTHCTL_BENCH_DB")

echo "## 1. binaries"
for b in "$work/empty" "$MINIMALREAD_BIN" "$AUTHCTL_BIN" "$work/authctl-nocgo"; do
  link=static
  if command -v ldd >/dev/null && ldd "$b" >/dev/null 2>&1; then link=dynamic; fi
  printf '%-14s %6.1f MB  %s\n' "$(basename "$b")" "$(awk -v s="$(stat -c %s "$b")" 'BEGIN { print s / 1048576 }')" "$link"
done

echo "## 2. process wall time (median of $PROC_RUNS runs with hyperfine, else the mean)"
time_process() {
  local key=$1
  shift
  "$@" >/dev/null 2>&1 || { echo "startup.sh: $* failed" >&2; exit 1; }
  if [ -z "${NO_HYPERFINE:-}" ] && command -v hyperfine >/dev/null; then
    local json=$work/$key.json
    hyperfine -N --style none --warmup 20 --runs "$PROC_RUNS" --export-json "$json" "$(printf '%q ' "$@")" >/dev/null
    awk -v k="$key" '/"median"/ { gsub(/[",]/, ""); printf "RESULT startup.%s %.3f ms (hyperfine median)\n", k, $2 * 1000; exit }' "$json"
  else
    local i start end
    start=$(date +%s%N)
    for ((i = 0; i < PROC_RUNS; i++)); do "$@" >/dev/null 2>&1; done
    end=$(date +%s%N)
    awk -v k="$key" -v ns=$((end - start)) -v n="$PROC_RUNS" 'BEGIN { printf "RESULT startup.%s %.3f ms (shell loop)\n", k, ns / n / 1e6 }'
  fi
}
time_process empty_go "$work/empty"
time_process minimalread "$MINIMALREAD_BIN" "$AUTHCTL_BENCH_DB" users "$CHECK_USER"
time_process authctl_version "$AUTHCTL_BIN" version
time_process authctl_check "$AUTHCTL_BIN" "${check[@]}"
time_process authctl_check_cgo0 "$work/authctl-nocgo" "${check[@]}"

echo "## 3. package initialisation of authctl check (GODEBUG=inittrace=1, mean of $INIT_RUNS runs)"
for ((i = 0; i < INIT_RUNS; i++)); do
  GODEBUG=inittrace=1 "$AUTHCTL_BIN" "${check[@]}" 2>&1 >/dev/null | grep '^init ' || true
done >"$work/inittrace.txt"
awk -v runs="$INIT_RUNS" '
  $1 == "init" { clock[$2] += $5; bytes[$2] += $8; total += $5; n[$2]++ }
  END {
    printf "RESULT init.total %.3f ms per process (%d packages with init work)\n", total / runs, length(clock)
    for (p in clock) printf "INIT %8.1f us %8.0f B  %s\n", clock[p] / runs * 1000, bytes[p] / runs, p
  }' "$work/inittrace.txt" | sort -k2,2 -g -r | awk '/^RESULT/ { print; next } { if (++shown <= 25) print }'

echo "## 4. in-process command (cmd.Run), CPU profile"
(cd "$root" && go test -count=1 -run '^$' -bench '^BenchmarkCheckCommandInProcess$' -benchtime 3s \
  -cpuprofile "$work/cli.prof" -o "$work/bench.test" ./bench/ | grep '^Benchmark')
go tool pprof -top -cum "$work/bench.test" "$work/cli.prof" 2>/dev/null |
  grep -E ' (authctl/cmd\.(Run|NewRootCmd|loadConfig|checkRun|serviceFor|osUser)|github.com/spf13/cobra\.\(\*Command\)\.ExecuteC|github.com/spf13/viper\.\(\*Viper\)\.Unmarshal|authctl/internal/auth\.\(\*Service\)\.Check|authctl/internal/store/bolt\.Open|runtime\.gcBgMarkWorker)$' || true

if [ "${PERF:-1}" = 1 ] && command -v perf >/dev/null; then
  echo "## 5. perf: share of the CPU samples of $PERF_RUNS authctl check processes (children included; sysmon runs beside main)"
  cp "$AUTHCTL_BIN" "$work/authctl-perf"
  if perf record -q -e cpu-clock -F 20000 -g -o "$work/perf.data" -- \
    bash -c 'for ((i = 0; i < $0; i++)); do "$1" "${@:2}"; done' "$PERF_RUNS" "$work/authctl-perf" "${check[@]}" >/dev/null 2>&1; then
    perf report -i "$work/perf.data" --comm authctl-perf --percentage relative --children --sort sym --stdio -g none 2>/dev/null |
      grep -E '\] (runtime\.rt0_go\.abi0|runtime\.schedinit|internal/cpu\.Initialize|runtime\.main|runtime\.doInit1|main\.main|authctl/cmd\.NewRootCmd|authctl/cmd\.loadConfig|authctl/cmd\.osUser|authctl/internal/auth\.\(\*Service\)\.Check|authctl/internal/store/bolt\.Open|runtime\.sysmon|_dl_start|x_cgo_init|_cgo_try_pthread_create)$' || true
    echo "(inits with the largest share:)"
    perf report -i "$work/perf.data" --comm authctl-perf --percentage relative --children --sort sym --stdio -g none 2>/dev/null |
      grep -E '\] [^ ]+\.init(\.[0-9]+)?$' | grep -v 'runtime\.' | head -15 || true
  else
    echo "(perf record failed; skipped)"
  fi
fi
