package cmd

import "testing"

func TestProgress(t *testing.T) {
	const bar0 = "\r\033[Khashing [                              ] 0/4"
	const bar4 = "\r\033[Khashing [==============================] 4/4"
	const clear = "\r\033[K"
	tests := []struct {
		name  string
		tty   bool
		quiet bool
		total int
		want  string
	}{
		{name: "terminal", tty: true, total: 4, want: bar0 + bar4 + clear},
		{name: "quiet", tty: true, quiet: true, total: 4},
		{name: "piped", total: 4},
		{name: "one item: no bar", tty: true, total: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tf := newTestEnv(t).factory()
			tf.ios.SetTTY(false, false, tt.tty)
			pr := newProgress(tf.Factory, printing{Quiet: tt.quiet}, "hashing")
			pr.update(0, tt.total)
			pr.update(tt.total, tt.total) // the end is always drawn
			pr.finish()
			pr.update(tt.total, tt.total) // nothing after finish
			pr.finish()
			tf.wantOutput(t, "", tt.want)
		})
	}
}
