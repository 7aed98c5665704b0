package seed

import (
	"fmt"
	"sync/atomic"
	"testing"
)

// TestYAMLSplitRestProblemResolvesNothing: a file with a problem outside
// its users section is an error, found before any user's password source
// is resolved — as the whole reading does (no LookupEnv call, no
// password file read), from bytes and from a file read in pieces.
func TestYAMLSplitRestProblemResolvesNothing(t *testing.T) {
	smallChunks(t, 3, 4)
	smallStream(t, 64)
	data := []byte(passwordUsersFile(40, func(i int) string { return fmt.Sprintf("    password_env: PW_%d\n", i) }) + "grups:\n  - name: typo\n")
	var calls atomic.Int32
	opts := DecodeOptions{Name: "s.yaml", LookupEnv: func(string) (string, bool) { calls.Add(1); return "pw", true }}
	if _, _, err := DecodeWithAssert(data, opts); err == nil || calls.Load() != 0 {
		t.Fatalf("bytes: err %v, %d LookupEnv calls; want an error and none", err, calls.Load())
	}
	if got := decodeYAMLFileOf(t, data, opts); got.err == nil || calls.Load() != 0 {
		t.Fatalf("file: err %v, %d LookupEnv calls; want an error and none", got.err, calls.Load())
	}
}
