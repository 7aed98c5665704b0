#!/usr/bin/python3
"""Writes argon2-legacy.json: argon2 hashes in the older formats Django 3.2
still verifies (argon2d, version 16 with and without "v=", argon2i v=19, the
default before Django 3.2), made by argon2-cffi and each checked with
Django's own check_password. Run with a Python that has Django 3.2 and
argon2-cffi: /usr/bin/python3 gen_argon2_legacy.py > argon2-legacy.json
"""
import json
import sys

import argon2
import django
from django.conf import settings

settings.configure(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])
django.setup()
from django.contrib.auth.hashers import check_password  # noqa: E402

from argon2.low_level import Type, hash_secret  # noqa: E402

TYPES = {"argon2i": Type.I, "argon2d": Type.D, "argon2id": Type.ID}

# (variant, version, m, t, p, hash_len, salt, password, strip_v)
CASES = [
    ("argon2i", 0x10, 8, 1, 1, 64, b"somesalt", "secret", True),  # Django's own test vector
    ("argon2i", 0x10, 64, 3, 2, 16, b"seasaltseasalt12", "secret", True),
    ("argon2i", 0x10, 64, 3, 2, 16, b"seasaltseasalt12", "secret", False),
    ("argon2id", 0x10, 64, 3, 2, 16, b"seasaltseasalt12", "secret", False),
    ("argon2id", 0x10, 32, 2, 4, 32, b"Y041dExhNkljRUUy", "p\u00e4ssw\u00f6rd", False),
    ("argon2d", 0x13, 64, 3, 2, 16, b"seasaltseasalt12", "secret", False),
    ("argon2d", 0x13, 256, 2, 1, 16, b"Y041dExhNkljRUUy", "p\u00e4ssw\u00f6rd", False),
    ("argon2d", 0x10, 64, 3, 2, 16, b"seasaltseasalt12", "secret", False),
    ("argon2d", 0x10, 24, 2, 3, 24, b"seasaltseasalt12", "", True),
    ("argon2i", 0x13, 512, 2, 2, 16, b"Y041dExhNkljRUUy", "secret", False),  # Django 1.10-3.1 default
    ("argon2id", 0x13, 100, 4, 3, 16, b"seasaltseasalt12", "secret", False),
]

out = []
for variant, version, m, t, p, hash_len, salt, password, strip_v in CASES:
    phc = hash_secret(password.encode(), salt, time_cost=t, memory_cost=m, parallelism=p,
                      hash_len=hash_len, type=TYPES[variant], version=version).decode()
    if strip_v:
        phc = phc.replace("$v=16$", "$", 1)
    encoded = "argon2" + phc
    if not check_password(password, encoded) or check_password(password + "x", encoded):
        sys.exit("Django does not verify " + encoded)
    out.append({"encoded": encoded, "password": password})

json.dump({"generator": "argon2-cffi %s, Django %s" % (argon2.__version__, django.get_version()),
           "vectors": out}, sys.stdout, indent=1, ensure_ascii=False)
print()
