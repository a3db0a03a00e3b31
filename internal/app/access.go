package app

import (
	"context"
	"fmt"
	"slices"

	"github.com/casehold/casehold/internal/casehold"
)

// The use cases ask the one access policy (casehold.Decide) through these helpers: they
// load what the policy needs by key (the reader's teams, the locks on the children
// concerned) and hand the decision over. Matter-level reads (the matter's record, its
// progress) need matter access; a child's secured material (documents, their lists,
// downloads) needs the child's lock passed too.

// reader is the actor with their teams from the staff directory (none if not in it).
func (s *Deps) reader(ctx context.Context, actor casehold.Actor) (casehold.Reader, error) {
	r := casehold.Reader{Actor: actor}
	if s.Staff == nil {
		return r, nil
	}
	m, err := s.Staff.GetStaff(ctx, actor.ID)
	switch casehold.ErrorCode(err) {
	case "":
		r.Teams, r.Listed = m.Teams, true
	case casehold.ENOTFOUND:
	default:
		return r, fmt.Errorf("read staff directory: %w", err)
	}
	return r, nil
}

// locksOn returns the active locks on the given children.
func (s *Deps) locksOn(ctx context.Context, pids []string) ([]*casehold.Lock, error) {
	if s.Locks == nil {
		return nil, nil
	}
	var out []*casehold.Lock
	seen := map[string]bool{}
	for _, pid := range pids {
		if pid == "" || seen[pid] {
			continue
		}
		seen[pid] = true
		ls, err := s.Locks.LocksForPID(ctx, pid)
		if err != nil {
			return nil, fmt.Errorf("read locks: %w", err)
		}
		for _, l := range ls {
			if l.Active() {
				out = append(out, l)
			}
		}
	}
	return out, nil
}

// allow decides act on matter m touching the children pids. It returns the basis of the
// access for the audit trail, or the policy's EFORBIDDEN (the caller audits the refusal).
func (s *Deps) allow(ctx context.Context, actor casehold.Actor, act casehold.Action, m *casehold.Matter, pids []string) (string, error) {
	r, err := s.reader(ctx, actor)
	if err != nil {
		return "", err
	}
	return s.allowReader(ctx, r, act, m, pids)
}

// allowReader is allow for a reader already read from the directory.
func (s *Deps) allowReader(ctx context.Context, r casehold.Reader, act casehold.Action, m *casehold.Matter, pids []string) (string, error) {
	locks, err := s.locksOn(ctx, pids)
	if err != nil {
		return "", err
	}
	d := casehold.Decide(r, act, casehold.Scope{Matter: m, PIDs: pids, Locks: locks}, s.now())
	if !d.Allow {
		return "", d.Err
	}
	return d.Basis, nil
}

// shown returns the matters as the reader may see them: the names of locked children
// whose lock the reader does not pass, and, for a reader there by grants alone, of children
// no grant covers, are withheld (casehold.Withhold). Every use case that hands a matter's
// record out returns it through here.
func (s *Deps) shown(ctx context.Context, r casehold.Reader, ms ...*casehold.Matter) ([]*casehold.Matter, error) {
	var pids []string
	for _, m := range ms {
		pids = append(pids, m.PIDs()...)
	}
	locks, err := s.locksOn(ctx, pids)
	if err != nil {
		return nil, err
	}
	out := make([]*casehold.Matter, len(ms))
	now := s.now()
	for i, m := range ms {
		out[i] = casehold.Withhold(r, m, locks, now)
	}
	return out, nil
}

// shownTo is shown for one matter and the actor.
func (s *Deps) shownTo(ctx context.Context, actor casehold.Actor, m *casehold.Matter) (*casehold.Matter, error) {
	r, err := s.reader(ctx, actor)
	if err != nil {
		return nil, err
	}
	ms, err := s.shown(ctx, r, m)
	if err != nil {
		return nil, err
	}
	return ms[0], nil
}

// visibleDocuments keeps the documents the reader may read: a grant for one child opens
// that child's documents, and a locked child's documents need the lock passed. It reads
// each child's locks once and decides in memory.
func (s *Deps) visibleDocuments(ctx context.Context, r casehold.Reader, m *casehold.Matter, docs []*casehold.Document) ([]*casehold.Document, error) {
	var pids []string
	for _, d := range docs {
		for _, p := range d.PIDs {
			if !slices.Contains(pids, p) {
				pids = append(pids, p)
			}
		}
	}
	locks, err := s.locksOn(ctx, pids)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := docs[:0:0]
	for _, d := range docs {
		if casehold.Decide(r, casehold.ActReadDocument, casehold.Scope{Matter: m, PIDs: d.PIDs, Locks: locks}, now).Allow {
			out = append(out, d)
		}
	}
	return out, nil
}

// allowDocument decides a read of one document: through any matter it is filed under
// whose access the reader has, and past the locks of the children it concerns.
func (s *Deps) allowDocument(ctx context.Context, actor casehold.Actor, d *casehold.Document) (string, error) {
	var last error = casehold.Errorf(casehold.EFORBIDDEN, "document.read: this document is open to the staff of the matters it is filed under")
	for _, id := range d.MatterIDs {
		m, err := s.Store.GetMatter(ctx, id)
		if err != nil {
			return "", fmt.Errorf("read document's matter: %w", err)
		}
		basis, err := s.allow(ctx, actor, casehold.ActReadDocument, m, d.PIDs)
		if err == nil {
			return basis, nil
		}
		if casehold.ErrorCode(err) != casehold.EFORBIDDEN {
			return "", err
		}
		last = err
	}
	return "", last
}

// AssignLegalOfficer assigns a legal officer to a matter: with the coordinator, the only
// ones who may release it, confirm it and send to outside parties.
func (s *Matters) AssignLegalOfficer(ctx context.Context, actor casehold.Actor, matterID, staffID string) (*casehold.Matter, error) {
	return s.updateWork(ctx, actor, casehold.ActCreateMatter, "matter.legal_officer", matterID, "staff="+staffID, func(m *casehold.Matter) error {
		if err := s.knownStaff(ctx, "staff_id", staffID); err != nil || staffID == "" {
			if err == nil {
				err = casehold.Errorf(casehold.EINVALID, "staff_id is required")
			}
			return err
		}
		if !slices.Contains(m.Work.LegalOfficers, staffID) {
			m.Work.LegalOfficers = append(m.Work.LegalOfficers, staffID)
		}
		return nil
	})
}
