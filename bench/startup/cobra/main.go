// Command cobra is an empty Go program that imports github.com/spf13/cobra
// and does nothing else: bench/startup.sh compares it with ./empty to
// measure what linking and initialising Cobra (and pflag, which brings in
// the net package) costs every process at start-up.
package main

import _ "github.com/spf13/cobra"

func main() {}
