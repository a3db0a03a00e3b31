package casehold

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// StaffMember is one person in the council's staff directory. The directory decides which
// cases a person may see (teams on grants and locks, the line manager who gets escalations);
// the roles in their token decide what they may do.
type StaffMember struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"` // for display; never logged
	Email   string   `json:"email"`
	Teams   []string `json:"teams"`
	Manager string   `json:"manager,omitempty"` // staff id of the line manager
}

// StaffColumns are the columns a directory export must have, in any order; others are
// ignored. Teams are separated by semicolons.
var StaffColumns = []string{"staff_id", "name", "email", "teams", "manager_id"}

// MaxStaffRows bounds one import (a large council has a few thousand children's services
// staff).
const MaxStaffRows = 100000

// ParseStaffCSV reads a directory export. It checks every row and the whole (no duplicate
// ids, every manager in the file, no management cycle) and returns the members in file
// order, or an EINVALID naming the row and column, never a value.
func ParseStaffCSV(r io.Reader) ([]StaffMember, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, Errorf(EINVALID, "the file is empty: it needs a header row with %s", strings.Join(StaffColumns, ", "))
	}
	if err != nil {
		return nil, Errorf(EINVALID, "the file is not valid CSV: %s", csvProblem(err))
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := col[h]; dup && slices.Contains(StaffColumns, h) {
			return nil, Errorf(EINVALID, "column %s appears twice in the header", h)
		}
		col[h] = i
	}
	for _, c := range StaffColumns {
		if _, ok := col[c]; !ok {
			return nil, Errorf(EINVALID, "column %s is missing from the header (needed: %s)", c, strings.Join(StaffColumns, ", "))
		}
	}
	var out []StaffMember
	index := map[string]int{}
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, Errorf(EINVALID, "row %d is not valid CSV: %s", row, csvProblem(err))
		}
		if len(out) >= MaxStaffRows {
			return nil, Errorf(EINVALID, "the file has more than %d rows", MaxStaffRows)
		}
		field := func(name string) string {
			if i := col[name]; i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		m := StaffMember{ID: field("staff_id"), Name: field("name"), Email: field("email"), Manager: field("manager_id")}
		for _, t := range strings.Split(field("teams"), ";") {
			if t = strings.TrimSpace(t); t != "" && !slices.Contains(m.Teams, t) {
				m.Teams = append(m.Teams, t)
			}
		}
		if err := m.validate(); err != nil {
			return nil, Errorf(EINVALID, "row %d: %s", row, ErrorMessage(err))
		}
		if prev, dup := index[m.ID]; dup {
			return nil, Errorf(EINVALID, "row %d: staff_id is the same as row %d's", row, prev+2)
		}
		index[m.ID] = len(out)
		out = append(out, m)
	}
	for i, m := range out {
		if m.Manager == "" {
			continue
		}
		if _, ok := index[m.Manager]; !ok {
			return nil, Errorf(EINVALID, "row %d: manager_id names nobody in the file", i+2)
		}
	}
	if row, ok := managerCycle(out, index); ok {
		return nil, Errorf(EINVALID, "row %d: the line managers form a cycle (someone manages themselves through others)", row)
	}
	return out, nil
}

func (m StaffMember) validate() error {
	switch {
	case m.ID == "":
		return Errorf(EINVALID, "staff_id is empty")
	case len(m.ID) > 64 || strings.ContainsAny(m.ID, " \t#/\\"):
		return Errorf(EINVALID, "staff_id must be at most 64 characters without spaces, #, / or \\")
	case m.Name == "" || len(m.Name) > maxShortText:
		return Errorf(EINVALID, "name is empty or longer than %d characters", maxShortText)
	case m.Manager == m.ID:
		return Errorf(EINVALID, "manager_id is the person themselves")
	case len(m.Teams) > 50:
		return Errorf(EINVALID, "teams names more than 50 teams")
	}
	if m.Email != "" {
		if err := CheckEmail("email", m.Email); err != nil {
			return err
		}
	}
	for _, t := range m.Teams {
		if len(t) > maxShortText {
			return Errorf(EINVALID, "a team name is longer than %d characters", maxShortText)
		}
	}
	return nil
}

// managerCycle finds a chain of managers that loops, returning the first row on it.
func managerCycle(staff []StaffMember, index map[string]int) (int, bool) {
	const (
		unseen = iota
		onPath
		done
	)
	state := make([]int, len(staff))
	for start := range staff {
		var path []int
		i := start
		for i >= 0 && state[i] == unseen {
			state[i] = onPath
			path = append(path, i)
			next, ok := index[staff[i].Manager]
			if !ok {
				next = -1
			}
			i = next
		}
		if i >= 0 && state[i] == onPath {
			return i + 2, true
		}
		for _, p := range path {
			state[p] = done
		}
	}
	return 0, false
}

// csvProblem says what encoding/csv found wrong, without the offending text.
func csvProblem(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("%v at line %d, column %d", pe.Err, pe.Line, pe.Column)
	}
	return "it could not be read"
}

// StaffStore keeps the staff directory. Adapters: internal/boltstore, internal/dynamostore;
// contract: internal/storetest.
type StaffStore interface {
	// ReplaceStaff makes members the whole directory and returns the ids of those who were
	// in it and are not any more (leavers), sorted.
	ReplaceStaff(ctx context.Context, members []StaffMember) (leavers []string, err error)
	// GetStaff returns one member or ENOTFOUND.
	GetStaff(ctx context.Context, id string) (*StaffMember, error)
}
