package scenarios

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/potash-sim/potash/model"
	"gonum.org/v1/gonum/floats/scalar"
)

// TestFacilityPath: a shared facility's capacity is a market path
// (--set, overrides, sweeps, uncertainty), and a facility that does not
// exist is an error naming it.
func TestFacilityPath(t *testing.T) {
	src := []byte("title: t\nextends: history\n")
	sc, err := Parse("f.yaml", src, []string{"market.facilities.RussianBalticPorts.capacity_mt=15"})
	if err != nil {
		t.Fatal(err)
	}
	m := sc.Spec.Market
	if f := m.FacilityIndex("RussianBalticPorts"); f < 0 || m.Facilities[f].Capacity != 15 {
		t.Errorf("facilities %+v, want RussianBalticPorts at 15 Mt/yr", m.Facilities)
	}
	// The override is the scenario's own: the next scenario on the same
	// embedded dataset has the dataset's capacity (the cached dataset's
	// facilities were once shared, and an override leaked into every
	// later run of the process).
	plain, err := Load("history", nil)
	if err != nil {
		t.Fatal(err)
	}
	base, err := BaseMarket(DefaultMarket)
	if err != nil {
		t.Fatal(err)
	}
	pm := plain.Spec.Market
	if f, g := pm.FacilityIndex("RussianBalticPorts"), base.FacilityIndex("RussianBalticPorts"); f < 0 || g < 0 || pm.Facilities[f].Capacity != base.Facilities[g].Capacity {
		t.Errorf("after an override, history's facilities are %+v, the dataset's %+v", pm.Facilities, base.Facilities)
	}
	_, err = Parse("f.yaml", src, []string{"market.facilities.RussianBalticPort.capacity_mt=15"})
	if err == nil || !strings.Contains(err.Error(), "unknown facility 'RussianBalticPort'; did you mean 'RussianBalticPorts'?") {
		t.Errorf("error %v, want an unknown facility with a suggestion", err)
	}
}

// TestTiedCorridorsCarryTheirRegions: in base-2020 a corridor tied to some
// regions (`serves`) carries no more than its supplier sells to them, in
// the calibrated base year and in every month of every built-in and its
// counterfactual (docs/DATA.md, "Corridors tied to destinations"), and the
// base year still reproduces the dataset's flows.
func TestTiedCorridorsCarryTheirRegions(t *testing.T) {
	// flowTol: Mt/yr a corridor may exceed its regions' tonnes by (the
	// solver's tolerance on quantities is far below).
	const flowTol = 1e-6
	// calTol: relative gap of the base solve's flows to the dataset's.
	const calTol = 1e-9
	m, err := BaseMarket(DefaultMarket)
	if err != nil {
		t.Fatal(err)
	}
	// The ties base-2020 has (docs/DATA.md's corridor table).
	want := map[string][]string{
		"Russia/Domestic":         {"Other"},
		"Russia/FarEastRail":      {"China", "Southeast Asia"},
		"Belarus/Domestic":        {"Other"},
		"Belarus/ChinaRail":       {"China"},
		"Germany/Domestic":        {"Europe"},
		"Canada/NorthAmericaRail": {"United States", "Other"},
	}
	for key, regions := range want {
		sup, corr, _ := strings.Cut(key, "/")
		i := m.SupplierIndex(sup)
		k := m.CorridorIndex(i, corr)
		if i < 0 || k < 0 {
			t.Fatalf("%s: no such corridor in base-2020", key)
		}
		var got []string
		for _, sv := range m.Suppliers[i].Corridors[k].Serves {
			got = append(got, sv.Region)
		}
		if !slices.Equal(got, regions) {
			t.Errorf("%s serves %q, want %q", key, got, regions)
		}
	}
	// Belarus's rail to China has its own freight to China, the route's
	// (docs/DATA.md, "Corridors tied to destinations").
	if i := m.SupplierIndex("Belarus"); i >= 0 {
		cr := m.Suppliers[i].Corridors[m.CorridorIndex(i, "ChinaRail")]
		r := m.RegionIndex("China")
		if len(cr.Serves) != 1 || !cr.Serves[0].Own || cr.Serves[0].Freight != m.Freight[i][r] {
			t.Errorf("Belarus/ChinaRail serves %+v, want China at its own freight equal to the route's %g $/t", cr.Serves, m.Freight[i][r])
		}
	}
	// Canada's rail has its own freights, the routes' (docs/DATA.md,
	// "Canada's rail, tied (base-2020 1.3.0)"), so the base netback does not move.
	if i := m.SupplierIndex("Canada"); i >= 0 {
		cr := m.Suppliers[i].Corridors[m.CorridorIndex(i, "NorthAmericaRail")]
		for _, sv := range cr.Serves {
			r := m.RegionIndex(sv.Region)
			if !sv.Own || r < 0 || sv.Freight != m.Freight[i][r] {
				t.Errorf("Canada/NorthAmericaRail serves %+v, want its own freight equal to the route's", sv)
			}
		}
	}
	// check returns how many tied corridors it checked in sol.
	check := func(t *testing.T, mk *model.Market, sol *model.Solution, when string) int {
		t.Helper()
		n := 0
		for i, sp := range mk.Suppliers {
			for k, cr := range sp.Corridors {
				if len(cr.Serves) == 0 {
					continue
				}
				n++
				var x float64
				for _, sv := range cr.Serves {
					x += sol.Flow[i][mk.RegionIndex(sv.Region)]
				}
				if f := sol.CorridorFlow[i][k]; f > x+flowTol {
					t.Errorf("%s: %s/%s carries %.6f Mt/yr, its regions buy %.6f of %s", when, sp.Name, cr.Name, f, x, sp.Name)
				}
			}
		}
		return n
	}
	t.Run("base", func(t *testing.T) {
		c, err := model.Calibrate(m)
		if err != nil {
			t.Fatal(err)
		}
		sol := model.NewSolution(c)
		res, err := model.NewSolver(c).Solve(model.NewPolicy(c.Market), nil, nil, sol)
		if err != nil || res.Status != model.Converged {
			t.Fatalf("base solve: %v %v", res.Status, err)
		}
		for i := range m.Suppliers {
			for r := range m.Regions {
				if !scalar.EqualWithinAbsOrRel(sol.Flow[i][r], m.Flows[i][r], calTol, calTol) {
					t.Errorf("base flow %s→%s %.12g, dataset %g", m.Suppliers[i].Name, m.Regions[r].Name, sol.Flow[i][r], m.Flows[i][r])
				}
			}
		}
		if n := check(t, c.Market, sol, "base"); n < len(want) {
			t.Errorf("%d tied corridors checked, want at least %d", n, len(want))
		}
	})
	for _, b := range Builtins() {
		t.Run(b.Name, func(t *testing.T) {
			s := mustLoad(t, b.Name)
			for _, spec := range []*model.Spec{s.Spec, s.Counterfactual} {
				if spec == nil {
					continue
				}
				p, err := model.Simulate(context.Background(), spec)
				if err != nil {
					t.Fatal(err)
				}
				if p.Failed > 0 {
					t.Errorf("%s: %d months failed", spec.Name, p.Failed)
				}
				for k, sol := range p.Sol {
					if check(t, p.Cal.Market, sol, p.Months[k].String()) < len(want) {
						t.Fatalf("%s: fewer tied corridors than base-2020's", spec.Name)
					}
				}
			}
		})
	}
}
