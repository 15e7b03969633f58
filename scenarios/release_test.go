package scenarios

import (
	"strings"
	"testing"
)

// TestReleaseCentralWarning checks the warning of central values below
// the stock-release rule (checkReleaseCentral): given when the draws
// reach the rule's fields in the region, located at the --set or the
// file's override that set the first of them (φ, then β, then c), and
// not given for values that keep the rule, nor without draws.
func TestReleaseCentralWarning(t *testing.T) {
	const child = "title: mine\nextends: us-relief-2025\nmarket:\n  overrides:\n    regions.Brazil.stock_adjustment_per_month: 0.1\n"
	const noDraws = "title: mine\nmarket:\n  base: base-2020\nhorizon: {start: 2020-01, end: 2021-12}\n"
	for _, tc := range []struct {
		name      string
		file, src string // "" src: the built-in us-relief-2025
		sets      []string
		field     string // where the warning is, "" for none
		line      int    // its line in the file (0: a --set)
	}{
		// φ·β/c = 0.1 · 0.00749 / 0.012 = 0.062.
		{"--set of φ below the rule", "", "", []string{"market.regions.Brazil.stock_adjustment_per_month=0.1"}, "market.regions.Brazil.stock_adjustment_per_month", 0},
		// 0.3 · 0.00749 / 0.03 = 0.075: at the first of the two.
		{"--sets of φ and c", "", "", []string{"market.regions.Brazil.carrying_cost_pct_per_month=3", "market.regions.Brazil.stock_adjustment_per_month=0.3"}, "market.regions.Brazil.stock_adjustment_per_month", 0},
		{"--sets in another region", "", "", []string{"market.regions.India.carrying_cost_pct_per_month=5", "market.regions.India.stock_adjustment_per_month=0.5"}, "market.regions.India.stock_adjustment_per_month", 0},
		// 0.622 · 0.00749 / 0.05 = 0.093: keeps it.
		{"a value near the rule that keeps it", "", "", []string{"market.regions.Brazil.carrying_cost_pct_per_month=5"}, "", 0},
		{"the built-in", "", "", nil, "", 0},
		{"a file's override", "mine.yaml", child, nil, "market.overrides.regions.Brazil.stock_adjustment_per_month", 5},
		{"no draws", "mine.yaml", noDraws, []string{"market.regions.Brazil.stock_adjustment_per_month=0.1"}, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sc *Scenario
			var err error
			if tc.src == "" {
				sc, err = Load(DefaultScenario, tc.sets)
			} else {
				sc, err = Parse(tc.file, []byte(tc.src), tc.sets)
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []Diagnostic
			for _, w := range sc.Warnings {
				if strings.Contains(w.Msg, "central values break the stock-release rule") {
					got = append(got, w)
				}
			}
			if tc.field == "" {
				if len(got) > 0 {
					t.Errorf("warned: %v", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("%d warnings of the rule, want 1: %v", len(got), sc.Warnings)
			}
			w := got[0]
			if w.Field != tc.field || w.Line != tc.line || w.Rule != RuleRelease || w.Severity != SeverityWarning {
				t.Errorf("warning at %s line %d col %d (rule %q, %v), want %s line %d: %s", w.Field, w.Line, w.Col, w.Rule, w.Severity, tc.field, tc.line, w.Msg)
			}
			if tc.line > 0 && (w.File != tc.file || w.Col == 0) {
				t.Errorf("warning in %s col %d, want %s with a column", w.File, w.Col, tc.file)
			}
			if !strings.Contains(w.Msg, "at least 0.08% keeps it") {
				t.Errorf("the warning does not give the bound: %s", w.Msg)
			}
		})
	}
}
