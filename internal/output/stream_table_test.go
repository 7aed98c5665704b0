package output

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

func randomRows(r *rand.Rand, n, cols int) [][]string {
	words := []string{"", "a", "alice", "bob@example.org", "日本語", "tab\there", "x\x1by", "a very long cell indeed", "true", "false"}
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = make([]string, cols)
		for j := range rows[i] {
			rows[i][j] = words[r.IntN(len(words))]
		}
	}
	return rows
}

func printStream(tty bool, header []string, rows [][]string) string {
	var out bytes.Buffer
	w := bufio.NewWriter(&out)
	t := NewStreamTable(w, tty, header...)
	for _, row := range rows {
		if err := t.Row(row...); err != nil {
			panic(err)
		}
	}
	if err := t.Flush(); err != nil {
		panic(err)
	}
	w.Flush()
	return out.String()
}

// Up to one chunk, a StreamTable prints what TablePrinter prints, on a
// terminal and piped.
func TestStreamTableMatchesTablePrinter(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	header := []string{"USERNAME", "EMAIL", "ACTIVE", "GROUPS"}
	for _, n := range []int{0, 1, 2, 17, streamChunk - 1} {
		rows := randomRows(r, n, len(header))
		for _, tty := range []bool{true, false} {
			var want bytes.Buffer
			tp := NewTable(&want, tty, header...)
			for _, row := range rows {
				if err := tp.Row(row...); err != nil {
					t.Fatal(err)
				}
			}
			if err := tp.Flush(); err != nil {
				t.Fatal(err)
			}
			if got := printStream(tty, header, rows); got != want.String() {
				t.Fatalf("%d rows, tty %v: StreamTable printed\n%s\nTablePrinter\n%s", n, tty, got, want.String())
			}
		}
	}
}

// Past one chunk, every column starts where it started in the rows above
// or further right: alignment only widens.
func TestStreamTableLongTable(t *testing.T) {
	header := []string{"NAME", "EMAIL", "GROUPS"}
	var rows [][]string
	for i := range 3*streamChunk + 5 {
		rows = append(rows, []string{fmt.Sprintf("user%d", i), strings.Repeat("e", i/streamChunk+1), "g"})
	}
	lines := strings.Split(strings.TrimSuffix(printStream(true, header, rows), "\n"), "\n")
	if len(lines) != len(rows)+1 {
		t.Fatalf("%d lines for %d rows and a header", len(lines), len(rows))
	}
	prev := 0
	for i, l := range lines {
		col := strings.LastIndex(l, "  ") + 2
		if col < prev {
			t.Fatalf("line %d: last column at %d, above it at %d:\n%s", i, col, prev, l)
		}
		prev = col
		if i > 0 && (!strings.HasPrefix(l, rows[i-1][0]+" ") || !strings.HasSuffix(l, " g")) {
			t.Fatalf("line %d = %q", i, l)
		}
	}
	if utf8.RuneCountInString(lines[len(lines)-1]) <= utf8.RuneCountInString(lines[1]) {
		t.Fatal("the last chunk's wider cells did not widen the columns")
	}
}
