package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"authctl/cmd"
	"authctl/internal/auth"
	"authctl/internal/auth/hasher"
	"authctl/internal/auth/validate"
	"authctl/internal/iostreams"
	"authctl/internal/store"
	"authctl/internal/store/backends"
)

// dirEnv names a directory to build and seed into and keep (run.sh sets it);
// without it a temporary directory is used and removed.
const dirEnv = "AUTHCTL_BENCH_DIR"

// benchDir holds the binaries, the seeded database and a fake home.
var benchDir string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir := os.Getenv(dirEnv)
	if dir != "" {
		abs, err := filepath.Abs(dir)
		if err == nil {
			err = os.MkdirAll(abs, 0o700)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "bench: %s: %v\n", dirEnv, err)
			return 2
		}
		benchDir = abs
		return m.Run()
	}
	tmp, err := os.MkdirTemp("", "authctl-bench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 2
	}
	defer os.RemoveAll(tmp)
	benchDir = tmp
	return m.Run()
}

// seeded is the shared seeded database, made on first use.
var seeded = sync.OnceValues(func() (string, error) {
	path := filepath.Join(benchDir, "auth.db")
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return "", err
	}
	return path, seed(path)
})

func seededDB(tb testing.TB) string {
	tb.Helper()
	path, err := seeded()
	if err != nil {
		tb.Fatalf("seeding the benchmark database: %v", err)
	}
	return path
}

// binaries are the built authctl and minimalread programs.
type binaries struct{ authctl, minimal string }

var built = sync.OnceValues(func() (binaries, error) {
	bins := binaries{
		authctl: filepath.Join(benchDir, "authctl"),
		minimal: filepath.Join(benchDir, "minimalread"),
	}
	gotool, err := exec.LookPath("go")
	if err != nil {
		return bins, fmt.Errorf("no go tool: %w", err)
	}
	for _, b := range []struct{ out, pkg string }{
		{bins.authctl, "authctl"},
		{bins.minimal, "authctl/bench/minimalread"},
	} {
		// Both are built as .goreleaser.yaml builds releases: static
		// (CGO_ENABLED=0), trimmed and stripped. With cgo, the net package
		// that pflag imports makes the binary dynamically linked, which
		// costs about 1 ms at every start.
		build := exec.Command(gotool, "build", "-trimpath", "-ldflags=-s -w", "-o", b.out+".linked", b.pkg)
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		out, err := build.CombinedOutput()
		if err != nil {
			return bins, fmt.Errorf("go build %s: %v\n%s", b.pkg, err, out)
		}
		// Copied with write(2), as cp and package managers write a binary:
		// the linker's output sits in the page cache as 4 KiB pages and
		// starts 8-15% slower (bench/startup.sh, "settle"), by different
		// amounts for different builds.
		if err := copyBinary(b.out+".linked", b.out); err != nil {
			return bins, err
		}
	}
	return bins, nil
})

// copyBinary writes a copy of the executable from to to and removes from.
func copyBinary(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if err := os.WriteFile(to+".tmp", data, 0o755); err != nil {
		return err
	}
	if err := os.Rename(to+".tmp", to); err != nil {
		return err
	}
	return os.Remove(from)
}

func builtBinaries(tb testing.TB) binaries {
	tb.Helper()
	bins, err := built()
	if err != nil {
		tb.Fatal(err)
	}
	return bins
}

// procEnv isolates the programs from the caller's home and configuration.
func procEnv() []string {
	env := []string{"PATH=" + os.Getenv("PATH")}
	for _, kv := range [][2]string{
		{"HOME", "home"},
		{"XDG_CONFIG_HOME", "home/.config"},
		{"XDG_DATA_HOME", "home/.local/share"},
		{"XDG_STATE_HOME", "home/.local/state"},
	} {
		env = append(env, kv[0]+"="+filepath.Join(benchDir, kv[1]))
	}
	return env
}

// checkArgs is the command line BenchmarkCheckProcess runs.
func checkArgs(db string) []string {
	return []string{"check", CheckPerm, "--user", CheckUser, "-q", "--db", db}
}

