package cmdutil_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"authctl/internal/cmdutil"
	"authctl/internal/iostreams"
	"authctl/internal/prompt"
)

// testFactory is a Factory over test streams with the environment env.
func testFactory(env map[string]string) (*cmdutil.Factory, *iostreams.IOStreams, *bytes.Buffer) {
	ios, in, _, _ := iostreams.Test()
	return &cmdutil.Factory{IO: ios, LookupEnv: func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}}, ios, in
}

func TestPasswordSourceReadNonInteractive(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	crlf, empty, blankLine := file("crlf", "s3cret \r\nsecond line\n"), file("empty", ""), file("blank", "\n")
	tests := []struct {
		name      string
		src       cmdutil.PasswordSource
		stdin     string
		env       map[string]string
		want      string
		wantErr   string
		wantUsage bool
		tty       bool
	}{
		{name: "stdin", src: cmdutil.PasswordSource{Stdin: true}, stdin: "s3cret\nmore\n", want: "s3cret"},
		{name: "stdin without newline", src: cmdutil.PasswordSource{Stdin: true}, stdin: "s3cret", want: "s3cret"},
		{name: "stdin empty", src: cmdutil.PasswordSource{Stdin: true}, wantErr: "--password-stdin: no password on standard input", wantUsage: true},
		{name: "file, --crlf, spaces kept", src: cmdutil.PasswordSource{File: crlf, CRLF: true}, want: "s3cret "},
		{name: "file, \\r kept without --crlf", src: cmdutil.PasswordSource{File: crlf}, want: "s3cret \r"},
		{name: "stdin, \\r kept", src: cmdutil.PasswordSource{Stdin: true}, stdin: "ends in CR\r\n", want: "ends in CR\r"},
		{name: "stdin, --crlf", src: cmdutil.PasswordSource{Stdin: true, CRLF: true}, stdin: "ends in CR\r\n", want: "ends in CR"},
		{name: "stdin, --crlf strips one \\r", src: cmdutil.PasswordSource{Stdin: true, CRLF: true}, stdin: "pw\r\r\n", want: "pw\r"},
		{name: "stdin from a terminal", src: cmdutil.PasswordSource{Stdin: true}, tty: true, stdin: "typed\r\n", want: "typed"},
		{name: "file with an empty line", src: cmdutil.PasswordSource{File: blankLine}, want: ""},
		{name: "empty file", src: cmdutil.PasswordSource{File: empty}, wantErr: "--password-file: " + empty + ": the file is empty", wantUsage: true},
		{name: "missing file", src: cmdutil.PasswordSource{File: filepath.Join(dir, "nope")}, wantErr: "--password-file: " + filepath.Join(dir, "nope") + ": no such file or directory", wantUsage: true},
		{name: "device", src: cmdutil.PasswordSource{File: "/dev/zero"}, wantErr: "--password-file: /dev/zero: is a character device, not a regular file", wantUsage: true},
		{name: "directory", src: cmdutil.PasswordSource{File: dir}, wantErr: "--password-file: " + dir + ": is a directory, not a regular file", wantUsage: true},
		{name: "env", src: cmdutil.PasswordSource{Env: "PW"}, env: map[string]string{"PW": "from env"}, want: "from env"},
		{name: "env set but empty", src: cmdutil.PasswordSource{Env: "PW"}, env: map[string]string{"PW": ""}, want: ""},
		{name: "env unset", src: cmdutil.PasswordSource{Env: "PW"}, wantErr: "--password-env: environment variable PW is not set", wantUsage: true},
		{name: "none", wantErr: "no terminal to ask for a password on: give one with --password-stdin, --password-file PATH or --password-env NAME", wantUsage: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, ios, in := testFactory(tt.env)
			ios.SetTTY(tt.tty, false, false)
			in.WriteString(tt.stdin)
			got, err := tt.src.ReadNonInteractive(f)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				var fe *cmdutil.FlagError
				if tt.wantUsage != errors.As(err, &fe) {
					t.Errorf("error %T: usage error %v, want %v", err, !tt.wantUsage, tt.wantUsage)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("password %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPasswordSourceReadExisting(t *testing.T) {
	// A flag wins over the terminal.
	f, ios, _ := testFactory(map[string]string{"PW": "from env"})
	pr := &prompt.Scripted{Answers: []string{"typed"}}
	ios.SetPrompter(pr)
	src := cmdutil.PasswordSource{Env: "PW"}
	if got, err := src.ReadExisting(f, "Password: "); err != nil || got != "from env" {
		t.Errorf("with --password-env: %q, %v", got, err)
	}
	if len(pr.Asked) != 0 {
		t.Errorf("asked %q despite --password-env", pr.Asked)
	}
	// Without a flag: asked once.
	src = cmdutil.PasswordSource{}
	if got, err := src.ReadExisting(f, "Password for alice: "); err != nil || got != "typed" {
		t.Errorf("asked: %q, %v", got, err)
	}
	if !reflect.DeepEqual(pr.Asked, []string{"Password for alice: "}) {
		t.Errorf("asked %q", pr.Asked)
	}
	// No terminal: a usage error.
	f, _, _ = testFactory(nil)
	_, err := src.ReadExisting(f, "Password: ")
	if cmdutil.ExitCode(err) != cmdutil.ExitUsage {
		t.Errorf("no terminal: %v (exit %d)", err, cmdutil.ExitCode(err))
	}
}

func TestAskNew(t *testing.T) {
	tests := []struct {
		name       string
		answers    []string
		errs       map[int]error
		want       string
		wantErr    error
		wantAsked  int
		wantStderr string
	}{
		{name: "match", answers: []string{"pw1", "pw1"}, want: "pw1", wantAsked: 2},
		{name: "mismatch", answers: []string{"pw1", "pw2", "pw3", "pw3"}, want: "pw3", wantAsked: 4, wantStderr: "Error: Your passwords didn't match.\n"},
		{name: "blank", answers: []string{" \t", " \t", "pw", "pw"}, want: "pw", wantAsked: 4, wantStderr: "Error: Blank passwords aren't allowed.\n"},
		{name: "mismatch wins over blank", answers: []string{"", " ", "pw", "pw"}, want: "pw", wantAsked: 4, wantStderr: "Error: Your passwords didn't match.\n"},
		{name: "interrupted", answers: []string{"pw"}, errs: map[int]error{1: prompt.ErrInterrupted}, wantErr: prompt.ErrInterrupted, wantAsked: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, errOut := iostreams.Test()
			f := &cmdutil.Factory{IO: ios}
			pr := &prompt.Scripted{Answers: tt.answers, Errors: tt.errs}
			got, err := cmdutil.AskNew(f, pr)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("password %q, want %q", got, tt.want)
			}
			if len(pr.Asked) != tt.wantAsked {
				t.Errorf("asked %q, want %d prompts", pr.Asked, tt.wantAsked)
			}
			for i, p := range pr.Asked {
				want := "Password: "
				if i%2 == 1 {
					want = "Password (again): "
				}
				if p != want {
					t.Errorf("prompt %d %q, want %q", i, p, want)
				}
			}
			if errOut.String() != tt.wantStderr {
				t.Errorf("stderr %q, want %q", errOut, tt.wantStderr)
			}
		})
	}
}
