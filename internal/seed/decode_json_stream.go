package seed

import (
	"errors"
	"hash/crc32"
	"io"
	"os"
	"sync"

	"go.yaml.in/yaml/v3"

	"authctl/internal/auth"
)

// streamMinSize is the size from which DecodeFile reads a JSON file's
// users in pieces instead of holding the whole file (a variable so that
// tests can stream small files).
var streamMinSize int64 = 4 << 20

// streamBlock is how much of the file one read of the scan takes.
var streamBlock = 1 << 20

// DecodeFile is DecodeWithAssert of the file r (a seeding file opened
// for reading), with the same result. A large JSON file whose users are
// one array of objects over several lines is not held whole: one pass
// reads it a block at a time, keeping the rest of the file (with the
// users' lines left blank, so that every line and column keeps its
// number) and where each chunk of users begins; the chunks are then read
// again and decoded on every core. Anything that pass is not sure of — a
// byte order mark, a key written with escapes, two users keys, an
// element that does not decode cleanly — reads the file whole and decodes
// it as DecodeWithAssert does, which reports every problem with its line.
// A large YAML file's block-style users section is read the same way, a
// batch of items at a time (decode_yaml_stream.go), where planYAMLSplit
// would split the file held whole.
//
// The file is read twice, so it is checked not to have changed in
// between: each chunk read again must hold the bytes the first pass saw
// (a checksum of each), and the file's size and times must be as before
// the first pass; otherwise it is read whole. r is read from its start,
// whatever its offset; anything but a regular file (a pipe) is read
// whole from where it is. The users' password sources are resolved as
// their chunks are decoded, so a file that changed meanwhile has its
// password files read again with the rest.
func DecodeFile(r *os.File, opts DecodeOptions) (*auth.Document, *yaml.Node, error) {
	st, err := r.Stat()
	if err != nil || !st.Mode().IsRegular() {
		data, err := io.ReadAll(r)
		if err != nil {
			return nil, nil, err
		}
		return DecodeWithAssert(data, opts)
	}
	if before := opts.BeforeYAML; before != nil {
		// Called once, though a YAML file read in pieces may then be read
		// whole.
		called := false
		opts.BeforeYAML = func() {
			if !called {
				called = true
				before()
			}
		}
	}
	if st.Size() >= streamMinSize {
		if doc, assert, err, ok := decodeStreamed(r, opts, decodeWorkers()); ok && unchanged(r, st) {
			return doc, assert, err
		}
		if doc, assert, ok := decodeYAMLStreamed(r, opts, decodeWorkers()); ok && unchanged(r, st) {
			yamlFileStreamed()
			return doc, assert, nil
		}
	}
	data, err := readWhole(r, st.Size())
	if err != nil {
		return nil, nil, err
	}
	return DecodeWithAssert(data, opts)
}

// yamlFileStreamed is called when DecodeFile answers from a YAML file
// read in pieces (tests count it).
var yamlFileStreamed = func() {}

// unchanged reports whether the open file r still has the size and the
// modification and change times of before, as fstat says.
func unchanged(r *os.File, before os.FileInfo) bool {
	now, err := r.Stat()
	return err == nil && now.Size() == before.Size() && now.ModTime().Equal(before.ModTime()) && changeTime(now).Equal(changeTime(before))
}

// decodeStreamed decodes r with its users read in pieces; ok is false when
// the caller must read the file whole instead.
func decodeStreamed(r io.ReaderAt, opts DecodeOptions, workers int) (doc *auth.Document, assert *yaml.Node, err error, ok bool) {
	rest, sc, ok := scanJSONUsers(r)
	if !ok {
		return nil, nil, nil, false
	}
	opts = decodeDefaults(opts)
	users, problems, ok := streamJSONUsers(r, sc, workers, opts)
	if !ok {
		return nil, nil, nil, false
	}
	// The users decoded cleanly: whatever else is wrong with the file is
	// found in the rest, at the same lines and columns.
	f, lines, assert, err := decodeJSON(rest, workers)
	if errors.As(err, new(notJSON)) && !hasExt(opts.Name, ".json") {
		return nil, nil, nil, false // maybe flow YAML: DecodeWithAssert decides
	}
	if err != nil {
		return nil, nil, fileProblems(opts, err), true
	}
	if len(f.Users) != 0 || len(lines.users) != 0 {
		return nil, nil, nil, false // cannot be: the rest's users array is empty
	}
	doc = toDocument(f, lines, opts)
	doc.UserTable, doc.Problems = users, append(problems, doc.Problems...)
	return doc, assert, nil, true
}

