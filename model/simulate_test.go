package model

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// Named tolerances of the path tests.
const (
	tolPathBase = 1e-9 // a path with no events stays at the base year, relative
	// tolLongRun: after pathLongRunMonths months of a permanent shock the
	// path is within this of the long-run equilibrium (relative). With
	// monthly adjustment λ = 0.1 (supply) and μ = 0.2 (demand) the slowest
	// adjustment factor is about 0.9 a month, so after 480 months the gap
	// is ~0.9^480 ≈ 1e-22 of the initial gap; 1e-8 leaves room for the
	// solver tolerance and rounding along the way.
	tolLongRun        = 1e-8
	pathLongRunMonths = 480
)

// pathMarket is the test market with zero demand trend.
func pathMarket() *Market {
	m := testMarket()
	for r := range m.Regions {
		m.Regions[r].Growth = 0
	}
	return m
}

func testSpec(m *Market, months int, events ...Event) *Spec {
	start := NewMonth(2020, 1)
	return &Spec{Name: "test", Market: m, Events: events, Start: start, End: start + Month(months-1)}
}

// testPathSim calibrates spec's market and returns a path simulator of
// spec, for tests that step its months themselves.
func testPathSim(t testing.TB, spec *Spec) *pathSim {
	t.Helper()
	cal, err := Calibrate(spec.Market)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := newPathSim(cal, spec)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func TestPathNoEventsStaysAtBase(t *testing.T) {
	m := pathMarket()
	path, err := Simulate(context.Background(), testSpec(m, 36))
	if err != nil {
		t.Fatal(err)
	}
	if path.Failed != 0 {
		t.Fatalf("%d months failed", path.Failed)
	}
	c := path.Cal
	for k, sol := range path.Sol {
		for i, s := range m.Suppliers {
			if !scalar.EqualWithinRel(sol.FOB[i], s.FOB, tolPathBase) {
				t.Fatalf("month %v: FOB[%s] = %.12g, want %g", path.Months[k], s.Name, sol.FOB[i], s.FOB)
			}
			for r := range m.Regions {
				if !scalar.EqualWithinAbsOrRel(sol.Flow[i][r], m.Flows[i][r], 1e-12, tolPathBase) {
					t.Fatalf("month %v: flow[%s][%s] = %.12g, want %g", path.Months[k], s.Name, m.Regions[r].Name, sol.Flow[i][r], m.Flows[i][r])
				}
			}
		}
		for r := range m.Regions {
			if !scalar.EqualWithinRel(sol.PriceIndex[r], c.P0[r], tolPathBase) {
				t.Fatalf("month %v: P[%s] = %.12g, want %.12g", path.Months[k], m.Regions[r].Name, sol.PriceIndex[r], c.P0[r])
			}
		}
	}
}

// A permanent shock from the first month: the path converges to the
// long-run equilibrium solved directly (Solve with lag nil, i.e. the
// long-run elasticities), and the first month moves less than the long run
// (short-run response smaller than long-run).
func TestPathConvergesToLongRun(t *testing.T) {
	for _, tc := range []struct {
		name string
		ev   Event
	}{
		{"belarus wedge 15%", Event{ID: "w", Kind: EventWedge, Supplier: 2, Region: -1, Value: 0.15}},
		{"ban Belarus→Brazil", Event{ID: "b", Kind: EventBan, Supplier: 2, Region: 0}},
		{"Canada capacity +4", Event{ID: "c", Kind: EventCapacity, Supplier: 0, Region: -1, Value: 4, RampIn: 18}},
		{"demand +5% all", Event{ID: "d", Kind: EventDemand, Supplier: -1, Region: -1, Value: 0.05}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := pathMarket()
			ev := tc.ev
			spec := testSpec(m, pathLongRunMonths, ev)
			ev.Start = spec.Start
			spec.Events[0].Start = spec.Start
			path, err := Simulate(context.Background(), spec)
			if err != nil {
				t.Fatal(err)
			}
			if path.Failed != 0 {
				t.Fatalf("%d months failed", path.Failed)
			}
			c := path.Cal
			pol := NewPolicy(c.Market)
			SetPolicy(pol, c, spec, spec.End)
			lr, _ := mustSolve(t, c, pol, nil, nil)
			last := path.Sol[len(path.Sol)-1]
			for i, s := range m.Suppliers {
				if !scalar.EqualWithinRel(last.FOB[i], lr.FOB[i], tolLongRun) {
					t.Errorf("FOB[%s] after %d months = %.12g, long run %.12g", s.Name, pathLongRunMonths, last.FOB[i], lr.FOB[i])
				}
				if !scalar.EqualWithinAbsOrRel(last.Sales[i], lr.Sales[i], 1e-9, tolLongRun) {
					t.Errorf("sales[%s] = %.12g, long run %.12g", s.Name, last.Sales[i], lr.Sales[i])
				}
			}
			// Short run < long run: month 1's change in the benchmark price
			// is smaller in absolute value than the long-run change... for
			// quantity-type shocks the price overshoots instead, so compare
			// quantities: month 1's change in world demand is smaller.
			var q0, q1, qlr float64
			for r := range m.Regions {
				q0 += c.Q0[r]
				q1 += path.Sol[0].Demand[r]
				qlr += lr.Demand[r]
			}
			if ev.RampIn == 0 && !(math.Abs(q1-q0) < math.Abs(qlr-q0)) {
				t.Errorf("world demand: first month change %g not smaller than long-run change %g", q1-q0, qlr-q0)
			}
		})
	}
}

