#!/usr/bin/env bash
# run.sh: run authctl's benchmarks and Django's side by side and print a
# summary table (the figures of docs/performance.md come from one run).
#
#   bash bench/run.sh                 # from anywhere in the repository
#   BENCH_OUT=/tmp/perf bash bench/run.sh
#
# Steps (each one's full output is kept in $BENCH_OUT, default a new
# temporary directory, whose path is printed at the end):
#   1. go test -bench for the check benchmarks (BENCHTIME, default 2s,
#      COUNT, default 5, runs: the summary takes the median);
#   2. go test -bench for authenticate and check_password per hasher
#      (HASH_BENCHTIME, default 5x, HASH_COUNT, default 3: these take 0.1
#      to 0.5 s per call);
#   3. bench/django_bench.sh: Django 3.2 on the same data and costs, and
#      the process timings (hyperfine if installed) of authctl check,
#      bench/minimalread and manage.py;
#   4. bench/startup.sh (unless STARTUP=0): where authctl's start-up time
#      goes;
#   5. bench/seed.sh (unless SEED=0): issue 4's seeding figures beside
#      Django's; its part D builds and reads a 1,000,000-user database,
#      which takes a few minutes and about 1.1 GB in $TMPDIR: SCALE=0 skips
#      it. seed.sh prints its own summary. Then (unless LINEAR_SIZES is
#      empty) apply of sorted JSON at 300,000 and 1,000,000 users, once;
#   6. bench/list.sh (unless LIST=0): user list -o json and export at
#      1,000,000 users against a raw scan of the users bucket;
#   7. bench/batch_bench.sh (unless BATCH=0): check --batch against
#      Django's has_perms;
#   8. bench/argon2_faults.sh (unless FAULTS=0): page faults and kernel
#      time of argon2 and scrypt in a fresh process, beside Django;
#   9. go test -bench (unless QUERIES=0) for the permission queries, apply
#      by order and the membership index at 1,000,000 users.
# Needs Go, and Debian's python3-django, python3-argon2 and python3-bcrypt
# for step 3 (apt-get install python3-django python3-argon2
# python3-bcrypt; hyperfine is optional).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cd "$root"

