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
)

// sessionEnv names the variable that, when set, holds the session token in
// use instead of the saved file (for scripts).
const sessionEnv = "AUTHCTL_SESSION"

// sessionToken returns the token in use: $AUTHCTL_SESSION, else the saved
// session file, else "" (anonymous).
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
	return savedSessionToken(cfg.Session.File)
}

// savedSessionToken reads the session file, or "" when there is none.
func savedSessionToken(path string) (string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("session file: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// saveSessionToken writes the token to the session file: 0600 in a 0700
// directory, replaced atomically so that a reader never sees half a token.
func saveSessionToken(path, token string) error {
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
	if _, err := tmp.WriteString(token + "\n"); err != nil {
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
