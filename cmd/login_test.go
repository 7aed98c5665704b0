package cmd

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
	"authctl/internal/prompt"
)

func TestNewCmdAuthenticate(t *testing.T) {
	tests := []struct {
		name    string
		argv    string
		want    authenticateOptions
		wantErr string
	}{
		{name: "name", argv: "authenticate alice", want: authenticateOptions{Username: "alice"}},
		{name: "stdin", argv: "authenticate alice --password-stdin", want: authenticateOptions{Username: "alice", Password: cmdutil.PasswordSource{Stdin: true}}},
		{name: "file", argv: "authenticate alice --password-file pw.txt", want: authenticateOptions{Username: "alice", Password: cmdutil.PasswordSource{File: "pw.txt"}}},
		{name: "two sources", argv: "authenticate alice --password-file pw.txt --password-env PW", wantErr: "--password-stdin, --password-file and --password-env cannot be used together"},
		{name: "no name", argv: "authenticate --password-stdin", wantErr: "authenticate takes one username (got 0 argument(s))"},
		{name: "two names", argv: "authenticate alice bob", wantErr: "authenticate takes one username (got 2 argument(s))"},
		{name: "env", argv: "authenticate alice --password-env PW", want: authenticateOptions{Username: "alice", Password: cmdutil.PasswordSource{Env: "PW"}}},
		{name: "-q and -o are global", argv: "authenticate alice -q -o json --password-stdin", want: authenticateOptions{Username: "alice", Password: cmdutil.PasswordSource{Stdin: true}}},
		{name: "a password as a flag", argv: "authenticate alice --password secret", wantErr: "unknown flag --password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tf := newTestEnv(t).factory()
			var got any
			cmd := newCmdAuthenticate(tf.Factory, func(o *authenticateOptions) error { c := *o; c.f = nil; got = c; return nil })
			tf.checkParse(t, nil, cmd, tt.argv, &got, tt.want, tt.wantErr)
		})
	}
}

