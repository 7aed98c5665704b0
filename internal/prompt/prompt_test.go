package prompt

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestReadSecretLine(t *testing.T) {
	long := strings.Repeat("a", MaxSecretLen)
	tests := []struct {
		name, in, want, wantErr string
	}{
		{name: "LF", in: "pw\n", want: "pw"},
		{name: "CRLF", in: "pw\r\n", want: "pw"},
		{name: "no trailing newline", in: "pw", want: "pw"},
		{name: "only one LF stripped", in: "pw\n\n", want: "pw"},
		{name: "only one CRLF stripped", in: "pw\r\r\n", want: "pw\r"},
		{name: "lone CR kept", in: "pw\r", want: "pw\r"},
		{name: "spaces kept", in: " pw \n", want: " pw "},
		{name: "second line ignored", in: "first\nsecond\n", want: "first"},
		{name: "empty line", in: "\n", want: ""},
		{name: "empty reader", in: "", wantErr: "no password on standard input"},
		{name: "max length", in: long, want: long},
		{name: "max length CRLF", in: long + "\r\n", want: long},
		{name: "too long", in: long + "a", wantErr: "password longer than 65536 bytes"},
		{name: "too long with LF", in: long + "a\n", wantErr: "password longer than 65536 bytes"},
		{name: "max length then CR", in: long + "\r", wantErr: "password longer than 65536 bytes"},
		{name: "far too long", in: strings.Repeat("b", 1<<20), wantErr: "password longer than 65536 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// OneByteReader checks that short reads are handled.
			for _, r := range []io.Reader{strings.NewReader(tc.in), iotest.OneByteReader(strings.NewReader(tc.in))} {
				got, err := ReadSecretLine(r)
				if tc.wantErr != "" {
					if err == nil || err.Error() != tc.wantErr {
						t.Fatalf("ReadSecretLine(%.20q) error = %v, want %q", tc.in, err, tc.wantErr)
					}
					continue
				}
				if err != nil || got != tc.want {
					t.Fatalf("ReadSecretLine(%.20q) = %.20q, %v; want %.20q", tc.in, got, err, tc.want)
				}
			}
		})
	}
}

func TestReadSecretLineReadError(t *testing.T) {
	boom := errors.New("boom")
	if _, err := ReadSecretLine(iotest.ErrReader(boom)); !errors.Is(err, boom) {
		t.Fatalf("error = %v, want wrapping %v", err, boom)
	}
}

func TestReadSecretLineStopsAtNewline(t *testing.T) {
	r := strings.NewReader("pw\n" + strings.Repeat("x", 3*MaxSecretLen))
	if got, err := ReadSecretLine(r); err != nil || got != "pw" {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestReadLine(t *testing.T) {
	tests := []struct {
		name, in, want string
		wantErr        error
	}{
		{name: "line", in: "alice\nbob\n", want: "alice"},
		{name: "CR ignored", in: "alice\r\n", want: "alice"},
		{name: "backspace", in: "alicx\bez\x7f\n", want: "alice"},
		{name: "backspace multibyte", in: "caf\u00e9\x7fe\n", want: "cafe"},
		{name: "backspace on empty", in: "\b\x7fa\n", want: "a"},
		{name: "ctrl-c byte", in: "abc\x03def\n", wantErr: ErrInterrupted},
		{name: "ctrl-d on empty line", in: "\x04", wantErr: io.EOF},
		{name: "EOF on empty line", in: "", wantErr: ErrNoInput},
		{name: "EOF after text", in: "abc", want: "abc"},
		{name: "ctrl-d after text", in: "abc\x04rest", want: "abc"},
		{name: "empty line", in: "\n", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readLine(strings.NewReader(tc.in), 100)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("readLine(%q) error = %v, want %v", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil || string(got) != tc.want {
				t.Fatalf("readLine(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
	err := func() error { _, err := readLine(strings.NewReader(""), 1); return err }()
	if !errors.Is(err, io.EOF) || !errors.Is(err, ErrNoInput) || err.Error() != "no input: EOF" {
		t.Errorf("EOF error = %q, want wrapping both ErrNoInput and io.EOF", err)
	}
	if _, err := readLine(strings.NewReader("abcd\n"), 3); err == nil {
		t.Error("over-long answer accepted")
	}
	// It never reads past the end of the line.
	r := strings.NewReader("one\ntwo\n")
	_, _ = readLine(r, 100)
	if rest, _ := io.ReadAll(r); string(rest) != "two\n" {
		t.Errorf("readLine consumed past the line; left %q", rest)
	}
}

func TestParseConfirm(t *testing.T) {
	for _, tc := range []struct {
		in       string
		def, out bool
	}{
		{"y", false, true}, {"Y", false, true}, {"yes", false, true}, {"YeS", false, true},
		{" yes ", false, true}, {"", false, false}, {"", true, true}, {"  ", true, true},
		{"n", true, false}, {"no", true, false}, {"yep", true, false}, {"ja", true, false},
		{"1", true, false}, {"true", true, false},
	} {
		if got := parseConfirm(tc.in, tc.def); got != tc.out {
			t.Errorf("parseConfirm(%q, %v) = %v, want %v", tc.in, tc.def, got, tc.out)
		}
	}
}

func TestScripted(t *testing.T) {
	s := &Scripted{Answers: []string{"hunter2", "alice", "YES", "", "nope"}}
	var p Prompter = s
	if got, err := p.Password("Password: "); err != nil || got != "hunter2" {
		t.Fatalf("Password = %q, %v", got, err)
	}
	if got, err := p.Line("Username: "); err != nil || got != "alice" {
		t.Fatalf("Line = %q, %v", got, err)
	}
	for i, want := range []bool{true, true, false} {
		if got, err := p.Confirm("Sure? ", true); err != nil || got != want {
			t.Fatalf("Confirm #%d = %v, %v; want %v", i, got, err, want)
		}
	}
	if rest := s.Remaining(); len(rest) != 0 {
		t.Fatalf("Remaining = %q", rest)
	}
	_, err := p.Line("Email: ")
	if !errors.Is(err, ErrScriptExhausted) || !strings.Contains(err.Error(), `"Email: "`) {
		t.Fatalf("exhausted Line error = %v", err)
	}
	if _, err := p.Password("Again: "); !errors.Is(err, ErrScriptExhausted) {
		t.Fatalf("exhausted Password error = %v", err)
	}
	if _, err := p.Confirm("Ok? ", true); !errors.Is(err, ErrScriptExhausted) {
		t.Fatalf("exhausted Confirm error = %v", err)
	}
	want := []string{"Password: ", "Username: ", "Sure? ", "Sure? ", "Sure? ", "Email: ", "Again: ", "Ok? "}
	if strings.Join(s.Asked, "|") != strings.Join(want, "|") {
		t.Fatalf("Asked = %q, want %q", s.Asked, want)
	}
}

func TestScriptedErrors(t *testing.T) {
	s := &Scripted{Answers: []string{"a", "b"}, Errors: map[int]error{1: ErrInterrupted}}
	if got, _ := s.Line("1"); got != "a" {
		t.Fatalf("first = %q", got)
	}
	if _, err := s.Password("2"); !errors.Is(err, ErrInterrupted) {
		t.Fatalf("second error = %v", err)
	}
	if got, _ := s.Line("3"); got != "b" {
		t.Fatalf("third = %q (an error prompt must not consume an answer)", got)
	}
	var zero Scripted
	if _, err := zero.Confirm("x", true); !errors.Is(err, ErrScriptExhausted) {
		t.Fatalf("zero value error = %v", err)
	}
}
