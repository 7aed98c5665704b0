#!/usr/bin/env bash
# django_bench.sh: time Django 3.2 (Debian's python3-django) doing the work
# authctl's benchmarks do, on the same data and hash parameters, and time
# the authctl and baseline processes the same way (hyperfine if installed,
# else a shell loop).
#
#   bash bench/django_bench.sh            # uses or prepares $AUTHCTL_BENCH_DIR
#
# It writes a throw-away Django project (settings.py, manage.py, hasher
# subclasses) into a temporary directory, migrates an SQLite database,
# seeds it with the benchmark data set (the formula in
# bench/dataset_test.go: 1,000 users, 50 groups, 200 permissions), and
# measures:
#   (a) one "python3 manage.py shell -c '...has_perm...'" process (wall),
#       beside "authctl check PERM --user U -q" and bench/minimalread;
#   (b) in-process, with timeit: User.has_perm on a fresh user object,
#       check_password and authenticate() per hasher at authctl's default
#       costs (argon2 t=2 m=100 MiB p=8, pbkdf2_sha256 at authctl's
#       1,200,000 iterations via a subclass, bcrypt_sha256 cost 12, and
#       scrypt N=2^14 r=8 p=5 through a backport of Django 4+'s hasher,
#       since Django 3.2 has none).
# Machine-readable lines "RESULT <key> <value> <unit>" go to stdout for
# run.sh; everything else is for people.
#
# Environment: AUTHCTL_BENCH_DIR (directory prepared by the Go tests'
# TestPrepare; made in a temporary directory if unset), PYTHON (default
# /usr/bin/python3), PROC_RUNS (process runs, default 300 for the Go
# programs and DJANGO_PROC_RUNS, default 20, for manage.py), HASH_CALLS
# (timed calls per hasher, default 10), ROUNDS (the process timings are
# interleaved in that many rounds, default 5; see timing.sh), NO_HYPERFINE=1
# to force the shell-loop fallback.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
PY=${PYTHON:-/usr/bin/python3}
PROC_RUNS=${PROC_RUNS:-300}
DJANGO_PROC_RUNS=${DJANGO_PROC_RUNS:-20}
ROUNDS=${ROUNDS:-5}

cleanup_dirs=()
cleanup() { for d in "${cleanup_dirs[@]}"; do rm -rf "$d"; done; }
trap cleanup EXIT

if ! "$PY" -c 'import django, argon2, bcrypt' 2>/dev/null; then
  echo "django_bench.sh: Django is not usable with $PY; install it with:" >&2
  echo "  apt-get install python3-django python3-argon2 python3-bcrypt" >&2
  exit 2
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
# The timed programs get a fake home; the go tool keeps its own caches.
if command -v go >/dev/null; then
  export GOPATH GOMODCACHE GOCACHE
  GOPATH=$(go env GOPATH) GOMODCACHE=$(go env GOMODCACHE) GOCACHE=$(go env GOCACHE)
fi

proj=$(mktemp -d "${TMPDIR:-/tmp}/authctl-django-bench.XXXXXX")
cleanup_dirs+=("$proj")
# shellcheck source=bench/django_project.sh
. "$here/django_project.sh"
django_project "$proj"

cat >"$proj/seed.py" <<'EOF'
# The data set of bench/dataset_test.go, through Django's ORM.
import os

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

N_USERS, N_GROUPS, N_PERMS = (int(os.environ[k]) for k in ("N_USERS", "N_GROUPS", "N_PERMS"))
GROUP_PERMS, DIRECT_PERMS = 12, 3

