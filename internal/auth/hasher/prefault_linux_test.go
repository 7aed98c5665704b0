package hasher

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"authctl/internal/auth/hasher/argon2"
	"authctl/internal/auth/hasher/scrypt"
)

// TestPrefaultAvoidsPageFaults hashes once with argon2 (32 MiB, 4 lanes)
// and once with scrypt (16 MiB, Django's N and r) in a fresh process and
// counts its minor page faults. Populating the memory counts one fault per
// 4 KiB page and one per huge page, and the hash then takes almost none:
// the bound is half a fault per page where the plan made every block huge,
// else 1.25 per page (only huge pages cut the count below one per page).
// The memory of both is the hasher's own, so every process is held to the
// bound, and none may run a garbage collection for the hash.
func TestPrefaultAvoidsPageFaults(t *testing.T) {
	if !prefaultEnabled {
		t.Skip("built with authctl_noprefault")
	}
	if os.Getenv("HASHER_PREFAULT_CHILD") != "" {
		faultsChild()
		return
	}
	for _, which := range []string{"argon2", "scrypt"} {
		var runs []int64
		var pages int64
		allHuge := true
		for range 3 {
			faults, p, huge, gcs := childFaults(t, which)
			runs, pages = append(runs, faults), p
			allHuge = allHuge && huge*hugePageSize >= int(p)*pageSize
			if gcs != 0 {
				t.Errorf("%s: the hash ran %d garbage collections in a fresh process", which, gcs)
			}
		}
		t.Logf("%s: %v minor faults for %d pages (all huge: %v)", which, runs, pages, allHuge)
		faults := slices.Max(runs)
		if (allHuge && faults*2 > pages) || faults*4 > pages*5 {
			t.Errorf("%s: %d minor page faults for %d pages of hash memory: not prefaulted", which, faults, pages)
		}
	}
}

// childFaults hashes once in a fresh process and returns its minor faults,
// the pages of hash memory, the huge blocks its plan asked for and the
// garbage collections the hash ran.
func childFaults(t *testing.T, which string) (faults, pages int64, huge, gcs int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestPrefaultAvoidsPageFaults$", "-test.v")
	cmd.Env = append(os.Environ(), "HASHER_PREFAULT_CHILD="+which)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	i := strings.Index(string(out), "FAULTS ")
	if i < 0 {
		t.Fatalf("child printed no figures:\n%s", out)
	}
	if _, err := fmt.Sscanf(string(out[i:]), "FAULTS %d PAGES %d HUGE %d GCS %d", &faults, &pages, &huge, &gcs); err != nil {
		t.Fatalf("child output: %v\n%s", err, out)
	}
	return faults, pages, huge, gcs
}

func faultsChild() {
	var before, after syscall.Rusage
	var pages, huge int
	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)
	gcs := stats.NumGC
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	if os.Getenv("HASHER_PREFAULT_CHILD") == "argon2" {
		h := &argon2Hasher{time: 1, memory: 32 << 10, threads: 4, lim: DefaultLimits()}
		_, _ = h.Encode("pw", "")
		pages = argon2.Blocks(32<<10, 4) * argon2.BlockSize / pageSize
		huge = hashPool.plan.huge
	} else {
		h := &scryptHasher{n: 1 << 14, r: 8, p: 1, lim: DefaultLimits()}
		_, _ = h.Encode("pw", "")
		pages = 4 * scrypt.Words(1<<14, 8) / pageSize
		huge = hashPool.plan.huge
	}
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	runtime.ReadMemStats(&stats)
	fmt.Printf("FAULTS %d PAGES %d HUGE %d GCS %d\n", after.Minflt-before.Minflt, pages, huge, stats.NumGC-gcs)
}

// mapAnon maps n bytes of fresh anonymous memory for the test.
func mapAnon(t *testing.T, n int) []byte {
	t.Helper()
	b, err := unix.Mmap(-1, 0, n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = unix.Munmap(b) })
	return b
}

