// Command empty is the floor of bench/startup.sh: a Go program that does
// nothing, built like authctl (static, trimmed, stripped).
package main

func main() {}
