package store

import (
	"context"
	"errors"
)

// Stager is a Store that can build one change in several write
// transactions on a private copy of the database and then publish the copy
// whole, so that the memory one transaction holds stays bounded however
// large the change is (a write transaction keeps every page it dirtied
// until it commits). The result is the same as one Update: all of it or
// none of it.
type Stager interface {
	Store
	// UpdateStaged calls fn with a stage function. Each call of stage runs its
	// argument in a write transaction of its own on the private copy and
	// commits it there; a later stage sees what earlier ones wrote. When fn
	// returns nil, the copy replaces the database in one step: every other
	// opener sees all of the stages or none. When fn or a stage returns an
	// error (returned unchanged, as Update does), the copy is discarded and
	// the database is left as it was. stage must not be called after fn returns
	// or concurrently. On a read-only store: ErrReadOnly without calling fn.
	//
	// A stage's error rolls that stage back and ends UpdateStaged with it:
	// stage returns the error, later calls of stage return it again without
	// running their argument, and UpdateStaged returns it even if fn does
	// not (fn's own error, when it has one, is returned instead).
	//
	// Like Update's fn, fn and the stage functions must have no side effects
	// outside the Writer: a store that cannot stage runs them all in one
	// Update (see UpdateStaged, the function), which may run them again.
	// fn must not call the store's own methods: a View would read the
	// database as it was before the stages, and an Update waits for the
	// UpdateStaged to end, as an Update inside an Update does.
	UpdateStaged(ctx context.Context, fn func(stage func(func(Writer) error) error) error) error
}

// ErrStageDone is returned by a stage function called after its
// UpdateStaged's fn returned.
var ErrStageDone = errors.New("store: stage called after UpdateStaged's fn returned")

// UpdateStaged is st's UpdateStaged when st is a Stager; otherwise it runs every
// stage in one st.Update (same all-or-nothing result, without the memory
// bound), calling fn again if Update retries.
func UpdateStaged(ctx context.Context, st Store, fn func(stage func(func(Writer) error) error) error) error {
	if s, ok := st.(Stager); ok {
		return s.UpdateStaged(ctx, fn)
	}
	return UpdateInOne(ctx, st, fn)
}

// UpdateInOne runs fn's stages in one st.Update, with UpdateStaged's
// contract but without its memory bound. It is the fallback of
// UpdateStaged, and what a Stager uses when it cannot publish a copy.
func UpdateInOne(ctx context.Context, st Store, fn func(stage func(func(Writer) error) error) error) error {
	return st.Update(ctx, func(w Writer) error {
		var s Stages
		err := fn(func(f func(Writer) error) error {
			return s.Run(ctx, func() error { return f(w) })
		})
		return s.End(err)
	})
}

// Stages keeps the bookkeeping of one UpdateStaged for a backend: that
// stage is not used after fn returned, and that a failed stage ends the
// whole change. The zero value is ready to use.
type Stages struct {
	done bool
	err  error
}

// Run runs one stage, unless fn already returned (ErrStageDone), an
// earlier stage failed (its error) or ctx is done (its error, which ends
// the change as a failed stage does).
func (s *Stages) Run(ctx context.Context, stage func() error) error {
	switch {
	case s.done:
		return ErrStageDone
	case s.err != nil:
		return s.err
	}
	if err := ctx.Err(); err != nil {
		s.err = err
		return err
	}
	if err := stage(); err != nil {
		s.err = err
		return err
	}
	return nil
}

// End is called with fn's result when fn returns, and returns the
// UpdateStaged's result: fn's error, else the error of a failed stage
// (nil when every stage committed).
func (s *Stages) End(fnErr error) error {
	s.done = true
	if fnErr != nil {
		return fnErr
	}
	return s.err
}
