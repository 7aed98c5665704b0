//go:build authctl_noprefault

package hasher

const prefaultEnabled = false
