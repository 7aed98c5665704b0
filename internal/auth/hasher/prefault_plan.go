package hasher

import "authctl/internal/hugepage"

// currentPlan plans n bytes of hash memory: as the hugepage package reads
// the kernel's settings, unless the build forces a plan (forcedPlan).
func currentPlan(n int) hugepage.Plan {
	switch forcedPlan {
	case "huge":
		return hugepage.Plan{Huge: (n + hugepage.Size - 1) / hugepage.Size}
	case "small":
		return hugepage.Plan{}
	}
	return hugepage.For(n)
}
