package validate

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestMain checks, before any test can touch it, that neither package
// initialisation nor building and describing the default validators
// decompresses the embedded list: the binary's "check" command must not pay
// for it.
func TestMain(m *testing.M) {
	if n := defaultListLoads.Load(); n != 0 {
		panic("common-password list loaded at package init")
	}
	s, err := New(DefaultSpecs())
	if err != nil {
		panic(err)
	}
	_ = s.HelpTexts()
	if err := s.Validate("0", nil); err == nil {
		panic("short password accepted") // similarity, length, numeric; common loads here
	}
	if n := defaultListLoads.Load(); n != 1 {
		panic("common-password list not loaded exactly once on first use")
	}
	os.Exit(m.Run())
}

func TestEmbeddedListFacts(t *testing.T) {
	facts := mustVectors(t).CommonPasswordList
	sum := sha256.Sum256(commonPasswordsGz)
	if got := hex.EncodeToString(sum[:]); got != CommonPasswordsSHA256 || got != facts.GzSHA256 {
		t.Fatalf("embedded gz SHA-256 = %s, want %s", got, facts.GzSHA256)
	}
	if len(commonPasswordsGz) != facts.GzBytes {
		t.Errorf("gz size %d, want %d", len(commonPasswordsGz), facts.GzBytes)
	}
	set := defaultPasswords()
	if len(set) != 19727 || len(set) != facts.Distinct {
		t.Errorf("%d entries, want 19727 (vectors: %d)", len(set), facts.Distinct)
	}
	zr, err := gzip.NewReader(bytes.NewReader(commonPasswordsGz))
	if err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	if _, err := raw.ReadFrom(zr); err != nil {
		t.Fatal(err)
	}
	usum := sha256.Sum256(raw.Bytes())
	if got := hex.EncodeToString(usum[:]); got != "bc1047c49db981097765cd0754e0d9295e786de5f72251e0cf3a50e1f6b0e303" {
		t.Errorf("uncompressed SHA-256 = %s", got)
	}
	lines := strings.Split(raw.String(), "\n")
	if len(lines) != facts.Lines {
		t.Errorf("%d lines, want %d", len(lines), facts.Lines)
	}
	for i, w := range facts.First5 {
		if lines[i] != w {
			t.Errorf("line %d = %q, want %q", i+1, lines[i], w)
		}
	}
	minLen, maxLen := 1<<30, 0
	var withSpace []string
	for e := range set {
		if e != pyLower(e) && !facts.ContainsUppercase {
			t.Errorf("entry %q is not lower-case", e)
		}
		if strings.Contains(e, " ") {
			withSpace = append(withSpace, e)
		}
		n := utf8.RuneCountInString(e)
		minLen, maxLen = min(minLen, n), max(maxLen, n)
	}
	if minLen != facts.ShortestLen || maxLen != facts.LongestLen {
		t.Errorf("lengths %d..%d, want %d..%d", minLen, maxLen, facts.ShortestLen, facts.LongestLen)
	}
	if len(withSpace) != 1 || withSpace[0] != facts.EntriesWithSpace[0] {
		t.Errorf("entries with a space: %q, want %q", withSpace, facts.EntriesWithSpace)
	}
	if _, ok := set[""]; ok {
		t.Error(`"" is in the list`)
	}
}

func TestParsePasswordList(t *testing.T) {
	set, err := parsePasswordList([]byte("One\r\n  two \rthree\n\nfour\u3000\nlast"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"One", "two", "three", "", "four", "last"}
	if len(set) != len(want) {
		t.Errorf("got %d entries %v, want %q", len(set), set, want)
	}
	for _, w := range want {
		if _, ok := set[w]; !ok {
			t.Errorf("missing %q in %v", w, set)
		}
	}
	if _, err := parsePasswordList([]byte("ok\n\xff\xfe\n")); err == nil {
		t.Error("invalid UTF-8 accepted")
	}
	if _, err := parsePasswordList([]byte{0x1f, 0x8b, 0, 1, 2}); err == nil {
		t.Error("corrupt gzip accepted")
	}
}

func TestCustomPasswordListPath(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "list.txt")
	if err := os.WriteFile(plain, []byte("hunter2\r\nCorrectHorse\n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("swordfish\n"))
	zw.Close()
	gzPath := filepath.Join(dir, "list.gz")
	if err := os.WriteFile(gzPath, gz.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path, pw string
		common   bool
	}{
		{plain, " HUNTER2 ", true},
		{plain, "password", false},     // the default list is replaced
		{plain, "correcthorse", false}, // entries are not lowered (Django neither)
		{plain, "", true},              // the blank line put "" in the set
		{gzPath, "SwordFish", true},
		{gzPath, "hunter2", false},
	} {
		s := mustNew(t, Spec{Name: "common_password", Options: map[string]any{"password_list_path": tc.path}})
		if got := s.Validate(tc.pw, nil) != nil; got != tc.common {
			t.Errorf("%s: %q common = %v, want %v", filepath.Base(tc.path), tc.pw, got, tc.common)
		}
	}
	_, err := New([]Spec{{Name: "common_password", Options: map[string]any{"password_list_path": filepath.Join(dir, "missing")}}})
	if err == nil || !strings.Contains(err.Error(), "password_list_path") {
		t.Errorf("missing file: err = %v", err)
	}
}
