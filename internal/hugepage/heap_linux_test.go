package hugepage

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"syscall"
	"testing"
	"unsafe"

	"authctl/internal/hugepage/hugepagetest"
)

// fakeSettings points the plan at THP settings under which every block is
// marked huge (defrag "defer" never waits), whatever the machine's are.
func fakeSettings(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(thpEnabledFile); err != nil {
		t.Skip("kernel without transparent huge pages")
	}
	dir := t.TempDir()
	saved := []string{thpEnabledFile, thpDefragFile}
	t.Cleanup(func() { thpEnabledFile, thpDefragFile = saved[0], saved[1] })
	thpEnabledFile, thpDefragFile = filepath.Join(dir, "enabled"), filepath.Join(dir, "defrag")
	for path, text := range map[string]string{thpEnabledFile: "always [madvise] never\n", thpDefragFile: "always [defer] defer+madvise madvise never\n"} {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestReserveHeapMarksWhatFollows: a large allocation made after the
// reservation lands on pages the reservation marked.
func TestReserveHeapMarksWhatFollows(t *testing.T) {
	fakeSettings(t)
	t.Setenv("GODEBUG", "")
	const n = 48 << 20
	if p := ReserveHeap(n); p != (Plan{Huge: n / Size}) {
		t.Fatalf("ReserveHeap(%d) = %+v, want every block huge", n, p)
	}
	b := make([]byte, 16<<20)
	addr := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	mid := addr + uintptr(len(b))/2
	if flags, start, end := hugepagetest.VMFlags(t, mid); !slices.Contains(flags, "hg") {
		t.Errorf("an allocation at %#x after the reservation: mapping %#x-%#x has flags %v, want hg", addr, start, end, flags)
	}
}

// TestReserveHeapDeclines: small reservations, and GODEBUG=disablethp=1,
// mark nothing.
func TestReserveHeapDeclines(t *testing.T) {
	fakeSettings(t)
	t.Setenv("GODEBUG", "")
	if p := ReserveHeap(MinHeapReserve - 1); p != (Plan{}) {
		t.Errorf("ReserveHeap below the minimum = %+v, want nothing", p)
	}
	t.Setenv("GODEBUG", "madvdontneed=1,disablethp=1")
	if p := ReserveHeap(64 << 20); p != (Plan{}) {
		t.Errorf("ReserveHeap with disablethp=1 = %+v, want nothing", p)
	}
}

func TestHeapTHPDisabled(t *testing.T) {
	for godebug, want := range map[string]bool{
		"":                          false,
		"disablethp=1":              true,
		"gctrace=1,disablethp=1":    true,
		"disablethp=0":              false,
		"disablethp=1,disablethp=0": false,
		"xdisablethp=1":             false,
	} {
		if got := heapTHPDisabled(godebug); got != want {
			t.Errorf("heapTHPDisabled(%q) = %v, want %v", godebug, got, want)
		}
	}
}

// rssBytes is the process's resident memory, from /proc/self/statm.
func rssBytes(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Skip(err)
	}
	var size, res int
	if _, err := fmt.Sscan(string(b), &size, &res); err != nil {
		t.Fatal(err)
	}
	return res * os.Getpagesize()
}

// minorFaults is how many minor page faults the process has taken.
func minorFaults() int64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Minflt
}

// TestReserveHeapLeavesPagesUntouched: a reservation costs address space,
// not memory, even where its allocation started in pages the heap had
// used (which the runtime zeroes), as a second one in a process does.
func TestReserveHeapLeavesPagesUntouched(t *testing.T) {
	fakeSettings(t)
	t.Setenv("GODEBUG", "")
	const n = 64 << 20
	for range 3 { // leave freed pages at the top of the heap
		_ = make([]byte, 1<<20)
		runtime.GC()
	}
	before, faults := rssBytes(t), minorFaults()
	if p := ReserveHeap(n); p == (Plan{}) {
		t.Fatal("ReserveHeap reserved nothing")
	}
	// FreeOSMemory gives back what was zeroed, so the resident memory
	// alone would not show it; the faults taken do.
	if f := minorFaults() - faults; f > n/pageSize/4 {
		t.Errorf("ReserveHeap(%d MiB) took %d page faults: its memory was zeroed before the marks", n>>20, f)
	}
	first := rssBytes(t)
	if p := ReserveHeap(n); p == (Plan{}) {
		t.Error("a second ReserveHeap reserved nothing")
	}
	second := rssBytes(t)
	if first-before > 8<<20 || second-first > 8<<20 {
		t.Errorf("ReserveHeap(%d MiB) grew the resident memory by %d MiB, a second call by %d MiB", n>>20, (first-before)>>20, (second-first)>>20)
	}
}

// TestReserveHeapDeclinesUnhelpful: THP always on (the heap gets huge
// pages unmarked), or free lists short of the reservation: nothing.
func TestReserveHeapDeclinesUnhelpful(t *testing.T) {
	fakeSettings(t)
	t.Setenv("GODEBUG", "")
	write := func(path, text string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(thpEnabledFile, "[always] madvise never\n")
	if p := ReserveHeap(64 << 20); p != (Plan{}) {
		t.Errorf("THP always: ReserveHeap = %+v, want nothing", p)
	}
	write(thpEnabledFile, "always [madvise] never\n")
	write(thpDefragFile, "always defer defer+madvise [madvise] never\n")
	saved := buddyInfoFile
	t.Cleanup(func() { buddyInfoFile = saved })
	buddyInfoFile = filepath.Join(t.TempDir(), "buddyinfo")
	write(buddyInfoFile, "Node 0, zone   Normal 0 0 0 0 0 0 0 0 0 20 0\n") // 20 blocks, 16 after the reserve
	if p := ReserveHeap(64 << 20); p != (Plan{}) {
		t.Errorf("16 free blocks for 32: ReserveHeap = %+v, want nothing", p)
	}
	write(buddyInfoFile, "Node 0, zone   Normal 0 0 0 0 0 0 0 0 0 36 0\n") // 32 after the reserve
	if p := ReserveHeap(64 << 20); p != (Plan{Huge: 32}) {
		t.Errorf("32 free blocks for 32: ReserveHeap = %+v, want all of them", p)
	}
}

// TestChunkRuns: chunks that lie end to end make one range, in address
// order whatever the order of the chunks.
func TestChunkRuns(t *testing.T) {
	b := make([]byte, 64)
	base := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	got := chunkRuns([][]byte{b[12:16], b[0:4], b[4:8], b[8:8], b[20:30]})
	want := []addrRange{{base, base + 8}, {base + 12, base + 16}, {base + 20, base + 30}}
	if !slices.Equal(got, want) {
		t.Errorf("chunkRuns = %v, want %v", got, want)
	}
}
