package secret

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestReadLine(t *testing.T) {
	tests := []struct {
		in    string
		crlf  bool
		want  string
		isErr string
	}{
		{in: "pw\n", want: "pw"},
		{in: "pw", want: "pw"},
		{in: "pw\r\n", want: "pw\r"},
		{in: "pw\r\n", crlf: true, want: "pw"},
		{in: "pw\r\r\n", crlf: true, want: "pw\r"},
		{in: "pw\r", crlf: true, want: "pw\r"},
		{in: " pw \nsecond\n", want: " pw "},
		{in: "\n", want: ""},
		{in: "", isErr: "no password"},
		{in: strings.Repeat("x", MaxLen) + "\r\n", crlf: true, want: strings.Repeat("x", MaxLen)},
		{in: strings.Repeat("x", MaxLen+1), isErr: "longer than"},
	}
	for _, tc := range tests {
		got, err := ReadLine(strings.NewReader(tc.in), tc.crlf)
		if tc.isErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.isErr) {
				t.Errorf("ReadLine(%.20q, %v) error %v, want %q", tc.in, tc.crlf, err, tc.isErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ReadLine(%.20q, %v) = %.20q, %v; want %.20q", tc.in, tc.crlf, got, err, tc.want)
		}
	}
}

// readWithin fails the test if ReadFile does not return within a few
// seconds: a FIFO must never block it.
func readWithin(t *testing.T, path string, opts FileOptions) (string, error) {
	t.Helper()
	type result struct {
		pw  string
		err error
	}
	done := make(chan result, 1)
	go func() {
		pw, err := ReadFile(path, opts)
		done <- result{pw, err}
	}()
	select {
	case r := <-done:
		return r.pw, r.err
	case <-time.After(10 * time.Second):
		t.Fatalf("ReadFile(%s) blocked", path)
		return "", nil
	}
}

func TestReadFileRefuses(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(dir, "huge")
	if err := os.WriteFile(huge, make([]byte, MaxLen+3), 0o600); err != nil {
		t.Fatal(err)
	}
	// A sparse file far larger than memory: refused from its size alone.
	sparse := filepath.Join(dir, "sparse")
	fh, err := os.Create(sparse)
	if err != nil {
		t.Fatal(err)
	}
	if err := fh.Truncate(1 << 40); err != nil {
		t.Fatal(err)
	}
	fh.Close()
	tests := []struct{ path, want string }{
		{"/dev/zero", "is a character device, not a regular file"},
		{fifo, "is a FIFO, not a regular file"},
		{dir, "is a directory, not a regular file"},
		{huge, "is 65539 bytes; a password file holds at most 65538"},
		{sparse, "is 1099511627776 bytes"},
		{filepath.Join(dir, "missing"), "no such file or directory"},
	}
	for _, tc := range tests {
		_, err := readWithin(t, tc.path, FileOptions{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ReadFile(%s) error %v, want %q", tc.path, err, tc.want)
		}
	}
}

func TestReadFileOwned(t *testing.T) {
	dir := t.TempDir()
	ok := filepath.Join(dir, "ok")
	if err := os.WriteFile(ok, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if pw, err := ReadFile(ok, FileOptions{Owned: true}); err != nil || pw != "s3cret" {
		t.Fatalf("ReadFile(ok) = %q, %v", pw, err)
	}
	for _, mode := range []os.FileMode{0o620, 0o602, 0o666} {
		if err := os.Chmod(ok, mode); err != nil {
			t.Fatal(err)
		}
		_, err := ReadFile(ok, FileOptions{Owned: true})
		if err == nil || !strings.Contains(err.Error(), "writable by its group or others") {
			t.Errorf("mode %o: error %v", mode, err)
		}
		// --password-file names its file itself: no ownership rule.
		if _, err := ReadFile(ok, FileOptions{}); err != nil {
			t.Errorf("mode %o without Owned: %v", mode, err)
		}
	}
	if os.Getuid() != 0 {
		return // only root can give a file away
	}
	if err := os.Chmod(ok, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(ok, 4321, 4321); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFile(ok, FileOptions{Owned: true})
	if err == nil || !strings.Contains(err.Error(), "owned by uid 4321") {
		t.Errorf("foreign owner: error %v", err)
	}
}

func TestPolicyResolve(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "conf")
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "link-out")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("sub", filepath.Join(dir, "link-in")); err != nil {
		t.Fatal(err)
	}
	in := Policy{Dir: dir}
	tests := []struct {
		name    string
		pol     Policy
		want    string
		outside bool
	}{
		{name: "pw.txt", pol: in, want: filepath.Join(dir, "pw.txt")},
		{name: "sub/pw.txt", pol: in, want: filepath.Join(dir, "sub/pw.txt")},
		{name: "sub/../pw.txt", pol: in, want: filepath.Join(dir, "pw.txt")},
		{name: "link-in/pw.txt", pol: in, want: filepath.Join(dir, "link-in/pw.txt")},
		{name: "../pw.txt", pol: in, outside: true},
		{name: "/etc/shadow", pol: in, outside: true},
		{name: filepath.Join(dir, "pw.txt"), pol: in, outside: true},
		{name: "link-out", pol: in, outside: true},
		{name: "../pw.txt", pol: Policy{Dir: dir, AllowOutside: true}, want: filepath.Join(root, "pw.txt")},
		{name: "/etc/shadow", pol: Policy{Dir: dir, AllowOutside: true}, want: "/etc/shadow"},
	}
	for _, tc := range tests {
		got, err := tc.pol.Resolve(tc.name)
		if tc.outside {
			if !errors.Is(err, ErrOutside) {
				t.Errorf("Resolve(%q) = %q, %v; want ErrOutside", tc.name, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
	// Standard input: the working directory.
	if got, err := (Policy{}).Resolve("pw.txt"); err != nil || got != "pw.txt" {
		t.Errorf("Resolve from stdin = %q, %v", got, err)
	}
	if _, err := (Policy{}).Resolve("../x"); !errors.Is(err, ErrOutside) {
		t.Errorf("Resolve(../x) from stdin: %v", err)
	}
}
