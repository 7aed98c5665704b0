package auth

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"authctl/internal/auth/hasher"
	"authctl/internal/store"
)

// hashPlan hashes (and, for UpdatePasswords, first verifies) every declared
// plain password on a pool of workers, outside any transaction: hashing is
// nearly all the cost of seeding, and a write transaction must stay short.
func (s *Service) hashPlan(ctx context.Context, pl *plan, opts ApplyOptions) error {
	var jobs []int
	for i, st := range pl.users {
		if st.hash || st.verify {
			jobs = append(jobs, i)
		}
	}
	if len(jobs) == 0 {
		return nil
	}
	// The hashes' memory is not held through the write that follows.
	defer hasher.ReleaseHashMemory()
	workers := opts.Workers
	if workers <= 0 {
		// Every core, counting the cores each hash already keeps busy
		// (argon2's lanes): as fast, and a fraction of argon2's memory.
		workers = max(1, runtime.GOMAXPROCS(0)/s.hashers.Lanes())
	}
	workers = min(workers, len(jobs))
	var (
		next     atomic.Int64
		done     atomic.Int64
		firstErr error
		errOnce  sync.Once
		wg       sync.WaitGroup
		progress sync.Mutex
	)
	fail := func(err error) { errOnce.Do(func() { firstErr = err }) }
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var v userView
			for {
				k := int(next.Add(1) - 1)
				if k >= len(jobs) || ctx.Err() != nil {
					return
				}
				st := &pl.users[jobs[k]]
				raw := pl.table.load(int(st.user), &v).Password.value
				if st.verify {
					if ok, _ := s.hashers.Check(raw, st.before); ok {
						st.verify = false
						s.reportProgress(&progress, &done, len(jobs), opts.Progress)
						continue
					}
				}
				enc, err := s.hashers.Make(raw)
				if err != nil {
					fail(err)
					return
				}
				st.password = enc
				s.reportProgress(&progress, &done, len(jobs), opts.Progress)
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	if firstErr != nil {
		return firstErr
	}
	for _, i := range jobs {
		st := &pl.users[i]
		if st.verify && st.password != "" {
			st.fields = append(st.fields, "password")
			st.action = ActionUpdate
		}
	}
	return nil
}

func (s *Service) reportProgress(mu *sync.Mutex, done *atomic.Int64, total int, fn func(int, int)) {
	n := done.Add(1)
	if fn == nil {
		return
	}
	mu.Lock()
	fn(int(n), total)
	mu.Unlock()
}

// writePlan writes the plan in the caller's transaction. Every object is
// re-read: one that another process created, deleted or re-passworded since
// planning fails the whole apply with ErrChangedDuringApply.
func (s *Service) writePlan(w store.Writer, pl *plan, opts ApplyOptions) error {
	// One audit record per object: remember the last one appended rather
	// than read and decode it back before each append (at 100,000 users
	// that re-reading was a quarter of the write).
	tail := &auditTail{Writer: w}
	w = tail
	origin := opts.Origin
	record := func(kind, name string, action ChangeAction, fields []string) error {
		ev := Event{Action: kind + "." + map[ChangeAction]string{ActionCreate: "create", ActionUpdate: "update", ActionDelete: "delete"}[action], Target: name, Detail: origin}
		if len(fields) > 0 {
			ev.Detail += ": " + strings.Join(fields, ",")
		}
		return s.appendAudit(w, ev)
	}
	expect := func(exists bool, action ChangeAction) error {
		if exists != (action != ActionCreate) {
			return ErrChangedDuringApply
		}
		return nil
	}
	if err := writeDjangoKeys(w, pl.djangoKeys); err != nil {
		return err
	}
	for _, st := range pl.perms {
		ok, err := found(w.Permission(st.rec.Perm))
		if err != nil {
			return err
		}
		if err := expect(ok, st.action); err != nil {
			return err
		}
		if st.action == ActionUnchanged {
			continue
		}
		if err := w.PutPermission(st.rec); err != nil {
			return err
		}
		if err := record("perm", st.rec.Perm, st.action, st.fields); err != nil {
			return err
		}
	}
	for _, st := range pl.groups {
		cur, err := w.Group(st.rec.Name)
		ok := err == nil
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err := expect(ok, st.action); err != nil {
			return err
		}
		if st.action == ActionUnchanged {
			continue
		}
		rec := st.rec
		if ok {
			rec.Managed = cur.Managed
		}
		if err := w.PutGroup(rec); err != nil {
			return err
		}
		if err := record("group", rec.Name, st.action, st.fields); err != nil {
			return err
		}
	}
	// The references were checked when planning; a group or permission
	// deleted since (while passwords were hashed) must not be granted or
	// joined now, which would leave a dangling name behind.
	order := pl.writeOrder()
	if err := refsStillExist(w, pl); err != nil {
		return err
	}
	now := s.clock()
	var v userView
	write := func(st *userStep, table *UserTable) error {
		return s.writeUser(w, st, table.load(int(st.user), &v), opts, now, record)
	}
	var g gathered
	for start := 0; start < len(order); start += gatherSize {
		part := order[start:min(start+gatherSize, len(order))]
		if g.gather(pl.users, pl.table, part) {
			// The part's users copied in key order (usertable_gather.go).
			for j := range g.steps {
				if err := write(&g.steps[j], g.table); err != nil {
					return err
				}
			}
			continue
		}
		for _, i := range part {
			if err := write(&pl.users[i], pl.table); err != nil {
				return err
			}
		}
	}
	if err := s.writePrune(w, pl, record); err != nil {
		return err
	}
	return tail.flushHead()
}

func (s *Service) writeUser(w store.Writer, st *userStep, d *DocUser, opts ApplyOptions, now time.Time, record func(kind, name string, action ChangeAction, fields []string) error) error {
	cur, err := w.User(d.Username)
	ok := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if ok != (st.action != ActionCreate) || (ok && cur.Password != st.before) {
		return ErrChangedDuringApply
	}
	if st.action == ActionUnchanged {
		return nil
	}
	rec := cur
	if !ok {
		rec = docUserRecord(*d)
		rec.Managed = opts.Manage
		if d.DateJoined == nil {
			rec.DateJoined = now
		}
	} else {
		applyDocFields(&rec, *d)
	}
	if st.password != "" || st.setEmpty {
		rec.Password = st.password
	}
	if err := w.PutUser(rec); err != nil {
		return err
	}
	switch {
	case ok && (st.password != "" || st.setEmpty):
		// A new password ends the user's sessions, as a password change does.
		if err := s.endSessions(w, rec.Username, "", "password changed by "+opts.Origin); err != nil {
			return err
		}
	case ok && cur.IsActive && !rec.IsActive:
		// So does deactivation, as `user set --active=false` does: a
		// session must not come back to life if the user is reactivated.
		if err := s.endSessions(w, rec.Username, "", "user deactivated by "+opts.Origin); err != nil {
			return err
		}
	}
	return record("user", rec.Username, st.action, st.fields)
}

// writePrune deletes the managed objects the document dropped, and every
// reference to a deleted group or permission, in one pass over users.
func (s *Service) writePrune(w store.Writer, pl *plan, record func(kind, name string, action ChangeAction, fields []string) error) error {
	for _, name := range pl.pruneUsers {
		if err := w.DeleteUser(name); err != nil {
			return wrapChanged(err)
		}
		if err := s.endSessions(w, name, "", "user deleted by prune"); err != nil {
			return err
		}
		if err := w.DeleteFailure(name); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err := record("user", name, ActionDelete, nil); err != nil {
			return err
		}
	}
	goneGroups := map[string]bool{}
	for _, name := range pl.pruneGroups {
		if err := w.DeleteGroup(name); err != nil {
			return wrapChanged(err)
		}
		goneGroups[name] = true
		if err := record("group", name, ActionDelete, nil); err != nil {
			return err
		}
	}
	gonePerms := map[string]bool{}
	for _, name := range pl.prunePerms {
		if err := w.DeletePermission(name); err != nil {
			return wrapChanged(err)
		}
		gonePerms[name] = true
		if err := record("perm", name, ActionDelete, nil); err != nil {
			return err
		}
	}
	if len(goneGroups) == 0 && len(gonePerms) == 0 {
		return nil
	}
	drop := func(list []string, gone map[string]bool) ([]string, bool) {
		out := list[:0:0]
		for _, v := range list {
			if !gone[v] {
				out = append(out, v)
			}
		}
		return out, len(out) != len(list)
	}
	if err := rewriteUsers(w, func(u *store.User) bool {
		var g, p bool
		u.Groups, g = drop(u.Groups, goneGroups)
		u.Permissions, p = drop(u.Permissions, gonePerms)
		return g || p
	}); err != nil {
		return err
	}
	if len(gonePerms) == 0 {
		return nil
	}
	return rewriteGroups(w, func(g *store.Group) bool {
		var changed bool
		g.Permissions, changed = drop(g.Permissions, gonePerms)
		return changed
	})
}

func wrapChanged(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return ErrChangedDuringApply
	}
	return err
}

