package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/potash-sim/potash/model"
)

// TestMarkdownEventsEndMonth: summary.md's events table gives an
// event's end as the scenario file does, the first month it is no
// longer in force, and says so: a column headed "Until" over "2025-12"
// read as in force through December 2025 (us-relief-2025's US
// sanctions end in force through November).
func TestMarkdownEventsEndMonth(t *testing.T) {
	var b bytes.Buffer
	if err := WriteMarkdown(&b, fixtureSummary()); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	i := strings.Index(md, "## Events")
	if i < 0 {
		t.Fatal("no events section")
	}
	events := md[i:]
	events = events[:strings.Index(events[3:], "## ")+3]
	if strings.Contains(events, "Until") {
		t.Errorf("the events table heads its end column \"Until\":\n%s", events)
	}
	if !strings.Contains(events, "| US sanctions (`us-ban`) | 2021-12 | 2025-12 |") {
		t.Errorf("the events table lost the us-ban row:\n%s", events)
	}
	if !strings.Contains(events, "first month no longer in force") {
		t.Errorf("the events table does not say what its end month is:\n%s", events)
	}
}

// TestRejectedNoteNamesEveryRule: the note on redrawn draws names every
// joint rule a draw can break (model.drawRules), not only the first two.
func TestRejectedNoteNamesEveryRule(t *testing.T) {
	s := fixtureSummary()
	s.RejectedDraws = 33
	note := RejectedNote(s)
	for _, r := range []string{model.RuleStockCycle, model.RuleRelease, model.RuleCrop, model.RuleConduct} {
		if !strings.Contains(note, r) {
			t.Errorf("the note does not name the %s rule: %q", r, note)
		}
	}
}
