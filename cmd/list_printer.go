package cmd

import (
	"authctl/internal/cmdutil"
	"authctl/internal/output"
)

// listing is how a list command prints what its service streams: a JSON
// array, JSON lines or a table, and on a terminal a line on stderr when the
// table came out empty, so that an empty list is never a blank screen. A
// pipe gets nothing for an empty table: scripts count lines.
type listing[T any] struct {
	header []string
	row    func(T) []string
	view   func(T) any
	empty  string
}

// print runs each once, handing it the function that prints one item.
func (l listing[T]) print(f *cmdutil.Factory, p printing, each func(func(T) error) error) error {
	switch p.Format {
	case output.JSON:
		arr := output.NewJSONArray(f.IO.Out)
		if err := each(func(v T) error { return arr.Add(l.view(v)) }); err != nil {
			return err
		}
		return arr.Close()
	case output.JSONL:
		return each(func(v T) error { return output.WriteJSONLine(f.IO.Out, l.view(v)) })
	}
	t := output.NewTable(f.IO.Out, f.IO.IsStdoutTTY(), l.header...)
	n := 0
	if err := each(func(v T) error {
		n++
		return t.Row(l.row(v)...)
	}); err != nil {
		return err
	}
	if err := t.Flush(); err != nil {
		return err
	}
	if n == 0 && f.IO.IsStdoutTTY() {
		say(f, p, "%s", l.empty)
	}
	return nil
}
