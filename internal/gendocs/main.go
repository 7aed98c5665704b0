// Command gendocs writes authctl's man pages (section 1, one per command)
// and its Markdown command reference from the Cobra command tree, so that
// neither can drift from --help. `go generate` in the repository root runs
// it; a test fails when the committed files are stale.
//
//	go run ./internal/gendocs [-man docs/man] [-md docs/commands]
package main

import (
	"flag"
	"log"

	"authctl/cmd"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("gendocs: ")
	manDir := flag.String("man", "docs/man", "directory for the man pages")
	mdDir := flag.String("md", "docs/commands", "directory for the Markdown reference")
	flag.Parse()
	if err := generate(cmd.NewManual(), *manDir, *mdDir); err != nil {
		log.Fatal(err)
	}
}
