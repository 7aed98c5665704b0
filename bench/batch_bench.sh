#!/usr/bin/env bash
# batch_bench.sh: permission checks per second in one process, authctl's
# "check --batch" side by side with Django 3.2's has_perms in a loop, on the
# same data, in the same run.
#
#   bash bench/batch_bench.sh
#
# The data set is the scale formula of bench/scale_test.go with
# BATCH_USERS users (default 100,000) and BATCH_GROUPS groups (default
# 1,000): 200 permissions, groups of 12, every user in 2 groups with 3
# direct permissions. authctl's database is written through the store
# (TestPrepareScale); Django's is the same rows through the ORM, on SQLite.
#
# The questions are a formula too: line i asks whether user (i*7919 mod
# USERS) has permission (i*31 mod 200), about a fifth of them allowed.
#   authctl: "GOMAXPROCS=1 authctl check --batch FILE -q" over BATCH_LINES
#            lines (default 1,000,000), wall time of the whole process
#            (start, open, every answer), BATCH_RUNS runs (default 3), the
#            median, in wall time and in CPU time (user + system).
#   Django:  for the first DJANGO_LINES lines (default 20,000), in one
#            process: User.objects.get(username=U).has_perms([P]) — a fresh
#            user object, as a request would have, so the permission cache
#            is cold (3 queries). Timed with time.perf_counter (wall) and
#            time.process_time (CPU) around the loop, after a warm-up of
#            200 questions. (SQLite runs in the same process, so its CPU
#            time is counted.)
# Both answer the first DJANGO_LINES questions and the answers are
# compared: the script fails if they differ.
#
# Prints "RESULT key value unit" lines and the ratio. Environment: PYTHON
# (default /usr/bin/python3), KEEP=1 to keep the work directory.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
PY=${PYTHON:-/usr/bin/python3}
USERS=${BATCH_USERS:-100000}
NGROUPS=${BATCH_GROUPS:-1000}
LINES=${BATCH_LINES:-1000000}
DJANGO_LINES=${DJANGO_LINES:-20000}
RUNS=${BATCH_RUNS:-3}

if ! "$PY" -c 'import django' 2>/dev/null; then
  echo "batch_bench.sh: Django is not usable with $PY (apt-get install python3-django)" >&2
  exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/authctl-batch.XXXXXX")
if [ -z "${KEEP:-}" ]; then trap 'rm -rf "$work"' EXIT; else echo "# keeping $work" >&2; fi

echo "# building authctl and a database of $USERS users, $NGROUPS groups" >&2
(cd "$root" && go build -trimpath -o "$work/authctl" . &&
  AUTHCTL_BENCH_DIR="$work" AUTHCTL_SCALE="$USERS:$NGROUPS" go test -count=1 -run '^TestPrepareScale$' ./bench/ >&2)
db="$work/scale-$USERS.db"

