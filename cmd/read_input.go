package cmd

import (
	"bytes"
	"io"
	"os"
	"path/filepath"

	"authctl/internal/cmdutil"
)

// readInput reads a file argument, "-" meaning standard input, and
// returns its name for messages and its directory. It reserves the heap
// that decoding the input will fill (reserveHeapFor).
func readInput(f *cmdutil.Factory, path string) (data []byte, name, dir string, err error) {
	if path == "-" {
		data, err = readReserving(f.IO.In)
		return data, "stdin", "", err
	}
	file, err := os.Open(path)
	if err != nil {
		return nil, "", "", cmdutil.FlagErrorf("%v", err)
	}
	defer file.Close()
	data, err = readReserving(file)
	if err != nil {
		return nil, "", "", cmdutil.FlagErrorf("%v", err)
	}
	return data, path, filepath.Dir(path), nil
}

// reserveForFile reserves the heap for decoding file when it is a regular
// file, whose size is then known before it is read. It returns the size,
// and whether the file is a regular one.
func reserveForFile(file *os.File) (size int64, regular bool) {
	fi, err := file.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return 0, false
	}
	reserveHeapFor(fi.Size())
	return fi.Size(), true
}

// readReserving reads r whole and reserves the heap its decode will fill.
// A regular file (standard input redirected from one, too) tells its size
// first: the reservation is made before the read, and the data read into
// one buffer of that size, on the reserved pages. It reads from the
// file's offset, as a read of standard input does (seed.DecodeFile reads
// a named file from its start). Anything else (a pipe) is read in blocks,
// and joined once the reservation is made.
func readReserving(r io.Reader) ([]byte, error) {
	if file, ok := r.(*os.File); ok {
		if size, regular := reserveForFile(file); regular {
			buf := bytes.NewBuffer(make([]byte, 0, size+bytes.MinRead))
			_, err := buf.ReadFrom(file)
			return buf.Bytes(), err
		}
	}
	return readBlocks(r)
}

// The blocks readBlocks reads into: the first small, for the usual small
// input, then each twice the last, up to the largest.
const (
	firstReadBlock = 64 << 10
	maxReadBlock   = 4 << 20
)

// readBlocks reads r to its end in blocks, reserves the heap for what it
// read, and joins the blocks into one buffer allocated after the
// reservation. A buffer grown as the data comes (io.ReadAll) copies it at
// each growth into fresh pages: a 24 MB pipe faulted in three times its
// size, 4 KiB at a time.
func readBlocks(r io.Reader) ([]byte, error) {
	var blocks [][]byte
	total, size := 0, firstReadBlock
	for {
		b := make([]byte, size)
		n, err := io.ReadFull(r, b)
		blocks, total = append(blocks, b[:n]), total+n
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, err
		}
		size = min(2*size, maxReadBlock)
	}
	if len(blocks) == 1 {
		return blocks[0], nil
	}
	reserveHeapFor(int64(total))
	data := make([]byte, 0, total)
	for _, b := range blocks {
		data = append(data, b...)
	}
	return data, nil
}
