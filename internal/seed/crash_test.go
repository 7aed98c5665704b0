package seed

// Process-level tests of "authctl apply" with the built binary: killed at
// random points it leaves the database exactly as before or exactly as
// after, never between; and its progress bar is drawn only on a terminal.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

// authctlBinary builds the binary once for the package's tests.
func authctlBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the authctl binary")
	}
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "authctl-seed-test-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "authctl")
		out, err := exec.Command("go", "build", "-o", binPath, "authctl").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build authctl: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// binEnv is a minimal environment with its own home and a cheap hasher.
func binEnv(t *testing.T, db string, extra ...string) []string {
	dir := t.TempDir()
	return append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + filepath.Join(dir, "home"),
		"XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"XDG_STATE_HOME=" + filepath.Join(dir, "state"),
		"XDG_DATA_HOME=" + filepath.Join(dir, "data"),
		"AUTHCTL_DB=" + db,
		"AUTHCTL_HASHER_ALGORITHM=pbkdf2_sha256",
		"AUTHCTL_HASHER_PBKDF2_ITERATIONS=1000",
	}, extra...)
}

// runBin runs the binary to the end: stdout, stderr, exit code.
func runBin(t *testing.T, bin string, env []string, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return stdout.String(), stderr.String(), 0
	case errors.As(err, &ee):
		return stdout.String(), stderr.String(), ee.ExitCode()
	}
	t.Fatalf("authctl %v: %v", args, err)
	return "", "", -1
}

