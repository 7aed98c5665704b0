package hugepage

import (
	"os"
	"path/filepath"
	"slices"
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
