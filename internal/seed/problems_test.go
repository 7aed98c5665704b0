package seed

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"authctl/internal/auth"
	"authctl/internal/store"
)

// oneLineUsers is a JSON seeding file on one line (as generators write
// them) of n users; user(i) gives the fields of the i-th.
func oneLineUsers(n int, user func(i int) string) []byte {
	var b strings.Builder
	b.WriteString(`{"users":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(user(i))
	}
	b.WriteString("]}")
	return []byte(b.String())
}

// TestOneLineJSONPaths: in a one-line JSON file every problem is on line
// 1, so each also names its column and its JSON path, both the problems
// found while decoding and those Apply finds.
func TestOneLineJSONPaths(t *testing.T) {
	data := oneLineUsers(3, func(i int) string {
		if i == 1 {
			return `{"username":"u1","emial":"x"}`
		}
		return fmt.Sprintf(`{"username":"u%d"}`, i)
	})
	_, err := Decode(data, DecodeOptions{Name: "s.json"})
	want := `s.json:1:46: users[1]: unknown key "emial" in a user`
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("Decode error %v, want %q", err, want)
	}

	data = oneLineUsers(3, func(i int) string {
		if i == 2 {
			return `{"username":"u2","email":"not an address"}`
		}
		return fmt.Sprintf(`{"username":"u%d"}`, i)
	})
	doc, err := Decode(data, DecodeOptions{Name: "s.json"})
	if err != nil {
		t.Fatal(err)
	}
	db := newDB(t)
	_, err = db.svc.Apply(context.Background(), doc, auth.ApplyOptions{DryRun: true})
	want = "s.json:1:47: users[2].email: Enter a valid email address."
	if err == nil || err.Error() != want {
		t.Fatalf("Apply error %v, want %q", err, want)
	}
}

// TestManyProblemsCapped: stderr shows the first problems and counts the
// rest; the error still holds every one (for -o json).
func TestManyProblemsCapped(t *testing.T) {
	const n = 1000
	err := manyProblems(t, n)
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != auth.MaxPrintedProblems+1 {
		t.Fatalf("%d lines, want %d", len(lines), auth.MaxPrintedProblems+1)
	}
	if last, want := lines[len(lines)-1], fmt.Sprintf("… and %d more problems (-o json lists them all)", n-auth.MaxPrintedProblems); last != want {
		t.Errorf("last line %q, want %q", last, want)
	}
	var ie *auth.InvalidError
	if !errors.As(err, &ie) || len(ie.Problems) != n {
		t.Fatalf("error %T holds %d problems, want %d", err, len(ie.Problems), n)
	}
	if !strings.Contains(ie.Problems[n-1].Error(), fmt.Sprintf("users[%d].email", n-1)) {
		t.Errorf("last problem %q does not name its path", ie.Problems[n-1])
	}
}

// manyProblems plans a one-line JSON file of n users with bad emails over
// an empty database and returns the error.
func manyProblems(tb testing.TB, n int) error {
	data := oneLineUsers(n, func(i int) string {
		return fmt.Sprintf(`{"username":"user%d","email":"bad %d"}`, i, i)
	})
	doc, err := Decode(data, DecodeOptions{Name: "s.json"})
	if err != nil {
		tb.Fatal(err)
	}
	svc, err := auth.New(store.Empty(), auth.Options{Hashers: cheap(tb), Now: func() time.Time { return testNow }})
	if err != nil {
		tb.Fatal(err)
	}
	_, err = svc.PlanApply(context.Background(), doc, auth.ApplyOptions{})
	if err == nil {
		tb.Fatal("no problems found")
	}
	return err
}

// BenchmarkManyProblems: 100,000 bad users, decoded, checked and printed
// (the message as the command prints it, and every problem as -o json
// lists them). Printing once took time quadratic in the problems (22 s for
// 16,000); it is now linear.
func BenchmarkManyProblems(b *testing.B) {
	for b.Loop() {
		err := manyProblems(b, 100_000)
		_ = err.Error()
		var ie *auth.InvalidError
		if errors.As(err, &ie) {
			for _, p := range ie.Problems {
				_ = p.Error()
			}
		}
	}
}

// BenchmarkManyDecodeProblems: 100,000 users, each with an unknown key
// and a value of the wrong type, in a one-line JSON file.
func BenchmarkManyDecodeProblems(b *testing.B) {
	data := oneLineUsers(100_000, func(i int) string {
		return fmt.Sprintf(`{"username":"user%d","emial":"x","is_staff":"maybe"}`, i)
	})
	for b.Loop() {
		_, err := Decode(data, DecodeOptions{Name: "s.json"})
		if err == nil {
			b.Fatal("no problems found")
		}
		_ = err.Error()
	}
}
