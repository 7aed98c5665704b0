package cmd

import (
	"fmt"
	"sync"

	"authctl/internal/cmdutil"
	"authctl/internal/config"
	"authctl/internal/store/backends"
)

// checkedFiles remembers, per invocation, the files CheckFileSafety passed,
// so that a warning is printed once however many transactions open the
// file.
type checkedFiles struct {
	mu   sync.Mutex
	seen map[string]bool
}

// fileChecks' map is made at first use: a package-level map is built when
// every authctl process starts.
var fileChecks = &checkedFiles{}

// fileSafety refuses a database or session file others could write or
// replace (unless insecure_permissions is set) and warns, once, about one
// others can read.
func fileSafety(f *cmdutil.Factory, cfg *config.Config, what, path string) error {
	if cfg.InsecurePermissions {
		return nil
	}
	fileChecks.mu.Lock()
	defer fileChecks.mu.Unlock()
	key := what + "\x00" + path
	if fileChecks.seen[key] {
		return nil
	}
	if fileChecks.seen == nil {
		fileChecks.seen = map[string]bool{}
	}
	warning, err := cmdutil.CheckFileSafety(what, path)
	if err != nil {
		return err
	}
	if warning != "" {
		fmt.Fprintf(f.IO.ErrOut, "authctl: %s\n", warning)
	}
	fileChecks.seen[key] = true
	return nil
}

// dbFileSafety is fileSafety for the database, when it is a file.
func dbFileSafety(f *cmdutil.Factory, cfg *config.Config) error {
	scheme, address, err := backends.Parse(cfg.DB)
	if err != nil || scheme != "bolt" {
		return nil // the opener reports a bad location; other backends are not files
	}
	return fileSafety(f, cfg, "database", address)
}

// sessionFileSafety is fileSafety for the saved session file.
func sessionFileSafety(f *cmdutil.Factory, cfg *config.Config) error {
	return fileSafety(f, cfg, "session file", cfg.Session.File)
}
