# Django's side of seed.sh's part C and of seed_scale.sh: the rows of the
# pre-hashed seeding file $SEED_FILE (JSON) through bulk_create on SQLite in
# one transaction: permissions (and their content types), groups and their
# permissions, users with the given hashes in the password field, and group
# memberships. Timed with and without reading the JSON file. Run as
# "manage.py shell -c" in the project bench/django_project.sh makes.
import json
import os
import time

from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

t0 = time.perf_counter()
with open(os.environ["SEED_FILE"]) as f:
    data = json.load(f)
t1 = time.perf_counter()
with transaction.atomic():
    cts, perms = {}, {}
    for p in data["permissions"]:
        app, codename = p["permission"].split(".")
        if app not in cts:
            cts[app] = ContentType.objects.create(app_label=app, model="thing")
        perms[p["permission"]] = Permission(content_type=cts[app], codename=codename, name=p.get("name") or codename)
    Permission.objects.bulk_create(perms.values())
    perm_id = {"%s.%s" % (a, c): i for i, a, c in Permission.objects.values_list("id", "content_type__app_label", "codename")}
    Group.objects.bulk_create(Group(name=g["name"]) for g in data["groups"])
    group_id = dict(Group.objects.values_list("name", "id"))
    GP = Group.permissions.through
    GP.objects.bulk_create(GP(group_id=group_id[g["name"]], permission_id=perm_id[p]) for g in data["groups"] for p in g.get("permissions", []))
    User.objects.bulk_create(
        User(username=u["username"], email=u.get("email", ""), first_name=u.get("first_name", ""), last_name=u.get("last_name", ""), password=u["password_hash"])
        for u in data["users"]
    )
    user_id = dict(User.objects.values_list("username", "id"))
    UG = User.groups.through
    UG.objects.bulk_create(UG(user_id=user_id[u["username"]], group_id=group_id[g]) for u in data["users"] for g in u.get("groups", []))
t2 = time.perf_counter()
n = User.objects.count()
if n != len(data["users"]):
    raise SystemExit("bulk_create stored %d users, want %d" % (n, len(data["users"])))
print("bulk_total_s=%.3f bulk_db_s=%.3f users=%d" % (t2 - t0, t2 - t1, n))
