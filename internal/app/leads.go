package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/reminders"
)

// Lead officer notices. When a service area's lead officer is named with an email, the
// notice of the direction is queued through the mail queue under its occasion key (per
// matter, area, notice day and a digest of the address), so naming them again sends
// nothing more. The acknowledgement route is deliberately simple: the notice asks the
// officer to reply to the coordinating officer, who records the acknowledgement in
// casehold (POST /matters/{id}/areas/{area}/acknowledge). Until then the sweep reminds the
// officer after LeadAckDays working days and then tells the coordinator weekly.

// areaLead finds a matter's row for area.
func areaLead(m *casehold.Matter, area string) (casehold.AreaLead, bool) {
	if m == nil {
		return casehold.AreaLead{}, false
	}
	for _, a := range m.Work.Areas {
		if string(a.Area) == area {
			return a, true
		}
	}
	return casehold.AreaLead{}, false
}

// keepLeadState carries casehold's own fields of an area row across a PUT: the notice day
// and acknowledgement stay while the address is the same, and start afresh when it changes.
// A caller cannot set them.
func (s *Deps) keepLeadState(m *casehold.Matter, a *casehold.AreaLead) {
	a.NoticeOn, a.AcknowledgedOn, a.AcknowledgedBy = casehold.Date{}, casehold.Date{}, ""
	if a.LeadEmail == "" {
		return
	}
	if old, ok := areaLead(m, string(a.Area)); ok && strings.EqualFold(old.LeadEmail, a.LeadEmail) && !old.NoticeOn.IsZero() {
		a.NoticeOn, a.AcknowledgedOn, a.AcknowledgedBy = old.NoticeOn, old.AcknowledgedOn, old.AcknowledgedBy
		return
	}
	a.NoticeOn = s.today()
}

// sendLeadNotice queues the notice to an area's lead officer (once per occasion key) and
// tries it at once. A failure to queue is logged: the sweep plans the same occasion and
// queues it then.
func (s *Deps) sendLeadNotice(ctx context.Context, m *casehold.Matter, area casehold.ServiceArea) {
	a, ok := areaLead(m, string(area))
	if !ok || !a.AwaitingAck() {
		return
	}
	o := reminders.LeadNoticeOccasion(m, a, s.Remind)
	pm, msg, err := s.occasionMessage(ctx, o, subject{matter: m})
	if err == nil && pm.Problem == "" {
		_, err = s.queueMail(ctx, o.Key(), m.ID, msg, nil)
	}
	if err != nil {
		s.Log.ErrorContext(ctx, "lead officer notice not queued; the sweep queues it", "occasion", o.Key(), "err", err)
	}
}

// AckInput is an acknowledgement: the day the lead officer acknowledged (today when empty).
type AckInput struct {
	AcknowledgedOn casehold.Date `json:"acknowledged_on"`
}

// AcknowledgeArea records that an area's lead officer acknowledged the notice, on their
// behalf; AcknowledgedBy is who recorded it. The reminders stop.
func (s *CaseWork) AcknowledgeArea(ctx context.Context, actor casehold.Actor, matterID string, area casehold.ServiceArea, in AckInput) (*casehold.Matter, error) {
	return s.updateWork(ctx, actor, casehold.ActCreateMatter, "matter.area_acknowledged", matterID, "area="+string(area), func(m *casehold.Matter) error {
		if !knownArea(area) {
			return casehold.Errorf(casehold.EINVALID, "area must be one of social_care, education, legal, other")
		}
		day := in.AcknowledgedOn
		if day.IsZero() {
			day = s.today()
		}
		if err := s.notFuture("acknowledged_on", day); err != nil {
			return err
		}
		for i := range m.Work.Areas {
			a := &m.Work.Areas[i]
			if a.Area != area {
				continue
			}
			switch {
			case a.LeadEmail == "" || a.NoticeOn.IsZero():
				return casehold.Errorf(casehold.ECONFLICT, "area %s has no lead officer with an email who was sent a notice: name one with lead_email first", area)
			case !a.AcknowledgedOn.IsZero():
				return casehold.Errorf(casehold.ECONFLICT, "area %s was already acknowledged on %s", area, a.AcknowledgedOn)
			case day.Before(a.NoticeOn):
				return casehold.Errorf(casehold.EINVALID, "acknowledged_on must not be before the notice was sent (%s)", a.NoticeOn)
			}
			a.AcknowledgedOn, a.AcknowledgedBy = day, actor.ID
			return nil
		}
		return casehold.Errorf(casehold.ECONFLICT, "area %s has no lead officer recorded: record one first", area)
	})
}

func knownArea(a casehold.ServiceArea) bool {
	for _, k := range casehold.ServiceAreas {
		if k == a {
			return true
		}
	}
	return false
}

// leadText writes a lead officer notice, reminder or escalation. The officer is outside the
// matter: ids, the CCRC reference and what to do, never a child's name or PID.
func leadText(o reminders.Occasion, m *casehold.Matter, restricted bool) (string, string) {
	var b strings.Builder
	area := strings.ReplaceAll(o.Detail["area"], "_", " ")
	date := func(d casehold.Date) string { return d.Time().Format("Monday 2 January 2006") }
	ref := ""
	if m.Reference != "" {
		ref = " (reference " + m.Reference + ")"
	}
	switch o.Kind {
	case reminders.LeadNotice:
		fmt.Fprintf(&b, "You are recorded as the %s lead officer for casehold matter %s%s.\n\n", area, m.ID, ref)
		b.WriteString("A direction has been received to preserve records. Please make sure that every record your service holds for the people of this matter is kept: nothing is to be destroyed, altered or moved until you are told the direction has ended.\n")
		if !m.Deadline.IsZero() {
			fmt.Fprintf(&b, "Confirmation that records are secured is due by %s.\n", date(m.Deadline))
		}
		fmt.Fprintf(&b, "\nPlease acknowledge this notice by replying to the coordinating officer (staff %s), who will record your acknowledgement in casehold. The coordinating officer will tell you which people the direction concerns.\n", m.Coordinator)
		return "casehold: records preservation notice, matter " + m.ID, b.String()
	case reminders.LeadReminder:
		fmt.Fprintf(&b, "The records preservation notice for casehold matter %s%s, sent to you as %s lead officer on %s, has not been acknowledged.\n", m.ID, ref, area, date(o.Due))
		fmt.Fprintf(&b, "Please reply to the coordinating officer (staff %s) to acknowledge it. If it is not acknowledged, the coordinating officer will be told weekly.\n", m.Coordinator)
		return "casehold: reminder, please acknowledge the notice for matter " + m.ID, b.String()
	default:
		fmt.Fprintf(&b, "The %s lead officer has not acknowledged the records preservation notice for matter %s sent on %s.\n", area, m.ID, date(o.Due))
		if a, ok := areaLead(m, o.Detail["area"]); ok && !restricted {
			fmt.Fprintf(&b, "Lead officer: %s (%s).\n", a.LeadOfficer, a.LeadEmail)
		}
		b.WriteString("Contact them, and record the acknowledgement in casehold when they give it. This is repeated weekly until it is recorded.\n")
		return "casehold: lead officer notice unacknowledged, matter " + m.ID, b.String()
	}
}
