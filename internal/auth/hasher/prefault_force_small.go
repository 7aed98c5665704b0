//go:build authctl_prefault_small && !authctl_prefault_huge

package hasher

const forcedPlan = "small"
