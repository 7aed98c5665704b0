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

func (s *fakeStore) View(_ context.Context, fn func(store.Reader) error) error {
	*s.log = append(*s.log, "view "+s.name)
	return fn(nil)
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

	t.Run("each transaction opens and closes", func(t *testing.T) {
		o := &fakeOpener{}
		h := cmdutil.NewHandle(o.open, "db", cmdutil.MustExist, opts)
		_ = h.View(ctx, noop)
		if err := h.Update(ctx, write); err != nil {
			t.Fatal(err)
		}
		_ = h.View(ctx, noop)
		_ = h.Close()
		// Nothing stays open between transactions: a shared lock while
		// reading, the exclusive one only while writing.
		want := []string{"open 1 ro", "view 1", "close 1", "open 2 rw", "update 2", "close 2", "open 3 ro", "view 3", "close 3"}
		if !reflect.DeepEqual(o.log, want) {
			t.Errorf("log %q\nwant %q", o.log, want)
		}
		for i, s := range o.opened {
			if s.opts.LockTimeout != 7*time.Second {
				t.Errorf("open %d lost the lock timeout: %+v", i+1, s.opts)
			}
		}
		if err := h.View(ctx, noop); !errors.Is(err, store.ErrClosed) {
			t.Errorf("view after Close: %v, want ErrClosed", err)
		}
	})

	t.Run("read-write creates on write", func(t *testing.T) {
		o := &fakeOpener{}
		h := cmdutil.NewHandle(o.open, "db", cmdutil.ReadWrite, opts)
		_ = h.Update(ctx, write)
		want := []string{"open 1 rw+create", "update 1", "close 1"}
		if !reflect.DeepEqual(o.log, want) {
			t.Errorf("log %q\nwant %q", o.log, want)
		}
	})

	t.Run("a missing database", func(t *testing.T) {
		missing := map[int]error{1: store.ErrNoDatabase, 2: store.ErrNoDatabase}
		readUser := func(r store.Reader) error {
			_, err := r.User("alice")
			return err
		}
		// Read-only: an error naming the path (exit 3), for reads and
		// writes, and nothing is created.
		o := &fakeOpener{fail: missing}
		h := cmdutil.NewHandle(o.open, "/x/auth.db", cmdutil.MustExist, opts)
		var nd *cmdutil.NoDatabaseError
		if err := h.View(ctx, noop); !errors.As(err, &nd) || nd.Path != "/x/auth.db" {
			t.Errorf("read-only view: %v, want a NoDatabaseError", err)
		}
		if err := h.Update(ctx, write); !errors.Is(err, store.ErrNoDatabase) {
			t.Errorf("read-only update: %v, want ErrNoDatabase", err)
		}
		if got := o.log; !reflect.DeepEqual(got, []string{"open 1 ro", "open 2 rw"}) {
			t.Errorf("log %q", got)
		}
		// Read-write and preview read it as empty.
		for _, a := range []cmdutil.Access{cmdutil.ReadWrite, cmdutil.Preview} {
			o = &fakeOpener{fail: missing}
			h = cmdutil.NewHandle(o.open, "db", a, opts)
			if err := h.View(ctx, readUser); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("access %d, view of a missing database: %v, want ErrNotFound", a, err)
			}
		}
		// A preview never writes, so never creates.
		if err := h.Update(ctx, write); !errors.Is(err, store.ErrReadOnly) {
			t.Errorf("preview update: %v, want ErrReadOnly", err)
		}
		if len(o.log) != 1 {
			t.Errorf("preview opened for writing: %q", o.log)
		}
	})

	t.Run("a busy database", func(t *testing.T) {
		o := &fakeOpener{fail: map[int]error{1: store.ErrBusy}}
		h := cmdutil.NewHandle(o.open, "db", cmdutil.MustExist, opts)
		if err := h.Update(ctx, write); !errors.Is(err, store.ErrBusy) {
			t.Errorf("update: %v, want ErrBusy", err)
		}
		// The next transaction tries again.
		if err := h.View(ctx, noop); err != nil {
			t.Errorf("view after a busy update: %v", err)
		}
	})

	t.Run("nested transactions are refused, not deadlocked", func(t *testing.T) {
		o := &fakeOpener{}
		h := cmdutil.NewHandle(o.open, "db", cmdutil.MustExist, opts)
		var inner error
		_ = h.View(ctx, func(store.Reader) error {
			inner = h.Update(ctx, write)
			return nil
		})
		if inner == nil {
			t.Error("an Update inside a View was allowed")
		}
	})
}
