package output_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"authctl/internal/output"
)

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in      string
		allowed []output.Format
		want    output.Format
		wantErr string
	}{
		{in: "", allowed: []output.Format{output.Table, output.JSON}, want: output.Table},
		{in: "table", allowed: []output.Format{output.Table, output.JSON}, want: output.Table},
		{in: "json", allowed: []output.Format{output.Table, output.JSON}, want: output.JSON},
		{in: "jsonl", allowed: []output.Format{output.Table, output.JSON, output.JSONL}, want: output.JSONL},
		{in: "jsonl", allowed: []output.Format{output.Table, output.JSON}, wantErr: `invalid output format "jsonl": use one of table, json`},
		{in: "JSON", allowed: []output.Format{output.Table, output.JSON}, wantErr: `invalid output format "JSON": use one of table, json`},
		{in: "yaml", allowed: []output.Format{output.Table, output.JSON, output.JSONL}, wantErr: `invalid output format "yaml": use one of table, json, jsonl`},
	}
	for _, tt := range tests {
		got, err := output.ParseFormat(tt.in, tt.allowed...)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("ParseFormat(%q): error %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestTablePrinter(t *testing.T) {
	rows := [][]string{
		{"alice", "alice@example.com", "yes", "editors,readers"},
		{"bob", "", "no", ""},
		{"carol", "c@example.org", "yes", "x"},
	}
	tests := []struct {
		name string
		tty  bool
		rows [][]string
		want string
	}{
		{
			name: "terminal: header, aligned, no trailing blanks",
			tty:  true,
			rows: rows,
			want: "" +
				"NAME   EMAIL              ACTIVE  GROUPS\n" +
				"alice  alice@example.com  yes     editors,readers\n" +
				"bob                       no\n" +
				"carol  c@example.org      yes     x\n",
		},
		{
			name: "piped: tab-separated, no header, empty fields kept",
			rows: rows,
			want: "alice\talice@example.com\tyes\teditors,readers\nbob\t\tno\t\ncarol\tc@example.org\tyes\tx\n",
		},
		{
			name: "terminal: tabs and newlines in fields",
			tty:  true,
			rows: [][]string{{"a\tb", "line1\nline2\r\n", "x", "y"}},
			want: "NAME  EMAIL          ACTIVE  GROUPS\na b   line1 line2    x       y\n",
		},
		{
			name: "piped: tabs and newlines in fields",
			rows: [][]string{{"a\tb", "line1\nline2\r\n", "x", "y"}},
			want: "a b\tline1 line2  \tx\ty\n",
		},
		{name: "terminal, no rows: nothing", tty: true},
		{name: "piped, no rows: nothing"},
		{
			name: "wide characters count once",
			tty:  true,
			rows: [][]string{{"zoë", "é", "", ""}, {"al", "x", "", ""}},
			want: "NAME  EMAIL  ACTIVE  GROUPS\nzoë   é\nal    x\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			tp := output.NewTable(&buf, tt.tty, "NAME", "EMAIL", "ACTIVE", "GROUPS")
			for _, r := range tt.rows {
				if err := tp.Row(r...); err != nil {
					t.Fatal(err)
				}
			}
			if err := tp.Flush(); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s\n(%q)", got, tt.want, got)
			}
		})
	}
}

