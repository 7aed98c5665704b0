package cmd

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// heapFaultsChild, in a child process (a fresh heap), allocates 48 MiB
// in small pieces, after prefaultHeap when asked, and prints the minor
// page faults the allocation took.
func heapFaultsChild() {
	path := os.Getenv("AUTHCTL_TEST_PREFAULT_FILE")
	if os.Getenv("AUTHCTL_TEST_PREFAULT") == "1" {
		prefaultHeap(path)
	}
	var before, after syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	keep := make([][]byte, 0, 48<<10)
	for range 48 << 10 {
		b := make([]byte, 1<<10)
		b[0] = 1
		keep = append(keep, b)
	}
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	os.Stdout.WriteString("\nfaults: " + strconv.FormatInt(after.Minflt-before.Minflt, 10) + "\n")
	_ = keep
}

// After prefaultHeap the decode's heap grows into pages the kernel has
// mapped already: allocating what the file's size announces takes a
// fraction of the page faults it takes in a process without it.
func TestPrefaultHeapSavesFaults(t *testing.T) {
	if os.Getenv("AUTHCTL_TEST_PREFAULT") != "" {
		heapFaultsChild()
		return
	}
	file := filepath.Join(t.TempDir(), "seed.json")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	// 16 MiB of input: 64 MiB of heap populated, more than the child
	// allocates.
	if err := f.Truncate(16 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	faults := func(prefault string) int {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestPrefaultHeapSavesFaults$")
		cmd.Env = append(os.Environ(), "AUTHCTL_TEST_PREFAULT="+prefault, "AUTHCTL_TEST_PREFAULT_FILE="+file, "GOGC=off")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("child: %v", err)
		}
		for line := range strings.Lines(string(out)) {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "faults: "); ok {
				if n, err := strconv.Atoi(v); err == nil {
					return n
				}
			}
		}
		t.Fatalf("child printed %q", out)
		return 0
	}
	without, with := faults("0"), faults("1")
	t.Logf("page faults allocating 48 MiB: %d without a prefault, %d after one", without, with)
	if without < 4<<10 {
		t.Skipf("allocating 48 MiB took only %d faults without a prefault (huge pages?)", without)
	}
	if with*4 > without {
		t.Errorf("page faults allocating 48 MiB after prefaultHeap: %d, want under a quarter of %d", with, without)
	}
}
