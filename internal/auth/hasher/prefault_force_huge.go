//go:build authctl_prefault_huge

package hasher

const forcedPlan = "huge"
