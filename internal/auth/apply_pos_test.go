package auth

import (
	"math"
	"testing"
)

// TestDocPos: a user's position kept as numbers reads as the text it
// replaces, Where and Path given as text win, and a number too large for
// DocPos is refused (the caller then gives the text).
func TestDocPos(t *testing.T) {
	pos := func(line, col, item int, json bool) DocPos {
		p, ok := MakeDocPos("seed.json", line, col, item, json)
		if !ok {
			t.Fatalf("MakeDocPos(%d, %d, %d) refused", line, col, item)
		}
		return p
	}
	for _, tc := range []struct {
		d           DocUser
		where, path string
		at          string
	}{
		{DocUser{Pos: pos(12, 3, 1234, true)}, "seed.json:12:3", "users[1234]", "seed.json:12:3: users[1234].email"},
		{DocUser{Pos: pos(7, 0, 2, false)}, "seed.json:7", "", "seed.json:7"},
		{DocUser{Where: "dump.json: item 3", Pos: pos(7, 1, 2, true)}, "dump.json: item 3", "", "dump.json: item 3"},
		{DocUser{Where: "seed.json:1:9", Path: "users[0]"}, "seed.json:1:9", "users[0]", "seed.json:1:9: users[0].email"},
		{DocUser{}, "", "", ""},
	} {
		where, path := tc.d.Loc()
		if where != tc.where || path != tc.path {
			t.Errorf("%+v: Loc() = %q, %q; want %q, %q", tc.d, where, path, tc.where, tc.path)
		}
		if got := tc.d.at("email"); got != tc.at {
			t.Errorf("%+v: at(email) = %q, want %q", tc.d, got, tc.at)
		}
	}
	for _, bad := range [][3]int{{0, 1, 0}, {-1, 0, 0}, {1, -1, 0}, {1, 0, -1}, {math.MaxUint32 + 1, 0, 0}, {1, math.MaxUint32 + 1, 0}, {1, 0, math.MaxUint32 + 1}} {
		if _, ok := MakeDocPos("f", bad[0], bad[1], bad[2], true); ok {
			t.Errorf("MakeDocPos%v accepted", bad)
		}
	}
}
