package cmdutil_test

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"authctl/internal/cmdutil"
	"authctl/internal/store"
	"authctl/internal/store/bolt"
)

var (
	ctx         = context.Background()
	opts        = store.OpenOptions{LockTimeout: 7 * time.Second}
	errSentinel = errors.New("sentinel")
)

// fakeStager is a fakeStore that can stage.
type fakeStager struct{ *fakeStore }

func (s fakeStager) UpdateStaged(_ context.Context, fn func(func(func(store.Writer) error) error) error) error {
	if s.opts.ReadOnly {
		return store.ErrReadOnly
	}
	*s.log = append(*s.log, "staged "+s.name)
	return fn(func(f func(store.Writer) error) error { return f(nil) })
}

// stagerOpener opens fakeStagers.
func (o *fakeOpener) stagerOpen(opts store.OpenOptions) (store.Store, error) {
	st, err := o.open(opts)
	if err != nil {
		return nil, err
	}
	return fakeStager{st.(*fakeStore)}, nil
}

func TestHandleUpdateStaged(t *testing.T) {
	stages := func(stage func(func(store.Writer) error) error) error {
		if err := stage(func(store.Writer) error { return nil }); err != nil {
			return err
		}
		return stage(func(store.Writer) error { return nil })
	}

	t.Run("opens writable, stages, closes", func(t *testing.T) {
		o := &fakeOpener{}
		h := cmdutil.NewHandle(o.stagerOpen, "db", cmdutil.ReadWrite, opts)
		if err := h.UpdateStaged(ctx, stages); err != nil {
			t.Fatal(err)
		}
		want := []string{"open 1 rw+create", "staged 1", "close 1"}
		if !reflect.DeepEqual(o.log, want) {
			t.Errorf("log %q\nwant %q", o.log, want)
		}
		if o.opened[0].opts.LockTimeout != opts.LockTimeout {
			t.Errorf("open lost the lock timeout: %+v", o.opened[0].opts)
		}
	})

	t.Run("a store that cannot stage runs one Update", func(t *testing.T) {
		o := &fakeOpener{}
		h := cmdutil.NewHandle(o.open, "db", cmdutil.MustExist, opts)
		if err := h.UpdateStaged(ctx, stages); err != nil {
			t.Fatal(err)
		}
		want := []string{"open 1 rw", "update 1", "close 1"}
		if !reflect.DeepEqual(o.log, want) {
			t.Errorf("log %q\nwant %q", o.log, want)
		}
	})

	t.Run("errors", func(t *testing.T) {
		// fn's error comes back unchanged, and the store is closed.
		o := &fakeOpener{}
		h := cmdutil.NewHandle(o.stagerOpen, "db", cmdutil.MustExist, opts)
		err := h.UpdateStaged(ctx, func(func(func(store.Writer) error) error) error { return errSentinel })
		if err != errSentinel {
			t.Errorf("UpdateStaged: %v, want fn's error unchanged", err)
		}
		if !o.opened[0].closed {
			t.Error("the store was left open")
		}
		// A missing database: the same error as Update's, nothing created.
		o = &fakeOpener{fail: map[int]error{1: store.ErrNoDatabase, 2: store.ErrNoDatabase}}
		h = cmdutil.NewHandle(o.stagerOpen, "/x/auth.db", cmdutil.MustExist, opts)
		var nd *cmdutil.NoDatabaseError
		if err := h.UpdateStaged(ctx, stages); !errors.As(err, &nd) || nd.Path != "/x/auth.db" {
			t.Errorf("UpdateStaged of a missing database: %v, want a NoDatabaseError", err)
		}
		// Damage is described as Update's is.
		o = &fakeOpener{}
		h = cmdutil.NewHandle(o.stagerOpen, "/x/auth.db", cmdutil.MustExist, opts)
		var de *cmdutil.DamageError
		err = h.UpdateStaged(ctx, func(func(func(store.Writer) error) error) error {
			return store.ErrCorrupt
		})
		if !errors.As(err, &de) || de.Location != "/x/auth.db" {
			t.Errorf("UpdateStaged meeting damage: %v, want a DamageError", err)
		}
		// A preview never opens for writing.
		o = &fakeOpener{}
		h = cmdutil.NewHandle(o.stagerOpen, "db", cmdutil.Preview, opts)
		if err := h.UpdateStaged(ctx, stages); !errors.Is(err, store.ErrReadOnly) {
			t.Errorf("preview: %v, want ErrReadOnly", err)
		}
		if len(o.log) != 0 {
			t.Errorf("preview opened: %q", o.log)
		}
		// Nested in a View: refused.
		o = &fakeOpener{}
		h = cmdutil.NewHandle(o.stagerOpen, "db", cmdutil.MustExist, opts)
		var inner error
		_ = h.View(ctx, func(store.Reader) error { inner = h.UpdateStaged(ctx, stages); return nil })
		if inner == nil {
			t.Error("an UpdateStaged inside a View was allowed")
		}
		_ = h.Close()
		if err := h.UpdateStaged(ctx, stages); !errors.Is(err, store.ErrClosed) {
			t.Errorf("after Close: %v, want ErrClosed", err)
		}
	})

	t.Run("on a bolt database", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "auth.db")
		open := func(o store.OpenOptions) (store.Store, error) { return bolt.Open(path, o) }
		h := cmdutil.NewHandle(open, path, cmdutil.ReadWrite, opts)
		err := h.UpdateStaged(ctx, func(stage func(func(store.Writer) error) error) error {
			for _, name := range []string{"alice", "bob"} {
				if err := stage(func(w store.Writer) error { return w.PutUser(store.User{Username: name}) }); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = h.View(ctx, func(r store.Reader) error {
			n := 0
			err := r.Users("", func(store.User) error { n++; return nil })
			if n != 2 {
				t.Errorf("%d users after a staged write through the handle, want 2", n)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
