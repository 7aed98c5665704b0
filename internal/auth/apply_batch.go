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
	batches := chunks(pl.perms, func(st permStep) bool { return st.action != ActionUnchanged }, size,
		func(c []permStep) *plan { return &plan{perms: c} })
	batches = append(batches, chunks(pl.groups, func(st groupStep) bool { return st.action != ActionUnchanged }, size,
		func(c []groupStep) *plan { return &plan{groups: c} })...)
	batches = append(batches, chunks(pl.users, func(st userStep) bool { return st.action != ActionUnchanged }, size,
		func(c []userStep) *plan { return &plan{users: c} })...)
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

// chunks is the steps that change something, in batches of at most size,
// each made a plan by batch.
func chunks[T any](steps []T, changes func(T) bool, size int, batch func([]T) *plan) []*plan {
	var kept []T
	for _, st := range steps {
		if changes(st) {
			kept = append(kept, st)
		}
	}
	var out []*plan
	for i := 0; i < len(kept); i += size {
		out = append(out, batch(kept[i:min(i+size, len(kept))]))
	}
	return out
}
