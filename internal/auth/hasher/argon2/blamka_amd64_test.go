//go:build amd64 && gc && !purego

package argon2

import "testing"

// TestCompressionWithoutSSE4: the SSE2-only path (a CPU without SSE4.1)
// agrees with the portable compression and gives RFC 9106's tags.
func TestCompressionWithoutSSE4(t *testing.T) {
	defer func(sse4 bool) { useSSE4 = sse4 }(useSSE4)
	useSSE4 = false
	TestCompressionMatchesGeneric(t)
	TestRFC9106Vectors(t)
}