// minimalArgs is the baseline's: the same file, one key.
func minimalArgs(db string) []string {
	return []string{db, "users", CheckUser}
}

// openService is what "authctl check" sets up: the store opened read-only,
// the configured hasher set and validators (the defaults), and the service.
func openService(path string) (*auth.Service, store.Store, error) {
	st, err := backends.Open(path, store.OpenOptions{ReadOnly: true})
	if err != nil {
		return nil, nil, err
	}
	hs, err := hasher.NewSet("argon2", hasher.DefaultParams())
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	vs, err := validate.New(validate.DefaultSpecs())
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	svc, err := auth.New(st, auth.Options{Hashers: hs, Validators: vs})
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return svc, st, nil
}

// BenchmarkCheckInProcess is the work of "authctl check PERM --user U"
// without the process: open-check-close opens the database read-only,
// runs Service.Check and closes it each time, as one invocation does;
// check-only keeps the database open and measures Service.Check alone.
func BenchmarkCheckInProcess(b *testing.B) {
	path := seededDB(b)
	ctx := context.Background()
	perms := []string{CheckPerm}
	b.Run("open-check-close", func(b *testing.B) {
		for b.Loop() {
			svc, st, err := openService(path)
			if err != nil {
				b.Fatal(err)
			}
			d, err := svc.Check(ctx, CheckUser, perms, false)
			if err != nil || !d.Allowed {
				b.Fatalf("check: %v, allowed %v", err, d.Allowed)
			}
			if err := st.Close(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("check-only", func(b *testing.B) {
		svc, st, err := openService(path)
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		for b.Loop() {
			d, err := svc.Check(ctx, CheckUser, perms, false)
			if err != nil || !d.Allowed {
				b.Fatalf("check: %v, allowed %v", err, d.Allowed)
			}
		}
	})
}

// BenchmarkCheckCommandInProcess runs the whole command line inside this
// process, as main does (cmd.Run: Cobra's command tree, Viper's
// configuration, opening, checking, closing), without process start-up and
// package initialisation; the gap to BenchmarkCheckProcess is what a new
// process costs.
func BenchmarkCheckCommandInProcess(b *testing.B) {
	path := seededDB(b)
	env := map[string]string{}
	for _, kv := range procEnv() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	getenv := func(k string) string { return env[k] }
	args := checkArgs(path)
	for b.Loop() {
		ios, _, _, _ := iostreams.Test()
		if code := cmd.Run(args, ios, getenv); code != 0 {
			b.Fatalf("authctl %s: exit %d", strings.Join(args, " "), code)
		}
	}
}

// BenchmarkCheckProcess execs "authctl check PERM --user U -q" per
// iteration (fork, exec, runtime start, package init, Cobra and Viper,
// open, check, exit).
func BenchmarkCheckProcess(b *testing.B) {
	path := seededDB(b)
	bins := builtBinaries(b)
	benchExec(b, bins.authctl, checkArgs(path))
}

// BenchmarkMinimalBoltProcess execs the baseline: a Go program that opens
// the same bbolt file read-only and reads one key.
func BenchmarkMinimalBoltProcess(b *testing.B) {
	path := seededDB(b)
	bins := builtBinaries(b)
	benchExec(b, bins.minimal, minimalArgs(path))
}

func benchExec(b *testing.B, bin string, args []string) {
	env := procEnv()
	if err := os.MkdirAll(filepath.Join(benchDir, "home"), 0o700); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s %s: %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, out)
		}
	}
}

const benchPassword = "correct horse battery staple"

// generating are the algorithms authctl makes new hashes with.
var generating = []string{"argon2", "pbkdf2_sha256", "bcrypt_sha256", "scrypt"}

// BenchmarkAuthenticate is Service.Authenticate of the right password, per
// hasher at its default cost (argon2 t=2 m=100 MiB p=8, pbkdf2_sha256
// 1,200,000 iterations, bcrypt_sha256 cost 12, scrypt N=2^14 r=8 p=5), with
// that hasher preferred so no re-hash happens. Each call reads the user,
// verifies, and commits one write transaction (the audit record).
func BenchmarkAuthenticate(b *testing.B) {
	ctx := context.Background()
	for _, alg := range generating {
		b.Run(alg, func(b *testing.B) {
			hs, err := hasher.NewSet(alg, hasher.DefaultParams())
			if err != nil {
				b.Fatal(err)
			}
			enc, err := hs.Make(benchPassword)
			if err != nil {
				b.Fatal(err)
			}
			path := filepath.Join(b.TempDir(), "auth.db")
			if err := seedOne(path, "alice", enc); err != nil {
				b.Fatal(err)
			}
			st, err := backends.Open(path, store.OpenOptions{})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			svc, err := auth.New(st, auth.Options{Hashers: hs})
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := svc.Authenticate(ctx, "alice", benchPassword); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCheckPassword is hasher.Set.Check of the right password against
// a hash at the default cost: the same work as Django's check_password.
func BenchmarkCheckPassword(b *testing.B) {
	for _, alg := range generating {
		b.Run(alg, func(b *testing.B) {
			hs, err := hasher.NewSet(alg, hasher.DefaultParams())
			if err != nil {
				b.Fatal(err)
			}
			enc, err := hs.Make(benchPassword)
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if ok, _ := hs.Check(benchPassword, enc); !ok {
					b.Fatal("check failed")
				}
			}
		})
	}
}

// TestPrepare builds the binaries, seeds the database and writes
// params.env into $AUTHCTL_BENCH_DIR for the shell scripts; without that
// variable it skips.
func TestPrepare(t *testing.T) {
	if os.Getenv(dirEnv) == "" {
		t.Skipf("set %s to build and seed a benchmark directory for bench/run.sh", dirEnv)
	}
	path := seededDB(t)
	bins := builtBinaries(t)
	if err := os.MkdirAll(filepath.Join(benchDir, "home"), 0o700); err != nil {
		t.Fatal(err)
	}
	p := hasher.DefaultParams()
	vars := [][2]string{
		{"AUTHCTL_BIN", bins.authctl},
		{"MINIMALREAD_BIN", bins.minimal},
		{"AUTHCTL_BENCH_DB", path},
		{"BENCH_HOME", filepath.Join(benchDir, "home")},
		{"CHECK_USER", CheckUser},
		{"CHECK_PERM", CheckPerm},
		{"N_USERS", fmt.Sprint(NUsers)},
		{"N_GROUPS", fmt.Sprint(NGroups)},
		{"N_PERMS", fmt.Sprint(NPerms)},
		{"PBKDF2_ITERATIONS", fmt.Sprint(p.PBKDF2Iterations)},
		{"ARGON2_TIME", fmt.Sprint(p.Argon2Time)},
		{"ARGON2_MEMORY_KIB", fmt.Sprint(p.Argon2MemoryKiB)},
		{"ARGON2_THREADS", fmt.Sprint(p.Argon2Threads)},
		{"BCRYPT_COST", fmt.Sprint(p.BcryptCost)},
		{"SCRYPT_N", fmt.Sprint(p.ScryptN)},
		{"SCRYPT_R", fmt.Sprint(p.ScryptR)},
		{"SCRYPT_P", fmt.Sprint(p.ScryptP)},
	}
	var sb strings.Builder
	for _, kv := range vars {
		fmt.Fprintf(&sb, "%s='%s'\n", kv[0], kv[1])
	}
	if err := os.WriteFile(filepath.Join(benchDir, "params.env"), []byte(sb.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	// The command lines the scripts time must succeed.
	for _, c := range []struct {
		bin  string
		args []string
	}{{bins.authctl, checkArgs(path)}, {bins.minimal, minimalArgs(path)}} {
		cmd := exec.Command(c.bin, c.args...)
		cmd.Env = procEnv()
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s %s: %v\n%s", c.bin, strings.Join(c.args, " "), err, out)
		}
	}
}
