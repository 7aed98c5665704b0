//go:build !authctl_prefault_huge && !authctl_prefault_small

package hasher

// forcedPlan is "" in normal builds. bench/argon2_faults.sh builds with
// -tags authctl_prefault_huge (every block huge, whatever the kernel must
// do for it: the behaviour before the plan) or authctl_prefault_small (4
// KiB pages only) to measure each choice beside the planned one.
const forcedPlan = ""
