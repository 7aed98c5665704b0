package stackreserve

import (
	"testing"
	"unsafe"
)

// After Reserve, calls that need up to Size bytes of stack do not grow it:
// a growth copies the stack elsewhere, which moves a local variable.
func TestReserveAvoidsGrowth(t *testing.T) {
	for _, reserveFirst := range []bool{true, false} {
		moved := make(chan bool)
		go func() {
			if reserveFirst {
				Reserve()
			}
			var local int
			before := uintptr(unsafe.Pointer(&local))
			deep(Size / 2)
			moved <- uintptr(unsafe.Pointer(&local)) != before
		}()
		if got := <-moved; got == reserveFirst {
			t.Errorf("reserve first %v: stack moved = %v", reserveFirst, got)
		}
	}
}

// deep uses about n bytes of stack, 1 KiB a frame.
//
//go:noinline
func deep(n int) byte {
	var buf [1 << 10]byte
	buf[n%len(buf)] = byte(n)
	if n <= len(buf) {
		return buf[0]
	}
	return deep(n-len(buf)) + buf[n%len(buf)]
}
