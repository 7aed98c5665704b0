#!/usr/bin/python3
"""Django's answers for perm_queries_test.go.

Run as "/usr/bin/python3 perm_queries_django.py DIR" on a project that
roundtrip_django.py made (init, populate) in DIR. Reads
{"users": [U], "perms": [P], "apps": [A]} on stdin and prints
    {"has_perm": {U: {P: B}},
     "has_module_perms": {U: {A: B}},
     "with_perm": {P: {"active": [U], "inactive": [U],
                       "active_no_superusers": [U], "inactive_no_superusers": [U]}}}
Every has_perm and has_module_perms is asked of a fresh user object (Django
caches permissions on the instance); with_perm is
User.objects.with_perm(P, is_active=..., include_superusers=...).
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import roundtrip_django  # noqa: E402


def main():
    roundtrip_django.setup(os.path.abspath(sys.argv[1]))
    from django.contrib.auth.models import User

    req = json.load(sys.stdin)
    fresh = lambda name: User.objects.get(username=name)  # noqa: E731
    out = {
        "has_perm": {u: {p: fresh(u).has_perm(p) for p in req["perms"]} for u in req["users"]},
        "has_module_perms": {u: {a: fresh(u).has_module_perms(a) for a in req["apps"]} for u in req["users"]},
        "with_perm": {},
    }
    for p in req["perms"]:
        answers = {}
        for key, active, supers in (
            ("active", True, True),
            ("inactive", False, True),
            ("active_no_superusers", True, False),
            ("inactive_no_superusers", False, False),
        ):
            qs = User.objects.with_perm(p, is_active=active, include_superusers=supers)
            answers[key] = sorted(u.username for u in qs)
        out["with_perm"][p] = answers
    json.dump(out, sys.stdout, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