// vmFlags returns the VmFlags of the mapping that holds addr, and its
// bounds, from /proc/self/smaps.
func vmFlags(t *testing.T, addr uintptr) (flags []string, start, end uintptr) {
	t.Helper()
	smaps, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Skip(err)
	}
	in := false
	for line := range strings.Lines(string(smaps)) {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if a, b, ok := strings.Cut(f[0], "-"); ok && !strings.HasSuffix(f[0], ":") {
			s, err1 := strconv.ParseUint(a, 16, 64)
			e, err2 := strconv.ParseUint(b, 16, 64)
			in = err1 == nil && err2 == nil && uintptr(s) <= addr && addr < uintptr(e)
			start, end = uintptr(s), uintptr(e)
			continue
		}
		if in && f[0] == "VmFlags:" {
			return f[1:], start, end
		}
	}
	t.Fatalf("no mapping holds %#x", addr)
	return nil, 0, 0
}

// TestApplyPlanMarksPages checks the marks the kernel keeps for each kind
// of plan: the huge blocks start at the first 2 MiB boundary, the rest
// refuses huge pages only when the plan says so.
func TestApplyPlanMarksPages(t *testing.T) {
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil {
		t.Skip("kernel without transparent huge pages")
	}
	addrOf := func(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }
	const n = 16 << 20

	b := mapAnon(t, n)
	applyPlan(b, pagePlan{huge: n / hugePageSize})
	// The kernel merges a mapping with a neighbour of the same flags (such
	// as argon2's pooled memory), so a marked range may lie inside a
	// larger mapping: each check is that the range is covered, and that
	// what follows it is not marked.
	if flags, start, end := vmFlags(t, addrOf(b)); !slices.Contains(flags, "hg") || start > addrOf(b) || end < addrOf(b)+n {
		t.Errorf("all huge: mapping %#x-%#x flags %v, want hg over %#x-%#x", start, end, flags, addrOf(b), addrOf(b)+n)
	}

	b = mapAnon(t, n)
	applyPlan(b, pagePlan{huge: 2})
	first := (addrOf(b) + hugePageSize - 1) &^ (hugePageSize - 1)
	if flags, start, end := vmFlags(t, first); !slices.Contains(flags, "hg") || start > first || end < first+2*hugePageSize {
		t.Errorf("2 huge blocks: mapping %#x-%#x flags %v, want hg over %#x-%#x", start, end, flags, first, first+2*hugePageSize)
	}
	if flags, _, _ := vmFlags(t, first+2*hugePageSize); slices.Contains(flags, "hg") {
		t.Errorf("2 huge blocks: the block after them has flags %v, want no hg", flags)
	}
	if flags, _, _ := vmFlags(t, addrOf(b)+n-pageSize); slices.Contains(flags, "hg") || slices.Contains(flags, "nh") {
		t.Errorf("2 huge blocks: the tail has flags %v, want neither hg nor nh", flags)
	}

	b = mapAnon(t, n)
	applyPlan(b, pagePlan{huge: 2, noHuge: true})
	first = (addrOf(b) + hugePageSize - 1) &^ (hugePageSize - 1)
	if flags, _, _ := vmFlags(t, first); !slices.Contains(flags, "hg") {
		t.Errorf("noHuge: the first huge block has flags %v, want hg", flags)
	}
	if flags, _, _ := vmFlags(t, first+2*hugePageSize); slices.Contains(flags, "hg") || !slices.Contains(flags, "nh") {
		t.Errorf("noHuge: the block past the huge ones has flags %v, want nh", flags)
	}
	if flags, _, _ := vmFlags(t, addrOf(b)+n-pageSize); !slices.Contains(flags, "nh") {
		t.Errorf("noHuge: the tail has flags %v, want nh", flags)
	}

	b = mapAnon(t, n)
	applyPlan(b, pagePlan{})
	if flags, _, _ := vmFlags(t, addrOf(b)); slices.Contains(flags, "hg") || slices.Contains(flags, "nh") {
		t.Errorf("small pages: flags %v, want neither hg nor nh", flags)
	}
}

// TestPopulateMakesEveryPageResident: after populate, every page of a
// fresh mapping is in memory, whatever the plan chose.
func TestPopulateMakesEveryPageResident(t *testing.T) {
	const n = 8 << 20
	b := mapAnon(t, n)
	populate(b)
	vec := make([]byte, n/pageSize)
	if _, _, errno := unix.Syscall(unix.SYS_MINCORE, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), uintptr(unsafe.Pointer(&vec[0]))); errno != 0 {
		t.Fatal(errno)
	}
	missing := 0
	for _, v := range vec {
		if v&1 == 0 {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d pages not resident after populate", missing, len(vec))
	}
}
