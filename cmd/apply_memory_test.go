package cmd

import (
	"math"
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
