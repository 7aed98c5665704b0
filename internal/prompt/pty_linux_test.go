//go:build linux

package prompt

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// These tests run the prompts for real: the test binary re-executes itself
// (TestHelperProcess, selected by helperEnv) as a child whose controlling
// terminal is a fresh pseudo-terminal. The parent plays the user: it waits
// for a prompt to appear on the pty master, types keystrokes into it, and
// records everything the terminal displays. The child reports what its
// prompts returned as JSON on stdout, which is a pipe, not the terminal.

const (
	helperEnv = "AUTHCTL_PROMPT_HELPER"
	timeout   = 10 * time.Second
	typedPW   = "s3cret-Typed"
)

// report is what the child prints on stdout.
type report struct {
	Value       string `json:"value,omitempty"`
	SHA256      string `json:"sha256,omitempty"`
	Len         int    `json:"len"`
	Err         string `json:"err,omitempty"`
	Interrupted bool   `json:"interrupted"`
	EOF         bool   `json:"eof"`
	NoTerminal  bool   `json:"noTerminal"`
	StdinTTY    bool   `json:"stdinTTY"`
	EchoBefore  bool   `json:"echoBefore"`
	EchoAfter   bool   `json:"echoAfter"`
	Next        string `json:"next,omitempty"`
	Confirms    []bool `json:"confirms,omitempty"`
}

func echoOn() bool {
	tio, err := unix.IoctlGetTermios(0, unix.TCGETS)
	return err == nil && tio.Lflag&unix.ECHO != 0
}

func (r *report) setErr(err error) {
	if err != nil {
		r.Err = err.Error()
		r.Interrupted = errors.Is(err, ErrInterrupted)
		r.EOF = errors.Is(err, io.EOF) && errors.Is(err, ErrNoInput)
	}
}

// TestHelperProcess is the child side; it does nothing in a normal run.
func TestHelperProcess(t *testing.T) {
	scenario := os.Getenv(helperEnv)
	if scenario == "" {
		t.Skip("helper process for the pty tests")
	}
	var r report
	code := 0
	r.StdinTTY = IsTerminal(os.Stdin)
	tty, err := Terminal()
	r.NoTerminal = errors.Is(err, ErrNoTerminal)
	if err != nil || scenario == "notty" || scenario == "stdin-not-tty" {
		r.setErr(err)
		finish(r, code)
	}
	defer tty.Close()
	r.EchoBefore = echoOn()
	switch scenario {
	case "password", "interrupt", "eof":
		pw, err := tty.Password("Password: ")
		r.EchoAfter = echoOn()
		r.setErr(err)
		sum := sha256.Sum256([]byte(pw))
		r.SHA256, r.Len = hex.EncodeToString(sum[:]), len(pw)
		if r.Interrupted {
			// The terminal must still work, and the reader of the
			// interrupted prompt must not steal this answer.
			r.Next, _ = tty.Line("Next: ")
			code = 130
		}
	case "interrupt-line":
		_, err := tty.Line("Name: ")
		r.EchoAfter = echoOn()
		r.setErr(err)
		if r.Interrupted {
			code = 130
		}
	case "line":
		r.Value, err = tty.Line("Username: ")
		r.setErr(err)
		for _, q := range []struct {
			prompt string
			def    bool
		}{{"Continue? [y/N] ", false}, {"Again? [y/N] ", false}, {"Sure? [Y/n] ", true}, {"Really? [Y/n] ", true}, {"Last? [y/N] ", false}} {
			ok, err := tty.Confirm(q.prompt, q.def)
			r.setErr(err)
			r.Confirms = append(r.Confirms, ok)
		}
		r.EchoAfter = echoOn()
	case "default-sigint":
		r.Value, err = tty.Line("Name: ")
		r.setErr(err)
		// After the prompt, Ctrl-C must kill the process as usual.
		fmt.Fprint(os.Stdin, "ready\n")
		time.Sleep(timeout)
	default:
		r.Err = "unknown scenario " + scenario
	}
	finish(r, code)
}

func finish(r report, code int) {
	_ = json.NewEncoder(os.Stdout).Encode(r)
	os.Exit(code)
}

// child is a helper process attached to a pty.
type child struct {
	t              *testing.T
	cmd            *exec.Cmd
	ptmx           *os.File
	mu             sync.Mutex
	screen         bytes.Buffer // everything the terminal displayed
	readDone       chan struct{}
	waitDone       chan struct{} // closed when the child has exited
	stdout, stderr bytes.Buffer
}

