//go:build unix

package cmdutil_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"authctl/internal/cmdutil"
)

const nobody = 65534

func TestCheckFileSafety(t *testing.T) {
	root := os.Geteuid() == 0
	type setup func(t *testing.T, dir string) string // returns the path to check
	file := func(mode os.FileMode) setup {
		return func(t *testing.T, dir string) string {
			p := filepath.Join(dir, "auth.db")
			if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(p, mode); err != nil {
				t.Fatal(err)
			}
			return p
		}
	}
	inDir := func(mode os.FileMode, uid int) setup {
		return func(t *testing.T, dir string) string {
			d := filepath.Join(dir, "d")
			if err := os.Mkdir(d, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(d, mode); err != nil {
				t.Fatal(err)
			}
			if uid >= 0 {
				if err := os.Chown(d, uid, -1); err != nil {
					t.Fatal(err)
				}
			}
			return filepath.Join(d, "auth.db") // not created
		}
	}
	ownedBy := func(uid int, mode os.FileMode) setup {
		return func(t *testing.T, dir string) string {
			p := file(mode)(t, dir)
			if err := os.Chown(p, uid, -1); err != nil {
				t.Fatal(err)
			}
			return p
		}
	}
	for _, c := range []struct {
		name     string
		root     bool // needs root (chown)
		setup    setup
		refused  string // substring of the refusal, or ""
		warnings bool
	}{
		{"private file", false, file(0o600), "", false},
		{"group-readable file", false, file(0o640), "", true},
		{"world-readable file", false, file(0o644), "", true},
		{"group-writable file", false, file(0o660), "writable by group or others (mode 0660)", false},
		{"world-writable file", false, file(0o606), "writable by group or others (mode 0606)", false},
		{"missing file in a private directory", false, inDir(0o700, -1), "", false},
		{"missing file in a world-writable directory", false, inDir(0o777, -1), "is writable by group or others (mode 0777)", false},
		{"missing file in a group-writable directory", false, inDir(0o770, -1), "is writable by group or others (mode 0770)", false},
		{"missing file in a sticky world-writable directory", false, inDir(0o777|os.ModeSticky, -1), "", false},
		{"file owned by another user", true, ownedBy(nobody, 0o600), "owned by another user (uid 65534)", false},
		{"file owned by root", true, ownedBy(0, 0o600), "", false},
		{"directory owned by another user", true, inDir(0o755, nobody), "its directory", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.root && !root {
				t.Skip("chown needs root")
			}
			path := c.setup(t, t.TempDir())
			warning, err := cmdutil.CheckFileSafety("database", path)
			var ue *cmdutil.UnsafeFileError
			switch {
			case c.refused == "" && err != nil:
				t.Errorf("refused: %v", err)
			case c.refused != "" && (!errors.As(err, &ue) || !strings.Contains(err.Error(), c.refused)):
				t.Errorf("got %v, want a refusal saying %q", err, c.refused)
			case c.refused != "" && cmdutil.ExitCode(err) != cmdutil.ExitInternal:
				t.Errorf("exit code %d, want %d", cmdutil.ExitCode(err), cmdutil.ExitInternal)
			}
			if (warning != "") != c.warnings {
				t.Errorf("warning %q, want one: %v", warning, c.warnings)
			}
			if warning != "" && (strings.Contains(warning, "\n") || !strings.Contains(warning, path)) {
				t.Errorf("warning is not one line naming the file: %q", warning)
			}
		})
	}
}
