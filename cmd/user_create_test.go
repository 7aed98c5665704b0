package cmd

import (
	"reflect"
	"testing"

	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
	"authctl/internal/prompt"
)

func TestNewCmdUserCreate(t *testing.T) {
	tests := []struct {
		name    string
		argv    string
		want    userCreateOptions
		wantErr string // a usage error containing this
	}{
		{name: "name only", argv: "user create alice", want: userCreateOptions{Username: "alice"}},
		{
			name: "every field",
			argv: "user create alice --email alice@example.com --first-name Alice --last-name Liddell --superuser --staff --inactive --skip-validation",
			want: userCreateOptions{Username: "alice", Email: "alice@example.com", FirstName: "Alice", LastName: "Liddell",
				Superuser: true, Staff: true, Inactive: true, SkipValidation: true},
		},
		{name: "password stdin", argv: "user create alice --password-stdin", want: userCreateOptions{Username: "alice", Password: cmdutil.PasswordSource{Stdin: true}}},
		{name: "password file", argv: "user create alice --password-file /run/pw", want: userCreateOptions{Username: "alice", Password: cmdutil.PasswordSource{File: "/run/pw"}}},
		{name: "password env", argv: "user create alice --password-env PW", want: userCreateOptions{Username: "alice", Password: cmdutil.PasswordSource{Env: "PW"}}},
		{name: "password hash", argv: "user create alice --password-hash pbkdf2_sha256$1$s$h", want: userCreateOptions{Username: "alice", PasswordHash: "pbkdf2_sha256$1$s$h"}},
		{name: "no password", argv: "user create alice --no-password", want: userCreateOptions{Username: "alice", NoPassword: true}},
		{name: "groups and perms", argv: "user create alice --no-password --group a,b --group c --perm x.y",
			want: userCreateOptions{Username: "alice", NoPassword: true, Groups: []string{"a", "b", "c"}, Permissions: []string{"x.y"}}},
		{name: "no name", argv: "user create", wantErr: "user create takes one username (got 0 argument(s))"},
		{name: "two names", argv: "user create alice bob", wantErr: "user create takes one username (got 2 argument(s))"},
		{name: "stdin and file", argv: "user create alice --password-stdin --password-file pw", wantErr: "--password-stdin, --password-file and --password-env cannot be used together"},
		{name: "env and file", argv: "user create alice --password-env PW --password-file pw", wantErr: "--password-stdin, --password-file and --password-env cannot be used together"},
		{name: "stdin and hash", argv: "user create alice --password-stdin --password-hash h", wantErr: "give at most one of --password-stdin, --password-file, --password-env, --password-hash and --no-password"},
		{name: "hash and no password", argv: "user create alice --password-hash h --no-password", wantErr: "give at most one of"},
		{name: "env and no password", argv: "user create alice --password-env PW --no-password", wantErr: "give at most one of"},
		{name: "unknown flag", argv: "user create alice --admin", wantErr: "unknown flag --admin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tf := newTestEnv(t).factory()
			var got *userCreateOptions
			cmd := newCmdUserCreate(tf.Factory, func(o *userCreateOptions) error { got = o; return nil })
			err := tf.parseCmd([]string{"user"}, cmd, tt.argv)
			if tt.wantErr != "" {
				wantUsageError(t, err, tt.wantErr)
				if got != nil {
					t.Error("runF called despite the usage error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.f != tf.Factory {
				t.Error("options do not carry the factory")
			}
			g := *got
			g.f = nil
			if !reflect.DeepEqual(g, tt.want) {
				t.Errorf("options\n%+v\nwant\n%+v", g, tt.want)
			}
		})
	}
}

func Test_userCreateRun(t *testing.T) {
	const fixedHash = "pbkdf2_sha256$1000$Wonderland2024$vOKVrY93mzX4LS/3Btohz30o1XgLlwyAjtldxXbs42w="
	tests := []struct {
		name       string
		opts       userCreateOptions
		flags      []string // global flags
		stdin      string
		wantErr    string
		wantCode   int
		wantStdout string
		wantStderr string
		wantUser   bool
		wantPW     string // a password that then authenticates
	}{
		{
			name:       "password from env",
			opts:       userCreateOptions{Username: "alice", Password: cmdutil.PasswordSource{Env: "TEST_PW"}},
			wantStderr: "Created user alice\n",
			wantUser:   true,
			wantPW:     testPW,
		},
		{
			name:       "password from stdin",
			opts:       userCreateOptions{Username: "alice", Password: cmdutil.PasswordSource{Stdin: true}},
			stdin:      "Stdin-Secret-42\nignored\n",
			wantStderr: "Created user alice\n",
			wantUser:   true,
			wantPW:     "Stdin-Secret-42",
		},
		{
			name:       "superuser",
			opts:       userCreateOptions{Username: "root1", Superuser: true, NoPassword: true},
			wantStderr: "Created superuser root1\n",
			wantUser:   true,
		},
		{
			name:     "quiet",
			opts:     userCreateOptions{Username: "alice", NoPassword: true},
			flags:    []string{"-q"},
			wantUser: true,
		},
		{
			name:     "hash kept as it is",
			opts:     userCreateOptions{Username: "alice", PasswordHash: fixedHash},
			wantUser: true, wantStderr: "Created user alice\n",
			wantPW: testPW,
		},
		{
			name:  "json",
			opts:  userCreateOptions{Username: "alice", Email: "ALICE@Example.COM", FirstName: "Alice", NoPassword: true},
			flags: []string{"-o", "json"},
			wantStdout: `{
  "username": "alice",
  "email": "ALICE@example.com",
  "first_name": "Alice",
  "last_name": "",
  "is_active": true,
  "is_staff": false,
  "is_superuser": false,
  "last_login": null,
  "date_joined": "2024-05-17T09:30:00Z",
  "groups": [],
  "user_permissions": []
}
`,
			wantUser: true,
		},
		{
			name:     "validators reject the password: every message",
			opts:     userCreateOptions{Username: "alice", Password: cmdutil.PasswordSource{Env: "WEAK"}},
			wantErr:  "This password is too short. It must contain at least 8 characters.\nThis password is too common.\nThis password is entirely numeric.",
			wantCode: cmdutil.ExitInvalid,
		},
		{
			name:       "skip validation",
			opts:       userCreateOptions{Username: "alice", Password: cmdutil.PasswordSource{Env: "WEAK"}, SkipValidation: true},
			wantStderr: "Created user alice\n",
			wantUser:   true,
			wantPW:     "1234",
		},
		{
			name:     "bad name",
			opts:     userCreateOptions{Username: "alice smith", NoPassword: true},
			wantErr:  "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.",
			wantCode: cmdutil.ExitInvalid,
		},
		{
			name:     "unset password variable",
			opts:     userCreateOptions{Username: "alice", Password: cmdutil.PasswordSource{Env: "NOPE"}},
			wantErr:  "--password-env: environment variable NOPE is not set",
			wantCode: cmdutil.ExitUsage,
		},
		{
			name:     "empty stdin",
			opts:     userCreateOptions{Username: "alice", Password: cmdutil.PasswordSource{Stdin: true}},
			wantErr:  "--password-stdin: no password on standard input",
			wantCode: cmdutil.ExitUsage,
		},
		{
			name:     "no terminal and no password flag",
			opts:     userCreateOptions{Username: "alice"},
			wantErr:  "no terminal to ask for a password on: give one with --password-stdin, --password-file PATH or --password-env NAME, or use --password-hash HASH or --no-password",
			wantCode: cmdutil.ExitUsage,
		},
		{
			name:     "bad output format",
			opts:     userCreateOptions{Username: "alice", NoPassword: true},
			flags:    []string{"-o", "yaml"},
			wantErr:  `invalid output format "yaml": use one of table, json`,
			wantCode: cmdutil.ExitUsage,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			e.env["WEAK"] = "1234"
			tf := e.factory().globalFlags(tt.flags...)
			tf.in.WriteString(tt.stdin)
			opts := tt.opts
			opts.f = tf.Factory
			err := tf.call(func(c *cobra.Command) error { return userCreateRun(c, &opts) })
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				wantCode(t, err, tt.wantCode)
			} else if err != nil {
				t.Fatal(err)
			}
			tf.wantOutput(t, tt.wantStdout, tt.wantStderr)
			if got := e.userExists(opts.Username); got != tt.wantUser {
				t.Errorf("user exists: %v, want %v", got, tt.wantUser)
			}
			if tt.wantPW != "" && !e.authenticates(opts.Username, tt.wantPW) {
				t.Errorf("%s does not authenticate with %q", opts.Username, tt.wantPW)
			}
		})
	}
}

