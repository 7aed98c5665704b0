package cmd

import (
	"fmt"
	"sync"
	"time"

	"authctl/internal/cmdutil"
)

// progress draws a one-line bar on stderr for long work, only when stderr
// is a terminal and -q was not given; otherwise it does nothing. It is a
// few lines rather than a library so that every other command does not pay
// for its package initialisation at start-up.
type progress struct {
	f      *cmdutil.Factory
	p      printing
	label  string
	mu     sync.Mutex
	start  time.Time
	last   time.Time
	drawn  bool
	closed bool
}

func newProgress(f *cmdutil.Factory, p printing, label string) *progress {
	return &progress{f: f, p: p, label: label}
}

// update is called as work advances; it redraws at most ten times a second.
func (pr *progress) update(done, total int) {
	if pr.p.Quiet || !pr.f.IO.IsStderrTTY() || total < 2 {
		return
	}
	pr.mu.Lock()
	defer pr.mu.Unlock()
	now := time.Now()
	if pr.start.IsZero() {
		pr.start = now
	}
	if pr.closed || (done < total && now.Sub(pr.last) < 100*time.Millisecond) {
		return
	}
	pr.last, pr.drawn = now, true
	const width = 30
	filled := width * done / total
	bar := make([]byte, width)
	for i := range bar {
		bar[i] = ' '
		if i < filled {
			bar[i] = '='
		}
	}
	eta := ""
	if done > 0 && done < total {
		left := time.Duration(float64(now.Sub(pr.start)) / float64(done) * float64(total-done))
		eta = " " + left.Round(time.Second).String() + " left"
	}
	fmt.Fprintf(pr.f.IO.ErrOut, "\r\033[K%s [%s] %d/%d%s", pr.label, bar, done, total, eta)
}

// finish clears the bar's line.
func (pr *progress) finish() {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if pr.drawn && !pr.closed {
		fmt.Fprint(pr.f.IO.ErrOut, "\r\033[K")
	}
	pr.closed = true
}
