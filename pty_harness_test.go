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

// answerNew answers the two new-password prompts ("Password: " then
// "Password (again): ") with first and again.
func (c *terminal) answerNew(first, again string) {
	c.expect("Password: ")
	c.typ(first + "\r")
	c.expect("Password (again): ")
	c.typ(again + "\r")
}

// wantExit waits for the program to end, fails the test unless it exited
// with code, and returns everything the terminal displayed.
func (c *terminal) wantExit(t *testing.T, code int) string {
	t.Helper()
	got, screen := c.finish()
	if got != code {
		t.Fatalf("exit %d, want %d:\n%s", got, code, screen)
	}
	return screen
}
