// Package prompt asks the person at the terminal for passwords, names and
// yes/no answers, and reads secrets supplied non-interactively
// (--password-stdin, --password-file).
//
// It is the only package in authctl that imports golang.org/x/term; other
// packages use [IsTerminal] instead.
//
// Invariants:
//
//   - Prompts are written only to the controlling terminal (/dev/tty), never
//     to standard output or standard error, so piped output stays clean and
//     a prompt never ends up in a file or a log.
//   - No prompt without a terminal: the commands prompt only when standard
//     input is a terminal ([IsTerminal], asked once at start-up by
//     iostreams.IOStreams.CanPrompt); the prompt then opens /dev/tty with
//     [Terminal], which fails with [ErrNoTerminal] when the process has no
//     controlling terminal. Either way the command fails with a clear
//     message instead of hanging.
//   - A password is never echoed: echo is switched off before the prompt
//     is written, so nothing typed after the prompt appears on screen.
//   - The terminal is always restored: the mode saved with term.GetState
//     before a prompt is put back when the prompt returns, whether it
//     returns an answer, an error, or [ErrInterrupted] after Ctrl-C.
//   - Ctrl-C at a prompt is caught only while that prompt is active; the
//     prompt then returns [ErrInterrupted] (callers exit with status 130).
//     At all other times SIGINT keeps its default behaviour. Ctrl-D on an
//     empty answer ends the input: the prompt returns an error wrapping
//     [ErrNoInput] and io.EOF (also status 130: nothing was answered).
//   - Secrets are read one line at a time: [ReadSecretLine] strips exactly
//     one line ending and refuses input larger than 64 KiB.
//
// [Scripted] is a [Prompter] for tests of the packages that prompt.
package prompt
