// Package interop holds authctl's interoperability tests against real
// Django; it has no code of its own, only tests.
//
// The tests drive Debian's python3-django (Django 3.2, with python3-argon2
// and python3-bcrypt) through the first python3 on PATH and the helper script
// django_check.py in this directory, which reads JSON requests on stdin and
// answers with Django's check_password, identify_hasher, make_password and
// salted_hmac. They prove, for every generating hasher (argon2,
// pbkdf2_sha256, bcrypt_sha256, scrypt):
//
//   - hashes made by hasher.Set verify under Django, and a near-miss
//     password does not;
//   - hashes made by Django with fresh salts verify under hasher.Set.Check;
//   - auth.SessionAuthHash equals Django's salted_hmac (SHA-256) over the
//     password field, i.e. AbstractBaseUser.get_session_auth_hash;
//   - the built binary round-trips: "authctl password hash" output verifies
//     in Django, and a Django hash stored with "user create --password-hash"
//     authenticates with "authctl authenticate".
//
// Django 3.2 has no scrypt hasher (it arrived in Django 4.0), so
// django_check.py carries a backport of Django 4+'s ScryptPasswordHasher
// (hashlib.scrypt, Django 4's encoded format) and scrypt hashes are checked
// by recomputing them in Python with it; the backport is itself checked
// against the vector from Django's own test suite.
//
// Without a usable Django the tests skip with the command that installs it
// (apt-get install python3-django python3-argon2 python3-bcrypt), except
// when AUTHCTL_INTEROP=1 (set by .ci/run), where a missing Django fails
// them.
package interop
