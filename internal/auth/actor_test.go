package auth

import (
	"context"
	"testing"
)

// The actor is resolved in one place, once, just before the first write:
// reads never ask who is running, every write (a use case through write,
// the apply engine through the store directly) records both halves, and a
// token that names no valid session adds no session user.
func TestActorResolvedOnceBeforeTheFirstWrite(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.mkUser("alice")
	login, err := e.svc.Login(ctx, "alice", goodPassword)
	noErr(t, err)

	for _, c := range []struct {
		name, token, wantSession, group string
		write                           func(*Service) error
	}{
		{"use case", login.Token, "alice", "g1", func(s *Service) error { return s.CreateGroup(ctx, "g1") }},
		{"apply", login.Token, "alice", "g2", func(s *Service) error {
			_, err := s.Apply(ctx, &Document{Groups: []DocGroup{{Name: "g2"}}}, ApplyOptions{Origin: "apply"})
			return err
		}},
		{"stale token", "not-a-token", "", "g3", func(s *Service) error { return s.CreateGroup(ctx, "g3") }},
	} {
		t.Run(c.name, func(t *testing.T) {
			var asked, tokens int
			opts := e.opts
			opts.Actor = Actor{
				WhoOS:        func() string { asked++; return "root (sudo: ann)" },
				SessionToken: func() string { tokens++; return c.token },
			}
			s := e.newService(opts)
			if _, err := s.GetUser(ctx, "alice"); err != nil {
				t.Fatal(err)
			}
			if asked+tokens != 0 {
				t.Fatalf("a read resolved the actor (%d, %d)", asked, tokens)
			}
			noErr(t, c.write(s))
			noErr(t, s.DeleteGroup(ctx, c.group))
			if asked != 1 || tokens != 1 {
				t.Errorf("resolved %d and %d times over two writes, want once each", asked, tokens)
			}
			recs := e.audit()
			for _, r := range recs[len(recs)-2:] {
				if r.OSUser != "root (sudo: ann)" || r.SessionUser != c.wantSession {
					t.Errorf("record %s by %q as %q, want %q as %q", r.Action, r.OSUser, r.SessionUser, "root (sudo: ann)", c.wantSession)
				}
			}
		})
	}
}
