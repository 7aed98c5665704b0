package hugepage

import (
	"os"
	"path/filepath"
	"testing"
)

func TestThpMode(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ text, want string }{
		{"always [madvise] never\n", "madvise"},
		{"[always] madvise never\n", "always"},
		{"always defer [defer+madvise] madvise never\n", "defer+madvise"},
		{"always madvise never\n", ""}, // no selection
		{"", ""},
	} {
		path := filepath.Join(dir, "setting")
		if err := os.WriteFile(path, []byte(c.text), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := thpMode(path); got != c.want {
			t.Errorf("thpMode(%q) = %q, want %q", c.text, got, c.want)
		}
	}
	if got := thpMode(filepath.Join(dir, "missing")); got != "" {
		t.Errorf("missing file: %q, want \"\"", got)
	}
}

// buddyinfo is /proc/buddyinfo of a 2-node machine: orders 0-10.
const buddyinfo = `Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3 
Node 0, zone    DMA32      1      3      2      2      1      2      0      3      3      1      5 
Node 0, zone   Normal    157   2738   9567   7927   3252   2120    900    300    166     92    863 
Node 1, zone   Normal      4      4      4      4      4      4      4      4      4      0      1 
`

func TestFreeHugeBlocks(t *testing.T) {
	for _, c := range []struct {
		text string
		want int
	}{
		// DMA is left out; order 9 counts once, order 10 twice.
		{buddyinfo, (1 + 5*2) + (92 + 863*2) + (0 + 1*2)},
		{"Node 0, zone   Normal 1 2 3 4 5 6 7 8 9 0 0\n", 0},
		{"Node 0, zone   Normal 1 2 3\n", 0}, // fewer orders than 9
		{"", -1},
		{"garbage\n", -1},
		{"Node 0, zone   Normal 1 2 x 4 5 6 7 8 9 1 1\n", -1},
		{"Node 0, zone   Normal 1 2 3 4 5 6 7 8 9 -1 1\n", -1},
	} {
		if got := freeHugeBlocks([]byte(c.text)); got != c.want {
			t.Errorf("freeHugeBlocks(%q) = %d, want %d", c.text, got, c.want)
		}
	}
}

func TestChoosePlan(t *testing.T) {
	const need = 50 // 100 MiB, argon2's at Django's defaults
	for _, c := range []struct {
		enabled, defrag string
		free            int
		want            Plan
	}{
		// No THP: nothing to mark.
		{"never", "madvise", 1000, Plan{}},
		{"", "", 1000, Plan{}},
		// Faults that never compact: all huge, whatever is free.
		{"madvise", "defer", 0, Plan{Huge: need}},
		{"madvise", "never", -1, Plan{Huge: need}},
		{"always", "defer", 0, Plan{Huge: need}},
		// Faults that compact: huge only for what is free, less the reserve.
		{"madvise", "madvise", 1000, Plan{Huge: need}},
		{"madvise", "madvise", need + hugeReserve, Plan{Huge: need}},
		{"madvise", "madvise", 20, Plan{Huge: 20 - hugeReserve}},
		{"madvise", "madvise", 2, Plan{}},
		{"madvise", "madvise", -1, Plan{}},
		{"madvise", "always", 20, Plan{Huge: 20 - hugeReserve}},
		{"madvise", "defer+madvise", 20, Plan{Huge: 20 - hugeReserve}},
		{"madvise", "something new", 20, Plan{Huge: 20 - hugeReserve}},
		{"always", "madvise", 0, Plan{}},
		{"always", "defer+madvise", 0, Plan{}},
		// THP always on and compacting everywhere: the rest must refuse
		// huge pages, or its plain faults would compact too.
		{"always", "always", 20, Plan{Huge: 20 - hugeReserve, NoHuge: true}},
		{"always", "always", 0, Plan{NoHuge: true}},
		{"always", "always", 1000, Plan{Huge: need}},
	} {
		if got := choosePlan(c.enabled, c.defrag, func() int { return c.free }, need); got != c.want {
			t.Errorf("choosePlan(%q, %q, free %d) = %+v, want %+v", c.enabled, c.defrag, c.free, got, c.want)
		}
	}
}

// TestForReadsSettings points the plan at fake sysfs and procfs
// files: the defrag mode decides whether the free lists are read at all.
func TestForReadsSettings(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	saved := []string{thpEnabledFile, thpDefragFile, buddyInfoFile}
	t.Cleanup(func() { thpEnabledFile, thpDefragFile, buddyInfoFile = saved[0], saved[1], saved[2] })

	// 10 free 2 MiB blocks: 2 of order 9, 4 of order 10.
	fragmented := write("buddy-fragmented", "Node 0, zone   Normal 9000 800 70 6 5 4 3 2 1 2 4\n")
	plenty := write("buddy-plenty", buddyinfo)
	const n = 100 << 20 // 50 blocks
	for _, c := range []struct {
		enabled, defrag, buddy string
		want                   Plan
	}{
		{"always [madvise] never", "always defer defer+madvise [madvise] never", plenty, Plan{Huge: 50}},
		{"always [madvise] never", "always defer defer+madvise [madvise] never", fragmented, Plan{Huge: 10 - hugeReserve}},
		{"always [madvise] never", "[always] defer defer+madvise madvise never", fragmented, Plan{Huge: 10 - hugeReserve}},
		{"always [madvise] never", "always defer [defer+madvise] madvise never", fragmented, Plan{Huge: 10 - hugeReserve}},
		{"always [madvise] never", "always [defer] defer+madvise madvise never", fragmented, Plan{Huge: 50}},
		{"always [madvise] never", "always defer defer+madvise madvise [never]", fragmented, Plan{Huge: 50}},
		{"[always] madvise never", "[always] defer defer+madvise madvise never", fragmented, Plan{Huge: 10 - hugeReserve, NoHuge: true}},
		{"always madvise [never]", "[always] defer defer+madvise madvise never", plenty, Plan{}},
		// Unreadable free lists: assume nothing is free.
		{"always [madvise] never", "always defer defer+madvise [madvise] never", filepath.Join(dir, "missing"), Plan{}},
	} {
		thpEnabledFile = write("enabled", c.enabled)
		thpDefragFile = write("defrag", c.defrag)
		buddyInfoFile = c.buddy
		if got := For(n); got != c.want {
			t.Errorf("enabled %q, defrag %q, %s: plan %+v, want %+v", c.enabled, c.defrag, filepath.Base(c.buddy), got, c.want)
		}
	}
	// No THP in the kernel at all: no files.
	thpEnabledFile, thpDefragFile = filepath.Join(dir, "none1"), filepath.Join(dir, "none2")
	if got := For(n); got != (Plan{}) {
		t.Errorf("no THP files: plan %+v, want none", got)
	}
}
