package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"sync"

	"authctl/internal/store"
)

// The audit chain has two schemes, told apart by the form of a record's
// Hash:
//
//   - unkeyed (written before the key existed): 64 hex digits, the SHA-256
//     of the record's JSON with Seq and Hash empty. Anyone can recompute it,
//     so it shows accidents, not an attacker.
//   - keyed: "hmac-sha256:" and 64 hex digits, an HMAC-SHA256 under a key
//     derived from the audit key (outside the database) over a binary
//     encoding of the record's Seq, time and text fields, Prev included.
//
// Once a record is keyed every later one must be. Every keyed append also
// stores the head (the newest Seq and Hash, with its own MAC) in the meta
// bucket, so records cut from the end of the log are noticed even when the
// store's sequence counter was reset; a prune stores the last pruned
// record's Seq and Hash, likewise with a MAC, as the anchor of the rest.

const keyedPrefix = "hmac-sha256:"

// Meta keys of the audit chain.
const (
	// auditAnchorKey holds the last pruned record: its Hash alone (unkeyed
	// scheme) or "SEQ HASH MAC".
	auditAnchorKey = "audit_anchor"
	// auditHeadKey holds the newest record as "SEQ HASH MAC".
	auditHeadKey = "audit_head"
)

// Purposes of keys derived from the audit key.
const (
	purposeChain   = "authctl audit chain v1"
	purposeUnknown = "authctl unknown username v1"
)

// genesis is the Prev of the first record ever written.
var genesis = strings.Repeat("0", 64)

func isKeyed(hash string) bool { return strings.HasPrefix(hash, keyedPrefix) }

// keyedHash is the keyed scheme's Hash of rec at seq under chainKey.
func keyedHash(chainKey []byte, seq uint64, rec *store.AuditRecord) string {
	return newChainMAC(chainKey).record(seq, rec)
}

// chainMAC computes the chain's MACs with one HMAC state and buffer,
// reused: an apply of 100,000 users appends 100,000 records.
type chainMAC struct {
	mu  sync.Mutex
	h   hash.Hash
	buf []byte
	sum []byte
}

func newChainMAC(chainKey []byte) *chainMAC {
	return &chainMAC{h: hmac.New(sha256.New, chainKey)}
}

// record is a record's Hash: one pass over a length-prefixed binary
// encoding of Seq, the time and every text field, Prev included. No JSON.
func (c *chainMAC) record(seq uint64, rec *store.AuditRecord) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	b := append(c.buf[:0], "authctl audit record v2\x00"...)
	b = binary.BigEndian.AppendUint64(b, seq)
	t := rec.Time.UTC()
	b = binary.BigEndian.AppendUint64(b, uint64(t.Unix()))
	b = binary.BigEndian.AppendUint32(b, uint32(t.Nanosecond()))
	for _, s := range [...]string{rec.Action, rec.Target, rec.Result, rec.OSUser, rec.SessionUser, rec.Detail, rec.Prev} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	c.buf = b
	return keyedPrefix + c.mac(b)
}

// ref is the MAC of a head or an anchor.
func (c *chainMAC) ref(kind string, r AuditHead) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	b := append(c.buf[:0], "authctl audit "...)
	b = append(b, kind...)
	b = append(b, 0)
	b = strconv.AppendUint(b, r.Seq, 10)
	b = append(b, 0)
	b = append(b, r.Hash...)
	c.buf = b
	return c.mac(b)
}

func (c *chainMAC) mac(b []byte) string {
	c.h.Reset()
	c.h.Write(b)
	c.sum = c.h.Sum(c.sum[:0])
	return hex.EncodeToString(c.sum)
}

