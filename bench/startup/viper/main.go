// Command viper is an empty Go program that imports github.com/spf13/viper
// and does nothing else: bench/startup.sh compares it with ./empty to
// measure what linking and initialising Viper (and what it imports) costs
// every process at start-up.
package main

import _ "github.com/spf13/viper"

func main() {}
