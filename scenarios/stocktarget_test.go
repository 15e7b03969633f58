package scenarios

import (
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"

	"github.com/potash-sim/potash/model"
)

// TestStockTargetEvent checks the stock_target instrument: it builds an
// EventStockTarget with the factor pct/100 on the base market (which holds
// stocks) without a warning; it warns on a market without stocks
// (inline-basic.yaml); a pct
// outside its valid range is an error naming the field.
func TestStockTargetEvent(t *testing.T) {
	const tol = 1e-12
	src := "title: t\nhorizon: {end: 2022-12}\nevents:\n  - {id: s, stock_target: {region: Brazil, pct: 40}, start: 2021-07, ramp_months: 8, end: 2022-03, ramp_out_months: 12}\n"
	s, err := Parse("s.yaml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Warnings) != 0 {
		t.Errorf("warnings on a market with stocks: %q", s.Warnings)
	}
	var ev *model.Event
	for k := range s.Spec.Events {
		if s.Spec.Events[k].ID == "s" {
			ev = &s.Spec.Events[k]
		}
	}
	switch {
	case ev == nil:
		t.Fatal("no model event s")
	case ev.Kind != model.EventStockTarget || ev.Region != 0 || !scalar.EqualWithinAbs(ev.Value, 0.4, tol) ||
		ev.RampIn != 8 || ev.RampOut != 12 || ev.Start != model.NewMonth(2021, 7) || ev.End != model.NewMonth(2022, 3):
		t.Errorf("model event %+v", *ev)
	}

	// inline-basic.yaml's market holds no stocks.
	s = mustLoad(t, "testdata/valid/inline-basic.yaml")
	want := "warning: events[10].stock_target: no region it covers holds stocks (stock_to_use_months), so the event changes nothing"
	found := false
	for _, w := range s.Warnings {
		found = found || strings.Contains(w.Error(), want)
	}
	if !found {
		t.Errorf("warnings %q, want one containing %q", s.Warnings, want)
	}

	for _, pct := range []string{"201", "-90.5"} {
		bad := strings.Replace(src, "pct: 40", "pct: "+pct, 1)
		if _, err := Parse("s.yaml", []byte(bad), nil); err == nil || !strings.Contains(err.Error(), "stock_target.pct") {
			t.Errorf("pct %s: error %v, want one naming stock_target.pct", pct, err)
		}
	}
}
