package cmd

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"authctl/internal/cmdutil"
	"authctl/internal/output"
)

func newCmdVersion(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := outputSettings(f)
			if err != nil {
				return err
			}
			if p.Format == output.JSON {
				return output.WriteJSON(f.IO.Out, map[string]string{
					"version": f.Version, "go": runtime.Version(), "os": runtime.GOOS, "arch": runtime.GOARCH,
				})
			}
			_, err = fmt.Fprintf(f.IO.Out, "authctl %s (%s, %s/%s)\n", f.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return err
		},
	}
}
