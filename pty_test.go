//go:build linux

package main

// Pseudo-terminal tests of the authctl binary: the prompts a person sees.
// Each test starts the binary (the test binary that TestMain, through
// testscript, installs in $PATH as "authctl") in a new session whose
// controlling terminal is a fresh pty, so /dev/tty is that pty. The test
// plays the person: it waits for a prompt to appear on the pty, types into
// it, and keeps everything the terminal displayed, to prove that a typed
// password never appears on it. Every wait has a timeout, so a prompt that
// never comes fails the test instead of hanging it.

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

const (
	ptyTimeout = 10 * time.Second
	goodPW     = "Vorpal-Blade-1871"
	otherPW    = "Tumtum-Tree-1872"
)

// authctlEnv is a private database, home and state for one test, with the
// cheap hasher the scripts use.
func authctlEnv(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	path, err := exec.LookPath("authctl")
	if err != nil {
		t.Fatalf("authctl is not in $PATH (TestMain installs it): %v", err)
	}
	return []string{
		"PATH=" + filepath.Dir(path) + ":/usr/bin:/bin",
		"HOME=" + filepath.Join(dir, "home"),
		"AUTHCTL_DB=" + filepath.Join(dir, "auth.db"),
		"XDG_STATE_HOME=" + filepath.Join(dir, "state"),
		"XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"XDG_DATA_HOME=" + filepath.Join(dir, "data"),
		"AUTHCTL_HASHER_ALGORITHM=pbkdf2_sha256",
		"AUTHCTL_HASHER_PBKDF2_ITERATIONS=1000",
		"TERM=dumb",
	}
}

// run runs authctl without a terminal, for setting up and checking.
func run(t *testing.T, env []string, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command("authctl", args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // no controlling terminal
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatalf("authctl %s: %v", strings.Join(args, " "), err)
	}
	return o.String(), e.String(), code
}

// mustRun is run that must succeed.
func mustRun(t *testing.T, env []string, stdin string, args ...string) string {
	t.Helper()
	out, errOut, code := run(t, env, stdin, args...)
	if code != 0 {
		t.Fatalf("authctl %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
	}
	return out
}

// terminal is authctl running on a pty.
type terminal struct {
	t        *testing.T
	cmd      *exec.Cmd
	ptm, tty *os.File
	stdout   bytes.Buffer // when stdout is a pipe

	mu       sync.Mutex
	screen   bytes.Buffer // everything the terminal displayed
	seen     int          // how much of screen expect has consumed
	changed  chan struct{}
	readDone chan struct{}
	waitDone chan struct{}
	waitErr  error
}

// startTerminal starts authctl with stdin and stderr on a new pty that is
// its controlling terminal, and stdout on the pty too or, with pipeStdout,
// on a pipe (as in "authctl login --print-token | ...").
func startTerminal(t *testing.T, env []string, pipeStdout bool, args ...string) *terminal {
	t.Helper()
	ptm, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("pty.Open: %v", err)
	}
	c := &terminal{
		t: t, ptm: ptm, tty: tty,
		changed:  make(chan struct{}, 1),
		readDone: make(chan struct{}),
		waitDone: make(chan struct{}),
	}
	c.cmd = exec.Command("authctl", args...)
	c.cmd.Env = env
	c.cmd.Stdin, c.cmd.Stderr = tty, tty
	c.cmd.Stdout = tty
	if pipeStdout {
		c.cmd.Stdout = &c.stdout
	}
	// A new session whose controlling terminal is the pty (fd 0 in the
	// child): /dev/tty is the pty, and Ctrl-C sends SIGINT to authctl.
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("starting authctl: %v", err)
	}
	// The test keeps its own descriptor of the terminal, to read its modes
	// after authctl has exited.
	go func() {
		defer close(c.readDone)
		buf := make([]byte, 4096)
		for {
			n, err := ptm.Read(buf)
			if n > 0 {
				c.mu.Lock()
				c.screen.Write(buf[:n])
				c.mu.Unlock()
				select {
				case c.changed <- struct{}{}:
				default:
				}
			}
			if err != nil {
				return
			}
		}
	}()
	go func() {
		c.waitErr = c.cmd.Wait()
		close(c.waitDone)
	}()
	t.Cleanup(func() {
		_ = c.cmd.Process.Kill()
		<-c.waitDone
		c.tty.Close()
		c.ptm.Close()
		<-c.readDone
	})
	return c
}

