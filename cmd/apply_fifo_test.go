//go:build unix

package cmd

import (
	"fmt"
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
	var b strings.Builder
	b.WriteString(`{"users": [`)
	for n := range 3000 {
		if n > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `{"username": "u%04d", "email": "u%04d@example.com"}`, n, n)
	}
	b.WriteString("]}\n")
	if b.Len() <= firstReadBlock {
		t.Fatalf("the large seed is %d bytes, one block", b.Len())
	}
	bigSeed := b.String()
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
			if i > 0 {
				w.WriteString(`{"users": [{"username": "alice"}]}` + "\n")
			} else {
				// More than one block: read in blocks and joined.
				w.WriteString(bigSeed)
			}
			w.Close()
		}()
		done := make(chan string, 1)
		go func() {
			code, stdout, stderr := e.exec("apply", "--dry-run", "-o", "json", "-f", fifo)
			switch {
			case code != 0:
				done <- stderr
			case i == 0 && !strings.Contains(stdout, `"u2999"`):
				done <- "the dry run of 3,000 users does not list the last one: " + stdout[:min(len(stdout), 200)]
			default:
				done <- ""
			}
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
