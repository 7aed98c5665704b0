package cmd

import (
	"strings"

	"github.com/spf13/cobra"

	"authctl/internal/output"
)

// outputFormatsKey is the annotation naming the -o values a command
// accepts, for completion. A command without it takes table and json,
// outputSettings' default.
const outputFormatsKey = "authctl:output-formats"

// defaultOutputFormats are the -o values of a command that names none.
var defaultOutputFormats = []output.Format{output.Table, output.JSON}

// acceptsOutput records the -o values cmd accepts when they are not table
// and json; with none, cmd prints no formatted output and -o completes to
// nothing. It must list what the command passes to outputSettings or
// begin: TestOutputCompletionMatchesRun holds them together.
func acceptsOutput(cmd *cobra.Command, formats ...output.Format) {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = string(f)
	}
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[outputFormatsKey] = strings.Join(names, ",")
}

// outputFormatsOf is what acceptsOutput recorded for cmd, else the
// default. A command that groups others has no output of its own.
func outputFormatsOf(cmd *cobra.Command) []string {
	if s, ok := cmd.Annotations[outputFormatsKey]; ok {
		if s == "" {
			return nil
		}
		return strings.Split(s, ",")
	}
	if cmd.HasSubCommands() || !cmd.Runnable() || cobraBuiltin(cmd) {
		return nil
	}
	names := make([]string, len(defaultOutputFormats))
	for i, f := range defaultOutputFormats {
		names[i] = string(f)
	}
	return names
}

// cobraBuiltin reports whether cmd is one Cobra adds: help, or a
// completion script generator. They print no formatted output.
func cobraBuiltin(cmd *cobra.Command) bool {
	for c := cmd; c.HasParent(); c = c.Parent() {
		if !c.Parent().HasParent() {
			return c.Name() == "help" || c.Name() == "completion"
		}
	}
	return false
}

// completeOutput completes -o/--output with the formats of the command
// being completed.
func completeOutput(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
	return outputFormatsOf(cmd), cobra.ShellCompDirectiveNoFileComp
}

// completeValues completes a flag that takes one of a fixed set of
// values.
func completeValues(cmd *cobra.Command, flag string, values ...string) {
	_ = cmd.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
}

// exportFormats and importFormats are the --format values of export and
// import; each command checks its own.
var (
	exportFormats = []string{"authctl", "django"}
	importFormats = []string{"django", "passwd"}
)

// completeExport registers the completions of export's -o and --format.
func completeExport(cmd *cobra.Command) {
	acceptsOutput(cmd, output.JSON, output.YAML)
	completeValues(cmd, "format", exportFormats...)
}

// completeImport registers the completion of import's --format.
func completeImport(cmd *cobra.Command) {
	completeValues(cmd, "format", importFormats...)
}
