//go:build unix

package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A seeding file that is a named pipe is opened once: a second open would
// wait for a writer, and the one that wrote the file has gone.
func TestApplyFromNamedPipe(t *testing.T) {
	for i := range 20 {
		e := newTestEnv(t)
		fifo := filepath.Join(e.dir, "seed.json")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Skip("no named pipes here:", err)
		}
		go func() {
			w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
			if err != nil {
				return
			}
			w.WriteString(`{"users": [{"username": "alice"}]}` + "\n")
			w.Close()
		}()
		done := make(chan string, 1)
		go func() {
			code, _, stderr := e.exec("apply", "--dry-run", "-f", fifo)
			if code != 0 {
				done <- stderr
				return
			}
			done <- ""
		}()
		select {
		case msg := <-done:
			if msg != "" {
				t.Fatalf("run %d: %s", i, strings.TrimSpace(msg))
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("run %d: apply -f FIFO still waiting after 10 s", i)
		}
	}
}
