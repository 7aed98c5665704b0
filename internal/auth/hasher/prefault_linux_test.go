package hasher

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// TestPrefaultAvoidsPageFaults hashes once with argon2 (32 MiB, 4 lanes)
// and once with scrypt (16 MiB, Django's N and r) in a fresh process and
// counts its minor page faults. Without prefault argon2 takes two faults
// per 4 KiB page (its lanes read fresh pages before writing them); with
// it, at most one per page, and far fewer where transparent huge pages
// are available: the bound is then half a fault per page for both (scrypt
// writes its memory before reading it, so only huge pages help it), else
// 1.25 per page for argon2.
func TestPrefaultAvoidsPageFaults(t *testing.T) {
	if !prefaultEnabled {
		t.Skip("built with authctl_noprefault")
	}
	if os.Getenv("HASHER_PREFAULT_CHILD") != "" {
		faultsChild()
		return
	}
	thp, _ := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	hugePages := strings.Contains(string(thp), "[always]") || strings.Contains(string(thp), "[madvise]")
	for _, which := range []string{"argon2", "scrypt"} {
		if which == "scrypt" && !hugePages {
			continue
		}
		// The median of three fresh processes: now and then (about one
		// process in twenty-five on the project's loaded machine) the
		// heap does not hand x/crypto the prefaulted pages.
		var runs []int64
		var pages int64
		for range 3 {
			var faults int64
			faults, pages = childFaults(t, which)
			runs = append(runs, faults)
		}
		slices.Sort(runs)
		faults := runs[1]
		t.Logf("%s: %v minor faults for %d pages", which, runs, pages)
		if (hugePages && faults*2 > pages) || faults*4 > pages*5 {
			t.Errorf("%s: %d minor page faults for %d pages of hash memory: not prefaulted", which, faults, pages)
		}
	}
}

// childFaults hashes once in a fresh process and returns its minor faults
// and the pages of hash memory.
func childFaults(t *testing.T, which string) (faults, pages int64) {
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
	if _, err := fmt.Sscanf(string(out[i:]), "FAULTS %d PAGES %d", &faults, &pages); err != nil {
		t.Fatalf("child output: %v\n%s", err, out)
	}
	return faults, pages
}

func faultsChild() {
	var before, after syscall.Rusage
	var pages int
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	if os.Getenv("HASHER_PREFAULT_CHILD") == "argon2" {
		h := &argon2Hasher{time: 1, memory: 32 << 10, threads: 4, lim: DefaultLimits()}
		_, _ = h.Encode("pw", "")
		pages = argon2Bytes(32<<10, 4) / pageSize
	} else {
		h := &scryptHasher{n: 1 << 14, r: 8, p: 1, lim: DefaultLimits()}
		_, _ = h.Encode("pw", "")
		pages = scryptBytes(1<<14, 8) / pageSize
	}
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	fmt.Printf("FAULTS %d PAGES %d\n", after.Minflt-before.Minflt, pages)
}
