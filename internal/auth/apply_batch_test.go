package auth

import (
	"slices"
	"testing"
)

// The batches of a large plan share its user steps instead of copying
// them (a copy of every step was 84 MB at 1,000,000 users): each batch
// names its users by index, in key order, the unchanged ones left out
// unless all are asked for.
func TestPlanBatchesShareUserSteps(t *testing.T) {
	names := []string{"d", "a", "e", "b", "c", "f", "g"}
	pl := &plan{table: &UserTable{}}
	for i, n := range names {
		action := ActionCreate
		if i == 2 {
			action = ActionUnchanged // "e"
		}
		pl.table.Add(&DocUser{Username: n})
		pl.users = append(pl.users, userStep{user: int32(i), action: action})
	}
	for _, all := range []bool{false, true} {
		batches := planBatches(pl, 3, all)
		var got []string
		for _, b := range batches {
			if len(b.users) == 0 || &b.users[0] != &pl.users[0] {
				t.Fatalf("all=%v: a batch does not share the plan's steps", all)
			}
			order := b.writeOrder()
			if len(order) > 3 {
				t.Errorf("all=%v: a batch of %d users, want at most 3", all, len(order))
			}
			for _, i := range order {
				got = append(got, b.table.username(int(b.users[i].user)))
			}
		}
		want := []string{"a", "b", "c", "d", "f", "g"}
		if all {
			want = []string{"a", "b", "c", "d", "e", "f", "g"}
		}
		if !slices.Equal(got, want) {
			t.Errorf("all=%v: batches write %v, want %v", all, got, want)
		}
	}
	// The whole plan writes every user, in key order.
	var whole []string
	for _, i := range pl.writeOrder() {
		whole = append(whole, pl.table.username(int(pl.users[i].user)))
	}
	if want := []string{"a", "b", "c", "d", "e", "f", "g"}; !slices.Equal(whole, want) {
		t.Errorf("the whole plan writes %v, want %v", whole, want)
	}
}

// With CountsOnly, a write's result counts what its changes would list,
// action by action, without listing them.
func TestApplyCountsOnly(t *testing.T) {
	for _, mode := range []string{"one transaction", "staged", "batches"} {
		t.Run(mode, func(t *testing.T) {
			opts := ApplyOptions{Manage: true, Prune: true}
			switch mode {
			case "staged":
				old := stageSize
				stageSize = 2
				t.Cleanup(func() { stageSize = old })
			case "batches":
				opts.BatchSize = 2
			}
			doc := func() *Document {
				d := apDoc()
				d.Users = append(d.Users[:len(d.Users)-1], DocUser{Username: "extra", Where: "s:9"})
				return d
			}
			full, counted := apOpen(t), apOpen(t)
			full.apply(t, apDoc(), ApplyOptions{Manage: true})
			counted.apply(t, apDoc(), ApplyOptions{Manage: true})
			want := full.apply(t, doc(), opts)
			opts.CountsOnly = true
			got := counted.apply(t, doc(), opts)
			if got.Changes != nil {
				t.Errorf("CountsOnly listed %d changes", len(got.Changes))
			}
			for _, a := range []ChangeAction{ActionCreate, ActionUpdate, ActionUnchanged, ActionDelete} {
				if got.Count(a) != want.Count(a) {
					t.Errorf("%s: %d, want %d", a, got.Count(a), want.Count(a))
				}
			}
			if want.Count(ActionCreate) != 1 || want.Count(ActionDelete) != 1 || want.Count(ActionUnchanged) == 0 {
				t.Errorf("the test's documents changed: %+v", want.Changes)
			}
		})
	}
}