func TestSimulatePairSharesUntilDivergence(t *testing.T) {
	m := pathMarket()
	ban := Event{ID: "us-ban", Kind: EventBan, Supplier: 2, Region: 1, Start: NewMonth(2020, 3)}
	cf := testSpec(m, 24, ban)
	scen := testSpec(m.Clone(), 24, ban)
	scen.Events[0].End = NewMonth(2021, 1) // relief from Jan 2021
	run, err := SimulatePair(context.Background(), scen, cf)
	if err != nil {
		t.Fatal(err)
	}
	if run.Scenario.Cal != run.Counterfactual.Cal {
		t.Errorf("equal markets were calibrated twice")
	}
	// Separately simulated paths must equal the pair's.
	ps, err := Simulate(context.Background(), scen)
	if err != nil {
		t.Fatal(err)
	}
	pc, err := Simulate(context.Background(), cf)
	if err != nil {
		t.Fatal(err)
	}
	for k := range ps.Sol {
		for i := range m.Suppliers {
			if !scalar.EqualWithinRel(run.Scenario.Sol[k].FOB[i], ps.Sol[k].FOB[i], 1e-12) ||
				!scalar.EqualWithinRel(run.Counterfactual.Sol[k].FOB[i], pc.Sol[k].FOB[i], 1e-12) {
				t.Fatalf("month %d supplier %d: pair differs from single paths", k, i)
			}
		}
		diverged := ps.Months[k] >= NewMonth(2021, 1)
		same := run.Scenario.Sol[k].Benchmark == run.Counterfactual.Sol[k].Benchmark
		if same == diverged {
			t.Errorf("month %v: benchmark equal=%v, but diverged=%v", ps.Months[k], same, diverged)
		}
	}
	// Relief (scenario) lets Belarus sell to the US again: its export
	// revenue is higher than under the ban from the relief month on.
	k := int(NewMonth(2021, 6) - scen.Start)
	if !(run.Scenario.Sol[k].ExportRev[2] > run.Counterfactual.Sol[k].ExportRev[2]) {
		t.Errorf("relief did not raise Belarus's export revenue: %g vs %g", run.Scenario.Sol[k].ExportRev[2], run.Counterfactual.Sol[k].ExportRev[2])
	}
	// Stored solutions are copies: distinct months do not alias.
	if &run.Scenario.Sol[0].FOB[0] == &run.Scenario.Sol[1].FOB[0] {
		t.Errorf("months share storage")
	}
}