// expect waits until the terminal displays s (after what earlier expects
// consumed), and consumes up to the end of it.
func (c *terminal) expect(s string) {
	c.t.Helper()
	deadline := time.NewTimer(ptyTimeout)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		rest := c.screen.String()[c.seen:]
		if i := strings.Index(rest, s); i >= 0 {
			c.seen += i + len(s)
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		select {
		case <-c.changed:
		case <-c.waitDone:
			// Give the reader a moment to drain the last output.
			select {
			case <-c.changed:
			case <-time.After(100 * time.Millisecond):
				c.mu.Lock()
				rest = c.screen.String()[c.seen:]
				c.mu.Unlock()
				if !strings.Contains(rest, s) {
					c.t.Fatalf("authctl exited (%v) without displaying %q; the terminal shows:\n%s", c.waitErr, s, c.display())
				}
			}
		case <-deadline.C:
			c.t.Fatalf("timed out waiting for %q; the terminal shows:\n%s", s, c.display())
		}
	}
}

// typ types on the keyboard. A line ends with "\r", the Enter key.
func (c *terminal) typ(s string) {
	c.t.Helper()
	if _, err := c.ptm.Write([]byte(s)); err != nil {
		c.t.Fatalf("typing: %v", err)
	}
}

// wait waits for authctl to exit and returns its exit status.
func (c *terminal) wait() int {
	c.t.Helper()
	select {
	case <-c.waitDone:
	case <-time.After(ptyTimeout):
		c.t.Fatalf("authctl did not exit; the terminal shows:\n%s", c.display())
	}
	var ee *exec.ExitError
	switch {
	case c.waitErr == nil:
		return 0
	case errors.As(c.waitErr, &ee):
		return ee.ExitCode()
	}
	c.t.Fatalf("waiting for authctl: %v", c.waitErr)
	return -1
}

// finish waits for authctl to exit, then closes the terminal and returns
// everything it displayed.
func (c *terminal) finish() (code int, screen string) {
	c.t.Helper()
	code = c.wait()
	// Read what authctl wrote last before closing the test's side of the
	// terminal: once no one has the terminal open, Linux may drop output
	// not yet read from the pty.
	for quiet := false; !quiet; {
		select {
		case <-c.changed:
		case <-time.After(100 * time.Millisecond):
			quiet = true
		}
	}
	c.tty.Close()
	select {
	case <-c.readDone:
	case <-time.After(ptyTimeout):
		c.t.Fatalf("the terminal did not close")
	}
	return code, c.display()
}

func (c *terminal) display() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.screen.String()
}

// echoOn reports whether the terminal echoes typed characters.
func (c *terminal) echoOn() bool {
	c.t.Helper()
	tio, err := unix.IoctlGetTermios(int(c.tty.Fd()), unix.TCGETS)
	if err != nil {
		c.t.Fatalf("reading the terminal's modes: %v", err)
	}
	return tio.Lflag&unix.ECHO != 0
}

// neverShown fails if a secret appeared on the terminal.
func neverShown(t *testing.T, screen string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(screen, s) {
			t.Errorf("the terminal displayed the password %q:\n%s", s, screen)
		}
	}
}

func TestPTYUserCreateAsksTwiceWithoutEcho(t *testing.T) {
	t.Parallel()
	env := authctlEnv(t)
	c := startTerminal(t, env, false, "user", "create", "alice")
	c.expect("Password: ")
	c.typ(goodPW + "\r")
	c.expect("Password (again): ")
	c.typ(goodPW + "\r")
	c.expect("Created user alice")
	code, screen := c.finish()
	if code != 0 {
		t.Fatalf("exit %d, want 0:\n%s", code, screen)
	}
	neverShown(t, screen, goodPW)
	mustRun(t, env, goodPW+"\n", "authenticate", "alice", "--password-stdin")
}

func TestPTYUserCreateMismatchAsksAgain(t *testing.T) {
	t.Parallel()
	env := authctlEnv(t)
	c := startTerminal(t, env, false, "user", "create", "alice")
	c.expect("Password: ")
	c.typ(goodPW + "\r")
	c.expect("Password (again): ")
	c.typ(otherPW + "\r")
	c.expect("Error: Your passwords didn't match.")
	c.expect("Password: ")
	c.typ(otherPW + "\r")
	c.expect("Password (again): ")
	c.typ(otherPW + "\r")
	c.expect("Created user alice")
	code, screen := c.finish()
	if code != 0 {
		t.Fatalf("exit %d, want 0:\n%s", code, screen)
	}
	neverShown(t, screen, goodPW, otherPW)
	// The second pair is the password.
	mustRun(t, env, otherPW+"\n", "authenticate", "alice", "--password-stdin")
	if _, _, code := run(t, env, goodPW+"\n", "authenticate", "alice", "--password-stdin"); code != 1 {
		t.Errorf("the mismatched first password authenticates (exit %d)", code)
	}
}

