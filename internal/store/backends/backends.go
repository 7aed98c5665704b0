// Package backends is the composition root of the store: it turns a database
// location given by the user into an open store.Store, choosing the backend
// by the location's scheme.
//
// A location is either SCHEME:ADDRESS, where SCHEME is a registered backend
// ("bolt:/var/lib/authctl/auth.db"), or a plain file path, which means the
// bolt backend ("/var/lib/authctl/auth.db", "./auth.db"). A plain path whose
// first path element contains a colon must be written with its scheme or
// with a leading "./" ("bolt:backup:1.db", "./backup:1.db").
//
// Adding a backend is one more entry in the registry below; its Opener
// receives everything after "SCHEME:" and the Settings. The etcd backend
// takes etcd://HOST:PORT[,HOST:PORT…][/PREFIX].
package backends

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"

	"authctl/internal/store"
	"authctl/internal/store/bolt"
	"authctl/internal/store/etcd"
)

// Settings are backend options that a location does not carry.
type Settings struct {
	Etcd etcd.Settings
}

// Opener opens the database at address (the location without "SCHEME:").
type Opener func(address string, opts store.OpenOptions, set Settings) (store.Store, error)

// DefaultScheme is the backend of a location without a scheme.
const DefaultScheme = "bolt"

// registry lists each scheme with its backend's opener, sorted by scheme.
// A slice, not a map: a package-level map is built when every authctl
// process starts.
var registry = []struct {
	scheme string
	open   Opener
}{
	{"bolt", func(address string, opts store.OpenOptions, _ Settings) (store.Store, error) {
		return bolt.Open(address, opts)
	}},
	{"etcd", func(address string, opts store.OpenOptions, set Settings) (store.Store, error) {
		return etcd.Open(address, opts, set.Etcd)
	}},
}

// opener is the opener of scheme, nil for an unknown scheme.
func opener(scheme string) Opener {
	for _, r := range registry {
		if r.scheme == scheme {
			return r.open
		}
	}
	return nil
}

// Schemes returns the registered schemes, sorted.
func Schemes() []string {
	s := make([]string, 0, len(registry))
	for _, r := range registry {
		s = append(s, r.scheme)
	}
	slices.Sort(s)
	return s
}

// Open opens the database at location with default settings; see the
// package documentation.
func Open(location string, opts store.OpenOptions) (store.Store, error) {
	return OpenWith(location, opts, Settings{})
}

// OpenWith opens the database at location with the given settings.
func OpenWith(location string, opts store.OpenOptions, set Settings) (store.Store, error) {
	scheme, address, err := Parse(location)
	if err != nil {
		return nil, err
	}
	return opener(scheme)(address, opts, set)
}

// Parse splits location into a registered scheme and the backend's address.
func Parse(location string) (scheme, address string, err error) {
	if location == "" {
		return "", "", errors.New("empty database location")
	}
	scheme, address, ok := splitScheme(location)
	if !ok {
		return DefaultScheme, location, nil
	}
	if opener(scheme) == nil {
		return "", "", fmt.Errorf("unknown database scheme %q (known: %s); for a file whose name contains ':' write %s:PATH or ./PATH",
			scheme, strings.Join(Schemes(), ", "), DefaultScheme)
	}
	if address == "" {
		return "", "", fmt.Errorf("database location %q has nothing after %q", location, scheme+":")
	}
	return scheme, address, nil
}

// splitScheme reports whether location starts with something shaped like a
// URL scheme (RFC 3986: a letter, then letters, digits, '+', '-', '.')
// followed by ':'. A single letter on Windows is a drive, not a scheme.
func splitScheme(location string) (scheme, rest string, ok bool) {
	scheme, rest, ok = strings.Cut(location, ":")
	if !ok || scheme == "" {
		return "", "", false
	}
	if runtime.GOOS == "windows" && len(scheme) == 1 {
		return "", "", false
	}
	for i, c := range scheme {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return "", "", false
		}
	}
	return strings.ToLower(scheme), rest, true
}
