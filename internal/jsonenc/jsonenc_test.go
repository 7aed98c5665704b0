package jsonenc

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"
)

// marshal is what authctl's JSON output writes for v.
func marshal(t testing.TB, v any) ([]byte, error) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

func checkString(t testing.TB, s string) {
	t.Helper()
	want, err := marshal(t, s)
	if err != nil {
		t.Fatal(err)
	}
	if got := String([]byte("x"), s); !bytes.Equal(got[1:], want) || got[0] != 'x' {
		t.Fatalf("String(%q) = %s, encoding/json writes %s", s, got[1:], want)
	}
}

func TestStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{
		"", "alice", `quote " and \ backslash`, "tab\tnew\nline\rcr", "\b\f\x00\x01\x1f\x7f",
		"<html>&amp;</html>", "é ü 日本 🙂", "\u2028\u2029", "bad \xff\xfe utf-8", "\xed\xa0\x80 surrogate",
		"trailing \xc3", string(rune(0xfffd)),
	} {
		checkString(t, s)
	}
	// Random strings over the bytes that matter: ASCII, controls, escapes
	// and the leading bytes of multi-byte and invalid sequences.
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("aZ09 \"\\/<>&\t\n\r\b\f\x00\x1f\x7f\x80\xbf\xc3\xa9\xe2\x80\xa8\xa9\xf0\x9f\x99\x82\xff")
	for range 20000 {
		b := make([]byte, r.IntN(24))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		checkString(t, string(b))
	}
}

func FuzzString(f *testing.F) {
	for _, s := range []string{"", "a\"b", "\u2028", "\xff", "日本\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkString(t, s) })
}

func TestStrings(t *testing.T) {
	for _, list := range [][]string{nil, {}, {"a"}, {"a", "b\"", "\u2029"}} {
		want, err := marshal(t, list)
		if err != nil {
			t.Fatal(err)
		}
		if got := Strings(nil, list); !bytes.Equal(got, want) {
			t.Errorf("Strings(%#v) = %s, want %s", list, got, want)
		}
	}
}

func TestBool(t *testing.T) {
	if got := string(Bool(Bool(nil, true), false)); got != "truefalse" {
		t.Fatalf("Bool: %q", got)
	}
}

func checkTime(t testing.TB, tm time.Time) {
	t.Helper()
	want, werr := marshal(t, tm)
	got, gerr := Time([]byte("x"), tm)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("Time(%v): error %v, encoding/json's %v", tm, gerr, werr)
	}
	if werr != nil {
		if string(got) != "x" {
			t.Fatalf("Time(%v) failed but appended %q", tm, got[1:])
		}
		return
	}
	if !bytes.Equal(got[1:], want) {
		t.Fatalf("Time(%v) = %s, encoding/json writes %s", tm, got[1:], want)
	}
}

func TestTimeMatchesEncodingJSON(t *testing.T) {
	zones := []*time.Location{time.UTC, time.FixedZone("", 0), time.FixedZone("p", 5*3600+30*60), time.FixedZone("m", -8*3600),
		time.FixedZone("s", 3600+59), time.FixedZone("big", 24*3600), time.FixedZone("neg", -25*3600)}
	for _, tm := range []time.Time{{}, time.Date(2024, 2, 29, 23, 59, 59, 123456789, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2020, 1, 1, 0, 0, 0, 1000, time.UTC)} {
		for _, z := range zones {
			checkTime(t, tm.In(z))
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		tm := time.Unix(r.Int64N(400_000_000_000)-200_000_000_000, r.Int64N(1e9)).In(zones[r.IntN(len(zones))])
		if r.IntN(4) == 0 {
			tm = tm.Truncate(time.Second)
		}
		checkTime(t, tm)
	}
}

func TestTimePtr(t *testing.T) {
	if got, err := TimePtr(nil, nil); err != nil || string(got) != "null" {
		t.Fatalf("TimePtr(nil) = %q, %v", got, err)
	}
	tm := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	if got, err := TimePtr(nil, &tm); err != nil || string(got) != `"2025-01-02T03:04:05Z"` {
		t.Fatalf("TimePtr = %q, %v", got, err)
	}
}

func BenchmarkString(b *testing.B) {
	s := "user0001234@example.com"
	buf := make([]byte, 0, 64)
	b.Run("jsonenc", func(b *testing.B) {
		for b.Loop() {
			buf = String(buf[:0], s)
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		for b.Loop() {
			if _, err := json.Marshal(s); err != nil {
				b.Fatal(err)
			}
		}
	})
}
