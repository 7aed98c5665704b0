package cmd

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"authctl/internal/auth"
	"authctl/internal/cmdutil"
	"authctl/internal/store/backends"
)

// sessionEnv names the variable that, when set, holds the session token in
// use instead of the saved file (for scripts).
const sessionEnv = "AUTHCTL_SESSION"

// The session file holds one line per database its owner is logged in to,
// "TOKEN<TAB>LOCATION", so that logging in to one database neither
// replaces nor ends the session of another. LOCATION is the database as
// sessionLocation writes it. A line without a location (written before
// sessions were kept per database) stands for any database.

// sessionLocation is the database location as the session file keys it: a
// file's absolute path, anything else as given.
func sessionLocation(db string) string {
	scheme, address, err := backends.Parse(db)
	if err == nil && scheme == backends.DefaultScheme {
		if abs, err := filepath.Abs(address); err == nil {
			return abs
		}
	}
	return db
}

type sessionEntry struct{ token, location string }

// readSessions reads the session file; a missing file holds no entries.
func readSessions(path string) ([]sessionEntry, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("session file: %w", err)
	}
	var out []sessionEntry
	for _, line := range strings.Split(string(b), "\n") {
		token, location, _ := strings.Cut(strings.TrimSpace(line), "\t")
		if token != "" {
			out = append(out, sessionEntry{token, location})
		}
	}
	return out, nil
}

// savedSession returns the saved token for the database db, or "", and
// the locations of the other databases the file has sessions for.
func savedSession(path, db string) (token string, others []string, err error) {
	entries, err := readSessions(path)
	if err != nil {
		return "", nil, err
	}
	loc := sessionLocation(db)
	for _, e := range entries {
		switch e.location {
		case loc, "":
			token = e.token
		default:
			others = append(others, e.location)
		}
	}
	return token, others, nil
}

// sessionToken returns the token in use: $AUTHCTL_SESSION, else the one
// the session file keeps for this database, else "" (anonymous).
func sessionToken(f *cmdutil.Factory) (string, error) {
	if t := f.Env(sessionEnv); t != "" {
		return strings.TrimSpace(t), nil
	}
	cfg, err := f.Config()
	if err != nil {
		return "", err
	}
	if err := sessionFileSafety(f, cfg); err != nil {
		return "", err
	}
	token, _, err := savedSession(cfg.Session.File, cfg.DB)
	return token, err
}

// setSession saves token as the session for db (or, with token "",
// forgets db's session), keeping the other databases' sessions. The file
// is 0600 in a 0700 directory, replaced atomically so that a reader never
// sees half a token; with no session left it is removed.
func setSession(path, db, token string) error {
	entries, err := readSessions(path)
	if err != nil {
		return err
	}
	loc := sessionLocation(db)
	var keep []sessionEntry
	for _, e := range entries {
		if e.location != loc && e.location != "" {
			keep = append(keep, e)
		}
	}
	if token != "" {
		keep = append(keep, sessionEntry{token, loc})
	}
	if len(keep) == 0 {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("session file: %w", err)
		}
		return nil
	}
	var b strings.Builder
	for _, e := range keep {
		b.WriteString(e.token + "\t" + e.location + "\n")
	}
	return writeSessionFile(path, b.String())
}

func writeSessionFile(path, content string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("session file: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".session-*")
	if err != nil {
		return fmt.Errorf("session file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("session file: %w", err)
	}
	if _, err := tmp.WriteString(content); err != nil {
		tmp.Close()
		return fmt.Errorf("session file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("session file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("session file: %w", err)
	}
	return nil
}

// ownSessionID returns the ID of the caller's session when it belongs to
// username, so that changing your own password keeps you logged in.
func ownSessionID(ctx context.Context, f *cmdutil.Factory, svc *auth.Service, username string) string {
	token, err := sessionToken(f)
	if err != nil || token == "" {
		return ""
	}
	sess, u, err := svc.Whoami(ctx, token)
	if err != nil || u.Username != username {
		return ""
	}
	return sess.ID
}
