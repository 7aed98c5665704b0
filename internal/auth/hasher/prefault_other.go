//go:build !linux

package hasher

func adviseHugePages(b []byte) {}
