#!/usr/bin/python3
"""A throw-away Django project for django_roundtrip_test.go.

Run as "/usr/bin/python3 roundtrip_django.py COMMAND DIR"; DIR is a temporary
directory that holds the project (settings.py, manage.py, a sqlite database).

    init DIR       write settings.py, cheap_hashers.py and manage.py into DIR
                   and run "manage.py migrate" (auth and contenttypes).
    populate DIR   read a JSON spec on stdin and create what it declares:
                     {"content_types": [[app_label, model], ...],
                      "permissions": [{"perm": "app.codename", "model": M,
                                       "name": N}, ...],
                      "groups": [{"name": G, "permissions": ["app.codename"]}],
                      "users": [{"username": U, "password": P or null,
                                 "hasher": H, "email": E, "first_name": F,
                                 "last_name": L, "is_active": B,
                                 "is_staff": B, "is_superuser": B,
                                 "groups": [G], "permissions": [P]}]}
                   A null password is Django's set_unusable_password().
    query DIR      read {"users": [{"username", "password", "wrong"}],
                         "perms": [P, ...]} on stdin and print
                     {"django": VERSION,
                      "users": {U: {"exists": B, "right": B, "wrong": B,
                                    "has_perm": {P: B}, "email": ...,
                                    "is_active": ..., ..., "groups": [G],
                                    "algorithm": A}}}
                   "right" and "wrong" are django.contrib.auth.authenticate()
                   with the password and its near miss (None counts as
                   false); has_perm is User.has_perm through ModelBackend.

dumpdata and loaddata are run by the test as "python3 DIR/manage.py ...", the
way a Django site's administrator runs them.

The hashers are Django's own classes with low costs (Django verifies any cost
given in a hash, so the costs only matter for the hashes made here).
"""

import json
import os
import subprocess
import sys

SETTINGS = '''\
SECRET_KEY = "roundtrip-secret-key-do-not-use-in-production-0123456789"
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": %(db)r,
    }
}
PASSWORD_HASHERS = [
    "cheap_hashers.PBKDF2",
    "cheap_hashers.Argon2",
    "cheap_hashers.BCryptSHA256",
    "cheap_hashers.PBKDF2SHA1",
]
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
'''

CHEAP_HASHERS = '''\
from django.contrib.auth import hashers


class PBKDF2(hashers.PBKDF2PasswordHasher):
    iterations = 1000


class PBKDF2SHA1(hashers.PBKDF2SHA1PasswordHasher):
    iterations = 1000


class Argon2(hashers.Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 64
    parallelism = 2


class BCryptSHA256(hashers.BCryptSHA256PasswordHasher):
    rounds = 4
'''

MANAGE = '''\
#!/usr/bin/python3
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
from django.core.management import execute_from_command_line

execute_from_command_line(sys.argv)
'''


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def init(d):
    write(os.path.join(d, "settings.py"), SETTINGS % {"db": os.path.join(d, "db.sqlite3")})
    write(os.path.join(d, "cheap_hashers.py"), CHEAP_HASHERS)
    write(os.path.join(d, "manage.py"), MANAGE)
    subprocess.run([sys.executable, os.path.join(d, "manage.py"), "migrate", "-v", "0"], check=True)


def setup(d):
    sys.path.insert(0, d)
    os.environ["DJANGO_SETTINGS_MODULE"] = "settings"
    import django

    django.setup()


def perm_object(perm):
    from django.contrib.auth.models import Permission

    app, codename = perm.split(".", 1)
    return Permission.objects.get(content_type__app_label=app, codename=codename)


def populate(spec):
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group, Permission, User
    from django.contrib.contenttypes.models import ContentType

    for app, model in spec.get("content_types", []):
        ContentType.objects.get_or_create(app_label=app, model=model)
    for p in spec.get("permissions", []):
        app, codename = p["perm"].split(".", 1)
        ct, _ = ContentType.objects.get_or_create(app_label=app, model=p["model"])
        Permission.objects.create(codename=codename, name=p["name"], content_type=ct)
    for g in spec.get("groups", []):
        group = Group.objects.create(name=g["name"])
        group.permissions.set([perm_object(p) for p in g.get("permissions", [])])
    for u in spec.get("users", []):
        user = User(
            username=u["username"],
            email=u.get("email", ""),
            first_name=u.get("first_name", ""),
            last_name=u.get("last_name", ""),
            is_active=u.get("is_active", True),
            is_staff=u.get("is_staff", False),
            is_superuser=u.get("is_superuser", False),
        )
        if "stored_password" in u:
            # Exactly what the column holds ("", a hash of a hasher this
            # site does not know): as loaddata would write it.
            user.password = u["stored_password"]
        elif u.get("password") is None:
            user.set_unusable_password()
        else:
            user.password = make_password(u["password"], hasher=u.get("hasher", "default"))
        user.save()
        user.groups.set([Group.objects.get(name=g) for g in u.get("groups", [])])
        user.user_permissions.set([perm_object(p) for p in u.get("permissions", [])])


def query(req):
    import django
    from django.contrib.auth import authenticate
    from django.contrib.auth.hashers import identify_hasher
    from django.contrib.auth.models import User

    out = {}
    for u in req["users"]:
        name = u["username"]
        try:
            user = User.objects.get(username=name)
        except User.DoesNotExist:
            out[name] = {"exists": False}
            continue
        try:
            algorithm = identify_hasher(user.password).algorithm
        except ValueError:
            algorithm = ""
        info = {
            "exists": True,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "is_active": user.is_active,
            "is_staff": user.is_staff,
            "is_superuser": user.is_superuser,
            "groups": sorted(g.name for g in user.groups.all()),
            "algorithm": algorithm,
            # A fresh object per question: Django caches permissions on the
            # instance.
            "has_perm": {p: User.objects.get(pk=user.pk).has_perm(p) for p in req["perms"]},
        }
        # authenticate() may upgrade the hash (a cheaper cost than the
        # configured one): ask about the near miss first.
        info["wrong"] = authenticate(username=name, password=u["wrong"]) is not None
        info["right"] = authenticate(username=name, password=u["password"]) is not None
        out[name] = info
    return {"django": django.get_version(), "users": out}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("init", "populate", "query"):
        print("usage: roundtrip_django.py init|populate|query DIR", file=sys.stderr)
        return 2
    command, d = sys.argv[1], os.path.abspath(sys.argv[2])
    if command == "init":
        init(d)
        return 0
    setup(d)
    request = json.load(sys.stdin)
    if command == "populate":
        populate(request)
        return 0
    json.dump(query(request), sys.stdout, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