func Test_authenticateRun(t *testing.T) {
	tests := []struct {
		name       string
		user       string
		src        cmdutil.PasswordSource
		stdin      string
		prompt     bool
		answers    []string
		errs       map[int]error
		flags      []string
		wantAsked  []string
		wantStdout string
		wantStderr string
		wantErr    string
		wantCode   int
	}{
		{name: "right, from env", src: cmdutil.PasswordSource{Env: "TEST_PW"}, wantStderr: "Authenticated alice\n"},
		{name: "right, from stdin", src: cmdutil.PasswordSource{Stdin: true}, stdin: testPW + "\n", wantStderr: "Authenticated alice\n"},
		{name: "right, quiet", flags: []string{"-q"}, src: cmdutil.PasswordSource{Env: "TEST_PW"}},
		{name: "wrong", src: cmdutil.PasswordSource{Env: "WRONG"}, wantErr: "invalid username or password", wantCode: cmdutil.ExitDenied},
		{name: "unknown user: the same answer", user: "nobody", src: cmdutil.PasswordSource{Env: "TEST_PW"}, wantErr: "invalid username or password", wantCode: cmdutil.ExitDenied},
		{name: "inactive user: the same answer", user: "off", src: cmdutil.PasswordSource{Env: "TEST_PW"}, wantErr: "invalid username or password", wantCode: cmdutil.ExitDenied},
		{name: "json, unknown user", user: "nobody", flags: []string{"-o", "json"}, src: cmdutil.PasswordSource{Env: "TEST_PW"}, wantStdout: "{\n  \"username\": \"nobody\",\n  \"authenticated\": false\n}\n", wantErr: "exit status 1", wantCode: cmdutil.ExitDenied},
		{name: "bad format, before any password is read", flags: []string{"-o", "yaml"}, prompt: true, wantErr: `invalid output format "yaml": use one of table, json`, wantCode: cmdutil.ExitUsage},
		{name: "asked, Ctrl-D", prompt: true, errs: map[int]error{0: prompt.ErrNoInput}, wantAsked: []string{"Password: "}, wantErr: "no input", wantCode: cmdutil.ExitInterrupted},
		{name: "wrong, quiet: silent", flags: []string{"-q"}, src: cmdutil.PasswordSource{Env: "WRONG"}, wantErr: "exit status 1", wantCode: cmdutil.ExitDenied},
		{name: "json, right", flags: []string{"-o", "json"}, src: cmdutil.PasswordSource{Env: "TEST_PW"}, wantStdout: "{\n  \"username\": \"alice\",\n  \"authenticated\": true\n}\n"},
		{name: "json, wrong", flags: []string{"-o", "json"}, src: cmdutil.PasswordSource{Env: "WRONG"}, wantStdout: "{\n  \"username\": \"alice\",\n  \"authenticated\": false\n}\n", wantErr: "exit status 1", wantCode: cmdutil.ExitDenied},
		{name: "asked", prompt: true, answers: []string{testPW}, wantAsked: []string{"Password: "}, wantStderr: "Authenticated alice\n"},
		{name: "asked, wrong", prompt: true, answers: []string{"nope"}, wantAsked: []string{"Password: "}, wantErr: "invalid username or password", wantCode: cmdutil.ExitDenied},
		{name: "asked, Ctrl-C", prompt: true, errs: map[int]error{0: prompt.ErrInterrupted}, wantAsked: []string{"Password: "}, wantErr: "interrupted", wantCode: cmdutil.ExitInterrupted},
		{
			name:     "no terminal, no flag",
			wantErr:  "no terminal to ask for a password on: give one with --password-stdin, --password-file PATH or --password-env NAME",
			wantCode: cmdutil.ExitUsage,
		},
		{name: "missing file", src: cmdutil.PasswordSource{File: "/nonexistent/pw"}, wantErr: "--password-file: /nonexistent/pw: no such file or directory", wantCode: cmdutil.ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			e.env["WRONG"] = "wrong"
			e.seed("user create alice --password-hash "+fixedHash, "user create off --inactive --password-hash "+fixedHash)
			tf := e.factory().globalFlags(tt.flags...)
			tf.in.WriteString(tt.stdin)
			pr := &prompt.Scripted{Answers: tt.answers, Errors: tt.errs}
			if tt.prompt {
				tf.ios.SetPrompter(pr)
			}
			opts := authenticateOptions{f: tf.Factory, Username: "alice", Password: tt.src}
			if tt.user != "" {
				opts.Username = tt.user
			}
			err := tf.call(func(c *cobra.Command) error { return authenticateRun(c, &opts) })
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				wantCode(t, err, tt.wantCode)
			} else if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(pr.Asked, tt.wantAsked) {
				t.Errorf("asked %q, want %q", pr.Asked, tt.wantAsked)
			}
			tf.wantOutput(t, tt.wantStdout, tt.wantStderr)
		})
	}
}

func TestNewCmdLogin(t *testing.T) {
	tests := []struct {
		name    string
		argv    string
		want    loginOptions
		wantErr string
	}{
		{name: "no name", argv: "login", want: loginOptions{}},
		{name: "name", argv: "login alice", want: loginOptions{Username: "alice"}},
		{
			name: "print token",
			argv: "login alice --print-token --password-env PW",
			want: loginOptions{Username: "alice", PrintToken: true, Password: cmdutil.PasswordSource{Env: "PW"}},
		},
		{name: "two names", argv: "login alice bob", wantErr: "login takes at most 1 argument(s), got 2"},
		{name: "two sources", argv: "login alice --password-stdin --password-file pw", wantErr: "--password-stdin, --password-file and --password-env cannot be used together"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tf := newTestEnv(t).factory()
			var got *loginOptions
			cmd := newCmdLogin(tf.Factory, func(o *loginOptions) error { got = o; return nil })
			err := tf.parseCmd(nil, cmd, tt.argv)
			if tt.wantErr != "" {
				wantUsageError(t, err, tt.wantErr)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			g := *got
			g.f = nil
			if !reflect.DeepEqual(g, tt.want) {
				t.Errorf("options %+v, want %+v", g, tt.want)
			}
		})
	}
}

