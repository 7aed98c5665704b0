package seed

import (
	"io"
	"math"
)

// readWhole reads r from its start to its end into a buffer made for size
// bytes (the file's size when it was stat'ed), as os.ReadFile does: one
// allocation, filled once. io.ReadAll grows its buffer by doubling, each
// time copying what it has read, with the last two buffers live together
// (for a 24 MB YAML file, about 50 MB at once). The first touch of the
// file's own memory remains, in read. A file that grew or shrank since is
// still read to its end.
func readWhole(r io.ReaderAt, size int64) ([]byte, error) {
	src := io.NewSectionReader(r, 0, math.MaxInt64-1)
	if size < 0 || size >= math.MaxInt32 {
		return io.ReadAll(src)
	}
	buf := make([]byte, 0, size+1) // +1: the read that finds the end needs room
	for {
		n, err := src.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // the file grew
		}
	}
}