func TestPTYUserCreateBlankPasswordAsksAgain(t *testing.T) {
	t.Parallel()
	env := authctlEnv(t)
	c := startTerminal(t, env, false, "user", "create", "alice")
	c.expect("Password: ")
	c.typ("   \r")
	c.expect("Password (again): ")
	c.typ("   \r")
	c.expect("Error: Blank passwords aren't allowed.")
	c.expect("Password: ")
	c.typ(goodPW + "\r")
	c.expect("Password (again): ")
	c.typ(goodPW + "\r")
	c.expect("Created user alice")
	if code, screen := c.finish(); code != 0 {
		t.Fatalf("exit %d, want 0:\n%s", code, screen)
	}
}

func TestPTYUserCreateValidationOffersBypass(t *testing.T) {
	t.Parallel()
	env := authctlEnv(t)
	const weak = "12345"
	c := startTerminal(t, env, false, "user", "create", "alice")
	// Refuse the bypass: asked again.
	c.expect("Password: ")
	c.typ(weak + "\r")
	c.expect("Password (again): ")
	c.typ(weak + "\r")
	c.expect("This password is too short. It must contain at least 8 characters.")
	c.expect("This password is too common.")
	c.expect("This password is entirely numeric.")
	c.expect("Bypass password validation and create user anyway? [y/N]: ")
	c.typ("\r") // the default is no
	c.expect("Password: ")
	// Accept it the second time.
	c.typ(weak + "\r")
	c.expect("Password (again): ")
	c.typ(weak + "\r")
	c.expect("Bypass password validation and create user anyway? [y/N]: ")
	c.typ("y\r")
	c.expect("Created user alice")
	code, screen := c.finish()
	if code != 0 {
		t.Fatalf("exit %d, want 0:\n%s", code, screen)
	}
	neverShown(t, screen, weak)
	mustRun(t, env, weak+"\n", "authenticate", "alice", "--password-stdin")
}

func TestPTYUserCreateBadNameBeforePassword(t *testing.T) {
	t.Parallel()
	env := authctlEnv(t)
	c := startTerminal(t, env, false, "user", "create", "bad name")
	code, screen := c.finish()
	if code != 5 {
		t.Fatalf("exit %d, want 5:\n%s", code, screen)
	}
	if strings.Contains(screen, "Password") {
		t.Errorf("asked for a password for a name that cannot be created:\n%s", screen)
	}
}

func TestPTYCtrlCExits130AndRestoresTerminal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		args   []string
		setup  bool // create alice first
		secret bool // interrupted at a password prompt (echo off)
		steps  func(c *terminal)
	}{
		{"first password prompt", []string{"user", "create", "alice"}, false, true, func(c *terminal) {
			c.expect("Password: ")
		}},
		{"confirmation prompt", []string{"user", "create", "alice"}, false, true, func(c *terminal) {
			c.expect("Password: ")
			c.typ(goodPW + "\r")
			c.expect("Password (again): ")
			c.typ("Vorp") // half typed
		}},
		{"login password", []string{"login", "alice"}, true, true, func(c *terminal) {
			c.expect("Password: ")
		}},
		{"authenticate", []string{"authenticate", "alice"}, true, true, func(c *terminal) {
			c.expect("Password: ")
		}},
		{"user passwd", []string{"user", "passwd", "alice"}, true, true, func(c *terminal) {
			c.expect("Password: ")
		}},
		{"login username", []string{"login"}, true, false, func(c *terminal) {
			c.expect("Username: ")
			c.typ("ali")
		}},
		{"bypass question", []string{"user", "create", "alice"}, false, false, func(c *terminal) {
			c.expect("Password: ")
			c.typ("abc\r")
			c.expect("Password (again): ")
			c.typ("abc\r")
			c.expect("[y/N]: ")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := authctlEnv(t)
			if tc.setup {
				mustRun(t, env, goodPW+"\n", "user", "create", "alice", "--password-stdin")
			}
			c := startTerminal(t, env, false, tc.args...)
			tc.steps(c)
			// At a password prompt echo is off now, so the check after
			// Ctrl-C can tell whether it was turned back on.
			if tc.secret && c.echoOn() {
				t.Fatalf("echo is on at the password prompt:\n%s", c.display())
			}
			c.typ("\x03") // Ctrl-C
			c.expect("authctl: interrupted")
			code := c.wait()
			if code != 130 {
				t.Errorf("exit %d, want 130:\n%s", code, c.display())
			}
			if !c.echoOn() {
				t.Errorf("echo is still off after Ctrl-C:\n%s", c.display())
			}
			_, screen := c.finish()
			neverShown(t, screen, goodPW)
			if tc.args[0] == "user" && tc.args[1] == "create" {
				if _, _, code := run(t, env, "", "user", "show", "alice"); code != 3 {
					t.Errorf("user show alice after an interrupted create: exit %d, want 3", code)
				}
			}
		})
	}
}

