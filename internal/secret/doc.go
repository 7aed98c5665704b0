// Package secret reads passwords given outside a prompt: one line from
// standard input, from a file named by --password-file, or from a file named
// by a seeding file's password_file. Every such read goes through here, so
// they all follow the same rules.
//
// Invariants:
//   - At most [MaxLen] bytes of secret are read; anything longer is refused,
//     so /dev/zero or a huge file costs nothing.
//   - A named file is opened with O_NONBLOCK and checked with fstat on the
//     opened descriptor before a byte is read: only a regular file is read,
//     so a FIFO, a device or a directory is refused at once instead of
//     blocking or growing without bound.
//   - Exactly one trailing "\n" is stripped; a "\r" before it is stripped
//     only when asked (input typed at a terminal, or --crlf), so a password
//     that ends in "\r" can be given.
//   - A seeding file reads only what [Policy] allows: paths inside its own
//     directory, owned by the caller or root and writable by nobody else.
package secret
