//go:build !authctl_noprefault

package hasher

// prefaultEnabled is false only in builds tagged authctl_noprefault, which
// bench/argon2_faults.sh makes to measure the difference.
const prefaultEnabled = true
