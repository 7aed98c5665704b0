//go:build linux

package main

// The damaged-database matrix: every command that opens the database, run
// against copies of one database damaged in different ways, must exit 7
// with one line on stderr that names the file and says what to do, never
// print a Go panic or goroutine dump, and leave the file byte for byte as
// it was.

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"go.etcd.io/bbolt"
)

const damagePW = "Jabberwock-Jaws-1871"

// damageCommands are the commands of the matrix, with their stdin.
var damageCommands = []struct {
	args  []string
	stdin string
}{
	{[]string{"user", "list"}, ""},
	{[]string{"user", "list", "-o", "json"}, ""},
	{[]string{"user", "show", "alice"}, ""},
	{[]string{"user", "create", "zed", "--no-password"}, ""},
	{[]string{"user", "delete", "--yes", "user0100"}, ""},
	{[]string{"check", "blog.add_post", "--user", "alice"}, ""},
	{[]string{"group", "list"}, ""},
	{[]string{"group", "add", "newgroup"}, ""},
	{[]string{"audit", "verify"}, ""},
	{[]string{"audit", "list"}, ""},
	{[]string{"authenticate", "alice", "--password-stdin"}, damagePW + "\n"},
	{[]string{"login", "alice", "--password-stdin"}, damagePW + "\n"},
	{[]string{"apply", "-f", "@seed"}, ""},
	{[]string{"export"}, ""},
	{[]string{"doctor"}, ""},
}

