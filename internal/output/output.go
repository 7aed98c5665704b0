// Package output prints results: a table on a terminal, tab-separated lines
// when piped, or JSON on request. Commands build rows or a view model; this
// package decides the form.
package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode"
)

// Format is the -o/--output value.
type Format string

// Formats.
const (
	Table Format = "table"
	JSON  Format = "json"
	JSONL Format = "jsonl"
	YAML  Format = "yaml"
)

// ParseFormat checks an -o value against the formats a command accepts.
func ParseFormat(s string, allowed ...Format) (Format, error) {
	if s == "" {
		return Table, nil
	}
	for _, f := range allowed {
		if Format(s) == f {
			return f, nil
		}
	}
	names := make([]string, len(allowed))
	for i, f := range allowed {
		names[i] = string(f)
	}
	return "", fmt.Errorf("invalid output format %q: use one of %s", s, strings.Join(names, ", "))
}

// WriteJSON writes v as indented JSON followed by a newline.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// WriteJSONLine writes v as one line of JSON.
func WriteJSONLine(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// TablePrinter prints rows. On a terminal the columns are aligned under a
// header; otherwise each row is one line of tab-separated fields with no
// header, for cut and awk (cli/cli's convention).
type TablePrinter struct {
	w      io.Writer
	tty    bool
	tw     *tabwriter.Writer
	buf    bytes.Buffer // the aligned table, before trailing blanks are cut
	header []string
	rows   int
}

// NewTable starts a table with the given column headers.
func NewTable(w io.Writer, isTTY bool, header ...string) *TablePrinter {
	t := &TablePrinter{w: w, tty: isTTY, header: header}
	if isTTY {
		t.tw = tabwriter.NewWriter(&t.buf, 0, 0, 2, ' ', 0)
	}
	return t
}

// Row adds one row. Tabs and newlines inside fields are replaced by spaces
// so that a field can never break the line format.
func (t *TablePrinter) Row(fields ...string) error {
	clean := make([]string, len(fields))
	for i, f := range fields {
		clean[i] = Sanitize(f)
	}
	if !t.tty {
		_, err := fmt.Fprintln(t.w, strings.Join(clean, "\t"))
		return err
	}
	if t.rows == 0 && len(t.header) > 0 {
		if _, err := fmt.Fprintln(t.tw, strings.Join(t.header, "\t")); err != nil {
			return err
		}
	}
	t.rows++
	_, err := fmt.Fprintln(t.tw, strings.Join(clean, "\t"))
	return err
}

// Flush writes out an aligned table. With a very long table on a terminal
// the alignment needs every row first; piped output streams row by row.
func (t *TablePrinter) Flush() error {
	if t.tw == nil {
		return nil
	}
	if err := t.tw.Flush(); err != nil {
		return err
	}
	// tabwriter pads every cell but the last, so a row whose last fields
	// are empty would end in blanks.
	var out bytes.Buffer
	for line := range bytes.Lines(t.buf.Bytes()) {
		out.Write(bytes.TrimRight(bytes.TrimSuffix(line, []byte("\n")), " "))
		out.WriteByte('\n')
	}
	t.buf.Reset()
	_, err := t.w.Write(out.Bytes())
	return err
}

// JSONArray streams a JSON array one element at a time, so that listing a
// million users does not hold them all in memory.
type JSONArray struct {
	w     io.Writer
	n     int
	begun bool
}

// NewJSONArray starts an array on w.
func NewJSONArray(w io.Writer) *JSONArray { return &JSONArray{w: w} }

// Add writes one element.
func (a *JSONArray) Add(v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	sep := ",\n  "
	if a.n == 0 {
		sep = "[\n  "
	}
	a.n++
	_, err := fmt.Fprintf(a.w, "%s%s", sep, b)
	return err
}

// Close ends the array; an empty array prints as [].
func (a *JSONArray) Close() error {
	if a.n == 0 {
		_, err := fmt.Fprintln(a.w, "[]")
		return err
	}
	_, err := fmt.Fprintln(a.w, "\n]")
	return err
}

// Sanitize makes text safe to print on a terminal: tabs and line breaks
// become spaces (so that a field cannot break a table's line format) and
// every other control character — an escape sequence could rewrite the
// reader's screen or title — is shown as \xNN. Names reach tables from
// failed logins and imported files, so they cannot be trusted.
func Sanitize(s string) string {
	clean := true
	for _, r := range s {
		if unicode.IsControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case unicode.IsControl(r):
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Bool renders a boolean for tables.
func Bool(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
