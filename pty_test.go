//go:build linux

package main

// The pseudo-terminal tests themselves; the harness is in pty_harness_test.go.

import (
	"regexp"
	"strings"
	"testing"
)

func TestPTYUserCreateAsksTwiceWithoutEcho(t *testing.T) {
	t.Parallel()
	env := authctlEnv(t)
	c := startTerminal(t, env, false, "user", "create", "alice")
	c.answerNew(goodPW, goodPW)
	c.expect("Created user alice")
	screen := c.wantExit(t, 0)
	neverShown(t, screen, goodPW)
	mustRun(t, env, goodPW+"\n", "authenticate", "alice", "--password-stdin")
}

func TestPTYUserCreateMismatchAsksAgain(t *testing.T) {
	t.Parallel()
	env := authctlEnv(t)
	c := startTerminal(t, env, false, "user", "create", "alice")
	c.answerNew(goodPW, otherPW)
	c.expect("Error: Your passwords didn't match.")
	c.answerNew(otherPW, otherPW)
	c.expect("Created user alice")
	screen := c.wantExit(t, 0)
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
	c.answerNew(goodPW, goodPW)
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
	c.answerNew(weak, weak)
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
	screen := c.wantExit(t, 0)
	neverShown(t, screen, weak)
	mustRun(t, env, weak+"\n", "authenticate", "alice", "--password-stdin")
}

func TestPTYUserCreateBadNameBeforePassword(t *testing.T) {
	t.Parallel()
	env := authctlEnv(t)
	c := startTerminal(t, env, false, "user", "create", "bad name")
	screen := c.wantExit(t, 5)
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
	screen := c.wantExit(t, 0)
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
	screen := c.wantExit(t, 0)
	neverShown(t, screen, goodPW)
	if out := mustRun(t, env, "", "whoami"); out != "alice\n" {
		t.Errorf("whoami: %q, want alice", out)
	}
	// A wrong password at the terminal: the one message, exit 1.
	c = startTerminal(t, env, false, "login", "alice")
	c.expect("Password: ")
	c.typ(otherPW + "\r")
	c.expect("authctl: invalid username or password")
	screen = c.wantExit(t, 1)
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
	c.answerNew(otherPW, goodPW)
	c.expect("Aborting password change for user 'alice' after 3 attempts")
	screen := c.wantExit(t, 5)
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
	c.answerNew(otherPW, otherPW)
	c.expect("Password changed successfully for user 'alice'")
	screen := c.wantExit(t, 0)
	neverShown(t, screen, otherPW)
	mustRun(t, env, otherPW+"\n", "authenticate", "alice", "--password-stdin")

	// An empty answer aborts, as Django's changepassword does: exit 130,
	// nothing changed.
	c = startTerminal(t, env, false, "user", "passwd", "alice")
	c.expect("Password: ")
	c.typ("\r")
	code, screen := c.finish()
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
	c.expect("authctl: cancelled")
	code, screen := c.finish()
	if code != 130 {
		t.Errorf("declining exits %d, want 130:\n%s", code, screen)
	}
	mustRun(t, env, "", "user", "show", "bob")
}

// Ctrl-D ends the input: at any prompt it is an interruption (exit 130,
// "no input"), never an unreadable database, and nothing is written.
func TestPTYCtrlDExits130(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		args  []string
		setup bool
		steps func(c *terminal)
	}{
		{"password prompt", []string{"user", "create", "alice"}, false, func(c *terminal) { c.expect("Password: ") }},
		{"second password prompt", []string{"user", "create", "alice"}, false, func(c *terminal) {
			c.expect("Password: ")
			c.typ(goodPW + "\r")
			c.expect("Password (again): ")
		}},
		{"login username", []string{"login"}, true, func(c *terminal) { c.expect("Username: ") }},
		{"confirmation", []string{"user", "delete", "alice"}, true, func(c *terminal) { c.expect("[y/N]: ") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := authctlEnv(t)
			if tc.setup {
				mustRun(t, env, goodPW+"\n", "user", "create", "alice", "--password-stdin")
			}
			c := startTerminal(t, env, false, tc.args...)
			tc.steps(c)
			c.typ("\x04") // Ctrl-D
			c.expect("authctl: no input")
			if code := c.wait(); code != 130 {
				t.Errorf("exit %d, want 130:\n%s", code, c.display())
			}
			_, screen := c.finish()
			neverShown(t, screen, goodPW)
			_, _, code := run(t, env, "", "user", "show", "alice")
			if want := map[bool]int{true: 0, false: 3}[tc.setup]; code != want {
				t.Errorf("user show alice afterwards: exit %d, want %d", code, want)
			}
		})
	}
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
