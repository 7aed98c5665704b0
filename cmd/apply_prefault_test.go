package cmd

import (
	"os"
	"path/filepath"
	"testing"
)

func TestPrefaultSize(t *testing.T) {
	dir := t.TempDir()
	file := func(name string, size int64) string {
		p := filepath.Join(dir, name)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := f.Truncate(size); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, c := range []struct {
		name string
		path string
		want int64
	}{
		{"standard input", "-", 0},
		{"no file", "", 0},
		{"missing", filepath.Join(dir, "missing.json"), 0},
		{"a directory", dir, 0},
		{"small", file("small.json", 100<<10), 0},
		{"10 MB", file("ten.json", 10<<20), 40 << 20},
		{"64 MiB, the largest", file("large.json", prefaultMax/heapPerFileByte), prefaultMax},
		{"1 GiB, too large", file("big.json", 1<<30), 0},
	} {
		if got := prefaultSize(c.path); got != c.want {
			t.Errorf("%s: prefaultSize %d, want %d", c.name, got, c.want)
		}
	}
}
