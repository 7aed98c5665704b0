package hasher

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"authctl/internal/hugepage/hugepagetest"

	"authctl/internal/hugepage"

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
			allHuge = allHuge && huge*hugepage.Size >= int(p)*pageSize
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
		huge = hashPool.plan.Huge
	} else {
		h := &scryptHasher{n: 1 << 14, r: 8, p: 1, lim: DefaultLimits()}
		_, _ = h.Encode("pw", "")
		pages = 4 * scrypt.Words(1<<14, 8) / pageSize
		huge = hashPool.plan.Huge
	}
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	runtime.ReadMemStats(&stats)
	fmt.Printf("FAULTS %d PAGES %d HUGE %d GCS %d\n", after.Minflt-before.Minflt, pages, huge, stats.NumGC-gcs)
}

// TestPopulateMakesEveryPageResident: after populate, every page of a
// fresh mapping is in memory, whatever the plan chose.
func TestPopulateMakesEveryPageResident(t *testing.T) {
	const n = 8 << 20
	b := hugepagetest.MapAnon(t, n)
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