func TestPTYLoginAsksUsernameAndPrintsTokenOnPipe(t *testing.T) {
	t.Parallel()
	env := authctlEnv(t)
	mustRun(t, env, goodPW+"\n", "user", "create", "alice", "--password-stdin")
	// authctl login --print-token | ...: stdout is a pipe; the prompts and
	// messages are on the terminal.
	c := startTerminal(t, env, true, "login", "--print-token")
	c.expect("Username: ")
	c.typ("alice\r")
	c.expect("Password: ")
	c.typ(goodPW + "\r")
	c.expect("Logged in as alice")
	code, screen := c.finish()
	if code != 0 {
		t.Fatalf("exit %d, want 0:\n%s", code, screen)
	}
	neverShown(t, screen, goodPW)
	// What is typed at an echoing prompt does show: the check above can see
	// typed text.
	if !strings.Contains(screen, "Username: alice") {
		t.Errorf("the username was not echoed:\n%s", screen)
	}
	token := c.stdout.String()
	if !regexp.MustCompile(`^[A-Za-z0-9_-]{43}\n$`).MatchString(token) {
		t.Fatalf("stdout is %q, want the token alone", token)
	}
	if strings.Contains(screen, strings.TrimSpace(token)) {
		t.Errorf("the token appeared on the terminal:\n%s", screen)
	}
	// The token is a session; nothing was saved.
	out := mustRun(t, append(env, "AUTHCTL_SESSION="+strings.TrimSpace(token)), "", "whoami")
	if out != "alice\n" {
		t.Errorf("whoami with the token: %q, want alice", out)
	}
	if out, _, code := run(t, env, "", "whoami"); code != 1 || out != "anonymous\n" {
		t.Errorf("whoami without the token: %q, exit %d; want anonymous, exit 1 (--print-token must not save it)", out, code)
	}
}

func TestPTYLoginSavesSession(t *testing.T) {
	t.Parallel()
	env := authctlEnv(t)
	mustRun(t, env, goodPW+"\n", "user", "create", "alice", "--password-stdin")
	c := startTerminal(t, env, false, "login", "alice")
	c.expect("Password: ")
	c.typ(goodPW + "\r")
	c.expect("Logged in as alice")
	code, screen := c.finish()
	if code != 0 {
		t.Fatalf("exit %d, want 0:\n%s", code, screen)
	}
	neverShown(t, screen, goodPW)
	if out := mustRun(t, env, "", "whoami"); out != "alice\n" {
		t.Errorf("whoami: %q, want alice", out)
	}
	// A wrong password at the terminal: the one message, exit 1.
	c = startTerminal(t, env, false, "login", "alice")
	c.expect("Password: ")
	c.typ(otherPW + "\r")
	c.expect("authctl: invalid username or password")
	code, screen = c.finish()
	if code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", code, screen)
	}
	neverShown(t, screen, otherPW)
}

func TestPTYUserPasswdThreeAttempts(t *testing.T) {
	t.Parallel()
	env := authctlEnv(t)
	mustRun(t, env, goodPW+"\n", "user", "create", "alice", "--password-stdin")
	c := startTerminal(t, env, false, "user", "passwd", "alice")
	c.expect("Changing password for user 'alice'")
	// 1: a mismatch.
	c.expect("Password: ")
	c.typ(otherPW + "\r")
	c.expect("Password (again): ")
	c.typ(otherPW + "x\r")
	c.expect("Passwords do not match. Please try again.")
	// 2: a password the validators reject.
	c.expect("Password: ")
	c.typ("alice\r")
	c.expect("Password (again): ")
	c.typ("alice\r")
	c.expect("This password is too short. It must contain at least 8 characters.")
	// 3: another mismatch, and that is all.
	c.expect("Password: ")
	c.typ(otherPW + "\r")
	c.expect("Password (again): ")
	c.typ(goodPW + "\r")
	c.expect("Aborting password change for user 'alice' after 3 attempts")
	code, screen := c.finish()
	if code != 5 {
		t.Fatalf("exit %d, want 5:\n%s", code, screen)
	}
	if n := strings.Count(screen, "Password (again): "); n != 3 {
		t.Errorf("asked %d times, want 3:\n%s", n, screen)
	}
	neverShown(t, screen, goodPW, otherPW)
	// The password is unchanged.
	mustRun(t, env, goodPW+"\n", "authenticate", "alice", "--password-stdin")
}

