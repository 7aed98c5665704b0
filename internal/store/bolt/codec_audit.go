package bolt

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/bits"
	"strings"
	"time"

	"authctl/internal/store"
)

// auditCodecVersion is the first byte of a binary audit record:
//
//	version byte (0x03)
//	seq: uvarint
//	time: zigzag varint of Unix seconds, uvarint of nanoseconds
//	action, target, result, os_user, session_user, detail:
//	uvarint length ‖ bytes
//	prev, hash: a digest, below
//
// A digest is a tag byte and then
//
//	digestText  (0): uvarint length ‖ bytes, any string
//	digestHex   (1): 32 bytes; the string is their 64 lowercase hex digits
//	digestKeyed (2): 32 bytes; the string is keyedPrefix and their hex
//
// Prev and Hash are such hex digests in every record the auth package
// writes (the unkeyed and the keyed chain, and the genesis value), so a
// record keeps 33 bytes of each instead of 77 or 65. Anything
// else (uppercase hex, another length, invalid UTF-8) is kept as text: every
// string reads back byte for byte (FuzzAuditCodec). Times read back in UTC,
// as the JSON records' "…Z" times do; the store keeps instants, not
// Locations (store package doc).
//
// JSON never starts with 0x03, so audit records written as JSON by earlier
// releases still decode, beside binary ones in the same bucket, without a
// schema version change.
const auditCodecVersion = 0x03

const (
	digestText = iota
	digestHex
	digestKeyed
)

// keyedPrefix is the auth package's prefix of a keyed chain's hash
// (internal/auth/auditchain.go).
const keyedPrefix = "hmac-sha256:"

const digestLen = 32

var errAuditShort = errors.New("binary audit record is truncated")

// encodeAuditRecord is rec's binary encoding, in a buffer of its exact size
// (bbolt keeps it until the commit, and an apply writes a record per user).
func encodeAuditRecord(rec *store.AuditRecord) []byte {
	prev, hash := parseDigest(rec.Prev), parseDigest(rec.Hash)
	sec := rec.Time.Unix()
	n := 1 + uvarintLen(rec.Seq) + uvarintLen(uint64(sec<<1^sec>>63)) + uvarintLen(uint64(rec.Time.Nanosecond()))
	for _, s := range [...]string{rec.Action, rec.Target, rec.Result, rec.OSUser, rec.SessionUser, rec.Detail} {
		n += uvarintLen(uint64(len(s))) + len(s)
	}
	n += prev.size() + hash.size()
	return appendAuditDigests(make([]byte, 0, n), rec, &prev, &hash)
}

func appendAuditDigests(b []byte, rec *store.AuditRecord, prev, hash *digest) []byte {
	b = append(b, auditCodecVersion)
	b = binary.AppendUvarint(b, rec.Seq)
	b = appendTime(b, rec.Time)
	for _, s := range [...]string{rec.Action, rec.Target, rec.Result, rec.OSUser, rec.SessionUser, rec.Detail} {
		b = appendString(b, s)
	}
	return hash.append(prev.append(b))
}

func uvarintLen(x uint64) int { return (bits.Len64(x|1) + 6) / 7 }

// digest is a Prev or Hash as it is stored.
type digest struct {
	tag  byte
	raw  [digestLen]byte // digestHex, digestKeyed
	text string          // digestText
}

// parseDigest finds the stored form of s: raw bytes when s is 64
// lowercase hex digits (the only form hex encoding gives back), after
// keyedPrefix or alone; else s itself.
func parseDigest(s string) digest {
	d := digest{tag: digestHex}
	digits := s
	if rest, ok := strings.CutPrefix(s, keyedPrefix); ok {
		d.tag, digits = digestKeyed, rest
	}
	if len(digits) != 2*digestLen {
		return digest{tag: digestText, text: s}
	}
	for i := range d.raw {
		hi, lo := hexDigit[digits[2*i]], hexDigit[digits[2*i+1]]
		if hi == 0 || lo == 0 {
			return digest{tag: digestText, text: s}
		}
		d.raw[i] = (hi-1)<<4 | (lo - 1)
	}
	return d
}

func (d *digest) size() int {
	if d.tag == digestText {
		return 1 + uvarintLen(uint64(len(d.text))) + len(d.text)
	}
	return 1 + digestLen
}

func (d *digest) append(b []byte) []byte {
	if d.tag == digestText {
		return appendString(append(b, digestText), d.text)
	}
	return append(append(b, d.tag), d.raw[:]...)
}

