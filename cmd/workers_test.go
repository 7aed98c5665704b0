package cmd

import (
	"runtime"
	"testing"
)

// TestWorkers: the flag wins, then the workers setting; by default every
// CPU hashes, except that argon2 — whose every hash runs its lanes on that
// many cores and holds 100 MiB — gets one worker per argon2_threads CPUs.
func TestWorkers(t *testing.T) {
	cpus := runtime.GOMAXPROCS(0)
	for _, c := range []struct {
		name string
		env  map[string]string
		flag int
		want int
	}{
		{"flag", map[string]string{"AUTHCTL_WORKERS": "3"}, 5, 5},
		{"setting", map[string]string{"AUTHCTL_WORKERS": "3"}, 0, 3},
		{"pbkdf2: every CPU (0 lets the pool use GOMAXPROCS)", nil, 0, 0},
		{"argon2, 8 lanes", map[string]string{"AUTHCTL_HASHER_ALGORITHM": "argon2"}, 0, max(1, cpus/8)},
		{"argon2, 1 lane", map[string]string{"AUTHCTL_HASHER_ALGORITHM": "argon2", "AUTHCTL_HASHER_ARGON2_THREADS": "1"}, 0, 0},
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
