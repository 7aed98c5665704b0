package cmd

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
	"authctl/internal/output"
)

// commit and date are set by release builds with
// -ldflags "-X authctl/cmd.commit=... -X authctl/cmd.date=...".
var commit, date = "", ""

// buildSource is the commit and the commit's time a binary was built from:
// the release's, else what the Go toolchain recorded from the checkout,
// else "unknown".
func buildSource() (string, string) {
	c, d := commit, date
	if bi, ok := debug.ReadBuildInfo(); ok && (c == "" || d == "") {
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision" && c == "":
				c = s.Value
			case s.Key == "vcs.time" && d == "":
				d = s.Value
			}
		}
	}
	if c == "" {
		c = "unknown"
	}
	if d == "" {
		d = "unknown"
	}
	return c, d
}

// versionOptions is what version needs: the factory's version string and
// where to print.
type versionOptions struct {
	f *cmdutil.Factory
}

func newCmdVersion(f *cmdutil.Factory, runF func(*versionOptions) error) *cobra.Command {
	opts := &versionOptions{f: f}
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version, the commit and date it was built from",
		Example: "  authctl version\n  authctl version -o json | jq -r .commit",
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return versionRun(opts)
		},
	}
}

func versionRun(opts *versionOptions) error {
	f := opts.f
	p, err := outputSettings(f)
	if err != nil {
		return err
	}
	c, d := buildSource()
	if p.Format == output.JSON {
		return output.WriteJSON(f.IO.Out, map[string]string{
			"version": f.Version, "commit": c, "date": d,
			"go": runtime.Version(), "os": runtime.GOOS, "arch": runtime.GOARCH,
		})
	}
	_, err = fmt.Fprintf(f.IO.Out, "authctl %s (commit %s, %s, %s, %s/%s)\n", f.Version, shortCommit(c), d, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return err
}

func shortCommit(c string) string {
	if len(c) > 12 {
		return c[:12]
	}
	return c
}