// hexDigit holds one more than the value of each lowercase hex digit, and
// 0 for every other byte. A literal, so it is data in the binary, not work
// when a process starts; a table, not comparisons, since a digest's digits
// are 0-9 and a-f at random and a branch on which would miss half the time
// (every audit record parses two).
var hexDigit = [256]byte{
	'0': 1, '1': 2, '2': 3, '3': 4, '4': 5, '5': 6, '6': 7, '7': 8, '8': 9, '9': 10,
	'a': 11, 'b': 12, 'c': 13, 'd': 14, 'e': 15, 'f': 16,
}

// byteReader reads the binary encoding from the stored bytes themselves,
// remembering the first error; decodeAuditRecord copies what it keeps.
type byteReader struct {
	b   []byte
	err error
}

func (r *byteReader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

func (r *byteReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail(errAuditShort)
		return 0
	}
	r.b = r.b[n:]
	return v
}

// varint is the zig-zag signed varint of binary.PutVarint, as reader's.
func (r *byteReader) varint() int64 {
	ux := r.uvarint()
	x := int64(ux >> 1)
	if ux&1 != 0 {
		x = ^x
	}
	return x
}

func (r *byteReader) next(n uint64) []byte {
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.fail(errAuditShort)
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *byteReader) bytes() []byte { return r.next(r.uvarint()) }

// digest reads a digest: its tag and its bytes (text, or 32 raw bytes).
func (r *byteReader) digest() (byte, []byte) {
	tag := r.next(1)
	if r.err != nil {
		return 0, nil
	}
	switch tag[0] {
	case digestText:
		return digestText, r.bytes()
	case digestHex, digestKeyed:
		return tag[0], r.next(digestLen)
	}
	r.fail(fmt.Errorf("binary audit record: unknown digest tag %#x", tag[0]))
	return 0, nil
}

// digestTextLen is the length of the string a digest stands for.
func digestTextLen(tag byte, b []byte) int {
	switch tag {
	case digestHex:
		return 2 * digestLen
	case digestKeyed:
		return len(keyedPrefix) + 2*digestLen
	}
	return len(b)
}

// decodeAuditRecord decodes a binary audit record with one allocation:
// every string is a substring of one string built to the exact size (the
// listing and verify paths decode every record of the log).
func decodeAuditRecord(v []byte, rec *store.AuditRecord) error {
	if len(v) == 0 || v[0] != auditCodecVersion {
		return errors.New("not a binary audit record")
	}
	r := &byteReader{b: v[1:]}
	seq := r.uvarint()
	sec, nsec := r.varint(), r.uvarint()
	if r.err == nil && nsec >= 1e9 {
		r.fail(fmt.Errorf("binary audit record: %d nanoseconds", nsec))
	}
	var text [6][]byte
	n := 0
	for i := range text {
		text[i] = r.bytes()
		n += len(text[i])
	}
	var tags [2]byte
	var digests [2][]byte
	for i := range digests {
		tags[i], digests[i] = r.digest()
		n += digestTextLen(tags[i], digests[i])
	}
	switch {
	case r.err != nil:
		return r.err
	case len(r.b) != 0:
		return fmt.Errorf("binary audit record: %d bytes after the end", len(r.b))
	}

	var sb strings.Builder
	sb.Grow(n)
	var ends [8]int
	for i, t := range text {
		sb.Write(t)
		ends[i] = sb.Len()
	}
	for i, d := range digests {
		switch tags[i] {
		case digestKeyed:
			sb.WriteString(keyedPrefix)
			fallthrough
		case digestHex:
			var h [2 * digestLen]byte
			hex.Encode(h[:], d)
			sb.Write(h[:])
		default:
			sb.Write(d)
		}
		ends[len(text)+i] = sb.Len()
	}
	s := sb.String()
	field := func(i int) string {
		if i == 0 {
			return s[:ends[0]]
		}
		return s[ends[i-1]:ends[i]]
	}
	*rec = store.AuditRecord{
		Seq:         seq,
		Time:        time.Unix(sec, int64(nsec)).UTC(),
		Action:      field(0),
		Target:      field(1),
		Result:      field(2),
		OSUser:      field(3),
		SessionUser: field(4),
		Detail:      field(5),
		Prev:        field(6),
		Hash:        field(7),
	}
	return nil
}

// DecodeAuditValue decodes a value of the audit bucket, in either encoding,
// for tools and tests that read the file with bbolt itself.
func DecodeAuditValue(v []byte) (store.AuditRecord, error) {
	var rec store.AuditRecord
	err := decodeRecord(v, &rec)
	return rec, err
}

// EncodeAuditValue is rec as AppendAudit stores it.
func EncodeAuditValue(rec store.AuditRecord) []byte { return encodeAuditRecord(&rec) }