func Test_loginRun(t *testing.T) {
	tests := []struct {
		name        string
		opts        loginOptions
		prompt      bool
		answers     []string
		errs        map[int]error
		wantAsked   []string
		wantStdout  string // "TOKEN" stands for the token
		wantStderr  string
		wantErr     string
		wantCode    int
		wantSession bool // saved in the session file
	}{
		{
			name:        "name and password asked",
			prompt:      true,
			answers:     []string{"  alice ", testPW},
			wantAsked:   []string{"Username: ", "Password: "},
			wantStderr:  "Logged in as alice\n",
			wantSession: true,
		},
		{
			name:        "password asked",
			opts:        loginOptions{Username: "alice"},
			prompt:      true,
			answers:     []string{testPW},
			wantAsked:   []string{"Password: "},
			wantStderr:  "Logged in as alice\n",
			wantSession: true,
		},
		{
			name:        "from env",
			opts:        loginOptions{Username: "alice", Password: cmdutil.PasswordSource{Env: "TEST_PW"}},
			wantStderr:  "Logged in as alice\n",
			wantSession: true,
		},
		{
			name:       "print token",
			opts:       loginOptions{Username: "alice", Password: cmdutil.PasswordSource{Env: "TEST_PW"}, PrintToken: true},
			wantStdout: "TOKEN",
			wantStderr: "Logged in as alice\n",
		},
		{
			name:      "wrong password",
			prompt:    true,
			answers:   []string{"alice", "nope"},
			wantAsked: []string{"Username: ", "Password: "},
			wantErr:   "invalid username or password",
			wantCode:  cmdutil.ExitDenied,
		},
		{
			name:      "Ctrl-C at the username",
			prompt:    true,
			errs:      map[int]error{0: prompt.ErrInterrupted},
			wantAsked: []string{"Username: "},
			wantErr:   "interrupted",
			wantCode:  cmdutil.ExitInterrupted,
		},
		{
			name:      "Ctrl-C at the password",
			prompt:    true,
			answers:   []string{"alice"},
			errs:      map[int]error{1: prompt.ErrInterrupted},
			wantAsked: []string{"Username: ", "Password: "},
			wantErr:   "interrupted",
			wantCode:  cmdutil.ExitInterrupted,
		},
		{
			name:     "no terminal, no name",
			opts:     loginOptions{Password: cmdutil.PasswordSource{Env: "TEST_PW"}},
			wantErr:  "no terminal to ask for a username on: give it as an argument",
			wantCode: cmdutil.ExitUsage,
		},
		{
			name:     "no terminal, no password",
			opts:     loginOptions{Username: "alice"},
			wantErr:  "no terminal to ask for a password on: give one with --password-stdin, --password-file PATH or --password-env NAME",
			wantCode: cmdutil.ExitUsage,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			e.seed("user create alice --password-hash " + fixedHash)
			tf := e.factory()
			pr := &prompt.Scripted{Answers: tt.answers, Errors: tt.errs}
			if tt.prompt {
				tf.ios.SetPrompter(pr)
			}
			opts := tt.opts
			opts.f = tf.Factory
			err := tf.call(func(c *cobra.Command) error { return loginRun(c, &opts) })
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				wantCode(t, err, tt.wantCode)
			} else if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(pr.Asked, tt.wantAsked) {
				t.Errorf("asked %q, want %q", pr.Asked, tt.wantAsked)
			}
			stdout := tf.out.String()
			if tt.wantStdout == "TOKEN" {
				token := strings.TrimSuffix(stdout, "\n")
				if token == "" || strings.ContainsAny(token, " \t\n") {
					t.Fatalf("stdout %q: want one token", stdout)
				}
				e.env[sessionEnv] = token
				if code, out, _ := e.exec("whoami"); code != 0 || out != "alice\n" {
					t.Errorf("whoami with the printed token: exit %d, %q", code, out)
				}
				delete(e.env, sessionEnv)
				tf.out.Reset()
			}
			tf.wantOutput(t, "", tt.wantStderr)
			saved, err := os.ReadFile(e.sessionFile())
			if tt.wantSession != (err == nil) {
				t.Fatalf("session file: %v; want saved %v", err, tt.wantSession)
			}
			if tt.wantSession {
				if fi, _ := os.Stat(e.sessionFile()); fi.Mode().Perm() != 0o600 {
					t.Errorf("session file mode %v, want 0600", fi.Mode().Perm())
				}
				if code, out, _ := e.exec("whoami"); code != 0 || out != "alice\n" {
					t.Errorf("whoami after login: exit %d, %q", code, out)
				}
				if len(strings.TrimSpace(string(saved))) == 0 {
					t.Error("empty session file")
				}
			}
		})
	}
}

