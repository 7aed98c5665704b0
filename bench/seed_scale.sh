#!/usr/bin/env bash
# seed_scale.sh: "authctl apply -f" of pre-hashed users by the order of the
# file, its format and its size, side by side with Django 3.2's
# bulk_create of the same rows (issue 12: random order <= 1.1x sorted,
# >= 5x faster than bulk_create, peak memory <= 150 MiB at 100,000 users
# and <= 600 MiB at 1,000,000, time linear in the count).
#
#   bash bench/seed_scale.sh                               # 100,000 users: a few minutes
#   SIZES="100000 300000 1000000" bash bench/seed_scale.sh # linearity (1M: ~10 more minutes)
#   bash bench/seed.sh                                     # runs this as its part E
#
# For each size N of SIZES (default 100000): seeding files of N users
# named user0 … user(N-1), each with an email, a first and last name, one
# of 10 groups (of 4 of 20 permissions) and a distinct pbkdf2_sha256 hash
# (bench/seedfile_test.go), in the orders of ORDERS (default: sorted, the
# byte order of the names; numeric, user0 user1 … user10 …, as a generator
# loop writes them; random, a fixed shuffle) and the formats of FORMATS
# (default: json yaml). RUNS rounds (default 5); each round applies every
# file once, interleaved (the orders run backwards in every other round, so
# that no order always runs first), as a process on a fresh database, through
# bench/peakmem.py (wall time; peak RSS, and the process's own memory
# apart from mapped database pages). Then, for the sizes of DJANGO_SIZES
# (default: the first size; empty: none), Django's bulk_create of the JSON rows on a
# freshly migrated SQLite database, DJANGO_RUNS times (default 3).
#
# A ratio within one run is the figure to read: the machine is shared.
# Lines "RESULT key value unit" go to stdout, a summary table at the end.
# Needs Go and python3 (with python3-django for Django's side).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
PY=${PYTHON:-/usr/bin/python3}
SIZES=${SIZES:-100000}
ORDERS=${ORDERS:-sorted numeric random}
FORMATS=${FORMATS:-json yaml}
RUNS=${RUNS:-5}
read -r -a sizes <<<"$SIZES"
DJANGO_SIZES=${DJANGO_SIZES-${sizes[0]}} # empty: no Django
DJANGO_RUNS=${DJANGO_RUNS:-3}

work=$(mktemp -d "${TMPDIR:-/tmp}/authctl-seedscale.XXXXXX")
trap 'rm -rf "$work"' EXIT
home=$work/home
mkdir -p "$home"
run_env=(env HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share" XDG_STATE_HOME="$home/.local/state")
peakmem() { "$PY" "$here/peakmem.py" "$@"; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p"; }
result() { echo "RESULT $*" | tee -a "$work/results.txt"; }

echo "# machine: $(nproc) CPUs, $(go version | cut -d' ' -f3-), $(uname -sr); load average $(cut -d' ' -f1-3 /proc/loadavg)"
(cd "$root" && CGO_ENABLED=0 go build -trimpath -o "$work/authctl" .)
echo "# writing the seeding files: sizes $SIZES; orders $ORDERS; formats $FORMATS" >&2
(cd "$root" && AUTHCTL_BENCH_DIR="$work" AUTHCTL_SEED_SIZES="$SIZES" AUTHCTL_SEED_ORDERS="$ORDERS" AUTHCTL_SEED_FORMATS="$FORMATS" \
  go test -count=1 -timeout 60m -run '^TestPrepareSeedFiles$' ./bench/ >/dev/null)

for n in "${sizes[@]}"; do
  echo "## apply of $n pre-hashed users: $RUNS rounds of every order and format"
  for ((r = 1; r <= RUNS; r++)); do
    for format in $FORMATS; do
      round_orders=$ORDERS
      if ((r % 2 == 0)); then round_orders=$(printf '%s\n' $ORDERS | tac | tr '\n' ' '); fi
      for order in $round_orders; do
        key=$n.$format.$order
        db=$work/db/auth.db
        rm -rf "$work/db"
        line=$(peakmem -- "${run_env[@]}" "$work/authctl" apply -q -f "$work/seed-$n-$order.$format" --db "$db")
        echo "# $key round $r: $line"
        case $line in *exit=0*) ;; *) echo "seed_scale.sh: apply of $key failed" >&2; exit 1 ;; esac
        echo "$line round=$r" >>"$work/apply-$key.txt"
      done
      # random / sorted within the round
      if [ -f "$work/apply-$n.$format.random.txt" ] && [ -f "$work/apply-$n.$format.sorted.txt" ]; then
        rs=$(tail -1 "$work/apply-$n.$format.random.txt" | field wall_s)
        ss=$(tail -1 "$work/apply-$n.$format.sorted.txt" | field wall_s)
        awk -v a="$rs" -v b="$ss" 'BEGIN { printf "%.3f\n", a / b }' >>"$work/ratio-$n.$format.txt"
        rs=$(tail -1 "$work/apply-$n.$format.random.txt" | field cpu_s)
        ss=$(tail -1 "$work/apply-$n.$format.sorted.txt" | field cpu_s)
        awk -v a="$rs" -v b="$ss" 'BEGIN { printf "%.3f\n", a / b }' >>"$work/cpuratio-$n.$format.txt"
      fi
    done
  done
  for format in $FORMATS; do
    for order in $ORDERS; do
      key=$n.$format.$order
      for f in wall_s cpu_s maxrss_kib anon_kib; do
        result "apply.$key.$f" "$(field "$f" <"$work/apply-$key.txt" | median)" "(median of $RUNS)"
      done
      result "apply.$key.maxrss_kib_max" "$(field maxrss_kib <"$work/apply-$key.txt" | sort -g | tail -1)" "(largest of $RUNS)"
    done
    if [ -f "$work/ratio-$n.$format.txt" ]; then
      result "apply.$n.$format.random_over_sorted" "$(median <"$work/ratio-$n.$format.txt")" "(wall time: median of the rounds' ratios)"
      result "apply.$n.$format.random_over_sorted_cpu" "$(median <"$work/cpuratio-$n.$format.txt")" "(CPU time: median of the rounds' ratios)"
    fi
  done
