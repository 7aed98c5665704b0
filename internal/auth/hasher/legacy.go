package hasher

import (
	"crypto/md5"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"
)

// The legacy hashers verify hashes from old Django databases so that a
// successful login can migrate them to the preferred hasher. They never make
// new hashes: Encode always returns ErrVerifyOnly.
//
//	sha1$<salt>$<40 hex>   SHA1(salt + password)
//	md5$<salt>$<32 hex>    MD5(salt + password)
//	sha1$$<40 hex>         SHA1(password)              (unsalted_sha1)
//	<32 hex> or md5$$<32 hex>  MD5(password)           (unsalted_md5)
var (
	saltedSHA1   = &saltedHasher{algorithm: "sha1", digest: sha1.New, hexLen: 2 * sha1.Size}
	saltedMD5    = &saltedHasher{algorithm: "md5", digest: md5.New, hexLen: 2 * md5.Size}
	unsaltedSHA1 = &unsaltedHasher{algorithm: "unsalted_sha1", digest: sha1.New, prefix: "sha1$$", hexLen: 2 * sha1.Size}
	unsaltedMD5  = &unsaltedHasher{algorithm: "unsalted_md5", digest: md5.New, hexLen: 2 * md5.Size}
)

func hexDigest(digest func() hash.Hash, parts ...string) string {
	d := digest()
	for _, p := range parts {
		d.Write([]byte(p))
	}
	return hex.EncodeToString(d.Sum(nil))
}

// isLowerHex reports whether s is n lowercase hex digits: Django compares
// with hexdigest(), so anything else can never verify.
func isLowerHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

type saltedHasher struct {
	algorithm string
	digest    func() hash.Hash
	hexLen    int
}

func (h *saltedHasher) Algorithm() string { return h.algorithm }

func (h *saltedHasher) Encode(password, salt string) (string, error) {
	return "", fmt.Errorf("%s: %w", h.algorithm, ErrVerifyOnly)
}

// decode splits like Django (at the first two "$") into salt and hash.
func (h *saltedHasher) decode(encoded string) (salt, sum string, err error) {
	if len(encoded) > maxEncodedLen {
		return "", "", malformed(h.algorithm, "longer than %d bytes", maxEncodedLen)
	}
	parts := strings.SplitN(encoded, "$", 3)
	if len(parts) != 3 {
		return "", "", malformed(h.algorithm, "want 3 fields separated by %q, got %d", "$", len(parts))
	}
	if parts[0] != h.algorithm {
		return "", "", malformed(h.algorithm, "algorithm field is %s", short(parts[0]))
	}
	if parts[1] == "" {
		return "", "", malformed(h.algorithm, "empty salt")
	}
	if !isLowerHex(parts[2], h.hexLen) {
		return "", "", malformed(h.algorithm, "hash is not %d lowercase hex digits", h.hexLen)
	}
	return parts[1], parts[2], nil
}

func (h *saltedHasher) WellFormed(encoded string) error {
	_, _, err := h.decode(encoded)
	return err
}

func (h *saltedHasher) Verify(password, encoded string) bool {
	salt, _, err := h.decode(encoded)
	if err != nil {
		return false
	}
	return sameString(encoded, h.algorithm+"$"+salt+"$"+hexDigest(h.digest, salt, password))
}

// MustUpdate is Django's: only a weak salt counts.
func (h *saltedHasher) MustUpdate(encoded string) bool {
	salt, _, err := h.decode(encoded)
	return err != nil || weakSalt(salt)
}

func (h *saltedHasher) HardenRuntime(password, encoded string) {}

func (h *saltedHasher) Summary(encoded string) []Field {
	salt, sum, err := h.decode(encoded)
	if err != nil {
		return invalidSummary()
	}
	return []Field{
		{"algorithm", h.algorithm},
		{"salt", maskHash(salt, 2)},
		{"hash", maskHash(sum, 6)},
	}
}

type unsaltedHasher struct {
	algorithm string
	digest    func() hash.Hash
	prefix    string // what the encoded value starts with ("sha1$$", or "" for md5)
	hexLen    int
}

func (h *unsaltedHasher) Algorithm() string { return h.algorithm }

func (h *unsaltedHasher) Encode(password, salt string) (string, error) {
	return "", fmt.Errorf("%s: %w", h.algorithm, ErrVerifyOnly)
}

// digestPart returns the hex digest inside encoded. unsalted_md5 also takes
// the "md5$$" form, as Django does.
func (h *unsaltedHasher) digestPart(encoded string) (string, error) {
	s := encoded
	if h.prefix != "" {
		var ok bool
		if s, ok = strings.CutPrefix(encoded, h.prefix); !ok {
			return "", malformed(h.algorithm, "does not start with %q", h.prefix)
		}
	} else if len(encoded) == 5+h.hexLen && strings.HasPrefix(encoded, "md5$$") {
		s = encoded[5:]
	}
	if !isLowerHex(s, h.hexLen) {
		return "", malformed(h.algorithm, "hash is not %d lowercase hex digits", h.hexLen)
	}
	return s, nil
}

func (h *unsaltedHasher) WellFormed(encoded string) error {
	_, err := h.digestPart(encoded)
	return err
}

func (h *unsaltedHasher) Verify(password, encoded string) bool {
	sum, err := h.digestPart(encoded)
	if err != nil {
		return false
	}
	return sameString(sum, hexDigest(h.digest, password))
}

// MustUpdate is false, as in Django: there is no parameter to be out of date
// (Set.Check still migrates these hashes, since they are never preferred).
func (h *unsaltedHasher) MustUpdate(encoded string) bool { return false }

func (h *unsaltedHasher) HardenRuntime(password, encoded string) {}

func (h *unsaltedHasher) Summary(encoded string) []Field {
	if _, err := h.digestPart(encoded); err != nil {
		return invalidSummary()
	}
	if h.prefix != "" {
		return []Field{{"algorithm", h.algorithm}, {"hash", maskHash(encoded[len(h.prefix):], 6)}}
	}
	// Django masks the whole value, "md5$$" prefix included, showing 3.
	return []Field{{"algorithm", h.algorithm}, {"hash", maskHash(encoded, 3)}}
}
