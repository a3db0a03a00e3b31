package config

import (
	"fmt"
	"strconv"
	"time"

	"github.com/casehold/casehold/internal/reminders"
)

// remindFromEnv reads the reminder intervals (README "Reminders and notices"):
//
//	CASEHOLD_REMIND_WARN_DAYS       working days before a CCRC deadline to warn, default 7,2
//	CASEHOLD_REMIND_ESCALATE_DAYS   days between escalations, default 7
//	CASEHOLD_REMIND_LOCK_WARN_DAYS  working days before a lock review to remind, default 3
//	CASEHOLD_REMIND_IDLE_DAYS       days without a record before a matter is flagged, default 30
//	CASEHOLD_REMIND_LEAD_ACK_DAYS   working days after a lead officer's notice before an
//	                                unacknowledged one is chased, default 5
//	CASEHOLD_REMIND_AT              local (Europe/London) time reminders go out, default 08:00
//	CASEHOLD_REMIND_EVERY           how often the local server sweeps, default 5m (local only:
//	                                in AWS the schedule in template.yaml decides)
func remindFromEnv(get func(k, def string) string, c *Config) error {
	var err error
	s := reminders.DefaultSettings()
	if s.CCRCWarnDays, err = reminders.ParseDays("CASEHOLD_REMIND_WARN_DAYS", get("CASEHOLD_REMIND_WARN_DAYS", "7,2")); err != nil {
		return fmt.Errorf("CASEHOLD_REMIND_WARN_DAYS must be working days separated by commas, like 7,2")
	}
	for name, p := range map[string]*int{"CASEHOLD_REMIND_ESCALATE_DAYS": &s.EscalateEveryDays,
		"CASEHOLD_REMIND_LOCK_WARN_DAYS": &s.LockReviewWarnDays, "CASEHOLD_REMIND_IDLE_DAYS": &s.IdleDays,
		"CASEHOLD_REMIND_LEAD_ACK_DAYS": &s.LeadAckDays} {
		n, err := strconv.Atoi(get(name, strconv.Itoa(*p)))
		if err != nil || n < 1 || n > 366 {
			return fmt.Errorf("%s must be a whole number of days from 1 to 366", name)
		}
		*p = n
	}
	at, err := time.Parse("15:04", get("CASEHOLD_REMIND_AT", "08:00"))
	if err != nil {
		return fmt.Errorf("CASEHOLD_REMIND_AT must be a time of day like 08:00")
	}
	s.SendHour, s.SendMinute = at.Hour(), at.Minute()
	if s.SendHour == 0 && s.SendMinute == 0 {
		return fmt.Errorf("CASEHOLD_REMIND_AT must not be midnight (00:00 means the default)")
	}
	c.Remind = s
	c.SLTEmail = get("CASEHOLD_SLT_EMAIL", "slt@council.example")
	if c.RemindEvery, err = time.ParseDuration(get("CASEHOLD_REMIND_EVERY", "5m")); err != nil || c.RemindEvery < time.Second {
		return fmt.Errorf("CASEHOLD_REMIND_EVERY must be a duration of at least 1s, like 5m")
	}
	return nil
}
