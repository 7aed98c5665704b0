// Package scrypt is the scrypt key derivation function (RFC 7914), computed
// in memory the caller provides.
//
// It is golang.org/x/crypto/scrypt (v0.59.0; BSD licence, see LICENSE in
// this directory) with one change: the caller passes V, the N·r blocks of
// 128 bytes (Key's v), which x/crypto allocates on the Go heap for every
// key (16 MiB at Django's defaults). The hasher package keeps mapped,
// populated memory for it and reuses it from hash to hash, as it does for
// argon2.
//
// Invariants, each held by the tests:
//
//   - Key equals x/crypto's Key, and RFC 7914's test vectors, whatever v
//     held before: smix's first loop writes every word of V before its
//     second loop reads any.
//   - Key reads and writes v[:Words(N, r)] only.
package scrypt
