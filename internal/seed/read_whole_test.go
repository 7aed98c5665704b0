package seed

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// TestReadWhole: the whole file from its start, whatever the size it was
// stat'ed at (a file that grew or shrank since), and a read error is
// returned.
func TestReadWhole(t *testing.T) {
	data := strings.Repeat("users:\n  - username: a\n", 1000)
	for _, size := range []int64{0, 1, int64(len(data)) - 1, int64(len(data)), int64(len(data)) + 1, 10 * int64(len(data)), -1} {
		got, err := readWhole(strings.NewReader(data), size)
		if err != nil || string(got) != data {
			t.Errorf("size %d: %d bytes, %v; want %d", size, len(got), err, len(data))
		}
	}
	broken := errors.New("disk on fire")
	if _, err := readWhole(failingReader{broken}, 10); !errors.Is(err, broken) {
		t.Errorf("error %v, want %v", err, broken)
	}
	if got, _ := readWhole(bytes.NewReader(nil), 0); len(got) != 0 {
		t.Errorf("empty file: %q", got)
	}
}

type failingReader struct{ err error }

func (f failingReader) ReadAt([]byte, int64) (int, error) { return 0, f.err }

var _ io.ReaderAt = failingReader{}
