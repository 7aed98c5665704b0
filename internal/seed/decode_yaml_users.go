package seed

import (
	"bytes"

	"go.yaml.in/yaml/v3"

	"authctl/internal/auth"
)

// yamlChunkItems is how many users are parsed into one YAML tree at a time
// (a variable so that tests can make batches of a few items).
var yamlChunkItems = 512

// yamlUsers is a users section decoded apart from the rest of its file.
type yamlUsers struct {
	// table holds the section's users, with their passwords and positions
	// resolved (userTable), and problems the problems of their password
	// sources, in the users' order.
	table    *auth.UserTable
	problems []error
}

// planYAMLSplit finds a file's block-style users section — a line
// "users:" at the first column, then one "- " item after another at one
// indentation — and plans its reading apart from the rest of the file, a
// few hundred items at a time, each batch through its own small YAML tree
// or the fast path, so that a file of 100,000 users never becomes one
// tree of millions of nodes (2 KiB a user). It returns the rest of the
// file with the section's lines left blank (so that lines keep their
// numbers), the batches, the items' indentation and the line of the users
// key. ok is false for a file it cannot split with certainty — no such
// section, a flow list, tabs, several documents, a lone CR (a line break
// to YAML, not to the line count) — which the caller then reads whole.
// What decoding a batch finds can still send the file to the whole
// reading (decodeYAMLBatches: an alias to an anchor in another batch, an
// anchor in the section, a batch that is not valid YAML on its own, a
// batch with a problem); the answer, and every problem reported, is the
// same either way.
func planYAMLSplit(data []byte) (rest []byte, batches []yamlBatch, indent, keyLine int, ok bool) {
	if loneCR(data) {
		return nil, nil, 0, 0, false
	}
	keyOff, end, indent, items, found := findYAMLUsers(data)
	if !found {
		return nil, nil, 0, 0, false
	}
	start := items[0]
	n := len(items)
	batches = make([]yamlBatch, (n+yamlChunkItems-1)/yamlChunkItems)
	line, prev := 1+bytes.Count(data[:start], []byte("\n")), start
	for b := range batches {
		k := b * yamlChunkItems
		from, to := items[k], end
		if k+yamlChunkItems < n {
			to = items[k+yamlChunkItems]
		}
		line += bytes.Count(data[prev:from], []byte("\n"))
		batches[b], prev = yamlBatch{from: int64(from), to: int64(to), first: k, n: min(yamlChunkItems, n-k), line: line}, from
	}
	rest = make([]byte, 0, start+bytes.Count(data[start:end], []byte("\n"))+len(data)-end)
	rest = append(rest, data[:start]...)
	for range bytes.Count(data[start:end], []byte("\n")) {
		rest = append(rest, '\n')
	}
	rest = append(rest, data[end:]...)
	return rest, batches, indent, 1 + bytes.Count(data[:keyOff], []byte("\n")), true
}

// yamlBatch is a batch of a users section: n items from item first on,
// the bytes [from, to) of the file, the first on line line; sum is their
// checksum (crc32c) where they are read again from a file
// (decode_yaml_stream.go).
type yamlBatch struct {
	from, to int64
	first, n int
	line     int
	sum      uint32
}

// decodeYAMLBatches decodes the batches of a users section whose items are
// at the column indent+1 on workers goroutines, each batch's bytes given
// by read (which may use the buffer's data), into a table; ok is false if
// read or a batch fails (decodeYAMLBatch). Each batch is decoded into its
// worker's buffers, used again for its next batch, and its users go into
// the users' table on the worker (addUsers, with opts: their password
// sources are resolved there, the environment looked up one name at a
// time), in the batches' order (orderedTables).
func decodeYAMLBatches(batches []yamlBatch, indent, workers int, opts DecodeOptions, read func(yamlBatch, *chunkBuf) ([]byte, bool)) (*yamlUsers, bool) {
	merge := newOrderedTables(len(batches), workers)
	opts = serialEnv(opts)
	ok := runTasks(len(batches), workers, merge.task(func(i int) bool {
		b := batches[i]
		buf := chunkBufs.Get().(*chunkBuf)
		defer chunkBufs.Put(buf)
		data, ok := read(b, buf)
		if !ok {
			return false
		}
		batch, at := grow(&buf.users, b.n), grow(&buf.at, b.n)
		clear(batch)
		if !decodeYAMLBatch(data, indent, b.line, batch, at, grow(&buf.boxes, b.n)) {
			clear(batch) // nothing of a failed batch kept alive by the buffer
			return false
		}
		merge.add(i, len(data), func(table *auth.UserTable) []error {
			return addUsers(table, batch, at, b.first, false, opts)
		})
		return true
	}))
	if !ok {
		return nil, false
	}
	return &yamlUsers{table: merge.users, problems: merge.problems}, true
}

// decodeYAMLBatch parses one batch of items (batch, whose first line is
// line firstLine of the file) and decodes them into users and their lines
// into lines. It returns false if the batch is not exactly len(users)
// items at the column indent+1, without anchors, or if any item has a
// problem: a file with problems is read whole (decodeYAML), which reports
// them. A batch of plain items is read without a node tree
// (fastYAMLUsers, into boxes); anything else through one.
func decodeYAMLBatch(batch []byte, indent, firstLine int, users []User, lines []pos, boxes []yamlUserBox) bool {
	if yamlFastPath && fastYAMLUsers(batch, indent, firstLine, users, lines, boxes) {
		return true
	}
	clear(users) // what the fast path read before it gave up
	var problems problemList
	return nodeYAMLBatch(batch, indent, firstLine, users, lines, &problems) && len(problems) == 0
}

