// Command authctl manages users, groups and permissions with Django's
// authentication model in an embedded database.
package main

//go:generate go run ./internal/gendocs

import (
	"os"

	"authctl/cmd"
)

func main() {
	os.Exit(cmd.Main())
}
