package serve

import (
	"slices"
	"strings"
	"testing"

	"github.com/potash-sim/potash/internal/report"
)

// TestCompare: two finished runs side by side. The rows are each run's
// headline and their difference (B − A, the model's unit, formatted as
// the tables are); the labels name what tells the runs apart; the chart
// shows the supplier whose revenue differs most; a run that has left the
// cache is a 404 the page recovers from by running it again.
func TestCompare(t *testing.T) {
	f := &fake{}
	s := newFakeServer(Config{}, f)
	a := decode[runAnswer](t, do(t, s, "GET", "/api/run?draws=0", nil))
	b := decode[runAnswer](t, do(t, s, "GET", "/api/run?draws=0&belarus_discount=40", nil))
	w := do(t, s, "GET", "/api/compare/"+a.ID+"/"+b.ID, nil)
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	c := decode[compareResponse](t, w)
	if len(c.Rows) != len(b.Headline) {
		t.Fatalf("%d rows for a headline of %d", len(c.Rows), len(b.Headline))
	}
	for k, row := range c.Rows {
		ha, hb := a.Headline[k], b.Headline[k]
		if row.Metric != hb.Metric || row.A != ha.Value || row.B != hb.Value || row.Diff != hb.Value-ha.Value || row.AText != ha.Text || row.BText != hb.Text {
			t.Errorf("row %+v: want %s %v → %v", row, hb.Metric, ha.Value, hb.Value)
		}
		text, unit := report.FormatQuantity(hb.Value-ha.Value, hb.Unit, true)
		if row.DiffText != text+" "+unit {
			t.Errorf("%s: difference %q, want %q", row.Metric, row.DiffText, text+" "+unit)
		}
	}
	if want := "Pinned: Buyers' risk cost on Belarusian potash: 15%"; c.A.Label != want {
		t.Errorf("A label %q, want %q", c.A.Label, want)
	}
	if want := "Current: Buyers' risk cost on Belarusian potash: 40% (scenario only)"; c.B.Label != want {
		t.Errorf("B label %q, want %q", c.B.Label, want)
	}
	if c.A.Counterfactual != c.B.Counterfactual || len(c.Notes) != 0 {
		t.Errorf("counterfactuals %q, %q; notes %q", c.A.Counterfactual, c.B.Counterfactual, c.Notes)
	}
	// Only Belarus's revenue moves in the fake model.
	f.mu.Lock()
	last := slices.Clone(f.lastCompare)
	f.mu.Unlock()
	if len(last) != 3 || last[0] != "Belarus" || last[1] != c.A.Label || last[2] != c.B.Label {
		t.Errorf("compare charts asked for %q", last)
	}
	if len(c.Charts) != 2 || c.Charts[0].Name != "compare_benchmark_price" {
		t.Fatalf("charts %+v", c.Charts)
	}
	n := f.renders.Load()
	for range 2 {
		if w := do(t, s, "GET", c.Charts[0].PNG, nil); w.Code != 200 || !strings.HasPrefix(w.Body.String(), "\x89PNG") {
			t.Errorf("%s: %d %.20q", c.Charts[0].PNG, w.Code, w.Body.String())
		}
	}
	if got := f.renders.Load() - n; got != 1 {
		t.Errorf("the comparison chart was drawn %d times for two requests, want once", got)
	}
	for _, tc := range []struct {
		target string
		status int
		msg    string
	}{
		{"/api/compare/" + a.ID + "/" + b.ID + "/nope.png", 404, "has no chart"},
		{"/api/compare/" + a.ID + "/" + b.ID + "/compare_benchmark_price.gif", 400, "NAME.png or NAME.svg"},
		{"/api/compare/" + a.ID + "/zzz", 400, "is not a run id"},
		{"/api/compare/" + strings.Repeat("0", 24) + "/" + b.ID, 404, "run it again"},
	} {
		if w := do(t, s, "GET", tc.target, nil); w.Code != tc.status || !strings.Contains(w.Body.String(), tc.msg) {
			t.Errorf("%s: %d %s, want %d %q", tc.target, w.Code, w.Body, tc.status, tc.msg)
		}
	}
	// Same settings but the seed: the label says so.
	d := decode[runAnswer](t, do(t, s, "GET", "/api/run?draws=0&seed=9", nil))
	c2 := decode[compareResponse](t, do(t, s, "GET", "/api/compare/"+a.ID+"/"+d.ID, nil))
	if c2.A.Label != "Pinned: 0 draws, seed 1" || c2.B.Label != "Current: 0 draws, seed 9" {
		t.Errorf("labels %q, %q", c2.A.Label, c2.B.Label)
	}
	c3 := decode[compareResponse](t, do(t, s, "GET", "/api/compare/"+a.ID+"/"+a.ID, nil))
	if c3.A.Label != "Pinned (the same settings)" {
		t.Errorf("label %q", c3.A.Label)
	}
	// The footer names each run by its side and scenario, whatever its
	// label says.
	if len(c3.Charts) == 0 || do(t, s, "GET", c3.Charts[0].PNG, nil).Code != 200 {
		t.Fatalf("same settings: charts %+v", c3.Charts)
	}
	f.mu.Lock()
	runs := slices.Clone(f.lastRuns)
	f.mu.Unlock()
	name := a.Scenario.Name
	if len(runs) != 2 || runs[0].Name != "Pinned "+name || runs[1].Name != "Current "+name || runs[0].Hash == "" {
		t.Errorf("the footer's runs %+v, want Pinned %s and Current %s with their hashes", runs, name, name)
	}
}
