package cmd

import (
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
)

func TestBoundWriteHeap(t *testing.T) {
	if prev := debug.SetMemoryLimit(-1); prev != math.MaxInt64 {
		t.Skipf("the test process runs with a memory limit (%d): GOMEMLIMIT is set", prev)
	}
	restore := boundWriteHeap()
	got := debug.SetMemoryLimit(-1)
	restore()
	if got == math.MaxInt64 || got < writeHeadroom {
		t.Errorf("limit during the write %d, want the live heap plus at least %d", got, writeHeadroom)
	}
	if after := debug.SetMemoryLimit(-1); after != math.MaxInt64 {
		t.Errorf("limit after restore %d, want none", after)
	}

	// A limit the user set is kept.
	debug.SetMemoryLimit(1 << 40)
	defer debug.SetMemoryLimit(math.MaxInt64)
	restore = boundWriteHeap()
	if got := debug.SetMemoryLimit(-1); got != 1<<40 {
		t.Errorf("the user's limit became %d", got)
	}
	restore()
	if got := debug.SetMemoryLimit(-1); got != 1<<40 {
		t.Errorf("the user's limit became %d after restore", got)
	}
}

// gcPercent reads the collector's pace.
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

func TestCollectSooner(t *testing.T) {
	if _, ok := os.LookupEnv("GOGC"); ok {
		t.Skip("the test process runs with GOGC set")
	}
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	d := &decodePhase{}
	d.collectSooner()
	if got := gcPercent(); got != decodeGCPercent {
		t.Errorf("pace while decoding %d, want %d", got, decodeGCPercent)
	}
	d.collectSooner() // twice: still restores 100
	d.end()
	if got := gcPercent(); got != 100 {
		t.Errorf("pace after end %d, want 100", got)
	}
	debug.SetGCPercent(70)
	d.end() // once only
	if got := gcPercent(); got != 70 {
		t.Errorf("a second end set the pace to %d", got)
	}

	// An apply of YAML or JSON, or one that fails, ends with the pace it
	// began with.
	debug.SetGCPercent(100)
	e := newTestEnv(t)
	yamlSeed, jsonSeed := filepath.Join(e.dir, "seed.yaml"), filepath.Join(e.dir, "seed.json")
	if err := os.WriteFile(yamlSeed, []byte("users:\n  - username: alice\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(jsonSeed, []byte(`{"users": [{"username": "bob"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{yamlSeed, jsonSeed} {
		if code, _, stderr := e.exec("apply", "-f", file); code != 0 {
			t.Fatalf("apply -f %s: exit %d: %s", file, code, stderr)
		}
	}
	if code, _, _ := e.exec("apply", "-f", filepath.Join(e.dir, "missing.json")); code == 0 {
		t.Fatal("apply of a missing file succeeded")
	}
	if got := gcPercent(); got != 100 {
		t.Errorf("pace after apply %d, want 100", got)
	}

	// A pace the user set is kept.
	t.Setenv("GOGC", "200")
	d = &decodePhase{}
	d.collectSooner()
	if got := gcPercent(); got != 100 {
		t.Errorf("with GOGC set, the pace became %d", got)
	}
	d.end()
}
