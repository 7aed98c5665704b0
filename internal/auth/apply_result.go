package auth

// What writing a plan did, as Apply reports it.

// changes lists every object of p with what writing p does to it, in the
// plan's order: permissions, groups, users, then what the prune deletes.
func (p *plan) changes() []Change {
	out := make([]Change, 0, len(p.perms)+len(p.groups)+len(p.users)+len(p.pruneUsers)+len(p.pruneGroups)+len(p.prunePerms))
	for _, s := range p.perms {
		out = append(out, Change{Kind: "permission", Name: s.rec.Perm, Action: s.action, Fields: s.fields, Warnings: p.warnings[warnKey("permission", s.rec.Perm)]})
	}
	for _, s := range p.groups {
		out = append(out, Change{Kind: "group", Name: s.rec.Name, Action: s.action, Fields: s.fields, Warnings: p.warnings[warnKey("group", s.rec.Name)]})
	}
	for _, s := range p.users {
		name := p.table.username(int(s.user))
		out = append(out, Change{Kind: "user", Name: name, Action: s.action, Fields: s.fields, Warnings: p.warnings[warnKey("user", name)]})
	}
	for _, n := range p.pruneUsers {
		out = append(out, Change{Kind: "user", Name: n, Action: ActionDelete})
	}
	for _, n := range p.pruneGroups {
		out = append(out, Change{Kind: "group", Name: n, Action: ActionDelete})
	}
	for _, n := range p.prunePerms {
		out = append(out, Change{Kind: "permission", Name: n, Action: ActionDelete})
	}
	return out
}

// result is what writing p did: its changes, or with countsOnly (and no
// warnings to report) how many of each action.
func (p *plan) result(countsOnly bool) ApplyResult {
	if !countsOnly || len(p.warnings) > 0 {
		return ApplyResult{Changes: p.changes()}
	}
	counts := map[ChangeAction]int{}
	for _, s := range p.perms {
		counts[s.action]++
	}
	for _, s := range p.groups {
		counts[s.action]++
	}
	for _, s := range p.users {
		counts[s.action]++
	}
	counts[ActionDelete] += len(p.pruneUsers) + len(p.pruneGroups) + len(p.prunePerms)
	return ApplyResult{counts: counts}
}
