package model_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/scenarios"
	"gonum.org/v1/gonum/floats/scalar"
)

// TestCournotCornerRestart solves bpc-reunion with a tariff of 480 and
// 500 % on all of Canada's sales from 2023-01 (the wedge event's valid
// range ends at 500). In 2026-11, the reunion's last ramp month, Russia's
// conduct markup is about 0.88 of its price, so its effective price p̃
// starts a little below 55 $/t, the cost of FarEastRail and of
// BalticPorts at RussianBalticPorts' tie: both its supply (a corridor
// piece) and the facility's use (every user's corridor full) are flat
// there, the Jacobian has no supply response, and the fallback, holding
// the markup at the start's value, sends Russia's price to 5 times its
// equilibrium. Every start within 3 % of the warm start stalls; the
// restart from 10 % above (pathSim.solve's retryScales) starts on
// FarEastRail's interior piece and Newton converges. Before it, the month
// stalled (facility RussianBalticPorts: residual 0.0778).
//
// The month must converge in the path, and to an equilibrium: every
// supplier's market clears, the facility is full with a positive shadow
// value (Russia's BalticPorts cost ties FarEastRail's), and the prices
// and flows are those a cold start from last month's Jacobian reaches.
func TestCournotCornerRestart(t *testing.T) {
	month := model.NewMonth(2026, 11)
	for _, pct := range []float64{480, 500} {
		t.Run(fmt.Sprintf("wedge %g%%", pct), func(t *testing.T) {
			src := fmt.Sprintf("extends: bpc-reunion\nevents:\n  - {id: x, wedge: {supplier: Canada, region: all, pct: %v}, start: 2023-01}\n", pct)
			s, err := scenarios.Parse("wedge.yaml", []byte(src), nil)
			if err != nil {
				t.Fatal(err)
			}
			run, err := model.SimulatePair(context.Background(), s.Spec, s.Counterfactual)
			if err != nil {
				t.Fatal(err)
			}
			if f := run.Failures(); len(f) > 0 {
				t.Fatalf("%d months failed, first %s %v: %s", len(f), f[0].Path, f[0].Month, f[0].Result.Reason)
			}
			p := run.Scenario
			k := int(month - p.Months[0])
			sol, res := p.Sol[k], p.Results[k]
			if res.Status != model.Converged || !(res.MaxResidual <= model.DefaultTol) {
				t.Fatalf("%v: %v, residual %g", month, res.Status, res.MaxResidual)
			}
			m := s.Spec.Market
			for i, sp := range m.Suppliers {
				var x float64
				for _, v := range sol.Flow[i] {
					x += v
				}
				if d := math.Abs(x - sol.Sales[i]); d > 1e-9*math.Max(1, sol.Sales[i]) {
					t.Errorf("%s: flows %.12g, sales %.12g", sp.Name, x, sol.Sales[i])
				}
			}
			fi := -1
			for f, fc := range m.Facilities {
				if fc.Name == "RussianBalticPorts" {
					fi = f
				}
			}
			if fi < 0 {
				t.Fatal("no RussianBalticPorts")
			}
			if rho, use, cp := sol.FacilityValue[fi], sol.FacilityUse[fi], m.Facilities[fi].Capacity; !(rho > 0) || math.Abs(use-cp) > 1e-9*cp {
				t.Errorf("RussianBalticPorts: ρ %.6g $/t, use %.12g of %g Mt/yr: want full with ρ > 0", rho, use, cp)
			}
			ref, rres, err := model.SolvePathMonth(s.Spec, month, model.MonthStart{Cold: true})
			if err != nil {
				t.Fatal(err)
			}
			if rres.Status != model.Converged {
				t.Fatalf("cold start: %v (%s)", rres.Status, rres.Reason)
			}
			for i, sp := range m.Suppliers {
				if !scalar.EqualWithinAbsOrRel(sol.FOB[i], ref.FOB[i], 1e-6, 1e-6) || !scalar.EqualWithinAbsOrRel(sol.Sales[i], ref.Sales[i], 1e-6, 1e-6) {
					t.Errorf("%s: FOB %.10g, sales %.10g; from a cold start %.10g, %.10g", sp.Name, sol.FOB[i], sol.Sales[i], ref.FOB[i], ref.Sales[i])
				}
			}
			if !scalar.EqualWithinAbsOrRel(sol.FacilityValue[fi], ref.FacilityValue[fi], 1e-6, 1e-6) {
				t.Errorf("ρ %.10g, from a cold start %.10g", sol.FacilityValue[fi], ref.FacilityValue[fi])
			}
		})
	}
}