with transaction.atomic():
    cts = {a: ContentType.objects.create(app_label="app%d" % a, model="thing") for a in range((N_PERMS + 19) // 20)}
    Permission.objects.bulk_create(
        Permission(content_type=cts[p // 20], codename="perm_%03d" % p, name="Can do thing %d" % p) for p in range(N_PERMS)
    )
    perm_id = {int(c[5:]): i for i, c in Permission.objects.filter(codename__startswith="perm_").values_list("id", "codename")}
    Group.objects.bulk_create(Group(name="group%02d" % g) for g in range(N_GROUPS))
    group_id = {int(n[5:]): i for i, n in Group.objects.values_list("id", "name")}
    GP = Group.permissions.through
    GP.objects.bulk_create(
        GP(group_id=group_id[g], permission_id=perm_id[p])
        for g in range(N_GROUPS)
        for p in sorted({(g * 7 + k * 17) % N_PERMS for k in range(GROUP_PERMS)})
    )
    pw = make_password("correct horse battery staple", hasher="pbkdf2_sha256_cheap")
    User.objects.bulk_create(
        User(username="user%04d" % u, email="user%04d@example.com" % u, password=pw, is_active=True) for u in range(N_USERS)
    )
    user_id = {int(n[4:]): i for i, n in User.objects.values_list("id", "username")}
    UG, UP = User.groups.through, User.user_permissions.through
    UG.objects.bulk_create(
        UG(user_id=user_id[u], group_id=group_id[g]) for u in range(N_USERS) for g in sorted({u % N_GROUPS, (u * 3 + 1) % N_GROUPS})
    )
    UP.objects.bulk_create(
        UP(user_id=user_id[u], permission_id=perm_id[p])
        for u in range(N_USERS)
        for p in sorted({(u * 11 + k * 37) % N_PERMS for k in range(DIRECT_PERMS)})
    )
print("seeded", User.objects.count(), "users,", Group.objects.count(), "groups,", Permission.objects.count(), "permissions (incl. Django's own)")
EOF

cat >"$proj/timing.py" <<'EOF'
# In-process timings with timeit, after one untimed warm-up call: the
# median of HASH_CALLS single calls for the hashers, the median of 7 means
# of 300 calls for has_perm (medians resist other load on the machine).
import os
import statistics
import timeit

from django.contrib.auth import authenticate
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import User
from django.test.utils import override_settings

USER, PERM = os.environ["CHECK_USER"], os.environ["CHECK_PERM"]
PW = "correct horse battery staple"
HASHERS = {
    "argon2": "benchproj.hashers.Argon2PasswordHasher",
    "pbkdf2_sha256": "benchproj.hashers.PBKDF2PasswordHasher",
    "bcrypt_sha256": "benchproj.hashers.BCryptSHA256PasswordHasher",
    "scrypt": "benchproj.hashers.ScryptPasswordHasher",
}
CALLS = int(os.environ.get("HASH_CALLS", "10"))


def median(fn, number, repeat):
    fn()
    return statistics.median(t / number for t in timeit.repeat(fn, number=number, repeat=repeat))


def has_perm():
    # A fresh object has no permission cache: 3 queries, as in a new request.
    if not User.objects.get(username=USER).has_perm(PERM):
        raise SystemExit("has_perm(%s) is False for %s" % (PERM, USER))


print("RESULT django.has_perm_inproc %.1f us" % (median(has_perm, 300, 7) * 1e6))

for alg, path in HASHERS.items():
    others = [p for p in HASHERS.values() if p != path]
    with override_settings(PASSWORD_HASHERS=[path] + others):
        encoded = make_password(PW, hasher=alg)
        name = "bench-" + alg
        User.objects.filter(username=name).delete()
        User.objects.create(username=name, password=encoded)

        def cp():
            if not check_password(PW, encoded):
                raise SystemExit("check_password failed for " + alg)

        def auth():
            if authenticate(username=name, password=PW) is None:
                raise SystemExit("authenticate failed for " + alg)

        print("RESULT django.check_password.%s %.1f ms" % (alg, median(cp, 1, CALLS) * 1e3))
        print("RESULT django.authenticate.%s %.1f ms" % (alg, median(auth, 1, CALLS) * 1e3))
        if User.objects.get(username=name).password != encoded:
            raise SystemExit("authenticate re-hashed the %s password: the timing is not of %s alone" % (alg, alg))
EOF

export PBKDF2_ITERATIONS ARGON2_TIME ARGON2_MEMORY_KIB ARGON2_THREADS BCRYPT_COST SCRYPT_N SCRYPT_R SCRYPT_P
export N_USERS N_GROUPS N_PERMS CHECK_USER CHECK_PERM

cd "$proj"
"$PY" manage.py migrate -v 0
"$PY" manage.py shell -c "exec(open('seed.py').read())" >&2

has_perm_code="from django.contrib.auth.models import User; import sys; sys.exit(0 if User.objects.get(username='$CHECK_USER').has_perm('$CHECK_PERM') else 1)"
"$PY" manage.py shell -c "$has_perm_code" || { echo "django_bench.sh: Django says $CHECK_USER lacks $CHECK_PERM" >&2; exit 1; }
mkdir -p "$BENCH_HOME"
export HOME="$BENCH_HOME" XDG_CONFIG_HOME="$BENCH_HOME/.config" XDG_DATA_HOME="$BENCH_HOME/.local/share" XDG_STATE_HOME="$BENCH_HOME/.local/state"

# The three processes are timed in ROUNDS interleaved rounds (timing.sh).
# shellcheck source=bench/timing.sh
. "$here/timing.sh"
echo "# processes ($ROUNDS interleaved rounds)" >&2
time_rounds "$ROUNDS" \
  proc.minimalread "$PROC_RUNS" "$(printf '%q ' "$MINIMALREAD_BIN" "$AUTHCTL_BENCH_DB" users "$CHECK_USER")" \
  proc.authctl_check "$PROC_RUNS" "$(printf '%q ' "$AUTHCTL_BIN" check "$CHECK_PERM" --user "$CHECK_USER" -q --db "$AUTHCTL_BENCH_DB")" \
  proc.django_has_perm "$DJANGO_PROC_RUNS" "$(printf '%q ' "$PY" manage.py shell -c "$has_perm_code")"

echo "# in-process (timeit)" >&2
"$PY" manage.py shell -c "exec(open('timing.py').read())"
