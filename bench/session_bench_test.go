package bench

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"authctl/internal/auth/hasher"
)

// sessionDB writes a database with one user whose password is
// benchPassword hashed with algorithm at params, and returns its path.
func sessionDB(b *testing.B, algorithm string, p hasher.Params) string {
	b.Helper()
	hs, err := hasher.NewSet(algorithm, p)
	if err != nil {
		b.Fatal(err)
	}
	encoded, err := hs.Make(benchPassword)
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "auth.db")
	if err := seedOne(path, "alice", encoded); err != nil {
		b.Fatal(err)
	}
	return path
}

// sessionEnv is procEnv plus the database and the hasher settings the
// database was made with (so that login does not re-hash).
func sessionEnv(db string, extra ...string) []string {
	return append(append(procEnv(), "AUTHCTL_DB="+db), extra...)
}

// BenchmarkLoginProcess execs `authctl login alice --password-stdin
// --print-token` per iteration: verify the password, start a session,
// record the attempt. With argon2 at Django's costs the hash dominates; the
// pbkdf2 case at 1,000 iterations shows the rest of the process.
func BenchmarkLoginProcess(b *testing.B) {
	for _, c := range []struct {
		name string
		algo string
		p    hasher.Params
		env  []string
	}{
		{"argon2-default", "argon2", hasher.DefaultParams(), nil},
		{"pbkdf2-1000", "pbkdf2_sha256", hasher.Params{PBKDF2Iterations: 1000}, []string{
			"AUTHCTL_HASHER_ALGORITHM=pbkdf2_sha256", "AUTHCTL_HASHER_PBKDF2_ITERATIONS=1000"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			bins := builtBinaries(b)
			db := sessionDB(b, c.algo, c.p)
			env := sessionEnv(db, c.env...)
			for b.Loop() {
				cmd := exec.Command(bins.authctl, "login", "alice", "--password-stdin", "--print-token")
				cmd.Env = env
				cmd.Stdin = strings.NewReader(benchPassword + "\n")
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("login: %v\n%s", err, out)
				}
			}
		})
	}
}

// BenchmarkWhoamiProcess execs `authctl whoami` with a session token in
// AUTHCTL_SESSION: look the session up by its digest and check it against
// the user's current hash.
func BenchmarkWhoamiProcess(b *testing.B) {
	bins := builtBinaries(b)
	db := sessionDB(b, "pbkdf2_sha256", hasher.Params{PBKDF2Iterations: 1000})
	env := sessionEnv(db, "AUTHCTL_HASHER_ALGORITHM=pbkdf2_sha256", "AUTHCTL_HASHER_PBKDF2_ITERATIONS=1000")
	if err := os.MkdirAll(filepath.Join(benchDir, "home"), 0o700); err != nil {
		b.Fatal(err)
	}
	login := exec.Command(bins.authctl, "login", "alice", "--password-stdin", "--print-token")
	login.Env = env
	login.Stdin = strings.NewReader(benchPassword + "\n")
	token, err := login.Output()
	if err != nil {
		b.Fatalf("login: %v", err)
	}
	env = append(env, "AUTHCTL_SESSION="+strings.TrimSpace(string(token)))
	for b.Loop() {
		cmd := exec.Command(bins.authctl, "whoami")
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil || strings.TrimSpace(string(out)) != "alice" {
			b.Fatalf("whoami: %v\n%s", err, out)
		}
	}
}
