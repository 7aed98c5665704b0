# timing.sh: sourced by django_bench.sh, startup.sh and seed.sh. Defines
#
#   time_rounds ROUNDS KEY RUNS CMDLINE [KEY RUNS CMDLINE]...
#
# which times processes the way every figure in docs/performance.md is
# timed: ROUNDS interleaved rounds, in each of which every CMDLINE (one
# string, shell-quoted as printf %q makes it) runs RUNS/ROUNDS times
# under hyperfine -N (no shell, 3 warm-up runs a round), so that a burst of
# other work on a shared machine falls on every command alike instead of
# on one command's block of runs. It prints, for each command,
#
#   RESULT KEY MEDIAN ms (median of N runs in R rounds; mean M)
#
# the median of all its runs pooled. Every command must succeed once
# first. Without hyperfine (or with NO_HYPERFINE=1) each round times a
# shell loop, and the result is the median of the rounds' means.
# shellcheck shell=bash

time_rounds() {
  local rounds=$1
  shift
  local keys=() runs=() cmds=() i r k per tmp start what=runs
  if [ -n "${NO_HYPERFINE:-}" ] || ! command -v hyperfine >/dev/null; then what="round means"; fi
  while [ $# -gt 0 ]; do
    keys+=("$1") runs+=("$2") cmds+=("$3")
    shift 3
  done
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/authctl-timing.XXXXXX")
  for i in "${!cmds[@]}"; do
    if ! eval "${cmds[$i]}" >/dev/null 2>&1; then
      echo "time_rounds: ${cmds[$i]} failed" >&2
      rm -rf "$tmp"
      return 1
    fi
    : >"$tmp/$i.ms"
  done
  for ((r = 0; r < rounds; r++)); do
    for i in "${!cmds[@]}"; do
      per=$(((runs[i] + rounds - 1) / rounds))
      if [ "$what" = runs ]; then
        hyperfine -N --style none --warmup 3 --runs "$per" --export-json "$tmp/run.json" "${cmds[$i]}" >/dev/null 2>&1
        awk '/"times": \[/ { t = 1; next } t && /\]/ { t = 0 } t { gsub(/[ ,]/, ""); printf "%.6f\n", $0 * 1000 }' "$tmp/run.json" >>"$tmp/$i.ms"
      else
        start=$(date +%s%N)
        for ((k = 0; k < per; k++)); do eval "${cmds[$i]}" >/dev/null 2>&1; done
        awk -v ns=$(($(date +%s%N) - start)) -v n="$per" 'BEGIN { printf "%.6f\n", ns / n / 1e6 }' >>"$tmp/$i.ms"
      fi
    done
  done
  for i in "${!keys[@]}"; do
    sort -g "$tmp/$i.ms" | awk -v k="${keys[$i]}" -v r="$rounds" -v what="$what" '
      { v[NR] = $1; s += $1 }
      END {
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "RESULT %s %.3f ms (median of %d %s in %d interleaved rounds; mean %.3f)\n", k, m, NR, what, r, s / NR
      }'
  done
  rm -rf "$tmp"
}
