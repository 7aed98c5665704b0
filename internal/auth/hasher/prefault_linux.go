package hasher

import (
	"golang.org/x/sys/unix"

	"authctl/internal/hugepage"
)

// populate faults in every page of b as the current plan says (see
// package hugepage): huge pages where they cannot stall, then one
// madvise(MADV_POPULATE_WRITE) (Linux 5.14 and later) for the whole
// buffer, or a write per page where that call is refused. It returns the
// plan.
func populate(b []byte) hugepage.Plan {
	p := currentPlan(len(b))
	p.Apply(b)
	if unix.Madvise(b, unix.MADV_POPULATE_WRITE) != nil {
		touch(b)
	}
	return p
}

// pageSize is the step for touching memory: the smallest page size of the
// platforms Go runs on, so that every page is written.
const pageSize = 4096

// touch writes one byte in every page of b, faulting it in.
func touch(b []byte) {
	for i := 0; i < len(b); i += pageSize {
		b[i] = 1
	}
}
