package seed

import (
	"bufio"
	"bytes"
	"hash/crc32"
	"io"
	"math"

	"go.yaml.in/yaml/v3"

	"authctl/internal/auth"
)

// A large YAML file is not held whole either (DecodeFile): one pass reads
// it a block at a time, as findYAMLUsers reads it, keeping the rest of the
// file (its users section's lines left blank) and where each batch of
// items begins, with its line and the checksum of its bytes; the workers
// then read each batch again into their own buffers, check it, and decode
// it as decodeYAML does a file held whole. Anything that would make
// decodeYAML read the file whole does here too, and so does a byte
// order mark, a '{' first (JSON, or YAML in flow style, read whole), or a batch that is not
// what the first pass read.

// decodeYAMLStreamed decodes the YAML file r with its users section read
// a batch at a time; ok is false when the caller must read it whole.
func decodeYAMLStreamed(r io.ReaderAt, opts DecodeOptions, workers int) (doc *auth.Document, assert *yaml.Node, ok bool) {
	rest, batches, indent, keyLine, ok := scanYAMLUsers(r)
	if !ok {
		return nil, nil, false
	}
	opts = decodeDefaults(opts)
	if opts.BeforeYAML != nil {
		opts.BeforeYAML()
	}
	return yamlSplitDecode(rest, batches, indent, keyLine, workers, opts, func(b yamlBatch, buf *chunkBuf) ([]byte, bool) {
		data := grow(&buf.data, int(b.to-b.from))
		if !readChecked(r, data, b.from, b.sum) {
			return nil, false
		}
		return data, true
	})
}

// scanYAMLUsers reads r once, a line at a time, as planYAMLSplit reads a
// file held whole: it returns the rest of the file, the batches of the
// users section (with their checksums), the items' indentation and the
// line of the users key; ok is false where planYAMLSplit would not split
// the file, or for a file Decode would not read as YAML as it is (a byte
// order mark, a '{' first: JSON, or YAML in flow style, read whole).
func scanYAMLUsers(r io.ReaderAt) (rest []byte, batches []yamlBatch, indent, keyLine int, ok bool) {
	br := bufio.NewReaderSize(io.NewSectionReader(r, 0, math.MaxInt64-1), streamBlock)
	var (
		y        = newYAMLFinder()
		off      int // of the current line
		line     = 1 // its number
		long     []byte
		seen     bool // a byte that is not a blank was read
		blanking bool // in the users section, from its first item on
		sum      uint32
	)
	// endBatch ends the last batch at to.
	endBatch := func(to int) {
		if last := len(batches) - 1; last >= 0 && batches[last].to < 0 {
			batches[last].to, batches[last].sum = int64(to), sum
		}
	}
	for {
		raw, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			long = append(long[:0], raw...)
			for err == bufio.ErrBufferFull {
				raw, err = br.ReadSlice('\n')
				long = append(long, raw...)
			}
			raw = long
		}
		if err != nil && err != io.EOF {
			return nil, nil, 0, 0, false // read again whole, which reports the error
		}
		if len(raw) > 0 {
			if off == 0 && bytes.HasPrefix(raw, []byte("\ufeff")) {
				return nil, nil, 0, 0, false
			}
			if !seen {
				if t := bytes.TrimLeft(raw, " \t\r\n"); len(t) > 0 {
					if t[0] == '{' {
						return nil, nil, 0, 0, false
					}
					seen = true
				}
			}
			// A CR must end the line, before its LF (loneCR).
			if i := bytes.IndexByte(raw, '\r'); i >= 0 && (i != len(raw)-2 || raw[len(raw)-1] != '\n') {
				return nil, nil, 0, 0, false
			}
			next := off + len(raw)
			wasIn := y.inUsers
			if !y.line(off, next, raw) {
				return nil, nil, 0, 0, false
			}
			switch {
			case y.keyOff == off:
				keyLine = line
			case y.isItem && (y.items-1)%yamlChunkItems == 0:
				endBatch(off)
				batches = append(batches, yamlBatch{from: int64(off), to: -1, first: y.items - 1, line: line})
				sum, blanking = 0, true
			case wasIn && !y.inUsers: // the next top-level key
				endBatch(off)
				blanking = false
			}
			nl := raw[len(raw)-1] == '\n'
			if blanking {
				sum = crc32.Update(sum, castagnoli(), raw)
				if nl {
					rest = append(rest, '\n')
				}
			} else {
				rest = append(rest, raw...)
			}
			if nl {
				line++
			}
			off = next
		}
		if err == io.EOF {
			break
		}
	}
	if !y.finish(off) {
		return nil, nil, 0, 0, false
	}
	endBatch(off)
	for b := range batches {
		batches[b].n = min(yamlChunkItems, y.items-batches[b].first)
	}
	return rest, batches, y.indent, keyLine, true
}