func TestSimulateErrors(t *testing.T) {
	m := pathMarket()
	for name, spec := range map[string]*Spec{
		"end before start": {Market: m, Start: NewMonth(2020, 5), End: NewMonth(2020, 1)},
		"bad event":        testSpec(m, 3, Event{ID: "x", Kind: EventCapacity, Supplier: 99}),
		"no market":        {Start: 1, End: 2},
		"report window":    {Market: m, Start: NewMonth(2020, 1), End: NewMonth(2020, 6), ReportStart: NewMonth(2021, 1)},
	} {
		if _, err := Simulate(context.Background(), spec); err == nil {
			t.Errorf("%s: no error", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}

func TestMarketsEqual(t *testing.T) {
	a, b := testMarket(), testMarket()
	if !marketsEqual(a, b) {
		t.Fatal("equal markets differ")
	}
	for name, change := range map[string]func(m *Market){
		"eta":      func(m *Market) { m.Suppliers[2].Eta = 2 },
		"corridor": func(m *Market) { m.Suppliers[2].Corridors[1].Cost = 1 },
		"region":   func(m *Market) { m.Regions[3].Growth = 0.05 },
		"flow":     func(m *Market) { m.Flows[1][1] = 9 },
		"wedge":    func(m *Market) { m.Wedge = nil },
	} {
		c := testMarket()
		change(c)
		if marketsEqual(a, c) {
			t.Errorf("%s: change not seen", name)
		}
	}
}

// TestRunFailuresAndNotTraded checks what a run reports beyond its
// numbers: a region every supplier is banned from is not traded in those
// months (flag false, price and demand 0, listed with a warning), and
// months that do not converge are listed with their status.
func TestRunFailuresAndNotTraded(t *testing.T) {
	m := pathMarket()
	start := NewMonth(2022, 1)
	scen := &Spec{Name: "s", Market: m, Start: start, End: start + 11, Events: []Event{
		{ID: "cut-off", Kind: EventBan, Supplier: -1, Region: 1, Start: start + 3, End: start + 6},
	}}
	cf := &Spec{Name: "c", Market: m, Start: start, End: start + 11}
	run, err := SimulatePair(context.Background(), scen, cf)
	if err != nil {
		t.Fatal(err)
	}
	want := []NotTraded{{Path: "scenario", Region: m.Regions[1].Name, From: start + 3, To: start + 5}}
	if got := run.NotTraded(); len(got) != 1 || got[0] != want[0] {
		t.Errorf("NotTraded %+v, want %+v", got, want)
	}
	if w := run.Warnings(); len(w) != 1 || !strings.Contains(w[0], m.Regions[1].Name) {
		t.Errorf("warnings %q", w)
	}
	for k, mo := range run.Scenario.Months {
		sol := run.Scenario.Sol[k]
		cut := mo >= start+3 && mo < start+6
		if sol.Traded[1] == cut || (cut && (sol.PriceIndex[1] != 0 || sol.Demand[1] != 0)) {
			t.Errorf("%v: traded %v, index %g, demand %g", mo, sol.Traded[1], sol.PriceIndex[1], sol.Demand[1])
		}
		for _, name := range []string{"ces_price_index", "price_paid", "cfr_price", "ces_quantity"} {
			v, _ := LookupVariable(name)
			if v.Reported(run.Scenario.Cal, sol, 1) == cut {
				t.Errorf("%v: %s reported %v", mo, name, !cut)
			}
		}
	}
	if f := run.Failures(); f != nil {
		t.Errorf("failures %+v", f)
	}
	// A demand shock no market can stand: implausible months are listed.
	bad := *scen
	bad.Events = []Event{{ID: "boom", Kind: EventDemand, Supplier: -1, Region: -1, Value: 40, Start: start + 2}}
	run, err = SimulatePair(context.Background(), &bad, cf)
	if err != nil {
		t.Fatal(err)
	}
	f := run.Failures()
	if len(f) == 0 || f[0].Path != "scenario" || f[0].Month != start+2 || !errors.Is(f[0].Result.Err(), ErrImplausible) {
		t.Errorf("failures %+v, want an implausible scenario month from %v", f, start+2)
	}
	if run.Scenario.Failed != len(f) || run.Scenario.Implausible == 0 {
		t.Errorf("Failed %d Implausible %d, %d listed", run.Scenario.Failed, run.Scenario.Implausible, len(f))
	}
}

// TestWarningsHandBuilt: NotTraded and Warnings read a hand-built run
// (Solutions without Traded flags, a nil Solution, fewer months than
// solutions, no calibration) without panicking, counting what they cannot
// read as traded; a flag that says not traded is still reported.
func TestWarningsHandBuilt(t *testing.T) {
	m := pathMarket()
	start := NewMonth(2022, 1)
	cal := &Calibrated{Market: m}
	cut := &Solution{Traded: []bool{true, false}}
	for name, tc := range map[string]struct {
		run  *Run
		want int
	}{
		"no Traded flags":      {&Run{Scenario: &Path{Cal: cal, Months: []Month{start, start + 1}, Sol: []*Solution{{}, {}}}}, 0},
		"short Traded":         {&Run{Scenario: &Path{Cal: cal, Months: []Month{start}, Sol: []*Solution{{Traded: []bool{true}}}}}, 0},
		"nil Solution":         {&Run{Scenario: &Path{Cal: cal, Months: []Month{start}, Sol: []*Solution{nil}}}, 0},
		"more solutions":       {&Run{Scenario: &Path{Cal: cal, Months: []Month{start}, Sol: []*Solution{cut, cut}}}, 1},
		"no calibration":       {&Run{Scenario: &Path{Months: []Month{start}, Sol: []*Solution{cut}}}, 0},
		"one month not traded": {&Run{Scenario: &Path{Cal: cal, Months: []Month{start, start + 1}, Sol: []*Solution{{}, cut}}, Counterfactual: &Path{Cal: cal}}, 1},
		"no paths":             {&Run{}, 0},
	} {
		t.Run(name, func(t *testing.T) {
			w := tc.run.Warnings()
			if len(w) != tc.want {
				t.Errorf("warnings %q, want %d", w, tc.want)
			}
			if tc.want == 1 && !strings.Contains(w[0], m.Regions[1].Name) {
				t.Errorf("warning %q does not name %s", w[0], m.Regions[1].Name)
			}
		})
	}
}
