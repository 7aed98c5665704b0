package seed

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// decodeJSON reads a JSON seeding file one element at a time. Elements that
// decode cleanly cost one pass; one that does not is examined key by key,
// so that every unknown key and every value of the wrong type is reported
// with its own line, and decoding goes on with the next element. Only a
// syntax error stops it.
//
// With workers above one, a users array is decoded on that many goroutines
// when it decodes cleanly (parallelJSONUsers), with the same result.
func decodeJSON(data []byte, workers int) (*File, sectionLines, *yaml.Node, error) {
	var (
		f        File
		lines    = sectionLines{json: true}
		problems problemList
		assert   *yaml.Node
		users    chunked[User]
	)
	lc := newLineCounter(data)
	dec := &jsonStream{Decoder: json.NewDecoder(bytes.NewReader(data))}
	dec.DisallowUnknownFields()
	if _, err := dec.Token(); err != nil { // the '{' checked by the caller
		return nil, lines, nil, dec.syntax(lc, err)
	}
	var seen topKeys
	for dec.More() {
		at := lc.lineAt(dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			return nil, lines, nil, dec.syntax(lc, err)
		}
		key, _ := tok.(string)
		if first, again := seen.see(key, at); again {
			problems.add(at, "%s", duplicateKey(key, first))
			if err := dec.skipValue(); err != nil {
				return nil, lines, nil, dec.syntax(lc, err)
			}
			continue
		}
		switch key {
		case "permissions":
			err = jsonList(dec, data, lc, "permission", "permissions", &lines.perms, &problems, func() any {
				f.Permissions = append(f.Permissions, Permission{})
				return &f.Permissions[len(f.Permissions)-1]
			})
		case "groups":
			err = jsonList(dec, data, lc, "group", "groups", &lines.groups, &problems, func() any {
				f.Groups = append(f.Groups, Group{})
				return &f.Groups[len(f.Groups)-1]
			})
		case "users":
			if workers > 1 {
				if ju, ok := parallelJSONUsers(data, int(dec.InputOffset()), lc, workers); ok {
					f.Users, lines.users = ju.users, ju.at
					dec, err = resumeJSON(data, ju.end)
					break
				}
			}
			err = jsonList(dec, data, lc, "user", "users", &lines.users, &problems, func() any { return users.add() })
			f.Users = users.all()
		case AssertKey: // read by the caller (apply checks it on the plan)
			assert, err = jsonNode(dec, data, lc)
		default:
			problems.add(at, "%s", unknownKey("top", key))
			err = dec.skipValue()
		}
		if err != nil {
			return nil, lines, nil, dec.syntax(lc, err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, lines, nil, dec.syntax(lc, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, lines, nil, notJSON{fmt.Errorf("%d: not valid JSON: more after the closing }", lc.lineAt(dec.InputOffset()))}
	}
	if err := problems.err(); err != nil {
		return nil, lines, nil, err
	}
	return &f, lines, assert, nil
}

// jsonNode reads the next JSON value from dec as a YAML node, with the
// line and column of each value in data, for a caller that reads YAML
// nodes (the assert section). It converts token by token rather than
// handing the text to the YAML parser, which refuses some valid JSON (tabs
// between tokens, the escape \/).
func jsonNode(dec *jsonStream, data []byte, lc *lineCounter) (*yaml.Node, error) {
	at := lc.posAt(int64(skipBlanks(data, dec.InputOffset())))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	n := &yaml.Node{Line: at.line, Column: at.col}
	switch v := tok.(type) {
	case json.Delim:
		n.Kind, n.Tag, n.Style = yaml.SequenceNode, "!!seq", yaml.FlowStyle
		if v == '{' {
			n.Kind, n.Tag = yaml.MappingNode, "!!map"
		}
		for dec.More() {
			if n.Kind == yaml.MappingNode {
				key, err := jsonNode(dec, data, lc)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, key)
			}
			val, err := jsonNode(dec, data, lc)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, val)
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return nil, err
		}
	case string:
		n.Kind, n.Tag, n.Value, n.Style = yaml.ScalarNode, "!!str", v, yaml.DoubleQuotedStyle
	case json.Number:
		n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!float", v.String()
		if _, err := v.Int64(); err == nil {
			n.Tag = "!!int"
		}
	case float64:
		n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!float", strconv.FormatFloat(v, 'g', -1, 64)
	case bool:
		n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!bool", strconv.FormatBool(v)
	case nil:
		n.Kind, n.Tag, n.Value = yaml.ScalarNode, "!!null", "null"
	}
	return n, nil
}

// jsonList decodes one array (the section named section), an element at a
// time. It returns only the errors that stop decoding (bad syntax); the
// others go to problems, each with its line, column and JSON path.
func jsonList(dec *jsonStream, data []byte, lc *lineCounter, kind, section string, lines *[]pos, problems *problemList, next func() any) error {
	start := skipBlanks(data, dec.InputOffset())
	at := lc.posAt(int64(start))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil { // null: no items
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		problems.addAt(at, "%ss must be a list", kind)
		return skipRest(dec.Decoder, tok)
	}
	for dec.More() {
		start := skipBlanks(data, dec.InputOffset())
		at := lc.posAt(int64(start))
		path := section + "[" + strconv.Itoa(len(*lines)) + "]"
		err := dec.Decode(next())
		*lines = append(*lines, at)
		if err == nil {
			continue
		}
		var se *json.SyntaxError
		end := int(dec.InputOffset())
		if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || end < start {
			// The file ends inside the list (found by fuzzing: a
			// truncated file once sliced past its end here).
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
		// The decoder has read the whole element: look at it closely.
		elem := data[start:end]
		before := len(*problems)
		jsonElementProblems(kind, path, elem, at, problems)
		if len(*problems) == before {
			problems.addAt(at, "%s: %s: %v", path, kind, err)
		}
	}
	_, err = dec.Token()
	return err
}

// jsonElementProblems reports every unknown key and every value of the
// wrong type in one element (raw, which starts at at; path is its JSON
// path).
func jsonElementProblems(kind, path string, raw []byte, at pos, problems *problemList) {
	posOf := func(off int) pos {
		off = min(off, len(raw))
		nl := bytes.LastIndexByte(raw[:off], '\n')
		if nl < 0 {
			return pos{at.line, at.col + off}
		}
		return pos{at.line + bytes.Count(raw[:off], []byte("\n")), off - nl}
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	tok, err := d.Token()
	if err != nil {
		return
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '{' {
		problems.addAt(at, "%s: a %s must be an object with keys (%s)", path, kind, knownKeys(kind))
		return
	}
	fields := fieldTypes()[kind]
	for d.More() {
		keyAt := skipBlanks(raw, d.InputOffset())
		tok, err := d.Token()
		if err != nil {
			return
		}
		key, _ := tok.(string)
		valAt := skipBlanks(raw, d.InputOffset())
		var val json.RawMessage
		if err := d.Decode(&val); err != nil {
			return
		}
		t, known := fields[key]
		if !known {
			problems.addAt(posOf(keyAt), "%s: %s", path, unknownKey(kind, key))
			continue
		}
		if err := json.Unmarshal(val, reflect.New(t).Interface()); err != nil {
			problems.addAt(posOf(valAt), "%s.%s: must be %s, not %s", path, key, describe(t), jsonShow(val))
		}
	}
}

// jsonShow quotes a JSON value for messages, shortened.
func jsonShow(v json.RawMessage) string {
	s := strings.Join(strings.Fields(string(v)), " ")
	if len(s) > 40 {
		s = s[:37] + "..."
	}
	return s
}

// skipRest skips what is left of a value whose first token was tok.
func skipRest(dec *json.Decoder, tok json.Token) error {
	if _, ok := tok.(json.Delim); !ok {
		return nil
	}
	for depth := 1; depth > 0; {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		if d, ok := t.(json.Delim); ok {
			if d == '[' || d == '{' {
				depth++
			} else {
				depth--
			}
		}
	}
	return nil
}

// skipBlanks returns the offset of the first byte at or after off that is
// not white space or the separator between elements or after a key.
func skipBlanks(data []byte, off int64) int {
	i := int(off)
	for i < len(data) && strings.IndexByte(" \t\r\n,:", data[i]) >= 0 {
		i++
	}
	return i
}

// skipValue reads the next value and drops it (a section given twice, an
// unknown key's value).
func (s *jsonStream) skipValue() error {
	var skip json.RawMessage
	return s.Decode(&skip)
}

// syntax is the message for an error from s's decoder. A json.Decoder's
// offset of a syntax error inside a value counts only the bytes it decoded
// values from (not the delimiters it read as tokens, nor the blanks before
// them), which put the error columns or lines too early; the place given
// is that of the first byte that makes the file invalid JSON, found by
// scanning the file again (one pass, only when it has an error).
func (s *jsonStream) syntax(lc *lineCounter, err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		at := lc.posAt(s.base + se.Offset)
		var whole *json.SyntaxError
		if errors.As(json.Unmarshal(lc.data, new(struct{})), &whole) && whole.Offset > 0 {
			at = bytePos(lc.data, int(whole.Offset-1))
		}
		return notJSON{fmt.Errorf("%d:%d: not valid JSON: %s", at.line, at.col, se.Error())}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return notJSON{fmt.Errorf("%d: not valid JSON: unexpected end of the file", lc.lineAt(int64(len(lc.data))))}
	}
	return notJSON{fmt.Errorf("0: not valid JSON: %v", err)}
}

// notJSON is the error of a file that is not JSON at all, as opposed to
// JSON with wrong values: a file that starts with '{' and is not JSON may
// be YAML written as a flow mapping.
type notJSON struct{ error }

// bytePos is the line and column of data[off].
func bytePos(data []byte, off int) pos {
	off = min(off, len(data))
	return pos{1 + bytes.Count(data[:off], []byte("\n")), off - bytes.LastIndexByte(data[:off], '\n')}
}

// lineCounter turns byte offsets into lines and columns, remembering where
// it was so that a large file is scanned once.
type lineCounter struct {
	data      []byte
	pos       int
	line      int
	lineStart int // offset of the first byte of line
}

func newLineCounter(data []byte) *lineCounter { return &lineCounter{data: data, line: 1} }

// lineAt returns the line of the first token at or after off (skipping
// blanks and the comma between elements).
func (c *lineCounter) lineAt(off int64) int { return c.posAt(off).line }

// posAt returns the line and column (in bytes, from 1) of the first token
// at or after off.
func (c *lineCounter) posAt(off int64) pos {
	i := min(skipBlanks(c.data, off), len(c.data))
	if i < c.pos {
		c.pos, c.line, c.lineStart = 0, 1, 0
	}
	seg := c.data[c.pos:i]
	if n := bytes.Count(seg, []byte("\n")); n > 0 {
		c.line += n
		c.lineStart = c.pos + bytes.LastIndexByte(seg, '\n') + 1
	}
	c.pos = i
	return pos{c.line, i - c.lineStart + 1}
}
