package auth

import (
	"math"
	"strconv"
)

// DocPos is where a user was declared, kept as numbers: a document of a
// million users would otherwise hold two million strings made for
// messages that are almost never printed. The text is made when a problem
// is reported (DocUser.loc).
type DocPos struct {
	// File is the input's name in messages ("seed.json", "stdin"); it is
	// shared by every user, not copied.
	File string
	// Line and Col (in bytes, from 1; 0 when unknown) of the user's item.
	Line, Col uint32
	// Item is the user's index in the file's users section; with JSON set,
	// messages carry its JSON path ("users[1234]").
	Item uint32
	JSON bool
}

// MakeDocPos is the position of item index of a users section at line and
// col of file; ok is false when a number does not fit (a file of more
// than four thousand million lines or users), which the caller then says
// in DocUser.Where and Path instead.
func MakeDocPos(file string, line, col, index int, json bool) (p DocPos, ok bool) {
	if line <= 0 || line > math.MaxUint32 || col < 0 || col > math.MaxUint32 || index < 0 || index > math.MaxUint32 {
		return DocPos{}, false
	}
	return DocPos{File: file, Line: uint32(line), Col: uint32(col), Item: uint32(index), JSON: json}, true
}

// loc is where d was declared: Where when set, else Pos as text
// ("seed.json:12:3").
func (d *DocUser) loc() string {
	if d.Where != "" || d.Pos.Line == 0 {
		return d.Where
	}
	s := d.Pos.File + ":" + strconv.FormatUint(uint64(d.Pos.Line), 10)
	if d.Pos.Col > 0 {
		s += ":" + strconv.FormatUint(uint64(d.Pos.Col), 10)
	}
	return s
}

// path is d's JSON path: Path when set, else the one Pos gives, else "".
func (d *DocUser) path() string {
	if d.Path != "" || d.Where != "" || !d.Pos.JSON || d.Pos.Line == 0 {
		return d.Path
	}
	return "users[" + strconv.FormatUint(uint64(d.Pos.Item), 10) + "]"
}

// at is where a field of d was declared (see at).
func (d *DocUser) at(field string) string { return at(d.loc(), d.path(), field) }

// Loc is where d was declared, as messages say it ("seed.json:12:3"),
// and its JSON path ("users[3]") when it has one.
func (d *DocUser) Loc() (where, path string) { return d.loc(), d.path() }
