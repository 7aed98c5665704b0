package cmdutil

import (
	"context"
	"errors"
	"sync"

	"authctl/internal/store"
)

// Opener opens the database at a location.
type Opener func(opts store.OpenOptions) (store.Store, error)

// Handle is a store.Store that opens read-only and reopens for writing on
// the first Update. Reads then share the database with other readers, and
// only a command that really changes something takes the write lock.
// A file lock is held per open file, so the read-only handle is closed
// before the writable one is opened.
type Handle struct {
	open    Opener
	timeout store.OpenOptions
	mu      sync.Mutex
	st      store.Store
	writer  bool
}

// OpenHandle opens the database for the given access.
func OpenHandle(open Opener, access Access, opts store.OpenOptions) (*Handle, error) {
	h := &Handle{open: open, timeout: opts}
	o := opts
	o.ReadOnly = access != ReadWrite
	o.Create = access == ReadWrite
	st, err := open(o)
	if access == Preview && errors.Is(err, store.ErrNoDatabase) {
		st, err = store.Empty(), nil
	}
	if err != nil {
		return nil, err
	}
	h.st, h.writer = st, access == ReadWrite
	return h, nil
}

// View reads through whichever handle is open.
func (h *Handle) View(ctx context.Context, fn func(store.Reader) error) error {
	h.mu.Lock()
	st := h.st
	h.mu.Unlock()
	return st.View(ctx, fn)
}

// Update reopens for writing if needed, then writes.
func (h *Handle) Update(ctx context.Context, fn func(store.Writer) error) error {
	h.mu.Lock()
	if _, failed := h.st.(closedStore); failed {
		// An earlier upgrade failed; reads fail too, so do not reopen.
		h.mu.Unlock()
		return store.ErrClosed
	}
	if !h.writer {
		if err := h.st.Close(); err != nil {
			h.mu.Unlock()
			return err
		}
		o := h.timeout
		o.ReadOnly, o.Create = false, false
		st, err := h.open(o)
		if err != nil {
			h.st = closedStore{}
			h.mu.Unlock()
			return err
		}
		h.st, h.writer = st, true
	}
	st := h.st
	h.mu.Unlock()
	return st.Update(ctx, fn)
}

// Close closes the open handle.
func (h *Handle) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.st.Close()
}

// closedStore stands in after a failed reopen.
type closedStore struct{}

func (closedStore) View(context.Context, func(store.Reader) error) error   { return store.ErrClosed }
func (closedStore) Update(context.Context, func(store.Writer) error) error { return store.ErrClosed }
func (closedStore) Close() error                                           { return nil }

var _ store.Store = (*Handle)(nil)
