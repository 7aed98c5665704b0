package seed

// chunked collects decoded elements in fixed-size chunks, so that a
// decoder can fill each one in place through a pointer that stays valid
// while later elements arrive, without the copying (and the garbage) of an
// append-grown slice of large structs; all copies them out once.
type chunked[T any] struct {
	chunks [][]T
	n      int
}

const chunkLen = 1024

// add appends a zero element and returns a pointer to it.
func (c *chunked[T]) add() *T {
	if len(c.chunks) == 0 || len(c.chunks[len(c.chunks)-1]) == chunkLen {
		c.chunks = append(c.chunks, make([]T, 0, chunkLen))
	}
	last := &c.chunks[len(c.chunks)-1]
	*last = append(*last, *new(T))
	c.n++
	return &(*last)[len(*last)-1]
}

// all returns the elements in order in one slice (nil when none), and
// empties c.
func (c *chunked[T]) all() []T {
	if c.n == 0 {
		return nil
	}
	out := make([]T, 0, c.n)
	for _, ch := range c.chunks {
		out = append(out, ch...)
	}
	c.chunks, c.n = nil, 0
	return out
}