// startChild runs scenario. With ctty the pty becomes the child's controlling
// terminal, on fd 0 (stdin) or, if stdinTTY is false, on fd 3 with stdin
// from /dev/null. Without ctty the child has no terminal at all.
func startChild(t *testing.T, scenario string, ctty, stdinTTY bool) *child {
	t.Helper()
	c := &child{t: t, readDone: make(chan struct{}), waitDone: make(chan struct{})}
	c.cmd = exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	c.cmd.Env = append(os.Environ(), helperEnv+"="+scenario)
	c.cmd.Stdout, c.cmd.Stderr = &c.stdout, &c.stderr
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	var tty *os.File
	if ctty {
		var err error
		c.ptmx, tty, err = pty.Open()
		if err != nil {
			t.Fatalf("pty.Open: %v", err)
		}
		c.cmd.SysProcAttr.Setctty = true
		if stdinTTY {
			c.cmd.Stdin = tty
			c.cmd.SysProcAttr.Ctty = 0
		} else {
			c.cmd.ExtraFiles = []*os.File{tty}
			c.cmd.SysProcAttr.Ctty = 3
		}
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("starting helper: %v", err)
	}
	if tty != nil {
		tty.Close() // the child has its own copy; EIO on the master once it exits
		go func() {
			defer close(c.readDone)
			buf := make([]byte, 4096)
			for {
				n, err := c.ptmx.Read(buf)
				c.mu.Lock()
				c.screen.Write(buf[:n])
				c.mu.Unlock()
				if err != nil {
					return
				}
			}
		}()
	} else {
		close(c.readDone)
	}
	go func() { _ = c.cmd.Wait(); close(c.waitDone) }()
	t.Cleanup(func() {
		_ = c.cmd.Process.Kill()
		<-c.waitDone
		if c.ptmx != nil {
			c.ptmx.Close()
		}
	})
	return c
}

func (c *child) shown() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.screen.String()
}

