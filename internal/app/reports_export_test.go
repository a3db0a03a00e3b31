package app

import (
	"context"
	"time"

	"github.com/casehold/casehold/internal/casehold"
	"github.com/casehold/casehold/internal/reminders"
)

// ReportMessagesForBench builds the locked-cases report messages of the period in force at
// `at`, for the benchmark's size figures. Nothing is stored or sent.
func (s *Deps) ReportMessagesForBench(ctx context.Context, at time.Time) ([]casehold.Message, error) {
	live, _ := reminders.Due(reminders.Report(reminders.LockedReportKey, s.Remind, at), at)
	var out []casehold.Message
	for _, o := range live {
		ms, err := s.reportMessages(ctx, o, at)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			out = append(out, m.msg)
		}
	}
	return out, nil
}
