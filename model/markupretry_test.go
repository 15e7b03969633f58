package model_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/scenarios"
)

// TestCournotMarkupRetry solves bpc-reunion with a conduct event on
// Canada from 2023-01 (value 0.955–1, past the event's valid range) or an
// outage of Canada of 23.3–23.6 Mt/yr. In 2026-11 a Cournot seller's
// markup sits at or near its bound (Canada's 0.944 of its price) and its
// effective price p̃ = p·(1 − L − μ) at the cost of the corridor on its
// margin; the bracketing fallback, holding the markup at its value at
// the last evaluation while it cleared the seller's own market, swung
// the price between the side where μ is at its bound and p̃ below the
// corridor (excess demand) and the side where μ has fallen and p̃ is
// far above it (excess supply), and every start stalled: "Other:
// relative residual 0.123 after 716 iterations" (conduct 0.955) and
// "United States: relative residual 0.0829" (outage 23.3). The last
// attempt (workspace.ownMu) takes the markup at the trial price and
// converges.
//
// The month must converge, every supplier's flows must add up to its
// sales, and its attempts must be the five of a month that stalled
// before (Fallback, more than 5·DefaultMaxIter iterations).
func TestCournotMarkupRetry(t *testing.T) {
	month := model.NewMonth(2026, 11)
	for _, tc := range []struct {
		name, event string
		value       float64
	}{
		{"conduct 0.955", "conduct: {supplier: Canada, value: 0}", 0.955},
		{"conduct 0.97", "conduct: {supplier: Canada, value: 0}", 0.97},
		{"conduct 1", "conduct: {supplier: Canada, value: 0}", 1},
		{"outage 23.3", "capacity: {supplier: Canada, add_mt: 0}", -23.3},
		{"outage 23.5", "capacity: {supplier: Canada, add_mt: 0}", -23.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := "extends: bpc-reunion\nevents:\n  - {id: x, " + tc.event + ", start: 2023-01}\n"
			s, err := scenarios.Parse("x.yaml", []byte(src), nil)
			if err != nil {
				t.Fatal(err)
			}
			// Past the valid range: set on the Specs, as the frontier
			// sweep does.
			for _, sp := range []*model.Spec{s.Spec, s.Counterfactual} {
				for e := range sp.Events {
					if sp.Events[e].ID == "x" {
						sp.Events[e].Value = tc.value
					}
				}
			}
			run, err := model.SimulatePair(context.Background(), s.Spec, s.Counterfactual)
			if err != nil {
				t.Fatal(err)
			}
			p := run.Scenario
			k := int(month - p.Months[0])
			sol, res := p.Sol[k], p.Results[k]
			if res.Status != model.Converged || !(res.MaxResidual <= model.DefaultTol) {
				t.Fatalf("%v: %v, residual %g: %s", month, res.Status, res.MaxResidual, res.Reason)
			}
			if !res.Fallback || res.Iterations <= 5*model.DefaultMaxIter {
				t.Errorf("%v: %d iterations, fallback %v: want the attempts of a month that stalled from every start", month, res.Iterations, res.Fallback)
			}
			for i, sp := range s.Spec.Market.Suppliers {
				var x float64
				for _, v := range sol.Flow[i] {
					x += v
				}
				if d := math.Abs(x - sol.Sales[i]); d > 1e-9*math.Max(1, sol.Sales[i]) {
					t.Errorf("%s: flows %.12g, sales %.12g", sp.Name, x, sol.Sales[i])
				}
			}
			if f := run.Failures(); len(f) > 0 && f[0].Month == month {
				t.Errorf("%s %v failed: %s", f[0].Path, f[0].Month, f[0].Result.Reason)
			}
		})
	}
}

// TestFailedMonthReportsBestAttempt solves a month whose every attempt
// stops short of a root (one Newton iteration, one fallback round) and
// checks that the month reports the attempt that came closest: its
// Status, MaxResidual and Reason, and its Solution; the counts are the
// whole month's. From the warm start the residual is the smallest (the
// restarts start 3 % and 10 % off); before, the month reported its last
// attempt's.
func TestFailedMonthReportsBestAttempt(t *testing.T) {
	month := model.NewMonth(2024, 3)
	for _, tc := range []struct {
		name     string
		attempts int // the warm start, three restarts, and the markup's
	}{{"us-relief-2025", 4}, {"bpc-reunion", 5}} {
		t.Run(tc.name, func(t *testing.T) {
			s := loadBuiltin(t, tc.name)
			sol, res, rs, fobs, err := model.SolvePathMonthAttempts(s.Spec, month, 1, 4)
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) != tc.attempts {
				t.Fatalf("%d attempts, want %d", len(rs), tc.attempts)
			}
			best := 0
			for a, r := range rs {
				if r.Status != model.IterationLimit && r.Status != model.Stalled {
					t.Fatalf("attempt %d: %v, want a failure to pick from", a, r.Status)
				}
				if r.MaxResidual < rs[best].MaxResidual {
					best = a
				}
			}
			if best == len(rs)-1 {
				t.Fatalf("the last attempt came closest (residuals %v): nothing to pick", residuals(rs))
			}
			b := rs[best]
			if res.Status != b.Status || res.MaxResidual != b.MaxResidual || res.Reason != b.Reason {
				t.Errorf("reported %v %g %q; attempt %d (residuals %v) came closest: %v %g %q", res.Status, res.MaxResidual, res.Reason, best, residuals(rs), b.Status, b.MaxResidual, b.Reason)
			}
			for i, v := range fobs[best] {
				if sol.FOB[i] != v {
					t.Errorf("FOB[%d] %.17g, attempt %d's %.17g", i, sol.FOB[i], best, v)
				}
			}
			if last := rs[len(rs)-1]; res.Evaluations != last.Evaluations || res.Iterations != last.Iterations || !res.Fallback {
				t.Errorf("counts %d evaluations, %d iterations, fallback %v; want the month's %d, %d, true", res.Evaluations, res.Iterations, res.Fallback, last.Evaluations, last.Iterations)
			}
		})
	}
}

func residuals(rs []model.Result) string {
	s := ""
	for a, r := range rs {
		if a > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%.3g", r.MaxResidual)
	}
	return s
}
