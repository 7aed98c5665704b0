package bolt

import (
	"os"
	"path/filepath"
	"testing"
)

// startWriteback starts the writeback of a file's dirty pages: the call
// is accepted for a regular file opened read-only, as the stage copy's
// handle is (an error would leave all the writing to publish's fsync).
func TestStartWriteback(t *testing.T) {
	name := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(name, make([]byte, 1<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := startWriteback(f); err != nil {
		t.Errorf("startWriteback: %v", err)
	}
	if err := startWriteback(nil); err != nil {
		t.Errorf("startWriteback(nil): %v", err)
	}
}