// waitFor waits until the terminal has displayed s.
func (c *child) waitFor(s string) {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for !strings.Contains(c.shown(), s) {
		if time.Now().After(deadline) {
			c.t.Fatalf("timed out waiting for %q on the terminal; it shows %q\nstderr: %s", s, c.shown(), c.stderr.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// typeKeys sends keystrokes as if typed on the terminal.
func (c *child) typeKeys(s string) {
	c.t.Helper()
	if _, err := c.ptmx.Write([]byte(s)); err != nil {
		c.t.Fatalf("typing: %v", err)
	}
}

// wait waits for the child to exit and the terminal output to be drained,
// and returns its wait status and report.
func (c *child) wait() (syscall.WaitStatus, report) {
	c.t.Helper()
	select {
	case <-c.waitDone:
	case <-time.After(timeout):
		c.t.Fatalf("helper did not exit; terminal shows %q", c.shown())
	}
	select {
	case <-c.readDone:
	case <-time.After(timeout):
		c.t.Fatalf("terminal output not closed")
	}
	var r report
	if c.stdout.Len() > 0 {
		if err := json.Unmarshal(c.stdout.Bytes(), &r); err != nil {
			c.t.Fatalf("bad report %q: %v (stderr %q)", c.stdout.String(), err, c.stderr.String())
		}
	}
	return c.cmd.ProcessState.Sys().(syscall.WaitStatus), r
}

func wantExit(t *testing.T, ws syscall.WaitStatus, code int) {
	t.Helper()
	if !ws.Exited() || ws.ExitStatus() != code {
		t.Fatalf("helper wait status %v, want exit %d", ws, code)
	}
}

func TestPTYPassword(t *testing.T) {
	c := startChild(t, "password", true, true)
	c.waitFor("Password: ")
	c.typeKeys(typedPW + "X\x7f\r") // DEL erases the X
	ws, r := c.wait()
	wantExit(t, ws, 0)
	sum := sha256.Sum256([]byte(typedPW))
	if r.Err != "" || r.SHA256 != hex.EncodeToString(sum[:]) || r.Len != len(typedPW) {
		t.Errorf("child got password of length %d sha256 %s, err %q; want %q", r.Len, r.SHA256, r.Err, typedPW)
	}
	screen := c.shown()
	if strings.Contains(screen, "s3cret") || strings.Contains(screen, "Typed") {
		t.Errorf("typed password appeared on the terminal: %q", screen)
	}
	if !strings.Contains(screen, "Password: \r\n") {
		t.Errorf("prompt and newline not on the terminal: %q", screen)
	}
	if out := c.stdout.String() + c.stderr.String(); strings.Contains(out, "Password") || strings.Contains(out, typedPW) {
		t.Errorf("prompt or password written to stdout/stderr: %q", out)
	}
	if !r.EchoBefore || !r.EchoAfter {
		t.Errorf("echo before=%v after=%v; want both on", r.EchoBefore, r.EchoAfter)
	}
	if !r.StdinTTY {
		t.Errorf("IsTerminal(stdin)=%v on a pty; want true", r.StdinTTY)
	}
}

func TestPTYPasswordInterrupt(t *testing.T) {
	c := startChild(t, "interrupt", true, true)
	c.waitFor("Password: ")
	c.typeKeys("abc\x03") // Ctrl-C: the kernel sends SIGINT
	c.waitFor("Next: ")
	c.typeKeys("hello\r")
	ws, r := c.wait()
	wantExit(t, ws, 130)
	if !r.Interrupted || r.Len != 0 {
		t.Errorf("Password returned len %d, err %q; want ErrInterrupted", r.Len, r.Err)
	}
	if !r.EchoBefore || !r.EchoAfter {
		t.Errorf("echo before=%v after=%v; want echo restored after Ctrl-C", r.EchoBefore, r.EchoAfter)
	}
	if r.Next != "hello" {
		t.Errorf("prompt after the interrupt got %q, want %q", r.Next, "hello")
	}
	screen := c.shown()
	if strings.Contains(screen, "abc") {
		t.Errorf("typed text appeared on the terminal: %q", screen)
	}
	if !strings.Contains(screen, "Password: \r\nNext: hello") {
		t.Errorf("expected a newline after the interrupted prompt: %q", screen)
	}
}

func TestPTYLineInterrupt(t *testing.T) {
	c := startChild(t, "interrupt-line", true, true)
	c.waitFor("Name: ")
	c.typeKeys("bob\x03")
	ws, r := c.wait()
	wantExit(t, ws, 130)
	if !r.Interrupted || !r.EchoAfter {
		t.Errorf("Line: err %q, echo after %v; want ErrInterrupted with echo on", r.Err, r.EchoAfter)
	}
	if screen := c.shown(); !strings.HasSuffix(screen, "\r\n") {
		t.Errorf("no newline after the interrupted prompt: %q", screen)
	}
}

func TestPTYPasswordEOF(t *testing.T) {
	c := startChild(t, "eof", true, true)
	c.waitFor("Password: ")
	c.typeKeys("\x04") // Ctrl-D on an empty line
	ws, r := c.wait()
	wantExit(t, ws, 0)
	if !r.EOF || r.Interrupted || r.Err != "no input: EOF" {
		t.Errorf("err %q; want no input (EOF)", r.Err)
	}
	if !r.EchoAfter {
		t.Error("echo not restored after EOF")
	}
}

func TestPTYLineAndConfirm(t *testing.T) {
	c := startChild(t, "line", true, true)
	steps := []struct{ prompt, keys string }{
		{"Username: ", "alice\r"},
		{"Continue? [y/N] ", "YES\r"},
		{"Again? [y/N] ", "\r"},
		{"Sure? [Y/n] ", "\r"},
		{"Really? [Y/n] ", "nope\r"},
		{"Last? [y/N] ", "y\r"},
	}
	for _, s := range steps {
		c.waitFor(s.prompt)
		c.typeKeys(s.keys)
	}
	ws, r := c.wait()
	wantExit(t, ws, 0)
	if r.Err != "" || r.Value != "alice" {
		t.Errorf("Line = %q, err %q; want alice", r.Value, r.Err)
	}
	if got, want := fmt.Sprint(r.Confirms), "[true false true false true]"; got != want {
		t.Errorf("Confirm answers %s, want %s", got, want)
	}
	screen := c.shown()
	for _, s := range []string{"Username: alice\r\n", "Continue? [y/N] YES\r\n", "Really? [Y/n] nope\r\n"} {
		if !strings.Contains(screen, s) {
			t.Errorf("terminal does not show echoed %q: %q", s, screen)
		}
	}
	if strings.Contains(c.stdout.String(), "Username") {
		t.Errorf("prompt written to stdout: %q", c.stdout.String())
	}
}

func TestPTYDefaultSIGINTAfterPrompt(t *testing.T) {
	c := startChild(t, "default-sigint", true, true)
	c.waitFor("Name: ")
	c.typeKeys("x\r")
	c.waitFor("ready")
	c.typeKeys("\x03")
	ws, _ := c.wait()
	if !ws.Signaled() || ws.Signal() != syscall.SIGINT {
		t.Fatalf("wait status %v; want killed by SIGINT once no prompt is active", ws)
	}
}

func TestNoTerminal(t *testing.T) {
	c := startChild(t, "notty", false, false)
	ws, r := c.wait()
	wantExit(t, ws, 0)
	if !r.NoTerminal || r.StdinTTY {
		t.Errorf("without a terminal: %+v; want ErrNoTerminal and stdin no terminal", r)
	}
}

func TestStdinNotTerminal(t *testing.T) {
	c := startChild(t, "stdin-not-tty", true, false)
	ws, r := c.wait()
	wantExit(t, ws, 0)
	if r.NoTerminal || r.Err != "" {
		t.Errorf("Terminal() failed with a controlling terminal: %q", r.Err)
	}
	if r.StdinTTY {
		t.Errorf("IsTerminal(stdin)=%v with stdin from /dev/null; want false", r.StdinTTY)
	}
}