// usersChunk is a run of users elements in the file: its first element
// begins at from, its last ends at to, and from is at first. Its region,
// [from, end), also holds what follows its last element up to the next
// chunk or the array's ']', so that the regions of the chunks are the
// whole array's contents; sum is their checksum (crc32c) as the scan read
// them.
type usersChunk struct {
	from, to, end int64
	n             int
	first         pos
	sum           uint32
}

// castagnoli is the CRC32C table, made at first use: every command links
// this package, and only a large apply needs it.
var castagnoli = sync.OnceValue(func() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) })

// streamScan is what scanJSONUsers found of the users array.
type streamScan struct {
	chunks []usersChunk
	n      int
}

// elementSpecial and stringSpecial are the bytes scanJSONUsers looks at in
// a users element, outside and inside a string: the brackets, quotes,
// backslashes and line breaks that change its state or the line. They
// are literals, so that no command pays for building them at start-up.
var (
	elementSpecial = [256]bool{'"': true, '{': true, '}': true, '[': true, ']': true, '\n': true}
	stringSpecial  = [256]bool{'"': true, '\\': true, '\n': true}
)

// scanJSONUsers reads r once, a block at a time. It returns the file with
// the elements of its top-level users array replaced by blanks — only the
// line breaks are kept, and the blanks of the array's last line, so that
// everything after it has its line and column — and the chunks of
// jsonUsersChunk elements. It checks what lies between the elements (one
// comma, blanks) and that each element is an object; each element is
// checked when it is decoded. ok is false for a file it cannot read that
// way (see DecodeFile), or one whose users array has no line break (the
// rest would be as large as the file).
func scanJSONUsers(r io.ReaderAt) (rest []byte, sc streamScan, ok bool) {
	const (
		top        = iota // before the top-level '{'
		inObject          // in the top-level object, outside the users array
		inArray           // in the users array, between elements
		inElement         // in an element of the users array
		afterArray        // after the users array's ']'
	)
	var (
		state      = top
		off        int64 // offset of buf[0]
		line       = 1
		lineStart  int64 // offset of the first byte of line
		depth      int   // of brackets: 1 in the top-level object
		inString   bool
		escaped    bool
		keyStart   = -1   // in rest, where the current string begins
		keyEscape  bool   // the current string has an escape
		lastKey    []byte // the last string read in the top-level object
		wantValue  bool   // a ':' after the key "users" was read: its value comes next
		usersSeen  bool
		elemDepth  int
		needComma  bool // in the array: an element was read, a ',' or ']' must come
		sawComma   bool
		cur        usersChunk
		lineBlanks int  // blanks owed to rest for the array's current line
		arrayBreak bool // the array holds a line break
		// the region of the chunk being read: its checksum so far, and
		// where its bytes not yet summed begin in buf (-1: no region)
		sum     uint32
		sumFrom = -1
	)
	// endRegion ends the region of the last chunk found at buf[i] (at).
	endRegion := func(buf []byte, i int, at int64) {
		if sumFrom < 0 || len(sc.chunks) == 0 {
			return
		}
		last := &sc.chunks[len(sc.chunks)-1]
		last.end, last.sum = at, crc32.Update(sum, castagnoli(), buf[sumFrom:i])
		sum, sumFrom = 0, -1
	}
	buf := make([]byte, streamBlock)
	for {
		n, rerr := r.ReadAt(buf, off)
		for i := 0; i < n; i++ {
			if state == inElement && !escaped {
				// Most of the file is the users' elements, where only a
				// few bytes matter: the rest is skipped in a tight loop,
				// counted as blanks owed to the line. (An escaped byte is
				// always looked at.)
				special := &elementSpecial
				if inString {
					special = &stringSpecial
				}
				j := i
				for j < n && !special[buf[j]] {
					j++
				}
				lineBlanks += j - i
				if i = j; i == n {
					break
				}
			}
			c := buf[i]
			at := off + int64(i)
			if c == '\n' { // no position is taken of a line break itself
				line, lineStart = line+1, at+1
			}
			switch state {
			case top:
				switch c {
				case ' ', '\t', '\r', '\n':
				case '{':
					state, depth = inObject, 1
				default:
					return nil, sc, false // a BOM, YAML, not an object
				}
				rest = append(rest, c)
			case inObject, afterArray:
				rest = append(rest, c)
				if inString {
					switch {
					case escaped:
						escaped = false
					case c == '\\':
						escaped, keyEscape = true, true
					case c == '"':
						inString = false
						if depth == 1 {
							lastKey = append(lastKey[:0], rest[keyStart+1:len(rest)-1]...)
							if keyEscape {
								lastKey = append(lastKey[:0], '\\') // never "users"
							}
						}
					}
					break
				}
				switch c {
				case '"':
					inString, keyStart, keyEscape = true, len(rest)-1, false
				case ':':
					wantValue = depth == 1 && string(lastKey) == "users"
					if wantValue {
						if usersSeen {
							return nil, sc, false // a second users key
						}
						usersSeen = true
					}
					continue
				case '{', '[':
					if wantValue {
						if c != '[' {
							return nil, sc, false
						}
						state, wantValue = inArray, false
						continue
					}
					depth++
				case '}', ']':
					depth--
				case ' ', '\t', '\r', '\n':
					continue
				}
				if depth == 1 && c != '"' {
					lastKey = lastKey[:0]
				}
				if wantValue {
					return nil, sc, false // the users value is not an array
				}
			case inArray:
				switch c {
				case ' ', '\t', '\r':
					lineBlanks++
				case '\n':
					rest = append(rest, '\n')
					lineBlanks, arrayBreak = 0, true
				case ',':
					if !needComma || sawComma {
						return nil, sc, false
					}
					sawComma = true
					lineBlanks++
				case '{':
					if needComma && !sawComma {
						return nil, sc, false
					}
					state, elemDepth = inElement, 1
					needComma, sawComma = true, false
					if cur.n == 0 {
						endRegion(buf, i, at)
						cur = usersChunk{from: at, first: pos{line, int(at-lineStart) + 1}}
						sum, sumFrom = 0, i
					}
					lineBlanks++
				case ']':
					if sawComma {
						return nil, sc, false
					}
					if cur.n > 0 {
						sc.chunks = append(sc.chunks, cur)
					}
					endRegion(buf, i, at)
					for range lineBlanks {
						rest = append(rest, ' ')
					}
					rest = append(rest, ']')
					state = afterArray
				default:
					return nil, sc, false // not an object: decoded whole, with its problems
				}
			case inElement:
				// JSON strings hold no line break: one is a blank
				// between the element's tokens.
				if c == '\n' {
					rest = append(rest, '\n')
					lineBlanks, arrayBreak = 0, true
				} else {
					lineBlanks++
				}
				if inString {
					switch {
					case escaped:
						escaped = false
					case c == '\\':
						escaped = true
					case c == '"':
						inString = false
					}
					break
				}
				switch c {
				case '"':
					inString = true
				case '{', '[':
					elemDepth++
				case '}', ']':
					elemDepth--
					if elemDepth == 0 {
						state = inArray
						cur.to, cur.n = at+1, cur.n+1
						sc.n++
						if cur.n == jsonUsersChunk {
							sc.chunks = append(sc.chunks, cur)
							cur = usersChunk{}
						}
					}
				}
			}
		}
		if sumFrom >= 0 {
			sum, sumFrom = crc32.Update(sum, castagnoli(), buf[sumFrom:n]), 0
		}
		off += int64(n)
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return nil, sc, false // read again whole, which reports the error
		}
	}
	if state != afterArray || !arrayBreak {
		return nil, sc, false
	}
	return rest, sc, true
}
