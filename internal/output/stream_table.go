package output

import (
	"bufio"
	"bytes"
	"unicode/utf8"
)

// streamChunk is how many rows a StreamTable aligns at a time.
const streamChunk = 4096

// StreamTable prints a table that may have a million rows in memory that
// does not grow with them. Piped, it writes each row as it comes, like
// TablePrinter. On a terminal it aligns the rows a chunk of streamChunk at
// a time: a column is as wide as its widest cell so far, so a column may
// widen from one chunk to the next but never narrows. A table of up to
// streamChunk rows is printed exactly as TablePrinter prints it.
type StreamTable struct {
	w      *bufio.Writer
	tty    bool
	header []string
	rows   [][]string
	widths []int
	begun  bool
}

// NewStreamTable starts a table with the given column headers on w (which
// the caller flushes after Flush).
func NewStreamTable(w *bufio.Writer, isTTY bool, header ...string) *StreamTable {
	return &StreamTable{w: w, tty: isTTY, header: header, widths: make([]int, len(header))}
}

// Row adds one row; fields are sanitized as TablePrinter's are.
func (t *StreamTable) Row(fields ...string) error {
	if !t.tty {
		for i, f := range fields {
			if i > 0 {
				t.w.WriteByte('\t')
			}
			t.w.WriteString(Sanitize(f))
		}
		return t.w.WriteByte('\n')
	}
	if !t.begun && len(t.header) > 0 {
		t.begun = true
		t.rows = append(t.rows, t.header)
	}
	clean := make([]string, len(fields))
	for i, f := range fields {
		clean[i] = Sanitize(f)
	}
	t.rows = append(t.rows, clean)
	if len(t.rows) >= streamChunk {
		return t.flushChunk()
	}
	return nil
}

// Flush writes the rows not yet written.
func (t *StreamTable) Flush() error {
	if !t.tty {
		return nil
	}
	return t.flushChunk()
}

// flushChunk aligns and writes the buffered rows as text/tabwriter does
// with padding 2: every cell but a row's last is padded with blanks to
// its column's width plus two, and trailing blanks are cut.
func (t *StreamTable) flushChunk() error {
	for _, row := range t.rows {
		for i, c := range row {
			if i == len(row)-1 {
				break
			}
			for i >= len(t.widths) {
				t.widths = append(t.widths, 0)
			}
			t.widths[i] = max(t.widths[i], utf8.RuneCountInString(c))
		}
	}
	var line []byte
	for _, row := range t.rows {
		line = line[:0]
		for i, c := range row {
			line = append(line, c...)
			if i < len(row)-1 {
				for range t.widths[i] + 2 - utf8.RuneCountInString(c) {
					line = append(line, ' ')
				}
			}
		}
		line = append(bytes.TrimRight(line, " "), '\n')
		if _, err := t.w.Write(line); err != nil {
			return err
		}
	}
	clear(t.rows)
	t.rows = t.rows[:0]
	return nil
}
