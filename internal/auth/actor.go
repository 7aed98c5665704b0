package auth

import (
	"context"
	"sync"

	"authctl/internal/store"
)

// Actor says who runs a change, for the audit log: the operating-system user
// (the caller decides how: authctl names the person behind sudo too) and
// the logged-in authctl user, if any.
//
// Either may be given outright or left to be resolved: the Service resolves
// it once, just before its first write transaction, so that commands that
// only read never look anyone up. This file is the only place that does.
type Actor struct {
	OSUser      string
	SessionUser string
	// WhoOS, if set and OSUser is empty, is asked for OSUser.
	WhoOS func() string
	// SessionToken, if set and SessionUser is empty, returns the token of
	// the caller's saved session ("" for none); SessionUser becomes the
	// user of that session if it is still valid (Whoami).
	SessionToken func() string
}

// actorState is the Service's actor and the lock that guards its
// resolution.
type actorState struct {
	mu sync.Mutex
	a  Actor
}

// SetActor changes who the audit log records for later changes.
func (s *Service) SetActor(a Actor) {
	s.who.mu.Lock()
	defer s.who.mu.Unlock()
	s.who.a = a
}

// resolveActor settles both halves of the actor. It reads the store (the
// session), so it runs outside any transaction: actorStore calls it before
// every Update.
func (s *Service) resolveActor(ctx context.Context) {
	s.who.mu.Lock()
	defer s.who.mu.Unlock()
	if s.who.a.SessionUser == "" && s.who.a.SessionToken != nil {
		token := s.who.a.SessionToken()
		s.who.a.SessionToken = nil
		if token != "" {
			// A stale or foreign session names nobody.
			if _, u, err := s.Whoami(ctx, token); err == nil {
				s.who.a.SessionUser = u.Username
			}
		}
	}
	s.resolveOSLocked()
}

// currentActor is the actor for an audit record. Inside a transaction only
// the OS user can still be resolved (it reads no store); resolveActor has
// normally settled both before the transaction began.
func (s *Service) currentActor() Actor {
	s.who.mu.Lock()
	defer s.who.mu.Unlock()
	s.resolveOSLocked()
	return s.who.a
}

func (s *Service) resolveOSLocked() {
	if s.who.a.OSUser == "" && s.who.a.WhoOS != nil {
		s.who.a.OSUser, s.who.a.WhoOS = s.who.a.WhoOS(), nil
	}
}

// actorStore is the Service's view of its store: every Update, whoever
// calls it (the use cases through write, the apply engine directly),
// resolves the actor first.
type actorStore struct {
	store.Store
	s *Service
}

func (a actorStore) Update(ctx context.Context, fn func(store.Writer) error) error {
	a.s.resolveActor(ctx)
	return a.Store.Update(ctx, fn)
}

func (a actorStore) UpdateStaged(ctx context.Context, fn func(stage func(func(store.Writer) error) error) error) error {
	a.s.resolveActor(ctx)
	return store.UpdateStaged(ctx, a.Store, fn)
}
