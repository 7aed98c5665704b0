package bolt

import (
	"os"
	"path/filepath"
	"strings"
)

// removeStaleCopies removes the stage and compact files that a staged
// write killed before it published left beside the database (a copy as
// large as the database). It is called with the store's exclusive lock on
// the database, which a staged write holds from its copy's creation to
// its publication: such a file is no one's, and one that some process
// still holds a lock on is left alone all the same.
func (s *boltStore) removeStaleCopies() {
	dir, base := filepath.Split(s.path)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		rest, ok := strings.CutPrefix(name, "."+base+".")
		if !ok || !(strings.HasPrefix(rest, "stage-") || strings.HasPrefix(rest, "compact-")) {
			continue
		}
		if p := filepath.Join(dir, name); unheld(p) {
			_ = os.Remove(p)
		}
	}
}
