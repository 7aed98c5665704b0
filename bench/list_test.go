package bench

import (
	"io"
	"os"
	"strconv"
	"strings"
	"testing"

	"authctl/cmd"
	"authctl/internal/iostreams"
)

// listShape is the scale database the listing benchmarks read:
// AUTHCTL_LIST_USERS users (default 100,000; bench/list.sh runs 1,000,000)
// in 10,000 groups (fewer for small counts), shaped as scale_test.go's.
func listShape(tb testing.TB) scaleShape {
	s := scaleShape{users: 100_000, groups: 10_000}
	if v := os.Getenv("AUTHCTL_LIST_USERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2 {
			tb.Fatalf("AUTHCTL_LIST_USERS=%q is not a number of users", v)
		}
		s.users = n
	}
	s.groups = max(2, min(s.groups, s.users/10))
	return s
}

// BenchmarkListCommands runs "user list -o json", "user list" (piped:
// tab-separated lines), "user list" on a terminal (an aligned table) and
// "export" in this process, as main does, writing to io.Discard: the work
// of bench/list.sh's processes without process start-up. Profile one with
//
//	go test -run '^$' -bench 'BenchmarkListCommands/user-list-json' -benchtime 3x -cpuprofile cpu.prof ./bench/
func BenchmarkListCommands(b *testing.B) {
	path := scaleDB(b, listShape(b))
	env := map[string]string{}
	for _, kv := range procEnv() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	getenv := func(k string) string { return env[k] }
	for _, c := range []struct {
		name string
		args []string
		tty  bool
	}{
		{"user-list-json", []string{"user", "list", "-o", "json"}, false},
		{"user-list-lines", []string{"user", "list"}, false},
		{"user-list-table", []string{"user", "list"}, true},
		{"export", []string{"export"}, false},
		{"export-django", []string{"export", "--format", "django"}, false},
	} {
		b.Run(c.name, func(b *testing.B) {
			args := append(c.args, "--db", path)
			for b.Loop() {
				ios, _, _, errOut := iostreams.Test()
				ios.Out = io.Discard
				ios.SetTTY(false, c.tty, false)
				if code := cmd.Run(args, ios, getenv); code != 0 {
					b.Fatalf("authctl %s: exit %d: %s", strings.Join(args, " "), code, errOut)
				}
			}
		})
	}
}