out=${BENCH_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/authctl-bench-results.XXXXXX")}
mkdir -p "$out"
out=$(cd "$out" && pwd)
export AUTHCTL_BENCH_DIR="$out/work"
BENCHTIME=${BENCHTIME:-2s}
COUNT=${COUNT:-5}
HASH_BENCHTIME=${HASH_BENCHTIME:-5x}
HASH_COUNT=${HASH_COUNT:-3}

echo "# machine: $(nproc) CPUs, $(go version | cut -d' ' -f3-), $(uname -sr); code $(git describe --always --dirty 2>/dev/null || echo unknown); load average at start $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$out/machine.txt"

echo "## 1. Go: check benchmarks (-benchtime $BENCHTIME -count $COUNT)"
go test -count="$COUNT" -run '^$' \
  -bench '^(BenchmarkCheckInProcess|BenchmarkCheckCommandInProcess|BenchmarkCheckProcess|BenchmarkMinimalBoltProcess)$' \
  -benchtime "$BENCHTIME" ./bench/ | tee "$out/go-check.txt"

echo "## 2. Go: password benchmarks (-benchtime $HASH_BENCHTIME -count $HASH_COUNT)"
go test -count="$HASH_COUNT" -run '^$' -bench '^(BenchmarkAuthenticate|BenchmarkCheckPassword)$' \
  -benchtime "$HASH_BENCHTIME" ./bench/ | tee "$out/go-hash.txt"

echo "## 3. Django and process timings"
go test -count=1 -run '^TestPrepare$' ./bench/ >/dev/null
bash "$here/django_bench.sh" | tee "$out/django.txt"

if [ "${STARTUP:-1}" = 1 ]; then
  echo "## 4. authctl start-up"
  bash "$here/startup.sh" | tee "$out/startup.txt"
fi

if [ "${SEED:-1}" = 1 ]; then
  echo "## 5. seeding (bench/seed.sh; SCALE=${SCALE:-1})"
  bash "$here/seed.sh" | tee "$out/seed.txt"
  linear_sizes=${LINEAR_SIZES-300000 1000000}
  if [ -n "$linear_sizes" ]; then
    # Linearity of apply: the larger sizes once, sorted JSON only (each
    # 1,000,000-user apply takes about a minute and 2-3 GB).
    echo "## 5b. apply at $linear_sizes users (bench/seed_scale.sh)"
    SIZES="$linear_sizes" ORDERS=sorted FORMATS=json RUNS=1 DJANGO_SIZES= \
      bash "$here/seed_scale.sh" | tee "$out/seed-linear.txt"
  fi
fi

if [ "${LIST:-1}" = 1 ]; then
  echo "## 6. user list and export against a raw scan (bench/list.sh)"
  bash "$here/list.sh" | tee "$out/list.txt"
fi

if [ "${BATCH:-1}" = 1 ]; then
  echo "## 7. check --batch against Django's has_perms (bench/batch_bench.sh)"
  bash "$here/batch_bench.sh" | tee "$out/batch.txt"
fi

if [ "${FAULTS:-1}" = 1 ]; then
  echo "## 8. argon2 and scrypt in a fresh process (bench/argon2_faults.sh)"
  bash "$here/argon2_faults.sh" | tee "$out/faults.txt"
fi

if [ "${QUERIES:-1}" = 1 ]; then
  echo "## 9. Go: permission queries, the membership index at 1,000,000 users, apply by order"
  go test -count=1 -run '^$' -timeout 60m -bench '^(BenchmarkPermQueries|BenchmarkApplySorted|BenchmarkApplyRandom)$' \
    -benchtime "${QUERY_BENCHTIME:-3x}" ./bench/ | tee "$out/go-queries.txt"
  go test -count=1 -run '^$' -timeout 60m -bench '^BenchmarkGroupMembers1M$' ./internal/store/bolt/ | tee -a "$out/go-queries.txt"
fi

echo "# load average at end $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/machine.txt"
echo
echo "## Summary ($(nproc) CPUs; Go: median of the -count runs' ns/op; scripts: medians, see RESULT lines)"
cat "$out"/go-check.txt "$out"/go-hash.txt "$out"/django.txt "$out"/startup.txt 2>/dev/null | awk '
  /^Benchmark/ && / ns\/op/ {
    name = $1; sub(/-[0-9]+$/, "", name)
    for (i = 2; i < NF; i++) if ($(i + 1) == "ns/op") runs[name] = runs[name] " " $i / 1e6   # ms
  }
  /^RESULT / { r[$2] = ($4 == "us") ? $3 / 1000 : $3 }                         # ms
  /^RESULT interleave\./ { r[$2] = $4 }
  /^RATIO interleave\./ { iw[$2] = $4; ic[$2] = $6 }                            # "2.04x"
  function ms(v) { return v == "" ? "n/a" : (v < 1 ? sprintf("%.3f ms", v) : v < 100 ? sprintf("%.2f ms", v) : sprintf("%.0f ms", v)) }
  function ratio(a, b) { return (a == "" || b == "" || b == 0) ? "n/a" : sprintf("%.2f", a / b) }
  function row(what, a, b, rt, target) { printf "| %-66s | %11s | %11s | %9s | %-8s |\n", what, ms(a), ms(b), rt, target }
  function median(list,   v, n, i, j, t) {
    n = split(list, v, " ")
    for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  END {
    for (k in runs) go[k] = median(runs[k])
    printf "| %-66s | %11s | %11s | %9s | %-8s |\n", "measure", "authctl", "other", "ratio", "target"
    printf "|%s|%s|%s|%s|%s|\n", "--------------------------------------------------------------------", "-------------", "-------------", "-----------", "----------"
    c = go["BenchmarkCheckProcess"]; m = go["BenchmarkMinimalBoltProcess"]
    row("check process / minimal bbolt process (go bench)", c, m, ratio(c, m) "x", "<= 3x")
    c2 = r["proc.authctl_check"]; m2 = r["proc.minimalread"]
    row("check process / minimal bbolt process (hyperfine)", c2, m2, ratio(c2, m2) "x", "<= 3x")
    d = r["proc.django_has_perm"]
    row("Django manage.py has_perm process / check process", c2, d, ratio(d, c2) "x", ">= 100x")
    row("check in-process (open, Check, close) vs Django has_perm", go["BenchmarkCheckInProcess/open-check-close"], r["django.has_perm_inproc"], ratio(r["django.has_perm_inproc"], go["BenchmarkCheckInProcess/open-check-close"]) "x", "")
    row("Service.Check alone (database open)", go["BenchmarkCheckInProcess/check-only"], "", "", "")
    row("whole command in-process (cmd.Run)", go["BenchmarkCheckCommandInProcess"], "", "", "")
    n = split("argon2 pbkdf2_sha256 bcrypt_sha256 scrypt", algs, " ")
    for (i = 1; i <= n; i++) {
      a = algs[i]
      g = go["BenchmarkAuthenticate/" a]; dj = r["django.authenticate." a]
      row("authenticate " a " (Go Service vs Django authenticate())", g, dj, ratio(dj, g) "x", "")
      g = go["BenchmarkCheckPassword/" a]; dj = r["django.check_password." a]
      row("check_password " a " (Go Set.Check vs Django)", g, dj, ratio(dj, g) "x", "")
    }
    if ("startup.empty_go" in r) {
      row("empty Go program process", r["startup.empty_go"], "", "", "")
      row("empty program importing Cobra / empty program", r["startup.empty_cobra"], r["startup.empty_go"], ratio(r["startup.empty_cobra"], r["startup.empty_go"]) "x", "")
      row("empty program importing Viper / empty program", r["startup.empty_viper"], r["startup.empty_go"], ratio(r["startup.empty_viper"], r["startup.empty_go"]) "x", "")
      row("authctl version process (start-up, no database)", r["startup.authctl_version"], "", "", "")
      row("check process (startup.sh run) / minimal", r["startup.authctl_check"], r["startup.minimalread"], ratio(r["startup.authctl_check"], r["startup.minimalread"]) "x", "<= 3x")
      row("check process built without Viper / minimal", r["startup.authctl_noviper_check"], r["startup.minimalread"], ratio(r["startup.authctl_noviper_check"], r["startup.minimalread"]) "x", "<= 3x")
      row("package init, total per process (inittrace)", r["init.total"], "", "", "")
    }
    if ("interleave.authctl_check" in iw) {
      row("check / minimal, interleaved: median per-iteration ratio, wall", r["interleave.authctl_check"], r["interleave.minimalread"], iw["interleave.authctl_check"], "<= 3x")
      row("check / minimal, interleaved: median per-iteration ratio, CPU", "", "", ic["interleave.authctl_check"], "")
      row("version / minimal, interleaved (start-up alone), wall", r["interleave.authctl_version"], r["interleave.minimalread"], iw["interleave.authctl_version"], "")
      row("empty program importing Viper / minimal, interleaved, wall", r["interleave.empty_viper"], r["interleave.minimalread"], iw["interleave.empty_viper"], "")
    }
    print ""
    print "ratio: in the two minimal-bbolt rows, authctl / minimal (lower is better); in the"
    print "Django rows, Django / authctl (above 1: authctl is faster)."
  }' | tee "$out/summary.md"
if [ -f "$out/seed.txt" ]; then
  echo
  sed -n '/^## Seeding summary/,$p' "$out/seed.txt" | tee -a "$out/summary.md"
fi
for part in seed-linear list batch faults; do
  if [ -f "$out/$part.txt" ]; then
    { echo; echo "### $part"; grep -E '^(RESULT|RATIO|CPU|\||#.*load)' "$out/$part.txt"; } | tee -a "$out/summary.md"
  fi
done
if [ -f "$out/go-queries.txt" ]; then
  { echo; echo "### go-queries"; grep -E '^Benchmark' "$out/go-queries.txt"; } | tee -a "$out/summary.md"
fi
echo
echo "results in $out"