// refsStillExist checks, inside the write transaction and after the plan's
// own permissions and groups are written, that every group and permission
// the plan grants or joins exists: its groups', and those its users name
// (all of the whole plan's users, whichever of them a batch writes).
func refsStillExist(w store.Writer, pl *plan) error {
	perm := cachedLookup(func(p string) (bool, error) { return found(w.Permission(p)) })
	group := cachedLookup(func(g string) (bool, error) { return found(w.Group(g)) })
	all := func(names []string, exists func(string) (bool, error)) error {
		for _, n := range names {
			ok, err := exists(n)
			if err != nil {
				return err
			}
			if !ok {
				return ErrChangedDuringApply
			}
		}
		return nil
	}
	for _, st := range pl.groups {
		if err := all(st.rec.Permissions, perm); err != nil {
			return err
		}
	}
	if err := all(pl.userPerms, perm); err != nil {
		return err
	}
	return all(pl.userGroups, group)
}

// keyOrder is the order in which to write the users: by username, so that
// the store's writes are sequential in its key order however the document
// lists them (a B+tree filled in random order splits pages all over; in
// key order it appends). The plan itself, and so the reported changes,
// keep the document's order. The indexes are int32 (half the memory of
// int at a million users): a document of 2^31 users would need hundreds of
// GB of memory before it got here.
func keyOrder(users []userStep, table *UserTable) []int32 {
	// Sorted by the names' first 16 bytes, kept beside each index (a radix
	// sort: keyorder_sort.go), and by the whole names only where those are
	// equal: in a shuffled document each comparison would otherwise read
	// two names from random places in the table (a tenth of a
	// 100,000-user apply).
	keys := make([]orderKey, len(users))
	sorted := true
	for i := range users {
		name := table.username(int(users[i].user))
		var b [16]byte
		copy(b[:], name)
		keys[i] = orderKey{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:]), int32(i)}
		if i > 0 && sorted && compareKeys(keys[i-1].hi, keys[i-1].lo, keys[i].hi, keys[i].lo) > 0 {
			sorted = false
		}
	}
	name := func(i int32) string { return table.username(int(users[i].user)) }
	if !sorted || !slices.IsSortedFunc(keys, func(a, b orderKey) int { return strings.Compare(name(a.i), name(b.i)) }) {
		sortKeys(keys, name)
	}
	order := make([]int32, len(users))
	for k := range keys {
		order[k] = keys[k].i
	}
	return order
}

// compareKeys orders two 16-byte prefixes, each as two big-endian words:
// as their bytes compare.
func compareKeys(ahi, alo, bhi, blo uint64) int {
	if c := cmp.Compare(ahi, bhi); c != 0 {
		return c
	}
	return cmp.Compare(alo, blo)
}
