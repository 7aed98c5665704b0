package auth

import (
	"context"
	"errors"
	"fmt"

	"authctl/internal/store"
)

// writeApplyPlan writes a hashed plan all or nothing: in one transaction,
// or, when it changes more than stageSize objects, in staged transactions
// of that many that the store publishes as one. An object created,
// deleted or re-passworded by someone else since planning fails it with
// ErrChangedDuringApply, writing nothing. A plan is written once.
func (s *Service) writeApplyPlan(ctx context.Context, ap *ApplyPlan) (ApplyResult, error) {
	if !ap.hashed {
		return ApplyResult{}, errors.New("auth: writeApplyPlan of a plan whose passwords are not hashed (call hashApplyPlan first)")
	}
	var err error
	if ap.pl.changed() > stageSize {
		err = s.writeStaged(ctx, func(stage func(func(store.Writer) error) error) error {
			for _, b := range planBatches(ap.pl, stageSize, true) {
				if err := ctx.Err(); err != nil {
					return err
				}
				if err := stage(func(w store.Writer) error { return s.writePlan(w, b, ap.opts) }); err != nil {
					return err
				}
			}
			return nil
		})
	} else {
		err = s.write(ctx, func(w store.Writer) error { return s.writePlan(w, ap.pl, ap.opts) })
	}
	if err != nil {
		return ApplyResult{}, err
	}
	return ap.pl.result(ap.opts.CountsOnly), nil
}

// stageSize is how many objects one transaction of a large apply writes
// (writeApplyPlan): the memory a write transaction holds grows with what it
// writes, so a larger plan is written in stages of this size that the
// store publishes as one (store.UpdateStaged). A variable for the tests.
var stageSize = 10_000

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
	batches := planBatches(pl, size, false)
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
		written += len(b.perms) + len(b.groups) + len(b.writeOrder()) + len(b.pruneUsers) + len(b.pruneGroups) + len(b.prunePerms)
	}
	return pl.result(ap.opts.CountsOnly), nil
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

// planBatches cuts a plan into plans of at most size changed objects each:
// permissions first, then groups, then users in key order (so that each
// batch writes one run of neighbouring keys), then whatever the prune
// deletes in a last one. The Django keys an import records go with the
// first batch (or alone, when nothing else changes).
//
// With all, the batches also hold the steps that change nothing, so that
// writing them re-checks those objects too, as writing the whole plan in
// one transaction does.
func planBatches(pl *plan, size int, all bool) []*plan {
	changed := func(a ChangeAction) bool { return all || a != ActionUnchanged }
	batches := chunks(pl.perms, func(st permStep) bool { return changed(st.action) }, size,
		func(c []permStep) *plan { return &plan{perms: c} })
	batches = append(batches, chunks(pl.groups, func(st groupStep) bool { return changed(st.action) }, size,
		func(c []groupStep) *plan { return &plan{groups: c} })...)
	// The users' batches share pl.users, each with its run of indexes.
	order := keyOrder(pl.users, pl.table)
	kept := order[:0]
	for _, i := range order {
		if changed(pl.users[i].action) {
			kept = append(kept, i)
		}
	}
	for i := 0; i < len(kept); i += size {
		batches = append(batches, &plan{users: pl.users, table: pl.table, userGroups: pl.userGroups, userPerms: pl.userPerms, userOrder: kept[i:min(i+size, len(kept)):min(i+size, len(kept))]})
	}
	if len(pl.pruneUsers)+len(pl.pruneGroups)+len(pl.prunePerms) > 0 {
		batches = append(batches, &plan{pruneUsers: pl.pruneUsers, pruneGroups: pl.pruneGroups, prunePerms: pl.prunePerms})
	}
	if !pl.djangoKeys.empty() {
		if len(batches) == 0 {
			batches = append(batches, &plan{})
		}
		batches[0].djangoKeys = pl.djangoKeys
	}
	return batches
}

// writeOrder is the indexes in pl.users of the users the plan writes, in
// the order to write them.
func (pl *plan) writeOrder() []int32 {
	if pl.userOrder != nil {
		return pl.userOrder
	}
	return keyOrder(pl.users, pl.table)
}

// changed is how many objects the plan changes.
func (pl *plan) changed() int {
	n := len(pl.pruneUsers) + len(pl.pruneGroups) + len(pl.prunePerms)
	for _, st := range pl.perms {
		if st.action != ActionUnchanged {
			n++
		}
	}
	for _, st := range pl.groups {
		if st.action != ActionUnchanged {
			n++
		}
	}
	for _, st := range pl.users {
		if st.action != ActionUnchanged {
			n++
		}
	}
	return n
}

// chunks is the steps that change something, in batches of at most size,
// each made a plan by batch.
func chunks[T any](steps []T, changes func(T) bool, size int, batch func([]T) *plan) []*plan {
	n := 0
	for _, st := range steps {
		if changes(st) {
			n++
		}
	}
	kept := steps // all of them: no copy
	if n < len(steps) {
		kept = make([]T, 0, n)
		for _, st := range steps {
			if changes(st) {
				kept = append(kept, st)
			}
		}
	}
	var out []*plan
	for i := 0; i < len(kept); i += size {
		out = append(out, batch(kept[i:min(i+size, len(kept))]))
	}
	return out
}
