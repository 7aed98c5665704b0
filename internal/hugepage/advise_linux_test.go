package hugepage

import (
	"os"
	"slices"
	"testing"
	"unsafe"

	"authctl/internal/hugepage/hugepagetest"
)

// TestApplyMarksPages checks the marks the kernel keeps for each kind
// of plan: the huge blocks start at the first 2 MiB boundary, the rest
// refuses huge pages only when the plan says so.
func TestApplyMarksPages(t *testing.T) {
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil {
		t.Skip("kernel without transparent huge pages")
	}
	addrOf := func(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }
	const n = 16 << 20

	b := hugepagetest.MapAnon(t, n)
	Plan{Huge: n / Size}.Apply(b)
	// The kernel merges a mapping with a neighbour of the same flags (such
	// as argon2's pooled memory), so a marked range may lie inside a
	// larger mapping: each check is that the range is covered, and that
	// what follows it is not marked.
	if flags, start, end := hugepagetest.VMFlags(t, addrOf(b)); !slices.Contains(flags, "hg") || start > addrOf(b) || end < addrOf(b)+n {
		t.Errorf("all huge: mapping %#x-%#x flags %v, want hg over %#x-%#x", start, end, flags, addrOf(b), addrOf(b)+n)
	}

	b = hugepagetest.MapAnon(t, n)
	Plan{Huge: 2}.Apply(b)
	first := (addrOf(b) + Size - 1) &^ (Size - 1)
	if flags, start, end := hugepagetest.VMFlags(t, first); !slices.Contains(flags, "hg") || start > first || end < first+2*Size {
		t.Errorf("2 huge blocks: mapping %#x-%#x flags %v, want hg over %#x-%#x", start, end, flags, first, first+2*Size)
	}
	if flags, _, _ := hugepagetest.VMFlags(t, first+2*Size); slices.Contains(flags, "hg") {
		t.Errorf("2 huge blocks: the block after them has flags %v, want no hg", flags)
	}
	if flags, _, _ := hugepagetest.VMFlags(t, addrOf(b)+n-pageSize); slices.Contains(flags, "hg") || slices.Contains(flags, "nh") {
		t.Errorf("2 huge blocks: the tail has flags %v, want neither hg nor nh", flags)
	}

	b = hugepagetest.MapAnon(t, n)
	Plan{Huge: 2, NoHuge: true}.Apply(b)
	first = (addrOf(b) + Size - 1) &^ (Size - 1)
	if flags, _, _ := hugepagetest.VMFlags(t, first); !slices.Contains(flags, "hg") {
		t.Errorf("noHuge: the first huge block has flags %v, want hg", flags)
	}
	if flags, _, _ := hugepagetest.VMFlags(t, first+2*Size); slices.Contains(flags, "hg") || !slices.Contains(flags, "nh") {
		t.Errorf("noHuge: the block past the huge ones has flags %v, want nh", flags)
	}
	if flags, _, _ := hugepagetest.VMFlags(t, addrOf(b)+n-pageSize); !slices.Contains(flags, "nh") {
		t.Errorf("noHuge: the tail has flags %v, want nh", flags)
	}

	b = hugepagetest.MapAnon(t, n)
	Plan{}.Apply(b)
	if flags, _, _ := hugepagetest.VMFlags(t, addrOf(b)); slices.Contains(flags, "hg") || slices.Contains(flags, "nh") {
		t.Errorf("small pages: flags %v, want neither hg nor nh", flags)
	}
}
