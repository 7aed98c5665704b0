package seed

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
)

// jsonUsersChunk is how many users of a JSON file one task decodes (a
// variable so that tests can make chunks of a few elements).
var jsonUsersChunk = 1024

// jsonUsers is a JSON users array decoded on several cores.
type jsonUsers struct {
	users []User // nil for an empty array
	at    []pos  // each user's line and column
	end   int    // the offset just after the array's ']'
}

// parallelJSONUsers decodes the users array whose key ends just before
// off, a chunk of jsonUsersChunk elements at a time on workers goroutines.
// A cheap scan finds where each element begins and ends; each chunk is
// then decoded by its own json.Decoder (unknown keys disallowed) over a
// copy of its elements, the commas between them blanked, and every element
// must decode cleanly and end where the scan said. ok is false for
// anything else — not an array, a syntax error, an element that does not
// decode, a key that is not known — and nothing has been read: the caller
// then reads the array element by element (jsonList), which reports every
// problem as it always did.
func parallelJSONUsers(data []byte, off int, lc *lineCounter, workers int) (ju jsonUsers, ok bool) {
	i := skipSpace(data, off)
	if i >= len(data) || data[i] != ':' {
		return ju, false
	}
	i = skipSpace(data, i+1)
	if i >= len(data) || data[i] != '[' {
		return ju, false
	}
	bounds, end, ok := jsonElements(data, i)
	if !ok {
		return ju, false
	}
	ju.end = end
	n := len(bounds) / 2
	if n == 0 {
		return ju, true
	}
	ju.at = make([]pos, n)
	tasks := (n + jsonUsersChunk - 1) / jsonUsersChunk
	// The position of each chunk's first element, in one pass over the
	// file; each task counts lines from there.
	firsts := make([]pos, tasks)
	for t := range firsts {
		firsts[t] = lc.posAt(int64(bounds[2*t*jsonUsersChunk]))
	}
	// Each task decodes into a chunk of its own, copied into place once
	// all have: writing the users straight into one slice of them all
	// made each write touch fresh memory while the collector ran, and
	// cost twice the CPU of the decode itself in a whole apply.
	chunks := make([][]User, tasks)
	ok = runTasks(tasks, workers, func(t int) bool {
		from, to := t*jsonUsersChunk, min(n, (t+1)*jsonUsersChunk)
		chunks[t] = make([]User, to-from)
		return decodeJSONUsersChunk(data, bounds[2*from:2*to], firsts[t], chunks[t], ju.at[from:to])
	})
	if !ok {
		return jsonUsers{}, false
	}
	ju.users = make([]User, 0, n)
	for t, ch := range chunks {
		ju.users = append(ju.users, ch...)
		chunks[t] = nil // free as we go
	}
	return ju, true
}

// decodeJSONUsersChunk decodes the elements bounds delimits (start and end
// offsets in data, in pairs) into users, and their positions into at; the
// first one is at first. It returns false unless every element decodes
// without an error and ends where bounds says. A plain element is read by
// fastJSONUser; the others, together, by one encoding/json decoder.
func decodeJSONUsersChunk(data []byte, bounds []int, first pos, users []User, at []pos) bool {
	base := bounds[0]
	lc := &lineCounter{data: data, pos: base, line: first.line, lineStart: base - first.col + 1}
	var slow []int
	for k := range users {
		if !fastJSONUser(data[bounds[2*k]:bounds[2*k+1]], &users[k]) {
			users[k] = User{}
			slow = append(slow, k)
		}
		at[k] = lc.posAt(int64(bounds[2*k]))
	}
	if len(slow) == 0 {
		return true
	}
	r := &elementsReader{data: data, bounds: bounds, elems: slow}
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	end := int64(0)
	for _, k := range slow {
		if err := dec.Decode(&users[k]); err != nil {
			return false
		}
		// Each element ends where it does in the reader's stream: its
		// length, after the earlier ones and a blank after each.
		end += int64(bounds[2*k+1] - bounds[2*k])
		if dec.InputOffset() != end {
			return false
		}
		end++
	}
	return true
}

