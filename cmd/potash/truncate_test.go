package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/potash-sim/potash/internal/report"
)

// TestRunSetBeyondBox: issue 14's student --set of Brazil's stock-to-use
// ratio to 3 months, 2.9 since base-2020 1.2.0's re-fit and 2.15 since
// model 0.6.0's (its central run keeps the stock-cycle rule up to about
// 2.17 there) runs. The built-ins draw the rules' fields as one
// correlated group, judged by the share of the pilot the rules reject,
// not by its corners: since model 0.6.1 the built-ins draw the
// posterior box of study post21 (scenarios/testdata/truncate/posterior-box.yaml),
// on which the value raises the share by more than 2 points (34.6 % to
// 40 %) and is warned of at the --set, and still runs. A box partly beyond
// the rule runs its draws from the truncated prior and reports the
// candidates rejected; a box mostly beyond it runs centrally but refuses
// draws, at the uncertainty entry (docs/MODEL.md §9.1).
func TestRunSetBeyondBox(t *testing.T) {
	const k = "market.regions.Brazil.stock_to_use_months=2.15"
	const raised = "warning: market.regions.Brazil.stock_to_use_months: this value raises the share of the draws that the joint rules reject from 34.6% to 40% of a pilot sample of 4096"
	r := potash(t, "run", "--set", k, "--no-charts", "--out", t.TempDir()).want(t, exitOK)
	if !strings.Contains(r.stderr, raised) {
		t.Errorf("stderr has no located warning with the pilot shares of the built-in box:\n%s", r.stderr)
	}
	r = potash(t, "validate", "../../scenarios/testdata/truncate/posterior-box.yaml", "--set", k).want(t, exitOK)
	if !strings.Contains(r.stderr, raised) {
		t.Errorf("stderr has no located warning with the pilot shares:\n%s", r.stderr)
	}

	const omega = "title: t\nhorizon: {end: 2021-12}\nuncertainty:\n  - {param: market.regions.*.price_expectation_speed_per_month, dist: uniform, min: 0.02, max: %s}\n"
	partly := writeScenario(t, "partly.yaml", strings.Replace(omega, "%s", "0.135", 1))
	draws := "12"
	if testing.Short() {
		draws = "4"
	}
	dir := t.TempDir()
	potash(t, "run", partly, "--draws", draws, "--seed", "3", "--workers", "1", "--no-charts", "--out", dir).want(t, exitOK)
	sum := readSummary(t, filepath.Join(dir, report.FileSummary))
	if sum.RejectedDraws == 0 || sum.FailedDraws != 0 {
		t.Errorf("rejected %d, failed %d: want some rejected (a third of the box lies beyond the rule), none failed", sum.RejectedDraws, sum.FailedDraws)
	}
	md, _ := os.ReadFile(filepath.Join(dir, report.FileMarkdown))
	if note := report.RejectedNote(sum); note == "" || !strings.Contains(string(md), note) {
		t.Errorf("summary.md does not give the rejected share %q", note)
	}

	mostly := writeScenario(t, "mostly.yaml", strings.Replace(omega, "%s", "0.2", 1))
	potash(t, "run", mostly, "--no-charts", "--out", t.TempDir()).want(t, exitOK)
	r = potash(t, "run", mostly, "--draws", "4", "--no-charts", "--out", t.TempDir()).want(t, exitBadInput)
	if !strings.Contains(r.stderr, mostly+":4:71: uncertainty[0].dist: a corner of the draws") || !strings.Contains(r.stderr, "runs with draws are refused") {
		t.Errorf("stderr does not refuse the draws at the entry:\n%s", r.stderr)
	}
	// The refusal is said once, as the error, not first as a warning.
	if n := strings.Count(r.stderr, "a corner of the draws"); n != 1 || strings.Contains(r.stderr, "warning:") {
		t.Errorf("stderr gives the refusal %d times (want once, as an error):\n%s", n, r.stderr)
	}
}

// TestSensitivityAndSweepKeepRules: a tornado of a box the joint rules
// mostly cut away is refused as a run's draws are, the refusal said once;
// a 2-D sweep whose points break the stock-cycle rule jointly is refused
// as `potash run --set` refuses those values, each point named.
func TestSensitivityAndSweepKeepRules(t *testing.T) {
	mostly := writeScenario(t, "mostly.yaml", "title: t\nhorizon: {end: 2021-12}\nuncertainty:\n"+
		"  - {param: market.regions.*.price_expectation_speed_per_month, dist: uniform, min: 0.1, max: 0.2}\n")
	r := potash(t, "sensitivity", mostly, "--no-charts", "--out", t.TempDir()).want(t, exitBadInput)
	if n := strings.Count(r.stderr, "a corner of the draws"); n != 1 || !strings.Contains(r.stderr, mostly+":4:71: uncertainty[0].dist:") ||
		!strings.Contains(r.stderr, "runs with draws are refused") {
		t.Errorf("stderr gives the located refusal %d times (want once):\n%s", n, r.stderr)
	}

	const k, omega = "market.regions.Brazil.stock_to_use_months", "market.regions.Brazil.price_expectation_speed_per_month"
	r = potash(t, "sweep", "us-relief-2025", "--param", k, "--range", "2.15:2.15:1", "--param2", omega, "--range2", "0.05:0.094:2",
		"--no-charts", "--out", t.TempDir()).want(t, exitBadInput)
	if !strings.Contains(r.stderr, "1 of 2 sweep points break a joint rule") ||
		!strings.Contains(r.stderr, k+"=2.15, "+omega+"=0.094: breaks the stock-cycle rule: region Brazil's stock cycle") {
		t.Errorf("stderr does not name the sweep point beyond the rule:\n%s", r.stderr)
	}
	potash(t, "run", "--set", k+"=2.15", "--set", omega+"=0.094", "--no-charts", "--out", t.TempDir()).want(t, exitBadInput)
}

