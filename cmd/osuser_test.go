package cmd

import (
	"strings"
	"testing"
)

// TestOSUserTrustsSudoOnlyForRoot: SUDO_USER names the person behind sudo
// only when the real uid is 0; a user who sets it names nobody but
// themselves.
func TestOSUserTrustsSudoOnlyForRoot(t *testing.T) {
	names := map[int]string{0: "root", 1000: "bob"}
	name := func(uid int) string { return names[uid] }
	for _, c := range []struct {
		uid  int
		sudo string
		want string
	}{
		{0, "alice", "root (sudo: alice)"},
		{0, "", "root"},
		{1000, "alice", "bob"}, // forged by bob
		{1000, "", "bob"},
		{0, "al\nice", `root (sudo: "al\nice")`},
		{0, "x) (y", `root (sudo: "x) (y")`},
		{0, string(make([]byte, 100)) + "z", `root (sudo: "` + strings.Repeat(`\x00`, 64) + `...")`},
	} {
		env := map[string]string{"SUDO_USER": c.sudo}
		got := osUserFor(c.uid, func(k string) string { return env[k] }, name)
		if got != c.want {
			t.Errorf("uid %d, SUDO_USER=%q: %q, want %q", c.uid, c.sudo, got, c.want)
		}
	}
}
