package cmd

import (
	"testing"
)

// TestWorkers: the flag wins, then the workers setting; 0 leaves the pool's
// size to the apply engine (hasher.Set.Lanes).
func TestWorkers(t *testing.T) {
	for _, c := range []struct {
		name string
		env  map[string]string
		flag int
		want int
	}{
		{"flag", map[string]string{"AUTHCTL_WORKERS": "3"}, 5, 5},
		{"setting", map[string]string{"AUTHCTL_WORKERS": "3"}, 0, 3},
		{"pbkdf2: every CPU (0 lets the pool use GOMAXPROCS)", nil, 0, 0},
		{"argon2: left to the apply engine", map[string]string{"AUTHCTL_HASHER_ALGORITHM": "argon2"}, 0, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newTestEnv(t)
			for k, v := range c.env {
				e.env[k] = v
			}
			tf := e.factory().globalFlags()
			if got := workers(tf.Factory, c.flag); got != c.want {
				t.Errorf("workers = %d, want %d", got, c.want)
			}
		})
	}
}