"$PY" - "$USERS" "$LINES" >"$work/questions.txt" <<'EOF_PY'
import sys
users, lines = int(sys.argv[1]), int(sys.argv[2])
out = sys.stdout
for i in range(lines):
    p = (i * 31) % 200
    out.write("user%07d app%d.perm_%03d\n" % ((i * 7919) % users, p // 20, p))
EOF_PY

export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_STATE_HOME="$work/home/.state"
mkdir -p "$HOME"
echo "# authctl check --batch, $LINES questions, GOMAXPROCS=1, $RUNS runs" >&2
# Wall time and CPU time (user + system) of the whole process, from the
# rusage of the child: on a machine shared with other work the CPU time is
# the fairer figure, and Django's loop is measured the same two ways.
"$PY" - "$RUNS" "$LINES" "$work/authctl" check --batch "$work/questions.txt" -q --db "$db" >"$work/authctl-times.txt" <<'EOF_PY'
import os, resource, statistics, subprocess, sys, time
runs, lines, cmd = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
walls, cpus = [], []
for _ in range(runs):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    rc = subprocess.run(cmd, env=dict(os.environ, GOMAXPROCS="1")).returncode
    walls.append(time.perf_counter() - start)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    if rc > 1:
        sys.exit("authctl check --batch exited %d" % rc)
w, c = statistics.median(walls), statistics.median(cpus)
print("%.0f %.0f %.3f %.3f" % (lines / w, lines / c, w, c))
EOF_PY
read -r authctl_rate authctl_cpu_rate authctl_s authctl_cpu_s <"$work/authctl-times.txt"
echo "RESULT batch.authctl_checks_per_s $authctl_rate checks/s (wall; median of $RUNS runs: $LINES checks in $authctl_s s, GOMAXPROCS=1)"
echo "RESULT batch.authctl_checks_per_cpu_s $authctl_cpu_rate checks/s (CPU time; $authctl_cpu_s s user+system)"

head -n "$DJANGO_LINES" "$work/questions.txt" >"$work/django-questions.txt"
"$work/authctl" check --batch "$work/django-questions.txt" --db "$db" >"$work/authctl-answers.txt" || true

proj="$work/django"
# shellcheck source=bench/django_project.sh
. "$here/django_project.sh"
django_project "$proj"
cat >"$proj/batch.py" <<'EOF_PY'
# The scale data set of bench/scale_test.go through Django's ORM, then
# has_perms on a fresh user object per question.
import os
import time

from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

N_USERS, N_GROUPS, N_PERMS = int(os.environ["B_USERS"]), int(os.environ["B_GROUPS"]), 200
work = os.environ["WORK"]

with transaction.atomic():
    cts = {a: ContentType.objects.create(app_label="app%d" % a, model="thing") for a in range(N_PERMS // 20)}
    Permission.objects.bulk_create(
        Permission(content_type=cts[p // 20], codename="perm_%03d" % p, name="Can do thing %d" % p) for p in range(N_PERMS)
    )
    perm_id = {int(c[5:]): i for i, c in Permission.objects.filter(codename__startswith="perm_").values_list("id", "codename")}
    Group.objects.bulk_create(Group(name="group%05d" % g) for g in range(N_GROUPS))
    group_id = {int(n[5:]): i for i, n in Group.objects.values_list("id", "name")}
    GP = Group.permissions.through
    GP.objects.bulk_create(
        GP(group_id=group_id[g], permission_id=perm_id[p])
        for g in range(N_GROUPS)
        for p in sorted({(g * 7 + k * 17) % N_PERMS for k in range(12)})
    )
    User.objects.bulk_create(
        (User(username="user%07d" % u, email="user%07d@example.com" % u, password="!", is_active=True) for u in range(N_USERS)),
        batch_size=5000,
    )
    user_id = {int(n[4:]): i for i, n in User.objects.values_list("id", "username")}
    UG, UP = User.groups.through, User.user_permissions.through
    UG.objects.bulk_create(
        (UG(user_id=user_id[u], group_id=group_id[g]) for u in range(N_USERS) for g in sorted({u % N_GROUPS, (u * 3 + 1) % N_GROUPS})),
        batch_size=5000,
    )
    UP.objects.bulk_create(
        (UP(user_id=user_id[u], permission_id=perm_id[p]) for u in range(N_USERS) for p in sorted({(u * 11 + k * 37) % N_PERMS for k in range(3)})),
        batch_size=5000,
    )

questions = [line.split() for line in open(os.path.join(work, "django-questions.txt"))]
for user, perm in questions[:200]:
    User.objects.get(username=user).has_perms([perm])
answers = []
start, cpu_start = time.perf_counter(), time.process_time()
for user, perm in questions:
    answers.append(User.objects.get(username=user).has_perms([perm]))
elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
with open(os.path.join(work, "django-answers.txt"), "w") as f:
    for (user, perm), ok in zip(questions, answers):
        f.write("%s %s %s\n" % (user, perm, "allowed" if ok else "denied"))
print("RESULT batch.django_checks_per_s %.0f checks/s (wall; %d has_perms on fresh users in %.3f s, one process)" % (len(questions) / elapsed, len(questions), elapsed))
print("RESULT batch.django_checks_per_cpu_s %.0f checks/s (CPU time; %.3f s)" % (len(questions) / cpu, cpu))
EOF_PY
echo "# Django: seeding $USERS users, then $DJANGO_LINES has_perms" >&2
django_lines=$(cd "$proj" && "$PY" manage.py migrate -v 0 && B_USERS=$USERS B_GROUPS=$NGROUPS WORK=$work "$PY" manage.py shell -c "exec(open('batch.py').read())")
echo "$django_lines"
if ! cmp -s "$work/authctl-answers.txt" "$work/django-answers.txt"; then
  echo "batch_bench.sh: authctl and Django disagree:" >&2
  diff "$work/authctl-answers.txt" "$work/django-answers.txt" | head >&2
  exit 1
fi
allowed=$(grep -c ' allowed$' "$work/authctl-answers.txt" || true)
echo "# the $DJANGO_LINES answers agree ($allowed allowed)" >&2
django_rate=$(echo "$django_lines" | awk '$2 == "batch.django_checks_per_s" { print $3 }')
django_cpu_rate=$(echo "$django_lines" | awk '$2 == "batch.django_checks_per_cpu_s" { print $3 }')
awk -v a="$authctl_rate" -v d="$django_rate" -v ac="$authctl_cpu_rate" -v dc="$django_cpu_rate" 'BEGIN {
  printf "RESULT batch.ratio %.1f x (wall: authctl checks/s over Django checks/s)\n", a / d
  printf "RESULT batch.ratio_cpu %.1f x (CPU time)\n", ac / dc
}'