// damageBase builds the database the damage is done to: 300 users (so that
// the users bucket spans many pages), groups, a permission, an audit log.
func damageBase(t *testing.T, env []string, dir string) (db, seed string) {
	t.Helper()
	var y strings.Builder
	y.WriteString("permissions:\n  - permission: blog.add_post\ngroups:\n  - name: editors\n    permissions: [blog.add_post]\nusers:\n")
	y.WriteString("  - username: alice\n    groups: [editors]\n    password_env: DAMAGE_PW\n")
	for i := range 300 {
		fmt.Fprintf(&y, "  - username: user%04d\n    email: user%d@example.org\n", i, i)
	}
	seed = filepath.Join(dir, "seed.yaml")
	if err := os.WriteFile(seed, []byte(y.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	db = filepath.Join(dir, "base.db")
	mustRun(t, withDB(env, db), "", "apply", "-f", seed)
	for i := range 30 {
		mustRun(t, withDB(env, db), "", "group", "add", fmt.Sprintf("group%02d", i))
	}
	mustRun(t, withDB(env, db), "", "doctor")
	return db, seed
}

func withDB(env []string, db string) []string {
	return append(append([]string{}, env...), "AUTHCTL_DB="+db, "DAMAGE_PW="+damagePW)
}

// pagesOf returns the page size, the number of pages in use, and the root
// pages of the root bucket and of some buckets of db.
func pagesOf(t *testing.T, db string) (pageSize, hwm int, roots map[string]int) {
	t.Helper()
	bdb, err := bbolt.Open(db, 0o600, &bbolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	roots = map[string]int{}
	err = bdb.View(func(tx *bbolt.Tx) error {
		pageSize = bdb.Info().PageSize
		hwm = int(tx.Size()) / pageSize
		roots["root"] = int(tx.Cursor().Bucket().Root())
		for _, name := range []string{"users", "audit", "groups"} {
			if r := tx.Bucket([]byte(name)).Root(); r != 0 {
				roots[name] = int(r)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pageSize, hwm, roots
}

func TestDamagedDatabaseMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary some 300 times")
	}
	env := authctlEnv(t)
	dir := t.TempDir()
	base, seed := damageBase(t, env, dir)
	orig, err := os.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	ps, hwm, roots := pagesOf(t, base)
	if _, ok := roots["users"]; !ok {
		t.Fatal("the users bucket is inline: the fixture is too small")
	}

	type variant struct {
		name string
		make func(path string) error // writes the damaged file at path
	}
	write := func(data []byte) func(string) error {
		return func(path string) error { return os.WriteFile(path, data, 0o600) }
	}
	pageEdit := func(page int, edit func([]byte)) func(string) error {
		data := bytes.Clone(orig)
		edit(data[page*ps : (page+1)*ps])
		return write(data)
	}
	zero := func(p []byte) { clear(p) }
	flip := func(p []byte) {
		for i := range p {
			p[i] ^= 0xff
		}
	}
	dropBucket := func(name string) func(string) error {
		return func(path string) error {
			if err := os.WriteFile(path, orig, 0o600); err != nil {
				return err
			}
			bdb, err := bbolt.Open(path, 0o600, nil)
			if err != nil {
				return err
			}
			defer bdb.Close()
			return bdb.Update(func(tx *bbolt.Tx) error { return tx.DeleteBucket([]byte(name)) })
		}
	}
	var variants []variant
	for _, size := range []int{ps, 2 * ps, 3 * ps, hwm / 2 * ps, (hwm - 1) * ps} {
		variants = append(variants, variant{fmt.Sprintf("truncated-%d", size), write(orig[:size])})
	}
	for name, page := range roots {
		variants = append(variants,
			variant{"zeroed-" + name + "-root", pageEdit(page, zero)},
			variant{"flipped-" + name + "-root", pageEdit(page, flip)})
	}
	variants = append(variants,
		variant{"zeroed-meta-pages", func(path string) error {
			data := bytes.Clone(orig)
			clear(data[:2*ps])
			return os.WriteFile(path, data, 0o600)
		}},
		variant{"missing-users-bucket", dropBucket("users")},
		variant{"missing-audit-bucket", dropBucket("audit")},
		variant{"missing-sessions-bucket", dropBucket("sessions")},
		variant{"empty-file", write(nil)},
		variant{"fifo", func(path string) error { return syscall.Mkfifo(path, 0o600) }},
		variant{"directory", func(path string) error { return os.Mkdir(path, 0o700) }},
		variant{"not-a-database", write(bytes.Repeat([]byte("not a database\n"), 1000))},
	)

	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			vdir := t.TempDir()
			path := filepath.Join(vdir, "auth.db")
			if err := v.make(path); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, path)
			for _, c := range damageCommands {
				if v.name == "empty-file" && creates(c.args) {
					// A command that may create the database
					// initialises an empty file: see
					// TestEmptyFileInitialised.
					continue
				}
				args := make([]string, len(c.args))
				for i, a := range c.args {
					args[i] = strings.ReplaceAll(a, "@seed", seed)
				}
				cmdline := strings.Join(c.args, " ")
				out, errOut, code := run(t, withDB(env, path), c.stdin, append([]string{"--lock-timeout", "2s"}, args...)...)
				if code != 7 {
					t.Errorf("%s: exit %d, want 7\nstdout: %s\nstderr: %s", cmdline, code, out, errOut)
				}
				lines := strings.Split(strings.TrimRight(errOut, "\n"), "\n")
				if len(lines) != 1 {
					t.Errorf("%s: %d lines on stderr, want one:\n%s", cmdline, len(lines), errOut)
				}
				line := lines[0]
				if strings.Contains(errOut, "goroutine ") || strings.Contains(errOut, "panic") {
					t.Errorf("%s: a Go panic on stderr:\n%s", cmdline, errOut)
				}
				if !strings.HasPrefix(line, "authctl: ") || !strings.Contains(line, path) {
					t.Errorf("%s: stderr does not name the file: %q", cmdline, line)
				}
				if !strings.Contains(line, "restore") {
					t.Errorf("%s: stderr does not say what to do: %q", cmdline, line)
				}
				if after := snapshot(t, path); after != before {
					t.Fatalf("%s changed the file: %s, was %s", cmdline, after, before)
				}
			}
		})
	}
}

// snapshot describes path: its type and mode, and its bytes if a file.
func snapshot(t *testing.T, path string) string {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		return "missing"
	}
	s := fi.Mode().String()
	if fi.Mode().IsRegular() {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		s += fmt.Sprintf(" %d bytes sha256 %x", len(data), sha256.Sum256(data))
	}
	return s
}

// creates reports whether a command of the matrix may create the database.
func creates(args []string) bool {
	line := strings.Join(args, " ")
	for _, p := range []string{"user create ", "group add ", "apply "} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}
