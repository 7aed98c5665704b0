package cmd

import (
	"sync"

	"github.com/schollz/progressbar/v3"

	"authctl/internal/cmdutil"
)

// progress draws a bar on stderr for long work, only when stderr is a
// terminal and -q was not given; otherwise it does nothing.
type progress struct {
	f     *cmdutil.Factory
	p     printing
	label string
	once  sync.Once
	bar   *progressbar.ProgressBar
	done  bool
}

func newProgress(f *cmdutil.Factory, p printing, label string) *progress {
	return &progress{f: f, p: p, label: label}
}

// update is called as work advances; it starts the bar on first use.
func (pr *progress) update(done, total int) {
	if pr.p.Quiet || !pr.f.IO.IsStderrTTY() || total < 2 {
		return
	}
	pr.once.Do(func() {
		pr.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(pr.f.IO.ErrOut),
			progressbar.OptionSetDescription(pr.label),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100_000_000),
			progressbar.OptionClearOnFinish(),
		)
	})
	_ = pr.bar.Set(done)
}

// finish removes the bar.
func (pr *progress) finish() {
	if pr.bar != nil && !pr.done {
		pr.done = true
		_ = pr.bar.Finish()
	}
}
