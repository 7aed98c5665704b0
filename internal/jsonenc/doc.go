// Package jsonenc appends JSON values to a byte slice by hand, for the
// paths that print a million records (user list -o json, export): there,
// encoding/json's reflection and per-value allocations cost more than
// reading the records does.
//
// Every function writes exactly what encoding/json writes for the same Go
// value with SetEscapeHTML(false) — the encoder authctl's output uses — so
// that a hand-written record and a marshalled one cannot be told apart.
// The tests compare both over fuzzed input.
package jsonenc
