package auth

import (
	"context"
	"errors"
	"fmt"

	"authctl/internal/store"
)

// writePlanBatches writes a hashed plan in transactions of at most size
// objects each, for a store that cannot take a whole plan in one (etcd's
// per-transaction limits): permissions first, then groups, then users
// (each batch with its audit records), then whatever the prune deletes in
// a last transaction. The plan was checked whole before this is called,
// so only what happens meanwhile (another writer, the cluster) can fail a
// batch. A failed or interrupted run leaves whole batches written, never a
// part of one; running the same apply again plans only what is left and
// completes it. Objects the plan leaves unchanged are not re-read.
func (s *Service) writePlanBatches(ctx context.Context, ap *ApplyPlan, size int) (ApplyResult, error) {
	pl := ap.pl
	var batches []*plan
	var perms []permStep
	for _, st := range pl.perms {
		if st.action != ActionUnchanged {
			perms = append(perms, st)
		}
	}
	for i := 0; i < len(perms); i += size {
		batches = append(batches, &plan{perms: perms[i:min(i+size, len(perms))]})
	}
	var groups []groupStep
	for _, st := range pl.groups {
		if st.action != ActionUnchanged {
			groups = append(groups, st)
		}
	}
	for i := 0; i < len(groups); i += size {
		batches = append(batches, &plan{groups: groups[i:min(i+size, len(groups))]})
	}
	var users []userStep
	for _, st := range pl.users {
		if st.action != ActionUnchanged {
			users = append(users, st)
		}
	}
	for i := 0; i < len(users); i += size {
		batches = append(batches, &plan{users: users[i:min(i+size, len(users))]})
	}
	if len(pl.pruneUsers)+len(pl.pruneGroups)+len(pl.prunePerms) > 0 {
		batches = append(batches, &plan{pruneUsers: pl.pruneUsers, pruneGroups: pl.pruneGroups, prunePerms: pl.prunePerms})
	}
	written := 0
	for i, b := range batches {
		err := ctx.Err()
		if err == nil {
			err = s.write(ctx, func(w store.Writer) error { return s.writePlan(w, b, ap.opts) })
		}
		if err != nil {
			if i == 0 {
				return ApplyResult{}, err
			}
			return ApplyResult{}, &BatchError{Done: i, Of: len(batches), Objects: written, Err: err}
		}
		written += len(b.perms) + len(b.groups) + len(b.users) + len(b.pruneUsers) + len(b.pruneGroups) + len(b.prunePerms)
	}
	return ApplyResult{Changes: pl.changes()}, nil
}

// BatchError is an apply written in batches that stopped part way: Done
// whole batches (Objects objects) were written, the rest not.
type BatchError struct {
	Done, Of, Objects int
	Err               error
}

func (e *BatchError) Error() string {
	what := "failed"
	if errors.Is(e.Err, context.Canceled) {
		what = "was interrupted"
	}
	return fmt.Sprintf("batch %d of %d %s: %v; the first %d batches (%d objects) were written whole: run the same command again to complete it",
		e.Done+1, e.Of, what, e.Err, e.Done, e.Objects)
}

func (e *BatchError) Unwrap() error { return e.Err }