func Test_userCreateRun_existing(t *testing.T) {
	e := newTestEnv(t)
	e.seed("user create alice --no-password")
	for _, interactive := range []bool{false, true} {
		tf := e.factory()
		opts := userCreateOptions{f: tf.Factory, Username: "alice", NoPassword: !interactive}
		pr := &prompt.Scripted{Answers: []string{testPW, testPW}}
		if interactive {
			tf.ios.SetPrompter(pr)
		}
		err := tf.call(func(c *cobra.Command) error { return userCreateRun(c, &opts) })
		if err == nil || err.Error() != `user "alice" already exists` {
			t.Fatalf("interactive=%v: error %v", interactive, err)
		}
		wantCode(t, err, cmdutil.ExitExists)
		// Like createsuperuser, a taken name is reported before the
		// password is asked for.
		if len(pr.Asked) != 0 {
			t.Errorf("interactive=%v: asked %q before saying the name is taken", interactive, pr.Asked)
		}
	}
}

// Test_userCreateRun_prompts is Django's createsuperuser password loop at
// the terminal.
func Test_userCreateRun_prompts(t *testing.T) {
	const good = "Vorpal-Blade-1871"
	const (
		pw    = "Password: "
		again = "Password (again): "
		byp   = "Bypass password validation and create user anyway? [y/N]: "
	)
	weakMsgs := "This password is too short. It must contain at least 8 characters.\nThis password is too common.\nThis password is entirely numeric.\n"
	tests := []struct {
		name       string
		opts       userCreateOptions
		answers    []string
		errs       map[int]error
		wantAsked  []string
		wantErr    string
		wantCode   int
		wantStderr string
		wantPW     string // the user is created with this password
	}{
		{
			name:       "match",
			answers:    []string{good, good},
			wantAsked:  []string{pw, again},
			wantStderr: "Created user alice\n",
			wantPW:     good,
		},
		{
			name:       "mismatch, then match",
			answers:    []string{good, "Vorpal-Blade-1872", good, good},
			wantAsked:  []string{pw, again, pw, again},
			wantStderr: "Error: Your passwords didn't match.\nCreated user alice\n",
			wantPW:     good,
		},
		{
			name:       "blank, then good",
			answers:    []string{"  ", "  ", "", "", good, good},
			wantAsked:  []string{pw, again, pw, again, pw, again},
			wantStderr: "Error: Blank passwords aren't allowed.\nError: Blank passwords aren't allowed.\nCreated user alice\n",
			wantPW:     good,
		},
		{
			name:       "validators fail, no bypass, then good",
			answers:    []string{"1234", "1234", "n", good, good},
			wantAsked:  []string{pw, again, byp, pw, again},
			wantStderr: weakMsgs + "Created user alice\n",
			wantPW:     good,
		},
		{
			name:       "validators fail, empty answer is no",
			answers:    []string{"1234", "1234", "", good, good},
			wantAsked:  []string{pw, again, byp, pw, again},
			wantStderr: weakMsgs + "Created user alice\n",
			wantPW:     good,
		},
		{
			name:       "validators fail, bypass",
			answers:    []string{"1234", "1234", "y"},
			wantAsked:  []string{pw, again, byp},
			wantStderr: weakMsgs + "Created user alice\n",
			wantPW:     "1234",
		},
		{
			name:       "similar to the username",
			opts:       userCreateOptions{Email: "alice.liddell@example.com"},
			answers:    []string{"alice.liddell", "alice.liddell", "yes"},
			wantAsked:  []string{pw, again, byp},
			wantStderr: "The password is too similar to the email address.\nCreated user alice\n",
			wantPW:     "alice.liddell",
		},
		{
			name:       "skip validation asks no bypass",
			opts:       userCreateOptions{SkipValidation: true},
			answers:    []string{"1234", "1234"},
			wantAsked:  []string{pw, again},
			wantStderr: "Created user alice\n",
			wantPW:     "1234",
		},
		{
			name:      "Ctrl-C at the first prompt",
			errs:      map[int]error{0: prompt.ErrInterrupted},
			wantAsked: []string{pw},
			wantErr:   "interrupted",
			wantCode:  cmdutil.ExitInterrupted,
		},
		{
			name:      "Ctrl-C at the second prompt",
			answers:   []string{good},
			errs:      map[int]error{1: prompt.ErrInterrupted},
			wantAsked: []string{pw, again},
			wantErr:   "interrupted",
			wantCode:  cmdutil.ExitInterrupted,
		},
		{
			name:       "Ctrl-C at the bypass question",
			answers:    []string{"1234", "1234"},
			errs:       map[int]error{2: prompt.ErrInterrupted},
			wantAsked:  []string{pw, again, byp},
			wantErr:    "interrupted",
			wantCode:   cmdutil.ExitInterrupted,
			wantStderr: weakMsgs,
		},
		{
			name:      "bad email reported before any prompt",
			opts:      userCreateOptions{Email: "not-an-email"},
			wantAsked: nil,
			wantErr:   "Enter a valid email address.",
			wantCode:  cmdutil.ExitInvalid,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t)
			tf := e.factory()
			pr := &prompt.Scripted{Answers: tt.answers, Errors: tt.errs}
			tf.ios.SetPrompter(pr)
			opts := tt.opts
			opts.f, opts.Username = tf.Factory, "alice"
			err := tf.call(func(c *cobra.Command) error { return userCreateRun(c, &opts) })
			switch {
			case tt.wantCode != 0:
				if err == nil {
					t.Fatal("no error")
				}
				if err.Error() != tt.wantErr {
					t.Errorf("error %v, want %v", err, tt.wantErr)
				}
				wantCode(t, err, tt.wantCode)
			case err != nil:
				t.Fatal(err)
			}
			if !reflect.DeepEqual(pr.Asked, tt.wantAsked) {
				t.Errorf("asked %q, want %q", pr.Asked, tt.wantAsked)
			}
			if rest := pr.Remaining(); len(rest) != 0 {
				t.Errorf("answers left over: %q", rest)
			}
			// Prompts go to the terminal, never to stdout or stderr.
			tf.wantOutput(t, "", tt.wantStderr)
			if got, want := e.userExists("alice"), tt.wantPW != ""; got != want {
				t.Fatalf("user exists: %v, want %v", got, want)
			}
			if tt.wantPW != "" && !e.authenticates("alice", tt.wantPW) {
				t.Errorf("alice does not authenticate with %q", tt.wantPW)
			}
		})
	}
}

// Through Main's path: Ctrl-C at a prompt exits 130 with one line on
// stderr, and nothing is written.
func TestUserCreate_interrupted(t *testing.T) {
	e := newTestEnv(t)
	e.seed("group add g") // the database exists
	tf := e.factory()
	tf.ios.SetPrompter(&prompt.Scripted{Answers: []string{"Vorpal-Blade-1871"}, Errors: map[int]error{1: prompt.ErrInterrupted}})
	if code := tf.run("user", "create", "alice"); code != cmdutil.ExitInterrupted {
		t.Errorf("exit %d, want 130", code)
	}
	tf.wantOutput(t, "", "authctl: interrupted\n")
	if e.userExists("alice") {
		t.Error("alice created despite Ctrl-C")
	}
}
