package cmdutil

import (
	"context"
	"errors"
	"sync"

	"authctl/internal/store"
)

// Opener opens the database at a location.
type Opener func(opts store.OpenOptions) (store.Store, error)

// Handle is a store.Store that opens the database for each transaction and
// closes it afterwards: read-only (a shared file lock) for View, writable
// (the exclusive lock) for Update. No lock is held between transactions —
// while a command prompts, hashes a password or prints — so a person typing
// a password, or an apply hashing for minutes, never blocks other authctl
// processes for longer than one transaction.
//
// The access mode decides what a missing database means: an error for
// MustExist (exit 3, and no file is created by a change that fails), an
// empty database for ReadWrite (created by its first Update) and Preview
// (which never writes).
//
// Transactions must not nest: the file lock is per open file, so an Update
// inside a View (or the reverse) would wait for itself. Handle refuses that
// with an error instead.
type Handle struct {
	open     Opener
	location string
	access   Access
	opts     store.OpenOptions

	mu     sync.Mutex
	active int // transactions running
	closed bool
}

// NewHandle returns a handle on the database at location. Nothing is
// opened until the first transaction.
func NewHandle(open Opener, location string, access Access, opts store.OpenOptions) *Handle {
	return &Handle{open: open, location: location, access: access, opts: opts}
}

var errNested = errors.New("internal error: nested database transactions")

func (h *Handle) enter() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.closed:
		return store.ErrClosed
	case h.active > 0:
		return errNested
	}
	h.active++
	return nil
}

func (h *Handle) leave() {
	h.mu.Lock()
	h.active--
	h.mu.Unlock()
}

// View opens the database read-only, runs fn, and closes it.
func (h *Handle) View(ctx context.Context, fn func(store.Reader) error) error {
	if err := h.enter(); err != nil {
		return err
	}
	defer h.leave()
	o := h.opts
	o.ReadOnly, o.Create = true, false
	st, err := h.open(o)
	if errors.Is(err, store.ErrNoDatabase) && h.access != MustExist ||
		errors.Is(err, store.ErrUninitialized) && h.access != MustExist {
		// Nothing there yet: its first Update creates (or initialises) it.
		st, err = store.Empty(), nil
	}
	if err != nil {
		return DescribeOpenError(h.location, err)
	}
	err = st.View(ctx, fn)
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	return describeDamage(h.location, err)
}

// Update opens the database for writing (creating it in ReadWrite mode),
// runs fn in one transaction, and closes it.
func (h *Handle) Update(ctx context.Context, fn func(store.Writer) error) error {
	return h.write(func(st store.Store) error { return st.Update(ctx, fn) })
}

// UpdateStaged opens the database for writing as Update does, runs fn's
// stages with store.UpdateStaged on it (staged on a copy when the backend
// can, else in one transaction), and closes it. The exclusive lock is held
// from the first stage to the publishing of the last.
func (h *Handle) UpdateStaged(ctx context.Context, fn func(stage func(func(store.Writer) error) error) error) error {
	return h.write(func(st store.Store) error { return store.UpdateStaged(ctx, st, fn) })
}

// write opens the database for writing, runs do on it and closes it.
func (h *Handle) write(do func(store.Store) error) error {
	if h.access == Preview {
		return store.ErrReadOnly
	}
	if err := h.enter(); err != nil {
		return err
	}
	defer h.leave()
	o := h.opts
	o.ReadOnly, o.Create = false, h.access == ReadWrite
	st, err := h.open(o)
	if err != nil {
		return DescribeOpenError(h.location, err)
	}
	err = do(st)
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	return describeDamage(h.location, err)
}

// Close makes later transactions fail with store.ErrClosed. Nothing stays
// open between transactions, so there is nothing else to release.
func (h *Handle) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	return nil
}

var _ store.Stager = (*Handle)(nil)
