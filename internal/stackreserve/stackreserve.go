// Package stackreserve grows the main goroutine's stack once, before any
// other package of authctl or its dependencies initialises, to the size an
// authctl command needs.
//
// A goroutine starts with a small stack, and the runtime doubles it each
// time a call would overflow it: it allocates the new stack (fresh memory,
// so page faults), then copies every frame and adjusts its pointers,
// looking each function's stack map up. A whole "authctl check" grew its
// stack several times, deep inside package initialisation (regular
// expressions compiled by Viper's imports) and Cobra's execution; those
// copies and faults were about a tenth of the process's CPU samples
// (bench/startup.sh). Growing it once here, where the stack holds a few
// frames, costs one small copy.
//
// It imports nothing, so Go initialises it among the first packages (in
// import-path order, after the runtime's own); main imports it for its
// side effect; TestStartupInitWork checks that it still comes first.
package stackreserve

// Size is the frame that Reserve asks for: the stack grows to the next
// power of two that fits it with what is already in use (16 KiB from the
// main goroutine's start). 16 and 32 KiB frames measured no better, and
// each extra KiB the program never uses is only address space.
const Size = 8 << 10

func init() { Reserve() }

// Reserve grows the calling goroutine's stack to hold at least Size more
// bytes, if it does not already.
//
//go:noinline
func Reserve() { reserve(nil) }

// reserve's frame holds Size bytes: the call alone makes the runtime grow
// the stack. p is always nil, so the buffer is never written (no zeroing
// touches its pages); the branch keeps the compiler from dropping it.
//
//go:noinline
func reserve(p *byte) {
	if p != nil {
		var buf [Size]byte
		keep(buf[:])
	}
}

//go:noinline
func keep(b []byte) { _ = b[len(b)-1] }
