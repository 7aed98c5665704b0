package prompt

import (
	"errors"
	"fmt"
	"sync"
)

// ErrScriptExhausted is wrapped in the error a [Scripted] prompt returns
// when it has no answer left.
var ErrScriptExhausted = errors.New("scripted prompter has no answer left")

// Scripted is a [Prompter] for tests. Each prompt records its text in Asked
// and consumes the next entry of Answers, in order, whichever method asks;
// when Answers runs out the prompt returns an error wrapping
// [ErrScriptExhausted]. Confirm interprets its answer like the terminal
// does ("y"/"yes" in any case is yes, empty is the default, else no).
//
// Errors makes the n-th prompt (0-based, counted like Asked) fail with the
// given error, e.g. [ErrInterrupted], without consuming an answer.
//
// The zero value has no answers. Scripted is safe for concurrent use.
type Scripted struct {
	Answers []string
	Asked   []string
	Errors  map[int]error

	mu   sync.Mutex
	next int
}

var _ Prompter = (*Scripted)(nil)

// Password implements [Prompter].
func (s *Scripted) Password(prompt string) (string, error) { return s.answer(prompt) }

// Line implements [Prompter].
func (s *Scripted) Line(prompt string) (string, error) { return s.answer(prompt) }

// Confirm implements [Prompter].
func (s *Scripted) Confirm(prompt string, def bool) (bool, error) {
	a, err := s.answer(prompt)
	if err != nil {
		return false, err
	}
	return parseConfirm(a, def), nil
}

// Remaining returns the answers not consumed yet.
func (s *Scripted) Remaining() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.Answers[s.next:]...)
}

func (s *Scripted) answer(prompt string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.Asked)
	s.Asked = append(s.Asked, prompt)
	if err := s.Errors[n]; err != nil {
		return "", err
	}
	if s.next >= len(s.Answers) {
		return "", fmt.Errorf("prompt %q: %w", prompt, ErrScriptExhausted)
	}
	a := s.Answers[s.next]
	s.next++
	return a, nil
}