// TestValidateBoxInside: validate measures the box of draws whose corners
// keep the stock-cycle rule but whose inside mostly does not (a run with
// draws refuses it), and warns as it warns of a corner's refusal, once.
func TestValidateBoxInside(t *testing.T) {
	const head = "title: t\nhorizon: {end: 2021-12}\nuncertainty:\n"
	inside := writeScenario(t, "inside.yaml", head+
		"  - {param: market.regions.*.stock_to_use_months, dist: uniform, min: 0.3, max: 6}\n"+
		"  - {param: market.regions.*.stock_response, dist: uniform, min: 0.002, max: 0.045}\n")
	mostly := writeScenario(t, "mostly.yaml", head+
		"  - {param: market.regions.*.price_expectation_speed_per_month, dist: uniform, min: 0.1, max: 0.2}\n")
	r := potash(t, "validate", inside, mostly).want(t, exitOK)
	if !strings.Contains(r.stderr, inside+":4:57: warning: uncertainty[0].dist: every corner of the draws of uncertainty[0] keeps the joint rules, but inside the box") {
		t.Errorf("validate does not warn of the box's inside:\n%s", r.stderr)
	}
	if n := strings.Count(r.stderr, "runs with draws are refused"); n != 2 {
		t.Errorf("%d refusals on stderr, want one per file:\n%s", n, r.stderr)
	}
	potash(t, "run", inside, "--draws", "2", "--no-charts", "--out", t.TempDir()).want(t, exitBadInput)
}

// TestSensitivityCutColumns: sensitivity.csv says which ends of the
// built-in tornado the joint rules cut, from model.Sensitivity. Since
// model 0.6.1 the built-ins draw the posterior over the fitted ranges,
// and the estimates sit near the stock-cycle rule's edge: the rule cuts
// the destabilising side of ε, μ, φ, β and ω (the stock-release rule φ's
// low side), with the built-in values and with Brazil's stock-to-use
// ratio at 2.1 months alike; no other bar is cut.
func TestSensitivityCutColumns(t *testing.T) {
	header := []string{"scenario", "metric", "unit", "base", "rank", "param", "low", "high", "at_low", "at_high", "swing",
		"stated_low", "stated_high", "low_cut_by", "high_cut_by"}
	stockCut := map[string][2]string{
		"market.regions.*.demand_elasticity":                 {"stock-cycle", ""},
		"market.regions.*.demand_adjustment_per_month":       {"stock-cycle", ""},
		"market.regions.*.stock_adjustment_per_month":        {"stock-release", "stock-cycle"},
		"market.regions.*.stock_response":                    {"", "stock-cycle"},
		"market.regions.*.price_expectation_speed_per_month": {"", "stock-cycle"},
	}
	cases := []struct {
		name string
		sets []string
		cut  map[string][2]string // param → rules cutting its low and high sides
	}{
		{"built-in", nil, stockCut},
		{"Brazil's stock-to-use at 2.1", []string{"--set", "market.regions.Brazil.stock_to_use_months=2.1"}, stockCut},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"sensitivity", "us-relief-2025", "--no-charts", "--workers", "2", "--out", dir}, tc.sets...)
			potash(t, args...).want(t, exitOK)
			recs := readCSV(t, filepath.Join(dir, report.FileSensitivity), header)
			for _, r := range recs {
				want := tc.cut[r[5]]
				if r[13] != want[0] || r[14] != want[1] {
					t.Errorf("%s cut by %q, %q: want %q, %q", r[5], r[13], r[14], want[0], want[1])
				}
				// An uncut bar runs its stated ends; a bar cut at the top
				// runs a high end below its stated one.
				if want == [2]string{} && (r[6] != r[11] || r[7] != r[12]) {
					t.Errorf("%s runs %s – %s, not its stated %s – %s", r[5], r[6], r[7], r[11], r[12])
				}
				if want[1] != "" {
					hi, _ := strconv.ParseFloat(r[7], 64)
					stated, _ := strconv.ParseFloat(r[12], 64)
					if !(hi < stated) {
						t.Errorf("%s's high end %v is not below its stated %v", r[5], hi, stated)
					}
				}
			}
		})
	}
}