// nodeYAMLBatch is decodeYAMLBatch through a node tree.
func nodeYAMLBatch(batch []byte, indent, firstLine int, users []User, lines []pos, problems *problemList) bool {
	var root yaml.Node
	if err := yaml.Unmarshal(batch, &root); err != nil {
		return false
	}
	seq := &root
	if seq.Kind == yaml.DocumentNode && len(seq.Content) == 1 {
		seq = seq.Content[0]
	}
	if seq.Kind != yaml.SequenceNode || len(seq.Content) != len(users) || seq.Column != indent+1 {
		return false
	}
	if hasAnchor(seq) {
		return false
	}
	shiftLines(seq, firstLine-1, 0)
	for i, item := range seq.Content {
		lines[i] = pos{line: item.Line}
		yamlItem("user", resolveAlias(item), &users[i], problems)
	}
	return true
}

// findYAMLUsers returns the offset of a block-style top-level users
// section's key line, the end of its items, their indentation, and the
// offset where each item begins; found is false unless the file has
// exactly one such section and nothing that would make splitting it
// uncertain.
func findYAMLUsers(data []byte) (keyOff, end, indent int, items []int, found bool) {
	y := newYAMLFinder()
	for off := 0; off < len(data); {
		nl := bytes.IndexByte(data[off:], '\n')
		next := len(data)
		if nl >= 0 {
			next = off + nl + 1
		}
		if !y.line(off, next, data[off:next]) {
			return 0, 0, 0, nil, false
		}
		if y.isItem {
			items = append(items, off)
		}
		off = next
	}
	if !y.finish(len(data)) {
		return 0, 0, 0, nil, false
	}
	return y.keyOff, y.end, y.indent, items, true
}

// yamlFinder is findYAMLUsers' reading of a file, fed one line at a time
// (line), so that a file can be read in pieces (decode_yaml_stream.go).
type yamlFinder struct {
	start, keyOff, end, indent int
	// inUsers: the last line was in the users section (after its key,
	// before the next top-level key); isItem: it began an item; items
	// counts those.
	inUsers, isItem bool
	items           int
}

func newYAMLFinder() *yamlFinder {
	return &yamlFinder{start: -1, keyOff: -1, indent: -1}
}

// line reads the file's line raw, from off to next (its line break
// included); it returns false if the file cannot be split.
func (y *yamlFinder) line(off, next int, raw []byte) bool {
	y.isItem = false
	line := bytes.TrimRight(raw, "\r\n")
	trimmed := bytes.TrimLeft(line, " ")
	col := len(line) - len(trimmed)
	switch {
	case bytes.IndexByte(line, '\t') >= 0 && y.inUsers:
		return false
	case bytes.HasPrefix(line, []byte("---")), bytes.HasPrefix(line, []byte("...")), bytes.HasPrefix(line, []byte("%")):
		return false // several documents, directives
	case len(trimmed) == 0 || trimmed[0] == '#':
		// blank or comment: part of whatever surrounds it
	case col == 0 && isUsersKey(line):
		if y.start >= 0 {
			return false // twice: let the full reader say so
		}
		y.start, y.keyOff, y.inUsers = next, off, true
	case y.inUsers && col == 0 && trimmed[0] != '-':
		y.end, y.inUsers = off, false // the next top-level key
	case y.inUsers:
		isItem := trimmed[0] == '-' && (len(trimmed) == 1 || trimmed[1] == ' ')
		switch {
		case y.indent < 0 && isItem:
			y.indent = col
			y.isItem = true
		case y.indent < 0 || col < y.indent:
			return false // not a block list of items
		case col == y.indent && isItem:
			y.isItem = true
		case col == y.indent:
			return false
		}
	}
	if y.isItem {
		y.items++
	}
	return true
}

// finish ends the reading of a file of size bytes; it returns whether the
// file has a section to split.
func (y *yamlFinder) finish(size int) bool {
	if y.start < 0 || y.items == 0 {
		return false
	}
	if y.inUsers {
		y.end = size
	}
	return true
}

// loneCR says whether data has a CR not followed by LF: a line break to
// YAML that the line count here would miss.
func loneCR(data []byte) bool {
	for i := bytes.IndexByte(data, '\r'); i >= 0; {
		if i+1 == len(data) || data[i+1] != '\n' {
			return true
		}
		next := bytes.IndexByte(data[i+1:], '\r')
		if next < 0 {
			return false
		}
		i += 1 + next
	}
	return false
}

// hasAnchor says whether n or a node under it defines an anchor.
func hasAnchor(n *yaml.Node) bool {
	if n.Anchor != "" {
		return true
	}
	for _, c := range n.Content {
		if hasAnchor(c) {
			return true
		}
	}
	return false
}

// isUsersKey says whether a line is "users:", maybe followed by blanks and
// a comment.
func isUsersKey(line []byte) bool {
	rest, ok := bytes.CutPrefix(line, []byte("users:"))
	if !ok {
		return false
	}
	rest = bytes.TrimLeft(rest, " ")
	return len(rest) == 0 || rest[0] == '#'
}

// shiftLines moves the positions of n and its descendants down by lines,
// and those on its first line right by cols.
func shiftLines(n *yaml.Node, lines, cols int) {
	if n.Line == 1 {
		n.Column += cols
	}
	n.Line += lines
	for _, c := range n.Content {
		shiftLines(c, lines, cols)
	}
}