done

django=1
if ! "$PY" -c 'import django' 2>/dev/null; then
  echo "# seed_scale.sh: Django is not usable with $PY: its side is skipped (apt-get install python3-django)" >&2
  django=0
fi
if [ "$django" = 1 ] && [ -n "$DJANGO_SIZES" ]; then
  proj=$work/django
  # shellcheck source=bench/django_project.sh
  . "$here/django_project.sh"
  django_project "$proj"
  cp "$here/django_bulk.py" "$proj/bulk.py"
  (cd "$proj" && "$PY" manage.py migrate -v 0)
  cp "$proj/db.sqlite3" "$proj/migrated.sqlite3"
  for n in $DJANGO_SIZES; do
    seed_file=$work/seed-$n-numeric.json
    [ -f "$seed_file" ] || seed_file=$(ls "$work"/seed-"$n"-*.json | head -1)
    echo "## Django bulk_create of $n users ($(basename "$seed_file")), $DJANGO_RUNS runs"
    for ((i = 1; i <= DJANGO_RUNS; i++)); do
      cp "$proj/migrated.sqlite3" "$proj/db.sqlite3"
      line=$(cd "$proj" && SEED_FILE="$seed_file" peakmem --stdout "$work/bulk-out.txt" -- "$PY" manage.py shell -c "exec(open('bulk.py').read())")
      echo "# django $n run $i: $line $(cat "$work/bulk-out.txt")"
      case $line in *exit=0*) ;; *) echo "seed_scale.sh: Django bulk_create failed" >&2; exit 1 ;; esac
      echo "$line $(cat "$work/bulk-out.txt")" >>"$work/django-$n.txt"
    done
    for f in wall_s cpu_s bulk_total_s bulk_db_s maxrss_kib; do
      result "django.$n.$f" "$(field "$f" <"$work/django-$n.txt" | median)" "(median of $DJANGO_RUNS)"
    done
  done
fi

echo
echo "## Seeding by order and size ($(nproc) CPUs; load average at the end $(cut -d' ' -f1-3 /proc/loadavg))"
awk -v sizes="$SIZES" -v formats="$FORMATS" -v orders="$ORDERS" '
  /^RESULT / { r[$2] = $3 }
  function v(a, fmt) { return a == "" ? "n/a" : sprintf(fmt, a) }
  function mib(k) { return k == "" ? "n/a" : sprintf("%.0f", k / 1024) }
  function x(a, b) { return (a == "" || b == "" || b + 0 == 0) ? "n/a" : sprintf("%.2fx", a / b) }
  END {
    print "apply as a process, medians: wall s, CPU s, peak RSS MiB (own memory MiB). random/sorted: median of the ratios within each round."
    print "Django: bulk_create as a process, divided by the slowest order of apply in that format (wall, and CPU: the work, which the load moves less)."
    printf "| %9s | %-6s |", "users", "format"
    no = split(orders, os, " ")
    for (i = 1; i <= no; i++) printf " %-28s |", os[i]
    printf " %-19s | %-19s |\n", "random/sorted wall/CPU", "Django ÷ apply wall/CPU"
    ns = split(sizes, n, " "); nf = split(formats, fs, " ")
    for (a = 1; a <= ns; a++) for (b = 1; b <= nf; b++) {
      k = n[a] "." fs[b]
      printf "| %9d | %-6s |", n[a], fs[b]
      worst = 0; worstcpu = 0
      for (i = 1; i <= no; i++) {
        kk = "apply." k "." os[i]
        printf " %-28s |", v(r[kk ".wall_s"], "%.2f") ", " v(r[kk ".cpu_s"], "%.2f") ", " mib(r[kk ".maxrss_kib"]) " (" mib(r[kk ".anon_kib"]) ")"
        if (r[kk ".wall_s"] > worst) worst = r[kk ".wall_s"]
        if (r[kk ".cpu_s"] > worstcpu) worstcpu = r[kk ".cpu_s"]
      }
      printf " %-22s | %-23s |\n", v(r["apply." k ".random_over_sorted"], "%.2fx") " / " v(r["apply." k ".random_over_sorted_cpu"], "%.2fx"),
        x(r["django." n[a] ".wall_s"], worst) " / " x(r["django." n[a] ".cpu_s"], worstcpu)
    }
    for (a = 1; a <= ns; a++) if (r["django." n[a] ".wall_s"] != "")
      printf "Django bulk_create of %d users: %s s wall, %s s CPU, peak RSS %s MiB\n", n[a], v(r["django." n[a] ".wall_s"], "%.2f"), v(r["django." n[a] ".cpu_s"], "%.2f"), mib(r["django." n[a] ".maxrss_kib"])
    if (ns > 1) {
      printf "linearity, sorted JSON, per 100,000 users:"
      for (a = 1; a <= ns; a++) printf " %s s wall, %s s CPU (at %d);", v(r["apply." n[a] ".json.sorted.wall_s"] * 100000 / n[a], "%.2f"), v(r["apply." n[a] ".json.sorted.cpu_s"] * 100000 / n[a], "%.2f"), n[a]
      print ""
    }
    print "[targets: random/sorted <= 1.1x; Django ÷ apply >= 5x; peak <= 150 MiB at 100,000 users, <= 600 MiB at 1,000,000]"
  }' "$work/results.txt"
