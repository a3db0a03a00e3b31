package casehold

import "slices"

// MatterReaderKeys names, as index keys, everyone a matter's own record opens it to: its
// coordinator and legal officers ("staff:<id>") and its access grants, by person
// ("staff:<id>") or by team ("team:<name>"). Stores index matters by these keys, so that
// "the matters I can see" is a lookup of the reader's keys rather than a pass over every
// matter. The keys may open more than the policy allows (a legal officer who is no longer
// in the legal role); never less: the policy decides on what the lookup finds.
func MatterReaderKeys(m *Matter) []string {
	var keys []string
	add := func(k string) {
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	if m.Coordinator != "" {
		add("staff:" + m.Coordinator)
	}
	for _, id := range m.Work.LegalOfficers {
		add("staff:" + id)
	}
	for _, g := range m.Work.Access {
		switch {
		case g.StaffID != "":
			add("staff:" + g.StaffID)
		case g.Team != "":
			add("team:" + g.Team)
		}
	}
	slices.Sort(keys)
	return keys
}

// Keys are the index keys (MatterReaderKeys) under which r finds the matters open to them.
func (r Reader) Keys() []string {
	keys := []string{"staff:" + r.Actor.ID}
	for _, t := range r.Teams {
		keys = append(keys, "team:"+t)
	}
	return keys
}