// Logging in again ends the session being replaced.
func Test_loginRun_replacesSession(t *testing.T) {
	e := newTestEnv(t)
	e.seed("user create alice --password-hash "+fixedHash, "login alice --password-env TEST_PW")
	first, err := os.ReadFile(e.sessionFile())
	if err != nil {
		t.Fatal(err)
	}
	e.seed("login alice --password-env TEST_PW")
	e.env[sessionEnv] = strings.TrimSpace(string(first))
	if code, out, _ := e.exec("whoami"); code != cmdutil.ExitDenied || out != "anonymous\n" {
		t.Errorf("whoami with the replaced session: exit %d, %q; want 1, anonymous", code, out)
	}
}

func TestWhoami(t *testing.T) {
	e := newTestEnv(t)
	e.seed("user create alice --password-hash "+fixedHash, "user create root1 --superuser --password-env TEST_PW")
	token := func(name string) string {
		code, out, stderr := e.exec("login", name, "--password-env", "TEST_PW", "--print-token", "-q")
		if code != 0 {
			t.Fatalf("login: exit %d: %s", code, stderr)
		}
		return strings.TrimSpace(out)
	}
	alice, root := token("alice"), token("root1")
	tests := []struct {
		name       string
		session    string
		args       []string
		tty        bool
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{name: "anonymous", wantCode: 1, wantStdout: "anonymous\n"},
		{name: "anonymous on a terminal", tty: true, wantCode: 1, wantStdout: "anonymous\n"},
		{name: "anonymous, quiet", args: []string{"-q"}, wantCode: 1},
		{name: "anonymous, json", args: []string{"-o", "json"}, wantCode: 1, wantStdout: "{\n  \"username\": \"\",\n  \"anonymous\": true,\n  \"is_superuser\": false\n}\n"},
		{name: "unknown token: anonymous", session: "not-a-token", wantCode: 1, wantStdout: "anonymous\n"},
		{name: "logged in", session: alice, wantStdout: "alice\n"},
		{name: "logged in, quiet", session: alice, args: []string{"-q"}},
		{
			name:     "superuser, json",
			session:  root,
			args:     []string{"-o", "json"},
			wantCode: -1, // checked below: the session id and expiry vary
		},
		{name: "an argument", args: []string{"alice"}, wantCode: 2, wantStderr: "authctl: whoami takes no arguments (got 1 argument(s))\nRun 'authctl whoami --help' for usage.\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			delete(e.env, sessionEnv)
			if tt.session != "" {
				e.env[sessionEnv] = tt.session
			}
			tf := e.factory()
			tf.ios.SetTTY(false, tt.tty, false)
			code := tf.run(append([]string{"whoami"}, tt.args...)...)
			if tt.wantCode == -1 {
				if code != 0 {
					t.Fatalf("exit %d: %s", code, tf.errOut)
				}
				out := tf.out.String()
				for _, s := range []string{`"username": "root1"`, `"anonymous": false`, `"session_id": "`, `"expires": "2024-05-31T09:30:00Z"`, `"is_superuser": true`} {
					if !strings.Contains(out, s) {
						t.Errorf("no %s in\n%s", s, out)
					}
				}
				return
			}
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d", code, tt.wantCode)
			}
			tf.wantOutput(t, tt.wantStdout, tt.wantStderr)
		})
	}
	delete(e.env, sessionEnv)
}
