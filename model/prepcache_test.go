package model

import (
	"math"
	"slices"
	"testing"
)

// TestRouteCacheKeepsRoutes steps a path whose events move route fields
// (a ramped wedge, a ban that starts and ends, a concession, a
// tariff-rate quota) and other fields (a corridor's capacity, demand, a
// stock target) in other months, and checks in every month that the
// route set-up prepare keeps (routeCache) is bit for bit the one it sets
// up afresh, the route lists included.
func TestRouteCacheKeepsRoutes(t *testing.T) {
	m := pathMarket()
	start := NewMonth(2020, 1)
	evs := []Event{
		{ID: "w", Kind: EventWedge, Supplier: 2, Region: -1, Value: 0.15, Start: start + 3, RampIn: 4},
		{ID: "b", Kind: EventBan, Supplier: 2, Region: 0, Start: start + 10, End: start + 16},
		{ID: "c", Kind: EventConcession, Supplier: 2, Region: 1, Value: 0.1, Start: start + 12},
		{ID: "q", Kind: EventTariffQuota, Supplier: 1, Region: 0, Value: 0.05, Aux: [2]float64{0.3, 0.5}, Start: start + 14},
		{ID: "k", Kind: EventCorridorCapacity, Supplier: 0, Region: -1, Corridor: 0, Value: 0.5, Start: start + 6, RampIn: 6},
		{ID: "d", Kind: EventDemand, Supplier: -1, Region: 1, Value: 0.2, Start: start + 2, RampIn: 12},
		{ID: "s", Kind: EventStockTarget, Supplier: -1, Region: -1, Value: 0.1, Start: start + 20, RampIn: 3},
	}
	spec := testSpec(m, 30, evs...)
	ps := testPathSim(t, spec)
	w := ps.solver.ws
	kept := 0
	for k := 0; k < spec.Months(); k++ {
		tm := spec.Start + Month(k)
		ps.setPolicy(k, tm)
		keep := w.rc.samePolicy(ps.pol, ps.cal.Market)
		if err := w.prepare(ps.pol, &ps.lag, ps.start); err != nil {
			t.Fatal(err)
		}
		type routes struct {
			open, conc, closed           []bool
			tau1, gov, risk, omd, dlt, y []float64
			tq                           []trq
			rl, rn                       []int     // the route lists (routeLists)
			rlnb, rom                    []float64 // and their contiguous ln β and 1 − σ
			rat                          []routeAt // and places
		}
		snap := func() routes {
			return routes{slices.Clone(w.open), slices.Clone(w.conc), slices.Clone(w.closed),
				slices.Clone(w.tau1), slices.Clone(w.gov), slices.Clone(w.risk), slices.Clone(w.omd), slices.Clone(w.dlt),
				slices.Clone(w.y[:w.ny]), slices.Clone(w.tq),
				slices.Clone(w.rl), slices.Clone(w.rn), slices.Clone(w.rlnb[:w.nrl]), slices.Clone(w.rom[:w.nrl]),
				slices.Clone(w.rat[:w.nrl])}
		}
		got := snap()
		if keep {
			kept++
		}
		w.rc.ok = false
		if err := w.prepare(ps.pol, &ps.lag, ps.start); err != nil {
			t.Fatal(err)
		}
		want := snap()
		m := 0
		for r := 0; r < w.R; r++ {
			for _, i := range w.rl[r*w.n : r*w.n+w.rn[r]] {
				if at := w.rat[m]; int(at.k) != i*w.R+r || int(at.i) != i {
					t.Fatalf("month %v: route %d of region %d at %+v, want supplier %d", tm, m, r, at, i)
				}
				m++
			}
		}
		if m != w.nrl {
			t.Fatalf("month %v: %d routes listed, nrl %d", tm, m, w.nrl)
		}
		same := func(a, b []float64) bool {
			return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
		}
		if !slices.Equal(got.open, want.open) || !slices.Equal(got.conc, want.conc) || !slices.Equal(got.closed, want.closed) ||
			!same(got.tau1, want.tau1) || !same(got.gov, want.gov) || !same(got.risk, want.risk) ||
			!same(got.omd, want.omd) || !same(got.dlt, want.dlt) || !same(got.y, want.y) || !slices.Equal(got.tq, want.tq) ||
			!slices.Equal(got.rl, want.rl) || !slices.Equal(got.rn, want.rn) || !same(got.rlnb, want.rlnb) || !same(got.rom, want.rom) ||
			!slices.Equal(got.rat, want.rat) {
			t.Fatalf("month %v (kept %v): the route set-up differs from a fresh one", tm, keep)
		}
		if _, err := ps.solve(k, tm); err != nil {
			t.Fatal(err)
		}
	}
	if kept == 0 || kept == spec.Months()-1 {
		t.Errorf("%d of %d months kept the route set-up: the test covers no change or no keep", kept, spec.Months())
	}
}
