// Command authctl manages users, groups and permissions with Django's
// authentication model in an embedded database.
package main

//go:generate go run ./internal/gendocs

import (
	"os"

	// First, so that the stack has grown before anything else runs.
	_ "authctl/internal/stackreserve"

	"authctl/cmd"
)

func main() {
	os.Exit(cmd.Main())
}
