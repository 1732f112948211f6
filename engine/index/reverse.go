package index

import (
	"slices"
)

// The reverse index answers "who holds this" without scanning every
// user: for each grant key (Grant.key, the resource or the literal
// prefix before a pattern's first "*") the users and groups with grants
// filed there, and for each group its member users. Build makes it from
// the principals; Apply's next View edits only the keys and groups of
// the principals it touched, copying the shards those live in.

// reverseIndex is a View's reverse index; all three lists are sorted.
type reverseIndex struct {
	users   shards[[]string] // grant key → users with grants filed there
	groups  shards[[]string] // grant key → groups with grants filed there
	members shards[[]string] // group → the users in it
}

// buildReverse indexes every user and group of a View nobody reads yet.
func buildReverse(v *View) reverseIndex {
	d := newReverseDelta()
	v.users.each(func(id string, p *principal) { d.user(id, nil, p) })
	v.groups.each(func(id string, p *principal) { d.group(id, nil, p) })
	return d.applyTo(&reverseIndex{})
}

// nextReverse is cur's reverse index edited for the touched users and
// groups, whose entries went from those of cur to those of next.
func nextReverse(cur, next *View, t *touched) reverseIndex {
	d := newReverseDelta()
	for id := range t.users {
		old, _ := cur.users.get(id)
		now, _ := next.users.get(id)
		d.user(id, old, now)
	}
	for id := range t.groups {
		old, _ := cur.groups.get(id)
		now, _ := next.groups.get(id)
		d.group(id, old, now)
	}
	return d.applyTo(&cur.reverse)
}

// reverseDelta collects the edits of one Build or Apply, by list.
type reverseDelta struct {
	users, groups, members listEdits
}

func newReverseDelta() *reverseDelta {
	return &reverseDelta{users: listEdits{}, groups: listEdits{}, members: listEdits{}}
}

// user records a user's entry going from old to now (either may be nil).
func (d *reverseDelta) user(id string, old, now *principal) {
	diffSorted(grantKeys(old), grantKeys(now), func(k string) { d.users.drop(k, id) }, func(k string) { d.users.add(k, id) })
	diffSorted(groupsOf(old), groupsOf(now), func(g string) { d.members.drop(g, id) }, func(g string) { d.members.add(g, id) })
}

// group records a group's entry going from old to now (either may be nil).
func (d *reverseDelta) group(id string, old, now *principal) {
	diffSorted(grantKeys(old), grantKeys(now), func(k string) { d.groups.drop(k, id) }, func(k string) { d.groups.add(k, id) })
}

// applyTo returns cur with the edits made, sharing untouched shards.
func (d *reverseDelta) applyTo(cur *reverseIndex) reverseIndex {
	return reverseIndex{users: d.users.applyTo(&cur.users), groups: d.groups.applyTo(&cur.groups), members: d.members.applyTo(&cur.members)}
}

// listEdits are the ids added to and dropped from each key's list.
type listEdits map[string]*listEdit

type listEdit struct {
	add  []string
	drop set
}

func (e listEdits) edit(key string) *listEdit {
	x, ok := e[key]
	if !ok {
		x = &listEdit{}
		e[key] = x
	}
	return x
}

func (e listEdits) add(key, id string) { x := e.edit(key); x.add = append(x.add, id) }
func (e listEdits) drop(key, id string) {
	x := e.edit(key)
	if x.drop == nil {
		x.drop = set{}
	}
	x.drop[id] = struct{}{}
}

// applyTo returns cur with every edited list rebuilt; an empty list
// removes its key.
func (e listEdits) applyTo(cur *shards[[]string]) shards[[]string] {
	updates := make(map[string][]string, len(e))
	for key, x := range e {
		old, _ := cur.get(key)
		updates[key] = x.apply(old)
	}
	return cur.with(updates, func(ids []string) bool { return len(ids) > 0 })
}

// apply returns a new sorted list: old without the dropped ids, plus the added.
func (x *listEdit) apply(old []string) []string {
	if len(old) == 0 { // a key new to the list, as every key is in Build
		slices.Sort(x.add)
		return slices.Compact(x.add)
	}
	out := make([]string, 0, len(old)+len(x.add))
	for _, id := range old {
		if _, gone := x.drop[id]; !gone {
			out = append(out, id)
		}
	}
	out = append(out, x.add...)
	slices.Sort(out)
	return slices.Compact(out)
}

// grantKeys lists the distinct keys a principal's grants are filed
// under, sorted (its grants are sorted by key); none for nil.
func grantKeys(p *principal) []string {
	if p == nil {
		return nil
	}
	var out []string
	for i := range p.grants {
		if k := p.grants[i].key(); len(out) == 0 || out[len(out)-1] != k {
			out = append(out, k)
		}
	}
	return out
}

func groupsOf(p *principal) []string {
	if p == nil {
		return nil
	}
	return p.groups
}

// diffSorted calls gone for each string of old not in now and came for
// each of now not in old; both are sorted and without repeats.
func diffSorted(old, now []string, gone, came func(string)) {
	i, j := 0, 0
	for i < len(old) || j < len(now) {
		switch {
		case j == len(now) || (i < len(old) && old[i] < now[j]):
			gone(old[i])
			i++
		case i == len(old) || now[j] < old[i]:
			came(now[j])
			j++
		default:
			i, j = i+1, j+1
		}
	}
}
