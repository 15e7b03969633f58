package model_test

import (
	"testing"

	"github.com/potash-sim/potash/model"
	"gonum.org/v1/gonum/floats/scalar"
)

// tolStartInvariant is the relative tolerance (of max(1, |value|)) within
// which a month's corridor flows, netbacks and rents must not depend on
// the solver's start.
const tolStartInvariant = 1e-6

// TestPathMonthStartInvariant solves us-relief-2025's 2021-07 — where
// Germany's Domestic corridor (its base route rent making it cost 20 $/t
// in force, as Hamburg does) ties Hamburg with room on both — from
// several starts: last month's facility values ρ̂ and segment discounts z
// (a path's start), extrapolated ones (commit 5c3c3c9), a cold start and
// perturbed ones. Each must converge to the same corridor flows, route
// flows and prices, netbacks and rents: the documented tie rule (the tied
// corridor first, docs/MODEL.md section 3.4) gives Domestic its
// segment's tonnes. Before zTie, a z left at 3.4e-14 (within the
// tolerance of its row Φ = z) put Domestic behind Hamburg in the reported
// fill: 1.33 instead of 2.09 Mt/yr, a netback 1.4 $/t lower.
func TestPathMonthStartInvariant(t *testing.T) {
	s := loadBuiltin(t, "us-relief-2025")
	month := model.NewMonth(2021, 7)
	starts := []struct {
		name string
		st   model.MonthStart
	}{
		{"carried", model.MonthStart{}},
		{"extrapolated", model.MonthStart{Extrapolate: true}},
		{"cold", model.MonthStart{Cold: true}},
		{"z+1e-13", model.MonthStart{ZAdd: 1e-13}},
		{"z+1e-3", model.MonthStart{ZAdd: 1e-3}},
		{"rho x1.1, prices x1.02", model.MonthStart{RhoScale: 1.1, PriceScale: 1.02}},
		{"rho x0.9, prices x0.98", model.MonthStart{RhoScale: 0.9, PriceScale: 0.98}},
	}
	var ref *model.Solution
	for _, sc := range starts {
		t.Run(sc.name, func(t *testing.T) {
			sol, res, err := model.SolvePathMonth(s.Spec, month, sc.st)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != model.Converged {
				t.Fatalf("status %v (%s)", res.Status, res.Reason)
			}
			if ref == nil {
				ref = sol
				return
			}
			m := s.Spec.Market
			near := func(what string, got, want float64) {
				t.Helper()
				if !scalar.EqualWithinAbsOrRel(got, want, tolStartInvariant, tolStartInvariant) {
					t.Errorf("%s = %.10g, from the carried start %.10g", what, got, want)
				}
			}
			for i, sp := range m.Suppliers {
				near(sp.Name+" netback", sol.Netback[i], ref.Netback[i])
				near(sp.Name+" route rent", sol.RouteRent[i], ref.RouteRent[i])
				near(sp.Name+" producer surplus", sol.ProducerSurplus[i], ref.ProducerSurplus[i])
				for k, cr := range sp.Corridors {
					near(sp.Name+"/"+cr.Name+" flow", sol.CorridorFlow[i][k], ref.CorridorFlow[i][k])
				}
				for r, rg := range m.Regions {
					near(sp.Name+"→"+rg.Name+" flow", sol.Flow[i][r], ref.Flow[i][r])
					near(sp.Name+"→"+rg.Name+" CFR", sol.CFR[i][r], ref.CFR[i][r])
				}
			}
		})
	}
	// The documented tie rule: Germany's Domestic corridor, with room,
	// carries its segment's (Europe's) tonnes.
	ger := s.Spec.Market.SupplierIndex("Germany")
	dom := s.Spec.Market.CorridorIndex(ger, "Domestic")
	eu := s.Spec.Market.RegionIndex("Europe")
	if got, want := ref.CorridorFlow[ger][dom], ref.Flow[ger][eu]; !scalar.EqualWithinAbsOrRel(got, want, tolStartInvariant, tolStartInvariant) {
		t.Errorf("Germany/Domestic carries %.10g Mt/yr, Europe buys %.10g from Germany", got, want)
	}
}
