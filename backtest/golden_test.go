package backtest

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "regenerate testdata/stats.golden.json from the current back-test")

const goldenStats = "testdata/stats.golden.json"

// Tolerances of the golden comparison. A statistic is worse when it moved
// the wrong way by more than worseTol (relative to max(1, |old|)); a
// pinned statistic fails when it moved by more than pinnedTol either way.
// Both are far above floating-point noise and far below any change that
// matters.
const (
	worseTol  = 1e-6
	pinnedTol = 1e-4
)

// TestBacktestGolden runs the back-test on the shipped data (the history
// scenario, the embedded Pink Sheet and FAOSTAT files, the default
// configuration) and compares its statistics with the pinned ones in
// testdata/stats.golden.json. Any statistic that got worse fails with its
// old and new values; regenerate with
//
//	go test ./backtest -run Golden -update
//
// after checking that the change is intended (and update the numbers in
// docs/BACKTEST.md, which `potash backtest` prints).
func TestBacktestGolden(t *testing.T) {
	rec, err := LoadRecord()
	if err != nil {
		t.Fatal(err)
	}
	r, err := Run(context.Background(), historyModel(t), rec, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	got := r.Statistics()
	if *update {
		data, err := json.MarshalIndent(got, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(goldenStats), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(goldenStats, append(data, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%d statistics)", goldenStats, len(got))
		return
	}
	data, err := os.ReadFile(goldenStats)
	if err != nil {
		t.Fatalf("%v (run go test ./backtest -run Golden -update to create it)", err)
	}
	var want []Stat
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatalf("%s: %v", goldenStats, err)
	}
	worse, better := compareStats(want, got)
	for _, m := range worse {
		t.Error(m)
	}
	for _, m := range better {
		t.Log(m)
	}
	if len(worse) > 0 {
		t.Log("if the change is intended: go test ./backtest -run Golden -update, and update docs/BACKTEST.md")
	}
	// The headline checks of issue 7 that hold for this model (see
	// docs/BACKTEST.md for the ones that do not): the 2022 peak is within
	// ±3 months of April 2022 and within 35% of 1,202 $/t; Belarus's 2022
	// exports fell by more than half in model and record alike; the
	// decomposition attributes a positive share of the rise to sanctions
	// and to demand.
	if d := r.PeakModel.Month - r.PeakRecord.Month; d < -3 || d > 3 {
		t.Errorf("model peak %v, record %v: more than 3 months apart", r.PeakModel.Month, r.PeakRecord.Month)
	}
	if h := r.PeakModel.Value / r.PeakRecord.Value; h < 0.65 || h > 1.35 {
		t.Errorf("model peak %.0f $/t vs record %.0f: off by more than 35%%", r.PeakModel.Value, r.PeakRecord.Value)
	}
	for _, e := range r.Exports {
		if e.Supplier == "Belarus" && e.Year == 2022 && !(e.ModelChange < -0.5 && e.RecordChange < -0.5) {
			t.Errorf("Belarus 2022 exports change: model %.0f%%, record %.0f%%; want both below −50%%", 100*e.ModelChange, 100*e.RecordChange)
		}
	}
	for _, c := range r.Decomposition.Contributions {
		if (c.Factor == "sanctions" || c.Factor == "crop demand") && !(c.Value > 0) {
			t.Errorf("decomposition: %s contributes %.1f $/t, want > 0", c.Factor, c.Value)
		}
	}
}

// compareStats returns a message for each statistic of want that is
// missing from got or got worse (or, when pinned, moved), and a message for
// each that improved or is new.
func compareStats(want, got []Stat) (worse, better []string) {
	byName := map[string]Stat{}
	for _, s := range got {
		byName[s.Name] = s
	}
	seen := map[string]bool{}
	for _, w := range want {
		seen[w.Name] = true
		g, ok := byName[w.Name]
		if !ok {
			worse = append(worse, fmt.Sprintf("%s: was %.6g %s, now missing (undefined)", w.Name, w.Value, w.Unit))
			continue
		}
		scale := math.Max(1, math.Abs(w.Value))
		d := g.Value - w.Value
		msg := fmt.Sprintf("%s: %.6g → %.6g %s (%s)", w.Name, w.Value, g.Value, w.Unit, w.Better)
		switch w.Better {
		case Lower:
			if d > worseTol*scale {
				worse = append(worse, "worse: "+msg)
			} else if d < -worseTol*scale {
				better = append(better, "better: "+msg)
			}
		case Higher:
			if d < -worseTol*scale {
				worse = append(worse, "worse: "+msg)
			} else if d > worseTol*scale {
				better = append(better, "better: "+msg)
			}
		default:
			if math.Abs(d) > pinnedTol*scale {
				worse = append(worse, "changed: "+msg)
			}
		}
	}
	for _, g := range got {
		if !seen[g.Name] {
			better = append(better, fmt.Sprintf("new statistic %s = %.6g %s (not pinned yet)", g.Name, g.Value, g.Unit))
		}
	}
	return worse, better
}

// TestCompareStats checks that the golden comparison can fail, and says
// why with the old and new numbers.
func TestCompareStats(t *testing.T) {
	want := []Stat{
		{Name: "in_sample.rmse_log", Value: 0.30, Better: Lower},
		{Name: "in_sample.change_corr", Value: 0.20, Better: Higher},
		{Name: "param.x", Value: 1.5, Better: Pinned},
		{Name: "gone", Value: 1, Better: Lower},
	}
	got := []Stat{
		{Name: "in_sample.rmse_log", Value: 0.31, Better: Lower},     // worse
		{Name: "in_sample.change_corr", Value: 0.25, Better: Higher}, // better
		{Name: "param.x", Value: 1.5000001, Better: Pinned},          // noise
		{Name: "new", Value: 2, Better: Lower},
	}
	worse, better := compareStats(want, got)
	if len(worse) != 2 || !strings.Contains(worse[0], "0.3 → 0.31") || !strings.Contains(worse[1], "gone") {
		t.Errorf("worse = %q", worse)
	}
	if len(better) != 2 || !strings.Contains(better[0], "0.2 → 0.25") || !strings.Contains(better[1], "new statistic new") {
		t.Errorf("better = %q", better)
	}
	got[2].Value = 1.6
	if worse, _ := compareStats(want, got); len(worse) != 3 || !strings.Contains(worse[1], "changed: param.x: 1.5 → 1.6") {
		t.Errorf("a moved pinned statistic: %q", worse)
	}
}
