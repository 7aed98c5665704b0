package cmd

import (
	"os"
	"path/filepath"
	"testing"
)

// TestPasswordEndingInCR: a password that ends in "\r" can be set through
// --password-stdin (only "\n" is stripped from a pipe); --crlf strips a
// "\r\n" line ending, for input written on Windows; apply's password_file
// follows the same rule with apply --crlf.
func TestPasswordEndingInCR(t *testing.T) {
	e := newTestEnv(t)
	const pw = "a long passphrase\r"

	tf := e.factory()
	tf.in.WriteString(pw + "\n")
	if code := tf.run("user", "create", "cr", "--password-stdin"); code != 0 {
		t.Fatalf("user create: exit %d: %s", code, tf.errOut)
	}
	if !e.authenticates("cr", pw) {
		t.Errorf("the password lost its trailing \\r")
	}

	tf = e.factory()
	tf.in.WriteString("another passphrase\r\n")
	if code := tf.run("user", "create", "win", "--password-stdin", "--crlf"); code != 0 {
		t.Fatalf("user create --crlf: exit %d: %s", code, tf.errOut)
	}
	if !e.authenticates("win", "another passphrase") {
		t.Errorf("--crlf did not strip the \\r")
	}

	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("cr.txt", "file passphrase\r\n")
	seedFile := write("seed.yaml", "users:\n  - username: file-cr\n    password_file: cr.txt\n")
	if code, _, stderr := e.exec("apply", "-f", seedFile); code != 0 {
		t.Fatalf("apply: exit %d: %s", code, stderr)
	}
	if !e.authenticates("file-cr", "file passphrase\r") {
		t.Errorf("password_file lost its trailing \\r")
	}
	seedFile = write("seed2.yaml", "users:\n  - username: file-win\n    password_file: cr.txt\n")
	if code, _, stderr := e.exec("apply", "-f", seedFile, "--crlf"); code != 0 {
		t.Fatalf("apply --crlf: exit %d: %s", code, stderr)
	}
	if !e.authenticates("file-win", "file passphrase") {
		t.Errorf("apply --crlf did not strip the \\r")
	}
}