// Piped rows are written as they come, so a long listing streams.
func TestTablePrinterStreamsWhenPiped(t *testing.T) {
	var buf bytes.Buffer
	tp := output.NewTable(&buf, false, "A", "B")
	_ = tp.Row("1", "2")
	if buf.String() != "1\t2\n" {
		t.Errorf("after one row: %q", buf.String())
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestTablePrinterWriteErrors(t *testing.T) {
	if err := output.NewTable(failingWriter{}, false, "A").Row("x"); err == nil {
		t.Error("piped Row: no error from a failing writer")
	}
	tp := output.NewTable(failingWriter{}, true, "A")
	_ = tp.Row("x")
	if err := tp.Flush(); err == nil {
		t.Error("terminal Flush: no error from a failing writer")
	}
}

func TestJSONArray(t *testing.T) {
	type elem struct {
		Name string `json:"name"`
		N    int    `json:"n"`
	}
	tests := []struct {
		name  string
		elems []any
		want  string
	}{
		{name: "empty", want: "[]\n"},
		{name: "one", elems: []any{elem{"a", 1}}, want: "[\n  {\"name\":\"a\",\"n\":1}\n]\n"},
		{name: "several", elems: []any{elem{"a", 1}, elem{"b", 2}, "s"}, want: "[\n  {\"name\":\"a\",\"n\":1},\n  {\"name\":\"b\",\"n\":2},\n  \"s\"\n]\n"},
		{name: "no HTML escaping", elems: []any{elem{"<b>&co</b>", 0}}, want: "[\n  {\"name\":\"<b>&co</b>\",\"n\":0}\n]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			a := output.NewJSONArray(&buf)
			for _, e := range tt.elems {
				if err := a.Add(e); err != nil {
					t.Fatal(err)
				}
			}
			if err := a.Close(); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			var v []any
			if err := json.Unmarshal(buf.Bytes(), &v); err != nil || len(v) != len(tt.elems) {
				t.Errorf("not a JSON array of %d: %v, %v", len(tt.elems), v, err)
			}
		})
	}
}

// Elements are written as they are added, not held until Close.
func TestJSONArrayStreams(t *testing.T) {
	var buf bytes.Buffer
	a := output.NewJSONArray(&buf)
	_ = a.Add(1)
	if buf.String() != "[\n  1" {
		t.Errorf("after one element: %q", buf.String())
	}
	_ = a.Add(2)
	if buf.String() != "[\n  1,\n  2" {
		t.Errorf("after two elements: %q", buf.String())
	}
	// An element that cannot be encoded is an error and writes nothing.
	if err := a.Add(func() {}); err == nil {
		t.Error("no error for an unencodable element")
	}
	if buf.String() != "[\n  1,\n  2" {
		t.Errorf("a failed element wrote %q", buf.String())
	}
}

func TestWriteJSON(t *testing.T) {
	v := map[string]any{"html": "<a href=\"x\">&</a>", "list": []int{1, 2}}
	var buf bytes.Buffer
	if err := output.WriteJSON(&buf, v); err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"html\": \"<a href=\\\"x\\\">&</a>\",\n  \"list\": [\n    1,\n    2\n  ]\n}\n"
	if buf.String() != want {
		t.Errorf("WriteJSON: %q, want %q", buf.String(), want)
	}
	buf.Reset()
	if err := output.WriteJSONLine(&buf, v); err != nil {
		t.Fatal(err)
	}
	if want := "{\"html\":\"<a href=\\\"x\\\">&</a>\",\"list\":[1,2]}\n"; buf.String() != want {
		t.Errorf("WriteJSONLine: %q, want %q", buf.String(), want)
	}
	if strings.Count(buf.String(), "\n") != 1 {
		t.Error("WriteJSONLine wrote more than one line")
	}
}

func TestBool(t *testing.T) {
	if output.Bool(true) != "yes" || output.Bool(false) != "no" {
		t.Errorf("Bool: %q %q", output.Bool(true), output.Bool(false))
	}
}

// TestSanitize: escape sequences from names (failed logins, imports) must
// not reach a terminal as escapes; tabs and line breaks become spaces.
func TestSanitize(t *testing.T) {
	for in, want := range map[string]string{
		"plain ünïcode":             "plain ünïcode",
		"a\tb\nc\rd":                "a b c d",
		"evil\x1b[2J\x1b]0;pwned\a": `evil\x1b[2J\x1b]0;pwned\x07`,
		"c1\u009bx":                 `c1\x9bx`,
	} {
		if got := output.Sanitize(in); got != want {
			t.Errorf("Sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}