// bigSeed writes a seeding file of n users (the first few hundred also in
// base, with another email), all with fixed hashes and dates so that the
// database after an apply is always the same, except for the users whose
// passwords come from the environment (hashed by the apply: random salts).
func bigSeed(t *testing.T, dir string, n, base, envUsers int) (basePath, bigPath string, envNames map[string]bool) {
	t.Helper()
	hashes := make([]string, 8)
	for i := range hashes {
		h, err := cheap(t).Make(fmt.Sprintf("password number %d", i))
		if err != nil {
			t.Fatal(err)
		}
		hashes[i] = h
	}
	perms := []Permission{{Permission: "app.read"}, {Permission: "app.write", Name: "Can write things"}}
	all := []string{"app.read", "app.write"}
	read := []string{"app.read"}
	groups := []Group{{Name: "readers", Permissions: &read}, {Name: "writers", Permissions: &all}}
	joined := time.Date(2023, 4, 5, 6, 7, 8, 0, time.UTC)
	envNames = map[string]bool{}
	user := func(i int, email string) User {
		name := fmt.Sprintf("user%05d", i)
		g := []string{groups[i%2].Name}
		u := User{Username: name, Email: &email, Groups: &g, DateJoined: &joined}
		if i%7 == 0 {
			p := []string{"app.write"}
			u.UserPermissions = &p
		}
		if i >= base && i < base+envUsers {
			u.PasswordEnv = "SEED_PW"
			envNames[name] = true
		} else {
			u.PasswordHash = hashes[i%len(hashes)]
		}
		return u
	}
	write := func(name string, f File) string {
		b, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var fb, f File
	fb.Permissions, fb.Groups = perms, groups
	f.Permissions, f.Groups = perms, groups
	for i := range base {
		fb.Users = append(fb.Users, user(i, fmt.Sprintf("old%d@example.com", i)))
	}
	for i := range n {
		f.Users = append(f.Users, user(i, fmt.Sprintf("new%d@example.com", i)))
	}
	return write("base.json", fb), write("big.json", f), envNames
}

// normalExport is "authctl export" with the hashes of the given users
// (random salts) replaced by a marker, once checked to be pbkdf2 hashes.
func normalExport(t *testing.T, bin string, env []string, salted map[string]bool) string {
	t.Helper()
	out, stderr, code := runBin(t, bin, env, "export")
	if code != 0 {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	var f File
	if err := json.Unmarshal([]byte(out), &f); err != nil {
		t.Fatalf("export is not JSON: %v", err)
	}
	for i, u := range f.Users {
		if salted[u.Username] {
			if !strings.HasPrefix(u.PasswordHash, "pbkdf2_sha256$30000$") {
				t.Fatalf("%s's hash is %q", u.Username, u.PasswordHash)
			}
			f.Users[i].PasswordHash = "(hashed during the apply)"
		}
	}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// copyFile copies a database, and its audit key beside it when there is
// one (a keyed log cannot be written to without it).
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if key, err := os.ReadFile(from + ".audit-key"); err == nil {
		if err := os.WriteFile(to+".audit-key", key, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// TestApplyInterrupted kills "authctl apply" of 20,000 users at random
// points with SIGKILL, and interrupts it with SIGINT, then checks that the
// database opens, its audit chain is intact, and its export is exactly the
// one before the apply or exactly the one after a full apply.
func TestApplyInterrupted(t *testing.T) {
	bin := authctlBinary(t)
	dir := t.TempDir()
	basePath, bigPath, salted := bigSeed(t, dir, 20000, 500, 60)
	baseDB := filepath.Join(dir, "base.db")
	// The 60 passwords from the environment are hashed by the apply at a
	// higher cost, so that a good part of its run is hashing.
	extra := []string{"SEED_PW=a long seeding passphrase", "AUTHCTL_HASHER_PBKDF2_ITERATIONS=30000"}

	env := binEnv(t, baseDB, extra...)
	if _, stderr, code := runBin(t, bin, env, "apply", "-f", basePath); code != 0 {
		t.Fatalf("base apply: exit %d: %s", code, stderr)
	}
	before := normalExport(t, bin, env, nil)

	// A full apply on a copy: the state after, and how long it takes.
	fullDB := filepath.Join(dir, "full.db")
	copyFile(t, baseDB, fullDB)
	env = binEnv(t, fullDB, extra...)
	start := time.Now()
	_, stderr, code := runBin(t, bin, env, "apply", "-f", bigPath)
	took := time.Since(start)
	if code != 0 {
		t.Fatalf("full apply: exit %d: %s", code, stderr)
	}
	// stderr is a pipe: the summary alone, no progress bar.
	if want := "created 19500, updated 500, unchanged 4\n"; stderr != want {
		t.Errorf("stderr of an apply into a pipe = %q, want %q", stderr, want)
	}
	after := normalExport(t, bin, env, salted)
	if after == before {
		t.Fatal("the apply changed nothing")
	}
	t.Logf("a full apply takes %v", took)

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	// Delays in three bands: anywhere; the second half, where the write
	// transaction is; and around the usual end, where it commits.
	bands := [][2]float64{{0, 1}, {0.5, 1}, {0.85, 1.2}}
	var trials []os.Signal
	for range 7 {
		trials = append(trials, syscall.SIGKILL)
	}
	for range 3 {
		trials = append(trials, syscall.SIGINT)
	}
	outcomes := map[string]int{}
	for i, sig := range trials {
		db := filepath.Join(dir, fmt.Sprintf("trial%d.db", i))
		copyFile(t, baseDB, db)
		env := binEnv(t, db, extra...)
		band := bands[i%len(bands)]
		delay := time.Duration((band[0] + rng.Float64()*(band[1]-band[0])) * float64(took))
		var stderr bytes.Buffer
		cmd := exec.Command(bin, "apply", "-f", bigPath)
		cmd.Env, cmd.Stderr = env, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		_ = cmd.Process.Signal(sig)
		err := cmd.Wait()

		exit := "exit 0"
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			exit = ee.String()
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && !ws.Signaled() && sig == syscall.SIGINT && ws.ExitStatus() != 130 {
				t.Errorf("trial %d (%v after %v): %v, want 130 (interrupted): %s", i, sig, delay, exit, stderr.String())
			}
		}
		if _, out, code := runBin(t, bin, env, "audit", "verify"); code != 0 {
			t.Errorf("trial %d (%v after %v, %s): audit verify: exit %d: %s", i, sig, delay, exit, code, out)
		}
		got := normalExport(t, bin, env, salted)
		state := "before"
		switch got {
		case before:
		case after:
			state = "after"
		default:
			state = "between"
			t.Errorf("trial %d: %v after %v (%s) left the database neither as before nor as after the apply", i, sig, delay, exit)
		}
		outcomes[fmt.Sprintf("%v: %s", sig, state)]++
		t.Logf("trial %d: %v after %v: %s; database as %s", i, sig, delay.Round(time.Millisecond), exit, state)
		os.Remove(db)
	}
	t.Logf("outcomes: %v", outcomes)
}

// TestApplyProgress: the bar is drawn on stderr when it is a terminal, and
// not in a pipe or with -q.
func TestApplyProgress(t *testing.T) {
	bin := authctlBinary(t)
	dir := t.TempDir()
	// 400 passwords to hash at 4,000 iterations: long enough for the
	// bar to be drawn.
	var f File
	for i := range 400 {
		f.Users = append(f.Users, User{Username: fmt.Sprintf("p%04d", i), PasswordEnv: "SEED_PW"})
	}
	b, _ := json.Marshal(f)
	seedPath := filepath.Join(dir, "seed.json")
	if err := os.WriteFile(seedPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(name string) []string {
		return binEnv(t, filepath.Join(dir, name), "SEED_PW=a long seeding passphrase", "AUTHCTL_HASHER_PBKDF2_ITERATIONS=4000")
	}

	// A pipe: the summary alone.
	_, stderr, code := runBin(t, bin, env("pipe.db"), "apply", "-f", seedPath)
	if code != 0 || stderr != "created 400, updated 0, unchanged 0\n" {
		t.Errorf("into a pipe: exit %d, stderr %q; want the summary alone", code, stderr)
	}

	// A terminal: the bar, then the summary.
	got := onTerminal(t, bin, env("tty.db"), "apply", "-f", seedPath)
	if !strings.Contains(got, "hashing passwords") || !strings.Contains(got, "created 400, updated 0, unchanged 0") {
		t.Errorf("on a terminal, stderr = %q; want the bar and the summary", got)
	}
	// A terminal with -q: nothing.
	if got := onTerminal(t, bin, env("quiet.db"), "apply", "-f", seedPath, "-q"); got != "" {
		t.Errorf("on a terminal with -q, stderr = %q", got)
	}
}

// onTerminal runs the binary with stderr on a pseudo-terminal (stdout and
// stdin elsewhere) and returns what it wrote there.
func onTerminal(t *testing.T, bin string, env []string, args ...string) string {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	cmd := exec.Command(bin, args...)
	cmd.Env, cmd.Stderr = env, tty
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	var out bytes.Buffer
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(&out, ptmx) // ends with EIO when the child exits
		close(done)
	}()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("authctl %v on a terminal: %v\n%s", args, err, out.String())
	}
	<-done
	return out.String()
}

// TestApplyHashesWithoutWriteLock: while an apply hashes passwords (which
// can take minutes), the database is not locked for writing: other
// processes read and even write it; only the apply's one transaction takes
// the write lock.
func TestApplyHashesWithoutWriteLock(t *testing.T) {
	bin := authctlBinary(t)
	dir := t.TempDir()
	var f File
	for i := range 150 {
		f.Users = append(f.Users, User{Username: fmt.Sprintf("h%03d", i), PasswordEnv: "SEED_PW"})
	}
	b, _ := json.Marshal(f)
	seedPath := filepath.Join(dir, "seed.json")
	if err := os.WriteFile(seedPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	env := binEnv(t, filepath.Join(dir, "auth.db"), "SEED_PW=a long seeding passphrase")
	if _, stderr, code := runBin(t, bin, env, "user", "create", "first", "--no-password"); code != 0 {
		t.Fatal(stderr)
	}
	// About a second of hashing on two cores.
	slow := append(slices.Clone(env), "AUTHCTL_HASHER_PBKDF2_ITERATIONS=60000")
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "apply", "-f", seedPath)
	cmd.Env, cmd.Stderr = slow, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	_, listErr, listCode := runBin(t, bin, env, "user", "list", "--lock-timeout", "200ms")
	_, createErr, createCode := runBin(t, bin, env, "user", "create", "meanwhile", "--no-password", "--lock-timeout", "200ms")
	during := time.Since(start)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("apply: %v\n%s", err, stderr.String())
	}
	took := time.Since(start)
	if during >= took {
		t.Skipf("the apply (%v) ended before the other commands (%v): the machine is too fast or too loaded", took, during)
	}
	if listCode != 0 || createCode != 0 {
		t.Errorf("while the apply was hashing: user list exit %d (%s), user create exit %d (%s)", listCode, listErr, createCode, createErr)
	}
	out, _, _ := runBin(t, bin, env, "user", "list")
	if !strings.Contains(out, "meanwhile") || !strings.Contains(out, "h149") {
		t.Errorf("users after both: %s", out)
	}
}
