// The runtime's goroutine that re-reads the CPU limit every second and
// adjusts GOMAXPROCS is not started: most authctl commands end long before
// a container's limit changes, and starting it cost about 2% of a check
// process (docs/performance.md). GOMAXPROCS still follows the cgroup limit
// when the process starts. TestStartupInitWork checks the setting.
//go:debug updatemaxprocs=0

// Command authctl manages users, groups and permissions with Django's
// authentication model in an embedded database.
package main

//go:generate go run ./internal/gendocs

import (
	"os"

	// Initialised first, by its import path (it imports nothing), so that
	// the stack has grown before anything else runs; TestStartupInitWork
	// checks.
	_ "authctl/internal/stackreserve"

	"authctl/cmd"
)

func main() {
	os.Exit(cmd.Main())
}
