package validate

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// commonPasswordsGz is Django 3.2's common-passwords.txt.gz, byte for byte
// (Debian python3-django 3.2.25). Its SHA-256 is asserted in the tests.
//
//go:embed common-passwords.txt.gz
var commonPasswordsGz []byte

// CommonPasswordsSHA256 is the SHA-256 of the embedded gzip file.
const CommonPasswordsSHA256 = "a73d3d14f1e9ee570a18232dc1edfd129dc9c0da4315da2b69ad6d92914a6fe6"

// defaultListLoads counts decompressions of the embedded list (tests assert
// that nothing loads it before the first common-password check).
var defaultListLoads atomic.Int32

// passwordSet is the set CommonPasswordValidator checks against.
type passwordSet map[string]struct{}

// defaultPasswords decompresses and parses the embedded list the first time
// it is needed; programs that never check a password never pay for it.
var defaultPasswords = sync.OnceValue(func() passwordSet {
	defaultListLoads.Add(1)
	set, err := parsePasswordList(commonPasswordsGz)
	if err != nil {
		panic("validate: embedded common-password list is corrupt: " + err.Error())
	}
	return set
})

// loadPasswordList reads a custom password_list_path, gzip or plain text.
func loadPasswordList(path string) (passwordSet, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	set, err := parsePasswordList(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return set, nil
}

// parsePasswordList mirrors
//
//	with gzip.open(path, 'rt', encoding='utf-8') as f:   # or open(path)
//	    passwords = {x.strip() for x in f}
//
// Data that starts with the gzip magic number is decompressed (Django tries
// gzip first and falls back to plain text when the file is not gzip). Text
// must be UTF-8. Lines end at "\n", "\r\n" or "\r" (Python's universal
// newlines); each line is stripped with Python strip() semantics. Blank
// lines therefore put "" into the set, exactly as in Django.
func parsePasswordList(data []byte) (passwordSet, error) {
	if len(data) >= 2 && data[0] == 0x1f && data[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("reading gzip: %w", err)
		}
		data, err = io.ReadAll(zr)
		if err != nil {
			return nil, fmt.Errorf("reading gzip: %w", err)
		}
	}
	if !utf8.Valid(data) {
		return nil, errors.New("password list is not valid UTF-8")
	}
	text := string(data)
	set := make(passwordSet, 20000)
	for len(text) > 0 {
		i := strings.IndexAny(text, "\r\n")
		if i < 0 {
			set[pyStrip(text)] = struct{}{}
			break
		}
		set[pyStrip(text[:i])] = struct{}{}
		if text[i] == '\r' && i+1 < len(text) && text[i+1] == '\n' {
			i++
		}
		text = text[i+1:]
	}
	return set, nil
}
