package hasher

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
	const need = 50 // argon2 at Django's 100 MiB
	for _, c := range []struct {
		enabled, defrag string
		free            int
		want            pagePlan
	}{
		// No THP: nothing to mark.
		{"never", "madvise", 1000, pagePlan{}},
		{"", "", 1000, pagePlan{}},
		// Faults that never compact: all huge, whatever is free.
		{"madvise", "defer", 0, pagePlan{huge: need}},
		{"madvise", "never", -1, pagePlan{huge: need}},
		{"always", "defer", 0, pagePlan{huge: need}},
		// Faults that compact: huge only for what is free, less the reserve.
		{"madvise", "madvise", 1000, pagePlan{huge: need}},
		{"madvise", "madvise", need + hugeReserve, pagePlan{huge: need}},
		{"madvise", "madvise", 20, pagePlan{huge: 20 - hugeReserve}},
		{"madvise", "madvise", 2, pagePlan{}},
		{"madvise", "madvise", -1, pagePlan{}},
		{"madvise", "always", 20, pagePlan{huge: 20 - hugeReserve}},
		{"madvise", "defer+madvise", 20, pagePlan{huge: 20 - hugeReserve}},
		{"madvise", "something new", 20, pagePlan{huge: 20 - hugeReserve}},
		{"always", "madvise", 0, pagePlan{}},
		{"always", "defer+madvise", 0, pagePlan{}},
		// THP always on and compacting everywhere: the rest must refuse
		// huge pages, or its plain faults would compact too.
		{"always", "always", 20, pagePlan{huge: 20 - hugeReserve, noHuge: true}},
		{"always", "always", 0, pagePlan{noHuge: true}},
		{"always", "always", 1000, pagePlan{huge: need}},
	} {
		if got := choosePlan(c.enabled, c.defrag, c.free, need, false); got != c.want {
			t.Errorf("choosePlan(%q, %q, free %d) = %+v, want %+v", c.enabled, c.defrag, c.free, got, c.want)
		}
	}
}

// TestChoosePlanUnderFreePageReporting: where free memory goes back to the
// hypervisor, huge pages are never asked for, whatever is free.
func TestChoosePlanUnderFreePageReporting(t *testing.T) {
	for _, c := range []struct {
		enabled, defrag string
		want            pagePlan
	}{
		{"madvise", "madvise", pagePlan{}},
		{"madvise", "defer", pagePlan{}},
		{"always", "defer", pagePlan{noHuge: true}},
		{"always", "always", pagePlan{noHuge: true}},
		{"never", "always", pagePlan{}},
	} {
		if got := choosePlan(c.enabled, c.defrag, 1000, 50, true); got != c.want {
			t.Errorf("choosePlan(%q, %q, reporting) = %+v, want %+v", c.enabled, c.defrag, got, c.want)
		}
	}
}

