package cmdutil_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"authctl/internal/cmdutil"
	"authctl/internal/store"
)

// fakeStore records what is done with it.
type fakeStore struct {
	name   string
	opts   store.OpenOptions
	closed bool
	log    *[]string
}

func (s *fakeStore) View(context.Context, func(store.Reader) error) error {
	*s.log = append(*s.log, "view "+s.name)
	return nil
}

func (s *fakeStore) Update(context.Context, func(store.Writer) error) error {
	if s.opts.ReadOnly {
		return store.ErrReadOnly
	}
	*s.log = append(*s.log, "update "+s.name)
	return nil
}

func (s *fakeStore) Close() error {
	s.closed = true
	*s.log = append(*s.log, "close "+s.name)
	return nil
}

// fakeOpener opens fake stores named 1, 2, ...; fail, when set, says what
// the n-th open (from 1) returns instead.
type fakeOpener struct {
	opened []*fakeStore
	log    []string
	fail   map[int]error
}

func (o *fakeOpener) open(opts store.OpenOptions) (store.Store, error) {
	n := len(o.opened) + 1
	o.log = append(o.log, "open "+string(rune('0'+n))+mode(opts))
	if err := o.fail[n]; err != nil {
		o.opened = append(o.opened, nil)
		return nil, err
	}
	s := &fakeStore{name: string(rune('0' + n)), opts: opts, log: &o.log}
	o.opened = append(o.opened, s)
	return s, nil
}

func mode(o store.OpenOptions) string {
	m := " rw"
	if o.ReadOnly {
		m = " ro"
	}
	if o.Create {
		m += "+create"
	}
	return m
}

func TestHandle(t *testing.T) {
	ctx := context.Background()
	noop := func(store.Reader) error { return nil }
	write := func(store.Writer) error { return nil }
	opts := store.OpenOptions{LockTimeout: 7 * time.Second}

	t.Run("read-only upgrades on the first write", func(t *testing.T) {
		o := &fakeOpener{}
		h, err := cmdutil.OpenHandle(o.open, cmdutil.ReadOnly, opts)
		if err != nil {
			t.Fatal(err)
		}
		_ = h.View(ctx, noop)
		if err := h.Update(ctx, write); err != nil {
			t.Fatal(err)
		}
		_ = h.Update(ctx, write)
		_ = h.View(ctx, noop)
		_ = h.Close()
		// The read-only handle is closed before the writable one opens: a
		// file lock is per open file.
		want := []string{"open 1 ro", "view 1", "close 1", "open 2 rw", "update 2", "update 2", "view 2", "close 2"}
		if !reflect.DeepEqual(o.log, want) {
			t.Errorf("log %q\nwant %q", o.log, want)
		}
		for i, s := range o.opened {
			if s.opts.LockTimeout != 7*time.Second {
				t.Errorf("open %d lost the lock timeout: %+v", i+1, s.opts)
			}
		}
	})

	t.Run("read-write creates and never reopens", func(t *testing.T) {
		o := &fakeOpener{}
		h, err := cmdutil.OpenHandle(o.open, cmdutil.ReadWrite, opts)
		if err != nil {
			t.Fatal(err)
		}
		_ = h.Update(ctx, write)
		_ = h.Close()
		want := []string{"open 1 rw+create", "update 1", "close 1"}
		if !reflect.DeepEqual(o.log, want) {
			t.Errorf("log %q\nwant %q", o.log, want)
		}
	})

	t.Run("a missing database", func(t *testing.T) {
		o := &fakeOpener{fail: map[int]error{1: store.ErrNoDatabase}}
		if _, err := cmdutil.OpenHandle(o.open, cmdutil.ReadOnly, opts); !errors.Is(err, store.ErrNoDatabase) {
			t.Errorf("read-only: %v, want ErrNoDatabase", err)
		}
		// A preview reads it as empty, and does not create it.
		o = &fakeOpener{fail: map[int]error{1: store.ErrNoDatabase, 2: store.ErrNoDatabase}}
		h, err := cmdutil.OpenHandle(o.open, cmdutil.Preview, opts)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.View(ctx, func(r store.Reader) error {
			_, err := r.User("alice")
			return err
		}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("preview of a missing database: %v, want ErrNotFound", err)
		}
		if err := h.Update(ctx, write); !errors.Is(err, store.ErrNoDatabase) {
			t.Errorf("write to a preview of a missing database: %v", err)
		}
	})

	t.Run("a failed upgrade closes the handle", func(t *testing.T) {
		o := &fakeOpener{fail: map[int]error{2: store.ErrBusy}}
		h, err := cmdutil.OpenHandle(o.open, cmdutil.ReadOnly, opts)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.Update(ctx, write); !errors.Is(err, store.ErrBusy) {
			t.Errorf("update: %v, want ErrBusy", err)
		}
		if !o.opened[0].closed {
			t.Error("read-only store left open")
		}
		if err := h.View(ctx, noop); !errors.Is(err, store.ErrClosed) {
			t.Errorf("view after a failed upgrade: %v, want ErrClosed", err)
		}
		if err := h.Update(ctx, write); !errors.Is(err, store.ErrClosed) {
			t.Errorf("update after a failed upgrade: %v, want ErrClosed", err)
		}
		if err := h.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
}
