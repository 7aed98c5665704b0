package auth

import (
	"context"
	"errors"
	"testing"

	"authctl/internal/store"
)

// countingReader counts Group reads.
type countingReader struct {
	store.Reader
	groupReads int
}

func (r *countingReader) Group(name string) (store.Group, error) {
	r.groupReads++
	return r.Reader.Group(name)
}

// TestCheckerCachesGroups: a batch reads each group once, however many
// questions involve it, and its answers are Check's.
func TestCheckerCachesGroups(t *testing.T) {
	e := newEnv(t)
	seedDjangoPerms(t, e.svc)
	ctx := context.Background()
	err := e.st.View(ctx, func(r store.Reader) error {
		cr := &countingReader{Reader: r}
		c := newChecker(cr, true)
		for range 100 {
			for _, u := range []string{"alice", "bob", "carol", "root"} {
				d, err := c.Check(u, []string{"auth.change_user", "auth.view_group"})
				if err != nil {
					return err
				}
				want, err := e.svc.Check(ctx, u, []string{"auth.change_user", "auth.view_group"}, true)
				if err != nil {
					return err
				}
				if d.Allowed != want.Allowed || len(d.Results) != 2 || d.Results[0].Reason != want.Results[0].Reason {
					t.Fatalf("%s: batch %+v, Check %+v", u, d, want)
				}
			}
		}
		// alice is in editors and viewers, bob in editors.
		if cr.groupReads != 2 {
			t.Errorf("%d group reads for 400 questions, want 2", cr.groupReads)
		}
		if _, err := c.Check("nobody", []string{"auth.add_user"}); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown user: %v, want ErrNotFound", err)
		}
		return nil
	})
	noErr(t, err)
}

// TestCheckMalformed: a string that is not app_label.codename is denied
// with its own reason (with or without explain), except to an active
// superuser, as in Django.
func TestCheckMalformed(t *testing.T) {
	e := newEnv(t)
	seedDjangoPerms(t, e.svc)
	ctx := context.Background()
	for _, tc := range []struct {
		user, perm string
		allowed    bool
		reason     string
	}{
		{"alice", "auth", false, ReasonMalformed},
		{"alice", "", false, ReasonMalformed},
		{"alice", "change_user", false, ReasonMalformed},
		{"root", "auth", true, ReasonSuperuser + "; " + ReasonMalformed},
		{"bob", "auth", false, ReasonInactive},
	} {
		for _, explain := range []bool{false, true} {
			d, err := e.svc.Check(ctx, tc.user, []string{tc.perm}, explain)
			noErr(t, err)
			r := d.Results[0]
			if d.Allowed != tc.allowed || r.Reason != tc.reason || !r.Malformed {
				t.Errorf("%s %q explain=%v: %+v; want allowed=%v reason %q, malformed", tc.user, tc.perm, explain, r, tc.allowed, tc.reason)
			}
		}
	}
}