// fakeVirtio makes a fake /sys/bus/virtio/devices with one device.
func fakeVirtio(t *testing.T, id, features string, driver bool) string {
	t.Helper()
	dir := t.TempDir()
	dev := filepath.Join(dir, "virtio0")
	// A block device beside it, which never counts.
	other := filepath.Join(dir, "virtio1")
	for _, d := range []string{dev, other, filepath.Join(other, "driver")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{
		filepath.Join(dev, "device"):     id + "\n",
		filepath.Join(dev, "features"):   features + "\n",
		filepath.Join(other, "device"):   "0x0002\n",
		filepath.Join(other, "features"): "0000011111\n",
	}
	for path, text := range files {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if driver {
		if err := os.Mkdir(filepath.Join(dev, "driver"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestFreePageReporting(t *testing.T) {
	saved := []string{pageReportingFile, virtioDevicesDir}
	t.Cleanup(func() { pageReportingFile, virtioDevicesDir = saved[0], saved[1] })
	param := filepath.Join(t.TempDir(), "page_reporting_order")
	if err := os.WriteFile(param, []byte("9\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The project's Firecracker guest: bits 1, 2 and 5 negotiated.
	const reporting, hinting = "0110010100000000000000000000000010", "0111000000000000000000000000000010"
	for _, c := range []struct {
		name, param, id, features string
		driver, want              bool
	}{
		{"balloon reporting", param, "0x0005", reporting, true, true},
		{"balloon without the feature", param, "0x0005", hinting, true, false},
		{"balloon without a driver", param, "0x0005", reporting, false, false},
		{"no balloon", param, "0x0001", reporting, true, false},
		{"kernel without page reporting", filepath.Join(t.TempDir(), "missing"), "0x0005", reporting, true, false},
		{"short features", param, "0x0005", "0110", true, false},
	} {
		pageReportingFile, virtioDevicesDir = c.param, fakeVirtio(t, c.id, c.features, c.driver)
		if got := freePageReporting(); got != c.want {
			t.Errorf("%s: freePageReporting() = %v, want %v", c.name, got, c.want)
		}
	}
	virtioDevicesDir = filepath.Join(t.TempDir(), "none")
	if freePageReporting() {
		t.Error("no virtio bus: reporting")
	}
}

// TestCurrentPlanReadsSettings points the plan at fake sysfs and procfs
// files: the defrag mode decides whether the free lists are read at all.
func TestCurrentPlanReadsSettings(t *testing.T) {
	if forcedPlan != "" {
		t.Skip("built with a forced plan")
	}
	dir := t.TempDir()
	write := func(name, text string) string {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	saved := []string{thpEnabledFile, thpDefragFile, buddyInfoFile, pageReportingFile, virtioDevicesDir}
	t.Cleanup(func() {
		thpEnabledFile, thpDefragFile, buddyInfoFile = saved[0], saved[1], saved[2]
		pageReportingFile, virtioDevicesDir = saved[3], saved[4]
	})
	pageReportingFile = filepath.Join(dir, "no-page-reporting")

	// 10 free 2 MiB blocks: 2 of order 9, 4 of order 10.
	fragmented := write("buddy-fragmented", "Node 0, zone   Normal 9000 800 70 6 5 4 3 2 1 2 4\n")
	plenty := write("buddy-plenty", buddyinfo)
	const n = 100 << 20 // 50 blocks
	for _, c := range []struct {
		enabled, defrag, buddy string
		want                   pagePlan
	}{
		{"always [madvise] never", "always defer defer+madvise [madvise] never", plenty, pagePlan{huge: 50}},
		{"always [madvise] never", "always defer defer+madvise [madvise] never", fragmented, pagePlan{huge: 10 - hugeReserve}},
		{"always [madvise] never", "[always] defer defer+madvise madvise never", fragmented, pagePlan{huge: 10 - hugeReserve}},
		{"always [madvise] never", "always defer [defer+madvise] madvise never", fragmented, pagePlan{huge: 10 - hugeReserve}},
		{"always [madvise] never", "always [defer] defer+madvise madvise never", fragmented, pagePlan{huge: 50}},
		{"always [madvise] never", "always defer defer+madvise madvise [never]", fragmented, pagePlan{huge: 50}},
		{"[always] madvise never", "[always] defer defer+madvise madvise never", fragmented, pagePlan{huge: 10 - hugeReserve, noHuge: true}},
		{"always madvise [never]", "[always] defer defer+madvise madvise never", plenty, pagePlan{}},
		// Unreadable free lists: assume nothing is free.
		{"always [madvise] never", "always defer defer+madvise [madvise] never", filepath.Join(dir, "missing"), pagePlan{}},
	} {
		thpEnabledFile = write("enabled", c.enabled)
		thpDefragFile = write("defrag", c.defrag)
		buddyInfoFile = c.buddy
		if got := currentPlan(n); got != c.want {
			t.Errorf("enabled %q, defrag %q, %s: plan %+v, want %+v", c.enabled, c.defrag, filepath.Base(c.buddy), got, c.want)
		}
	}
	// A balloon that reports free pages: small pages, even with plenty free.
	pageReportingFile = write("page_reporting_order", "9\n")
	virtioDevicesDir = fakeVirtio(t, "0x0005", "0110010100", true)
	thpEnabledFile = write("enabled", "always [madvise] never")
	thpDefragFile = write("defrag", "always defer defer+madvise madvise [never]")
	buddyInfoFile = plenty
	if got := currentPlan(n); got != (pagePlan{}) {
		t.Errorf("free page reporting: plan %+v, want small pages", got)
	}
	thpEnabledFile = write("enabled", "[always] madvise never")
	if got := currentPlan(n); got != (pagePlan{noHuge: true}) {
		t.Errorf("free page reporting, THP always: plan %+v, want small pages, no huge", got)
	}
	// No THP in the kernel at all: no files.
	thpEnabledFile, thpDefragFile = filepath.Join(dir, "none1"), filepath.Join(dir, "none2")
	if got := currentPlan(n); got != (pagePlan{}) {
		t.Errorf("no THP files: plan %+v, want none", got)
	}
}
