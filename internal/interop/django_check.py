#!/usr/bin/python3
"""Answer authctl's interoperability questions with real Django.

Run by interop_test.go as "/usr/bin/python3 django_check.py". It reads one
JSON request on stdin and writes one JSON response on stdout:

    request:  {"secret_key": "...", "ops": [OP, ...]}
    response: {"django": "3.2.25", "results": [RESULT, ...]}   (same order)

Operations:

    {"op": "check", "encoded": E, "password": P, "wrong": W}
        -> {"algorithm": identify_hasher(E).algorithm,
            "right": check_password(P, E), "wrong": check_password(W, E)}
    {"op": "make", "hasher": NAME, "password": P, "params": {ATTR: VALUE}}
        -> {"encoded": make_password(P, hasher=NAME with ATTRs overridden)}
    {"op": "salted_hmac", "key_salt": K, "value": V, "secret_hex": S}
        -> {"hexdigest": salted_hmac(K, V, secret=bytes.fromhex(S),
                                     algorithm="sha256").hexdigest()}
    {"op": "session_auth_hash", "password_field": V}
        -> {"hexdigest": User(password=V).get_session_auth_hash()}
           (keyed by the request's secret_key, Django's SECRET_KEY)

A failed operation gives {"error": "..."} in its place; a bad request exits 2.

"python3 django_check.py --probe" only imports Django and the argon2 and
bcrypt bindings and prints Django's version: the test uses it to decide
whether to skip.

Debian's Django is 3.2, which has no scrypt hasher (Django added it in 4.0).
ScryptPasswordHasher below is a backport of Django 4+'s hasher (format
"scrypt$N$salt$r$p$base64(64-byte key)", hashlib.scrypt with maxmem=0), so
scrypt hashes are checked by recomputing them in Python with Django 4's
format rules, not by Django's own code.
"""

import base64
import hashlib
import json
import sys


def probe():
    import argon2  # noqa: F401  (Argon2PasswordHasher needs it)
    import bcrypt  # noqa: F401  (BCryptSHA256PasswordHasher needs it)
    import django

    print(django.get_version())


def setup(secret_key):
    import django
    from django.conf import settings

    settings.configure(
        SECRET_KEY=secret_key,
        INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes"],
        DATABASES={},
        PASSWORD_HASHERS=[
            "django.contrib.auth.hashers.PBKDF2PasswordHasher",
            "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
            "django.contrib.auth.hashers.Argon2PasswordHasher",
            "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
            "__main__.ScryptPasswordHasher",
            "django.contrib.auth.hashers.BCryptPasswordHasher",
            "django.contrib.auth.hashers.SHA1PasswordHasher",
            "django.contrib.auth.hashers.MD5PasswordHasher",
            "django.contrib.auth.hashers.UnsaltedSHA1PasswordHasher",
            "django.contrib.auth.hashers.UnsaltedMD5PasswordHasher",
        ],
        USE_TZ=True,
    )
    django.setup()


def define_scrypt():
    """Define the Django 4+ scrypt hasher on top of Django 3.2's base class."""
    from django.contrib.auth.hashers import BasePasswordHasher
    from django.utils.crypto import constant_time_compare

    class ScryptPasswordHasher(BasePasswordHasher):
        # Django 4.0's django.contrib.auth.hashers.ScryptPasswordHasher, with
        # Django 5.1's parallelism (5; it was 1 in 4.0 to 5.0).
        algorithm = "scrypt"
        block_size = 8
        maxmem = 0
        parallelism = 5
        work_factor = 2**14

        def encode(self, password, salt, n=None, r=None, p=None):
            if password is None:
                raise TypeError("password must be provided.")
            if not salt or "$" in salt:
                raise ValueError("salt must be provided and cannot contain $.")
            n = n or self.work_factor
            r = r or self.block_size
            p = p or self.parallelism
            hash_ = hashlib.scrypt(
                password.encode(),
                salt=salt.encode(),
                n=n,
                r=r,
                p=p,
                maxmem=self.maxmem,
                dklen=64,
            )
            hash_ = base64.b64encode(hash_).decode("ascii").strip()
            return "%s$%d$%s$%d$%d$%s" % (self.algorithm, n, salt, r, p, hash_)

        def decode(self, encoded):
            algorithm, work_factor, salt, block_size, parallelism, hash_ = encoded.split("$", 6)
            assert algorithm == self.algorithm
            return {
                "algorithm": algorithm,
                "block_size": int(block_size),
                "hash": hash_,
                "parallelism": int(parallelism),
                "salt": salt,
                "work_factor": int(work_factor),
            }

        def verify(self, password, encoded):
            decoded = self.decode(encoded)
            encoded_2 = self.encode(
                password,
                decoded["salt"],
                decoded["work_factor"],
                decoded["block_size"],
                decoded["parallelism"],
            )
            return constant_time_compare(encoded, encoded_2)

        def safe_summary(self, encoded):
            return {}

        def must_update(self, encoded):
            decoded = self.decode(encoded)
            return (
                decoded["work_factor"] != self.work_factor
                or decoded["block_size"] != self.block_size
                or decoded["parallelism"] != self.parallelism
            )

        def harden_runtime(self, password, encoded):
            pass

    return ScryptPasswordHasher


def run(op):
    from django.contrib.auth.hashers import (
        check_password,
        get_hasher,
        identify_hasher,
        make_password,
    )
    from django.utils.crypto import salted_hmac

    kind = op["op"]
    if kind == "check":
        encoded = op["encoded"]
        return {
            "algorithm": identify_hasher(encoded).algorithm,
            "right": check_password(op["password"], encoded),
            "wrong": check_password(op["wrong"], encoded),
        }
    if kind == "make":
        base = type(get_hasher(op["hasher"]))
        for attr in op.get("params") or {}:
            if not hasattr(base, attr):
                raise ValueError("%s has no parameter %r" % (base.__name__, attr))
        hasher = type("Custom" + base.__name__, (base,), dict(op.get("params") or {}))()
        return {"encoded": make_password(op["password"], hasher=hasher)}
    if kind == "salted_hmac":
        secret = bytes.fromhex(op["secret_hex"])
        mac = salted_hmac(op["key_salt"], op["value"], secret=secret, algorithm="sha256")
        return {"hexdigest": mac.hexdigest()}
    if kind == "session_auth_hash":
        from django.contrib.auth.models import User

        return {"hexdigest": User(password=op["password_field"]).get_session_auth_hash()}
    raise ValueError("unknown op %r" % kind)


def main():
    if sys.argv[1:] == ["--probe"]:
        probe()
        return 0
    try:
        request = json.load(sys.stdin)
        ops = request["ops"]
        secret_key = request["secret_key"]
    except (ValueError, KeyError, TypeError) as e:
        print("django_check.py: bad request: %s" % e, file=sys.stderr)
        return 2
    setup(secret_key)
    sys.modules["__main__"].ScryptPasswordHasher = define_scrypt()

    import django

    results = []
    for op in ops:
        try:
            results.append(run(op))
        except Exception as e:  # report per operation; the test fails on it
            results.append({"error": "%s: %s" % (type(e).__name__, e)})
    json.dump({"django": django.get_version(), "results": results}, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