// legacyHash is the unkeyed scheme's Hash: the SHA-256 of the record's
// JSON with Hash and Seq empty. Only verification uses it now.
func legacyHash(rec store.AuditRecord) string {
	rec.Hash = ""
	rec.Seq = 0
	rec.Time = rec.Time.UTC()
	b, _ := json.Marshal(rec) // a struct of strings, numbers and a time cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// AuditHead is a position in the chain: the newest record (the head) or
// the last pruned one (the anchor). In meta it is stored as "SEQ HASH MAC",
// the MAC binding both to what the position is; exported, as "SEQ:HASH".
type AuditHead struct {
	Seq  uint64
	Hash string
}

// encodeRef is a head or anchor as stored: "SEQ HASH MAC".
func (c *chainMAC) encodeRef(kind string, r AuditHead) []byte {
	mac := c.ref(kind, r)
	b := make([]byte, 0, 24+len(r.Hash)+len(mac))
	b = strconv.AppendUint(b, r.Seq, 10)
	b = append(b, ' ')
	b = append(b, r.Hash...)
	b = append(b, ' ')
	return append(b, mac...)
}

// decodeRef parses a stored ref and checks its MAC.
func (c *chainMAC) decodeRef(kind string, v []byte) (AuditHead, error) {
	f := strings.Fields(string(v))
	if len(f) != 3 {
		return AuditHead{}, fmt.Errorf("the stored %s is malformed", kind)
	}
	seq, err := strconv.ParseUint(f[0], 10, 64)
	if err != nil {
		return AuditHead{}, fmt.Errorf("the stored %s is malformed", kind)
	}
	r := AuditHead{Seq: seq, Hash: f[1]}
	if subtle.ConstantTimeCompare([]byte(c.ref(kind, r)), []byte(f[2])) != 1 {
		return AuditHead{}, fmt.Errorf("the stored %s was not written with the audit key", kind)
	}
	return r, nil
}

// ParseAuditHead reads an exported head, "SEQ:HASH" (as `audit verify -o
// json` prints it).
func ParseAuditHead(s string) (AuditHead, error) {
	seqText, hash, ok := strings.Cut(s, ":")
	seq, err := strconv.ParseUint(seqText, 10, 64)
	if !ok || err != nil || seq == 0 || hash == "" {
		return AuditHead{}, invalid(fmt.Errorf("head %q is not SEQ:HASH (as \"audit verify -o json\" prints it)", s))
	}
	return AuditHead{Seq: seq, Hash: hash}, nil
}

// String is the exported form, "SEQ:HASH".
func (r AuditHead) String() string { return strconv.FormatUint(r.Seq, 10) + ":" + r.Hash }

// auditKey returns the audit key, making it when it does not exist — unless
// the log is keyed already, which means the key was lost or moved: a new
// one would make every earlier record look forged. Nil without a keyring.
func (s *Service) auditKey(r store.Reader) ([]byte, error) {
	if s.keys == nil {
		return nil, nil
	}
	key, err := s.keys.Key(false)
	if !errors.Is(err, ErrNoAuditKey) {
		return key, err
	}
	keyed := false
	if _, err := r.Meta(auditHeadKey); err == nil {
		keyed = true
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if last, err := r.LastAudit(); err == nil {
		keyed = keyed || isKeyed(last.Hash)
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if keyed {
		return nil, &AuditKeyError{Path: s.keys.Location(), Err: fmt.Errorf("%w, but the audit log is keyed: restore the key file (or point audit_key at it); a new key would make every record look forged", ErrNoAuditKey)}
	}
	return s.keys.Key(true)
}

// chainFor returns the chain's MACs under the audit key key, derived once.
func (s *Service) chainFor(key []byte) *chainMAC {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.chain == nil {
		s.chain = newChainMAC(subKey(key, purposeChain))
		s.unknownKey = subKey(key, purposeUnknown)
	}
	return s.chain
}

// unknownUserKey stands for a username that belongs to no user, in the
// audit log and as the key of its failure record: a digest, so that
// repeated attempts with one name can be counted and told apart without
// keeping what was typed (which may have been a password). The digest is
// an HMAC under a key derived from the audit key, so that someone holding
// the database cannot run a dictionary against it; without a keyring
// (a library user's choice) it is an unkeyed SHA-256.
func (s *Service) unknownUserKey(username string) string {
	s.keyMu.Lock()
	k := s.unknownKey
	s.keyMu.Unlock()
	var sum []byte
	if k != nil {
		m := hmac.New(sha256.New, k)
		m.Write([]byte(username))
		sum = m.Sum(nil)
	} else {
		h := sha256.Sum256([]byte(username))
		sum = h[:]
	}
	return "unknown-user:" + hex.EncodeToString(sum[:8])
}
