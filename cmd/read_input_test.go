package cmd

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
	"testing/iotest"

	"authctl/internal/hugepage"
)

// readBlocks gives back exactly what it read, whatever the sizes of the
// input and of the reads that deliver it.
func TestReadBlocks(t *testing.T) {
	for _, n := range []int{0, 1, firstReadBlock - 1, firstReadBlock, firstReadBlock + 1, 3*firstReadBlock + 7, maxReadBlock + 3*firstReadBlock} {
		want := make([]byte, n)
		for i := range want {
			want[i] = byte(i * 7)
		}
		for name, r := range map[string]io.Reader{
			"whole":    bytes.NewReader(want),
			"one byte": iotest.OneByteReader(bytes.NewReader(want)),
			"half":     iotest.HalfReader(bytes.NewReader(want)),
		} {
			if name == "one byte" && n > 4*firstReadBlock {
				continue // slow, and no different from "half"
			}
			got, err := readBlocks(r)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%d bytes, %s: got %d bytes (equal: %v), error %v", n, name, len(got), bytes.Equal(got, want), err)
			}
		}
	}
}

func TestReadBlocksError(t *testing.T) {
	boom := errors.New("boom")
	r := io.MultiReader(bytes.NewReader(make([]byte, firstReadBlock+10)), iotest.ErrReader(boom))
	if got, err := readBlocks(r); !errors.Is(err, boom) || got != nil {
		t.Errorf("readBlocks of a failing reader = %d bytes, %v; want nothing and the error", len(got), err)
	}
}

// A regular file, standard input redirected from one included, is read
// into one buffer of its size, from its offset (a read of standard input
// starts where the shell left it).
func TestReadReservingFile(t *testing.T) {
	want := bytes.Repeat([]byte("users: []\n"), 100_000)
	path := filepath.Join(t.TempDir(), "seed.yaml")
	if err := os.WriteFile(path, want, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, offset := range []int64{0, 10} {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.Seek(offset, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		got, err := readReserving(f)
		if err != nil || !bytes.Equal(got, want[offset:]) {
			t.Fatalf("readReserving from offset %d = %d bytes, %v; want the file's %d from there", offset, len(got), err, len(want)-int(offset))
		}
		// The buffer the file's size asked for, not one grown as the data
		// came (readBlocks' would have the data's size exactly).
		if cap(got) != len(want)+bytes.MinRead {
			t.Errorf("offset %d: buffer capacity %d, want %d: not the one sized from the file", offset, cap(got), len(want)+bytes.MinRead)
		}
	}
}

func TestHeapReserveFor(t *testing.T) {
	for size, want := range map[int64]int{
		1:                      heapPerInputByte,
		25 << 20:               75 << 20,
		maxHeapReserve:         maxHeapReserve / heapPerInputByte * heapPerInputByte,
		1 << 40:                maxHeapReserve / heapPerInputByte * heapPerInputByte,
		maxHeapReserve/3 + 1e6: maxHeapReserve / heapPerInputByte * heapPerInputByte,
	} {
		if got := heapReserveFor(size); got != want {
			t.Errorf("heapReserveFor(%d) = %d, want %d", size, got, want)
		}
	}
}

// A memory limit the user set (GOMEMLIMIT) turns the reservation off.
func TestReserveHeapForKeepsTheUsersLimit(t *testing.T) {
	if prev := debug.SetMemoryLimit(-1); prev != math.MaxInt64 {
		t.Skipf("the test process runs with a memory limit (%d)", prev)
	}
	debug.SetMemoryLimit(1 << 40)
	defer debug.SetMemoryLimit(math.MaxInt64)
	if p := reserveHeapFor(100 << 20); p != (hugepage.Plan{}) {
		t.Errorf("reserveHeapFor under a memory limit = %+v, want nothing", p)
	}
	if p := reserveHeapFor(0); p != (hugepage.Plan{}) {
		t.Errorf("reserveHeapFor(0) = %+v, want nothing", p)
	}
}
