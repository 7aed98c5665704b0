// Package argon2 is the Argon2 key derivation function (RFC 9106) of every
// type (argon2d, argon2i, argon2id) at both versions Django verifies
// through argon2-cffi (1.3, 0x13, and 1.0, 0x10), computed in memory the
// caller provides.
//
// It is golang.org/x/crypto/argon2 (v0.59.0; BSD licence, see LICENSE in
// this directory) with three changes:
//
//   - The caller passes the blocks (Key's mem). x/crypto allocates its
//     100 MiB on the Go heap for every hash, which in a fresh process starts
//     a garbage collection and takes its pages fresh from the kernel; the
//     hasher package instead keeps mapped, populated memory and reuses it
//     from hash to hash.
//   - The first pass stores each block; x/crypto XORs into it, relying on
//     fresh memory being zero. So mem may hold anything (an earlier hash's
//     blocks), and a fresh page is written before it is read, which costs
//     one page fault where x/crypto's read-then-write cost two.
//   - argon2d and version 1.0, which x/crypto does not expose. Version 1.0
//     differs from 1.3 in two places: the version number in H0, and later
//     passes overwrite each block instead of XORing into it.
//
// blamka_amd64.s is x/crypto's file unchanged (generated there from
// argon2/_asm/blamka_amd64.go); blamka_generic.go is the portable
// compression function, used on every other platform (x/crypto's loong64
// assembly is not carried) and, for its permutation (blamkaRoundsGeneric),
// on amd64 CPUs without SSE4.1.
//
// Invariants, each held by the tests:
//
//   - Key equals x/crypto's Key and IDKey for argon2i and argon2id at
//     version 1.3, RFC 9106's test vectors, and libargon2's tags at
//     version 1.0 for all three types, whatever mem held before.
//   - Key reads and writes mem[:Blocks(memory, threads)] only, and uses
//     threads goroutines per slice, as x/crypto does.
//
// Parameters are not checked here beyond what would corrupt memory: the
// hasher checks costs against its limits before it asks for memory.
package argon2