// elementsReader reads the elements of data at the indexes elems (their
// offsets in bounds, in pairs), with a blank after each.
type elementsReader struct {
	data   []byte
	bounds []int
	elems  []int
	off    int // in the current element, its blank included
}

func (r *elementsReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && len(r.elems) > 0 {
		k := r.elems[0]
		elem := r.data[r.bounds[2*k]:r.bounds[2*k+1]]
		if r.off < len(elem) {
			c := copy(p[n:], elem[r.off:])
			n += c
			r.off += c
			continue
		}
		p[n] = ' '
		n++
		r.elems, r.off = r.elems[1:], 0
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// jsonElements scans the array that opens at data[open] and returns the
// start and end offsets of its elements, in pairs, and the offset just
// after its ']'. It checks only what lies between the elements (blanks and
// one comma); each element is checked when it is decoded. ok is false if
// the array is not well formed as far as it looks.
func jsonElements(data []byte, open int) (bounds []int, end int, ok bool) {
	i := skipSpace(data, open+1)
	if i < len(data) && data[i] == ']' {
		return nil, i + 1, true
	}
	for {
		e, ok := jsonValueEnd(data, i)
		if !ok {
			return nil, 0, false
		}
		bounds = append(bounds, i, e)
		i = skipSpace(data, e)
		if i >= len(data) {
			return nil, 0, false
		}
		switch data[i] {
		case ']':
			return bounds, i + 1, true
		case ',':
			i = skipSpace(data, i+1)
		default:
			return nil, 0, false
		}
	}
}

// jsonValueEnd returns the offset just after the JSON value that starts at
// data[i], found by matching brackets outside strings (not validating).
func jsonValueEnd(data []byte, i int) (int, bool) {
	if i >= len(data) {
		return 0, false
	}
	switch data[i] {
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				k, ok := jsonStringEnd(data, j)
				if !ok {
					return 0, false
				}
				j = k - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, true
				}
			}
		}
		return 0, false
	case '"':
		return jsonStringEnd(data, i)
	case ',', ':', '}', ']':
		return 0, false
	}
	j := i // a number or a literal
	for j < len(data) && bytes.IndexByte([]byte(" \t\r\n,:[]{}\""), data[j]) < 0 {
		j++
	}
	return j, true
}

// jsonStringEnd returns the offset just after the string that opens at
// data[i].
func jsonStringEnd(data []byte, i int) (int, bool) {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j + 1, true
		}
	}
	return 0, false
}

// skipSpace returns the offset of the first byte at or after i that is not
// JSON white space.
func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n') {
		i++
	}
	return i
}

// jsonStream is a json.Decoder whose offsets are data's: one resumed after
// a users array read apart (resumeJSON) reads data from base on.
type jsonStream struct {
	*json.Decoder
	base int64
}

// InputOffset is the offset in data of the decoder's position.
func (s *jsonStream) InputOffset() int64 { return s.base + s.Decoder.InputOffset() }

// jsonResumePrefix brings a fresh decoder to the state of one that has
// just read an array as the value of a top-level key: a ',' or the closing
// '}' comes next.
const jsonResumePrefix = `{"":[]`

// resumeJSON is a decoder of the top-level object of data that goes on at
// end, just after the value of a key, as the one that read the rest of
// data would have, with the same offsets and messages.
func resumeJSON(data []byte, end int) (*jsonStream, error) {
	d := json.NewDecoder(io.MultiReader(strings.NewReader(jsonResumePrefix), bytes.NewReader(data[end:])))
	d.DisallowUnknownFields()
	s := &jsonStream{Decoder: d, base: int64(end - len(jsonResumePrefix))}
	for range 4 { // {, "", [ and ]
		if _, err := d.Token(); err != nil {
			return s, err
		}
	}
	return s, nil
}
