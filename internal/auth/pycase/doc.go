// Package pycase reproduces Python's case mappings that Django's behaviour
// depends on: str.lower() (email domains, the password validators) and the
// case folding of the "idna" codec's nameprep (email domains). Go's
// strings.ToLower differs from CPython (İ becomes "i", Σ never ς);
// x/text/cases agrees with it code point by code point but not in every
// final-sigma context (a Σ after a code point both cased and
// case-ignorable), and parses its language tables when every process
// starts. This package follows CPython
// exactly because its tables are generated from it (gen_pycase.py, run by
// go generate with Debian's /usr/bin/python3; gen_vectors.py writes the
// test cases).
//
// The tables are constant arrays and range tables laid out by the linker:
// nothing here runs when a process starts, so the commands that never
// lower a string (check among them) do not pay for it.
package pycase