func TestPTYUserPasswdChanges(t *testing.T) {
	t.Parallel()
	env := authctlEnv(t)
	mustRun(t, env, goodPW+"\n", "user", "create", "alice", "--password-stdin")
	c := startTerminal(t, env, false, "user", "passwd", "alice")
	c.expect("Password: ")
	c.typ(otherPW + "\r")
	c.expect("Password (again): ")
	c.typ(otherPW + "\r")
	c.expect("Password changed successfully for user 'alice'")
	code, screen := c.finish()
	if code != 0 {
		t.Fatalf("exit %d, want 0:\n%s", code, screen)
	}
	neverShown(t, screen, otherPW)
	mustRun(t, env, otherPW+"\n", "authenticate", "alice", "--password-stdin")

	// An empty answer aborts, as Django's changepassword does: exit 130,
	// nothing changed.
	c = startTerminal(t, env, false, "user", "passwd", "alice")
	c.expect("Password: ")
	c.typ("\r")
	code, screen = c.finish()
	if code != 130 {
		t.Errorf("an empty answer: exit %d, want 130:\n%s", code, screen)
	}
	mustRun(t, env, otherPW+"\n", "authenticate", "alice", "--password-stdin")

	// Unknown user: said before any password is asked.
	c = startTerminal(t, env, false, "user", "passwd", "nobody")
	code, screen = c.finish()
	if code != 3 || strings.Contains(screen, "Password: ") {
		t.Errorf("user passwd nobody: exit %d, want 3 without a prompt:\n%s", code, screen)
	}
}

func TestPTYDeleteAsksToConfirm(t *testing.T) {
	t.Parallel()
	env := authctlEnv(t)
	mustRun(t, env, "", "user", "create", "alice", "--no-password")
	mustRun(t, env, "", "user", "create", "bob", "--no-password")

	c := startTerminal(t, env, false, "user", "delete", "alice")
	c.expect("Delete user alice? [y/N]: ")
	c.typ("y\r")
	c.expect("Deleted user alice")
	if code, screen := c.finish(); code != 0 {
		t.Fatalf("exit %d, want 0:\n%s", code, screen)
	}
	if _, _, code := run(t, env, "", "user", "show", "alice"); code != 3 {
		t.Errorf("alice still exists (exit %d)", code)
	}

	// No (the default) deletes nothing.
	c = startTerminal(t, env, false, "user", "delete", "bob")
	c.expect("Delete user bob? [y/N]: ")
	c.typ("\r")
	code, screen := c.finish()
	if code == 0 {
		t.Errorf("declining exits 0:\n%s", screen)
	}
	mustRun(t, env, "", "user", "show", "bob")
}

func TestPTYTableOnTerminal(t *testing.T) {
	t.Parallel()
	env := authctlEnv(t)
	mustRun(t, env, "", "user", "create", "alice", "--email", "alice@example.com", "--no-password")
	mustRun(t, env, "", "user", "create", "bob", "--superuser", "--no-password")
	c := startTerminal(t, env, false, "user", "list")
	code, screen := c.finish()
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, screen)
	}
	// A header and aligned columns, not tab-separated lines.
	for _, re := range []string{
		`(?m)^USERNAME +EMAIL +ACTIVE +STAFF +SUPERUSER +GROUPS\r?$`,
		`(?m)^alice +alice@example.com +yes +no +no\s*\r?$`,
		`(?m)^bob +yes +yes +yes\s*\r?$`,
	} {
		if !regexp.MustCompile(re).MatchString(screen) {
			t.Errorf("no match for %s in:\n%s", re, screen)
		}
	}
	if strings.Contains(screen, "\t") {
		t.Errorf("tabs in the table:\n%q", screen)
	}
}
