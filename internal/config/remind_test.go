package config

import (
	"strings"
	"testing"
)

// TestLeadAckDays: the lead officer chase interval defaults to 5 working days, takes a
// setting, and refuses nonsense by name.
func TestLeadAckDays(t *testing.T) {
	for _, c := range []struct {
		value   string
		want    int
		wantErr bool
	}{{"", 5, false}, {"3", 3, false}, {"0", 0, true}, {"five", 0, true}, {"400", 0, true}} {
		kv := []string{}
		if c.value != "" {
			kv = append(kv, "CASEHOLD_REMIND_LEAD_ACK_DAYS", c.value)
		}
		got, err := FromEnv(env(kv...))
		if c.wantErr {
			if err == nil || !strings.Contains(err.Error(), "CASEHOLD_REMIND_LEAD_ACK_DAYS") {
				t.Errorf("%q: err = %v, want one naming CASEHOLD_REMIND_LEAD_ACK_DAYS", c.value, err)
			}
			continue
		}
		if err != nil || got.Remind.LeadAckDays != c.want {
			t.Errorf("%q: %d, %v; want %d", c.value, got.Remind.LeadAckDays, err, c.want)
		}
	}
}
