package auth

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"authctl/internal/store"
)

// AuditKeys supplies the secret kept outside the database that keys the
// audit chain (HMAC-SHA256) and the digests of unknown usernames. Someone
// who can rewrite the database but cannot read this key cannot forge a
// record.
type AuditKeys interface {
	// Key returns the key. With create, a key that does not exist yet is
	// made and kept; without it, a missing key is an error wrapping
	// ErrNoAuditKey.
	Key(create bool) ([]byte, error)
	// Location names where the key is kept, for messages.
	Location() string
}

// ErrNoAuditKey means the audit key does not exist. It matches
// store.ErrNotFound too (exit 3).
var ErrNoAuditKey error = noAuditKey{}

type noAuditKey struct{}

func (noAuditKey) Error() string        { return "does not exist" }
func (noAuditKey) Is(target error) bool { return target == store.ErrNotFound }

// AuditKeyError is a failure to read or make the audit key.
type AuditKeyError struct {
	Path string
	Err  error
}

func (e *AuditKeyError) Error() string { return fmt.Sprintf("audit key %s: %v", e.Path, e.Err) }
func (e *AuditKeyError) Unwrap() error { return e.Err }

// auditKeyLen is the key's length in bytes; the file holds it in hex.
const auditKeyLen = 32

// KeyFile keeps the audit key in a file: 64 hex digits and a newline,
// mode 0600, made on first use. It refuses a key file that is a symbolic
// link, not a regular file, or readable or writable by others than its
// owner and group. Safe for concurrent use.
type KeyFile struct {
	Path string

	mu  sync.Mutex
	key []byte
}

// Location returns the key file's path.
func (k *KeyFile) Location() string { return k.Path }

// Key reads the key file, or makes it when create is set and it does not
// exist. Two processes making it at once end with the same key: the file
// appears whole, through a hard link, or not at all.
func (k *KeyFile) Key(create bool) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.key != nil {
		return k.key, nil
	}
	if k.Path == "" {
		return nil, &AuditKeyError{Path: "(none)", Err: errors.New("no audit key file is set for this database: set audit_key (AUTHCTL_AUDIT_KEY)")}
	}
	key, err := readKeyFile(k.Path)
	if errors.Is(err, fs.ErrNotExist) && create {
		if err = makeKeyFile(k.Path); err == nil || errors.Is(err, fs.ErrExist) {
			key, err = readKeyFile(k.Path)
		}
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, &AuditKeyError{Path: k.Path, Err: ErrNoAuditKey}
	case err != nil:
		return nil, &AuditKeyError{Path: k.Path, Err: err}
	}
	k.key = key
	return key, nil
}

func readKeyFile(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|oNoFollow, 0)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return nil, errors.New("is a symbolic link; point audit_key at the file itself")
		}
		return nil, unwrapPathError(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, unwrapPathError(err)
	}
	if !fi.Mode().IsRegular() {
		return nil, errors.New("is not a regular file")
	}
	if fi.Mode().Perm()&0o007 != 0 {
		return nil, fmt.Errorf("is open to other users (mode %04o); run chmod 600 (or 640 for a group of verifiers)", fi.Mode().Perm())
	}
	buf := make([]byte, 2*auditKeyLen+2)
	n, err := f.Read(buf)
	if err != nil && n == 0 {
		return nil, fmt.Errorf("cannot read it: %v", unwrapPathError(err))
	}
	text := bytes.TrimRight(buf[:n], "\n")
	key := make([]byte, auditKeyLen)
	if len(text) != 2*auditKeyLen {
		return nil, fmt.Errorf("is not an audit key (want %d hex digits)", 2*auditKeyLen)
	}
	if _, err := hex.Decode(key, text); err != nil {
		return nil, fmt.Errorf("is not an audit key (want %d hex digits)", 2*auditKeyLen)
	}
	return key, nil
}

// makeKeyFile writes a fresh key to a temporary file beside path (created
// with O_EXCL|O_NOFOLLOW, mode 0600), syncs it, and links it to path, which
// fails with fs.ErrExist if another process made the key first.
func makeKeyFile(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return unwrapPathError(err)
	}
	key := make([]byte, auditKeyLen)
	if _, err := rand.Read(key); err != nil {
		return err
	}
	var tmp *os.File
	var err error
	for i := 0; i < 10; i++ {
		suffix := make([]byte, 6)
		if _, err = rand.Read(suffix); err != nil {
			return err
		}
		name := filepath.Join(dir, "."+filepath.Base(path)+".tmp-"+hex.EncodeToString(suffix))
		tmp, err = os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL|oNoFollow, 0o600)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	if err != nil {
		return unwrapPathError(err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(hex.EncodeToString(key) + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return unwrapPathError(err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fs.ErrExist
		}
		return unwrapPathError(err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// unwrapPathError drops the path an *fs.PathError repeats, since
// AuditKeyError names it already.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && !errors.Is(err, fs.ErrNotExist) {
		return pe.Err
	}
	return err
}

// subKey derives a key for one use from the audit key, so that a digest
// made for one purpose never stands for another.
func subKey(key []byte, purpose string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}
