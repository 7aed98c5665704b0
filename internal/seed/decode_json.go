package seed

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

// decodeJSON reads a JSON seeding file one element at a time. Elements that
// decode cleanly cost one pass; one that does not is examined key by key,
// so that every unknown key and every value of the wrong type is reported
// with its own line, and decoding goes on with the next element. Only a
// syntax error stops it.
func decodeJSON(data []byte) (*File, sectionLines, error) {
	var (
		f        File
		lines    sectionLines
		problems problemList
	)
	lc := newLineCounter(data)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if _, err := dec.Token(); err != nil { // the '{' checked by the caller
		return nil, lines, jsonSyntax(lc, err)
	}
	for dec.More() {
		at := lc.lineAt(dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			return nil, lines, jsonSyntax(lc, err)
		}
		key, _ := tok.(string)
		switch key {
		case "permissions":
			err = jsonList(dec, data, lc, "permission", &lines.perms, &problems, func() any {
				f.Permissions = append(f.Permissions, Permission{})
				return &f.Permissions[len(f.Permissions)-1]
			})
		case "groups":
			err = jsonList(dec, data, lc, "group", &lines.groups, &problems, func() any {
				f.Groups = append(f.Groups, Group{})
				return &f.Groups[len(f.Groups)-1]
			})
		case "users":
			err = jsonList(dec, data, lc, "user", &lines.users, &problems, func() any {
				f.Users = append(f.Users, User{})
				return &f.Users[len(f.Users)-1]
			})
		case AssertKey: // read by the caller (apply checks it on the plan)
			var skip json.RawMessage
			err = dec.Decode(&skip)
		default:
			problems.add(at, "%s", unknownKey("top", key))
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			return nil, lines, jsonSyntax(lc, err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, lines, jsonSyntax(lc, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, lines, fmt.Errorf("%d: not valid JSON: more after the closing }", lc.lineAt(dec.InputOffset()))
	}
	if err := problems.err(); err != nil {
		return nil, lines, err
	}
	return &f, lines, nil
}

// jsonList decodes one array, an element at a time. It returns only the
// errors that stop decoding (bad syntax); the others go to problems.
func jsonList(dec *json.Decoder, data []byte, lc *lineCounter, kind string, lines *[]int, problems *problemList, next func() any) error {
	start := skipBlanks(data, dec.InputOffset())
	at := lc.lineAt(int64(start))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil { // null: no items
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		problems.add(at, "%ss must be a list", kind)
		return skipRest(dec, tok)
	}
	for dec.More() {
		start := skipBlanks(data, dec.InputOffset())
		line := lc.lineAt(int64(start))
		err := dec.Decode(next())
		*lines = append(*lines, line)
		if err == nil {
			continue
		}
		var se *json.SyntaxError
		if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) {
			return err
		}
		// The decoder has read the whole element: look at it closely.
		elem := data[start:dec.InputOffset()]
		before := len(*problems)
		jsonElementProblems(kind, elem, line, problems)
		if len(*problems) == before {
			problems.add(line, "%s: %v", kind, err)
		}
	}
	_, err = dec.Token()
	return err
}

// jsonElementProblems reports every unknown key and every value of the
// wrong type in one element (raw, which starts at line).
func jsonElementProblems(kind string, raw []byte, line int, problems *problemList) {
	lineOf := func(off int) int { return line + bytes.Count(raw[:min(off, len(raw))], []byte("\n")) }
	d := json.NewDecoder(bytes.NewReader(raw))
	tok, err := d.Token()
	if err != nil {
		return
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '{' {
		problems.add(line, "a %s must be an object with keys (%s)", kind, knownKeys[kind])
		return
	}
	fields := fieldTypes[kind]
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
			problems.add(lineOf(keyAt), "%s", unknownKey(kind, key))
			continue
		}
		if err := json.Unmarshal(val, reflect.New(t).Interface()); err != nil {
			problems.add(lineOf(valAt), "%s: %s must be %s, not %s", kind, key, describe(t), jsonShow(val))
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

func jsonSyntax(lc *lineCounter, err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("%d: not valid JSON: %s", lc.lineAt(se.Offset), se.Error())
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%d: not valid JSON: unexpected end of the file", lc.lineAt(int64(len(lc.data))))
	}
	return fmt.Errorf("0: not valid JSON: %v", err)
}

// lineCounter turns byte offsets into line numbers, remembering where it
// was so that a large file is scanned once.
type lineCounter struct {
	data []byte
	pos  int
	line int
}

func newLineCounter(data []byte) *lineCounter { return &lineCounter{data: data, line: 1} }

// lineAt returns the line of the first token at or after off (skipping
// blanks and the comma between elements).
func (c *lineCounter) lineAt(off int64) int {
	i := skipBlanks(c.data, off)
	if i < c.pos {
		c.pos, c.line = 0, 1
	}
	c.line += bytes.Count(c.data[c.pos:min(i, len(c.data))], []byte("\n"))
	c.pos = min(i, len(c.data))
	return c.line
}
