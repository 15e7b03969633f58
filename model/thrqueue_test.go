package model

import (
	"math"
	"testing"
)

// freshSupplier returns a supplier with sp's curve (K, cap, ln B, η) and
// nk corridors, nothing memoized: prepareSupply queues the threshold of
// every sorted position whose cumulative capacity it queues at all.
func freshSupplier(sp *supplier, nk int) supplier {
	return supplier{
		K: sp.K, cap: sp.cap, lnB: sp.lnB, eta: sp.eta, segOn: sp.segOn, pref: sp.pref, disc: sp.disc,
		ord: make([]int, nk), cost: make([]float64, nk), cum: make([]float64, nk), thr: make([]float64, nk),
		pos: make([]int, nk), lastCap: make([]float64, nk), lastCost: make([]float64, nk),
	}
}

// checkThrQueue prepares a fresh copy of sp (freshSupplier) at caps and
// costs and checks the invariant that lets thrQueue.flush compute
// q⁻¹(C_j) = e^((ln C_j − ln B)/η) without marginalCost's S ≤ 0 guard:
// the capacities are finite and ≥ 0, so every cumulative capacity C_j is;
// prepareSupply queues exactly the positions with C_j > 0, each with its
// C_j; a position with C_j = 0 gets the threshold T_j = c_j at once; and
// after the flush every threshold is c_j + marginalCost(C_j), bit for
// bit, and finite. It returns the number of positions queued.
func checkThrQueue(t *testing.T, sp *supplier, caps, costs []float64) int {
	t.Helper()
	for k, c := range caps {
		if !(c >= 0) || math.IsInf(c, 1) {
			t.Fatalf("corridor %d: capacity %v, not finite ≥ 0", k, c)
		}
	}
	nk := len(caps)
	fs := []supplier{freshSupplier(sp, nk)}
	var tq thrQueue
	fs[0].prepareSupply(caps, costs, sp.shift, 0, &tq)
	f := &fs[0]
	queued := make([]bool, nk)
	for e, p := range tq.at {
		x := tq.x[e]
		if !(x > 0) || math.IsInf(x, 1) {
			t.Errorf("queued position %d: cumulative capacity %v, not finite > 0", p.j, x)
		}
		if p.i != 0 || bitsDiffer(x, f.cum[p.j]) {
			t.Errorf("queued (%d, %d) with %v, its cumulative capacity is %v", p.i, p.j, x, f.cum[p.j])
		}
		queued[p.j] = true
	}
	for j, c := range f.cum[:nk] {
		switch {
		case c > 0 && !queued[j]:
			t.Errorf("position %d: cumulative capacity %v not queued", j, c)
		case c <= 0 && queued[j]:
			t.Errorf("position %d: cumulative capacity %v queued", j, c)
		case c <= 0 && bitsDiffer(f.thr[j], f.cost[j]):
			t.Errorf("position %d: cumulative capacity %v, threshold %v, want its cost %v", j, c, f.thr[j], f.cost[j])
		}
	}
	n := len(tq.at)
	tq.flush(fs)
	for j := range nk {
		want := f.cost[j] + f.marginalCost(f.cum[j])
		if bitsDiffer(f.thr[j], want) || math.IsNaN(f.thr[j]) || math.IsInf(f.thr[j], 0) {
			t.Errorf("position %d (cumulative %v): threshold %v, want c + marginalCost(C) = %v", j, f.cum[j], f.thr[j], want)
		}
	}
	return n
}

// TestThrQueuePositive checks that no cumulative capacity ≤ 0 reaches
// thrQueue.push, on corridors of capacity 0 (closed in the market, set
// to 0 by a policy as `--set corridor_capacity…=0` does, every corridor
// of a supplier closed) and on policies that would make one negative,
// NaN or infinite, which Solve rejects (policy.corridor_capacity is a
// finite number ≥ 0). It checks the queue of a supplier prepared at
// given capacities, on both flush paths (fewer than thrBatchMin queued:
// one by one; more: batched), and at the capacities in force after a
// solve (the corridors' own, or those a tied corridor's tonnes limit).
func TestThrQueuePositive(t *testing.T) {
	m := testMarket()
	c := mustCalibrate(t, m)
	s0 := NewSolver(c)
	if _, err := s0.Solve(NewPolicy(m), nil, nil, NewSolution(c)); err != nil {
		t.Fatal(err)
	}
	sp := &s0.ws.sup[0] // Canada's long-run curve, as the solve set it
	for _, tc := range []struct {
		name        string
		caps, costs []float64
		queued      int // positions queued (C_j > 0)
	}{
		{"every corridor closed", []float64{0, 0, 0}, []float64{30, 35, 20}, 0},
		{"the cheapest closed", []float64{0, 5, 7}, []float64{10, 35, 20}, 2},
		{"a middle one closed", []float64{4, 0, 7}, []float64{10, 15, 20}, 3},
		{"the dearest closed", []float64{4, 6, 0}, []float64{10, 15, 20}, 3},
		{"the smallest capacity", []float64{0, math.SmallestNonzeroFloat64}, []float64{10, 15}, 1},
		{"batched, two closed", []float64{0, 3, 2, 0, 1, 4, 5}, []float64{5, 10, 15, 20, 25, 30, 35}, 6},
		{"batched, the cheapest closed", []float64{0, 3, 2, 1, 1}, []float64{5, 10, 15, 20, 25}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if n := checkThrQueue(t, sp, tc.caps, tc.costs); n != tc.queued {
				t.Errorf("%d positions queued, want %d", n, tc.queued)
			}
		})
	}

	// After solves whose policy closes corridors: of the test market; of
	// the market with Belarus's rail tied to China (a dyn supplier,
	// whose capacities in force are its tonnes-limited ecap); of the
	// market whose Russian Baltic ports are a shared facility
	// (stallMarket, Klaipėda closed by stallPolicy).
	tied := func() *Market {
		m := testMarket()
		m.Suppliers[m.SupplierIndex("Belarus")].Corridors[2].Serves = []Serve{{Region: "China"}}
		return m
	}
	plain := func(m *Market) *Policy { return NewPolicy(m) }
	for _, tc := range []struct {
		name   string
		market func() *Market
		policy func(*Market) *Policy
		closed [][2]string // supplier, corridor set to capacity 0
		dyn    bool        // some supplier's capacities in force are its tonnes-limited or facility ones
	}{
		{"the market's (Russia's Arctic, 0 in the base year)", testMarket, plain, nil, false},
		{"Belarus's Klaipeda, its cheapest", testMarket, plain, [][2]string{{"Belarus", "Klaipeda"}}, false},
		{"every corridor of Canada", testMarket, plain, [][2]string{{"Canada", "Vancouver"}, {"Canada", "Portland"}}, false},
		{"Laos's only port", testMarket, plain, [][2]string{{"Laos", "Port"}}, false},
		{"tied: Belarus's Klaipeda", tied, plain, [][2]string{{"Belarus", "Klaipeda"}}, true},
		{"tied: Belarus's ChinaRail", tied, plain, [][2]string{{"Belarus", "ChinaRail"}}, true},
		{"facility: Klaipeda", func() *Market { return stallMarket(0.1, 16.25) }, func(m *Market) *Policy { return stallPolicy(m, 9.5, 0.2, 0) }, nil, true},
		{"facility: Russia's Baltic too", func() *Market { return stallMarket(0.1, 16.25) }, func(m *Market) *Policy { return stallPolicy(m, 9.5, 0.2, 0) }, [][2]string{{"Russia", "Baltic"}}, true},
	} {
		t.Run("solve/"+tc.name, func(t *testing.T) {
			m := tc.market()
			c := mustCalibrate(t, m)
			pol := tc.policy(m)
			for _, sc := range tc.closed {
				i, k := m.SupplierIndex(sc[0]), -1
				for kk, cr := range m.Suppliers[i].Corridors {
					if cr.Name == sc[1] {
						k = kk
					}
				}
				if k < 0 {
					t.Fatalf("no corridor %s of %s", sc[1], sc[0])
				}
				pol.CorridorCap[i][k] = 0
			}
			s := NewSolver(c)
			sol := NewSolution(c)
			res, err := s.Solve(pol, nil, nil, sol)
			if err != nil || res.Status != Converged {
				t.Fatalf("%v (%s), %v", res.Status, res.Reason, err)
			}
			checkFinite(t, sol)
			w := s.ws
			dyn := 0
			for i := range w.sup {
				sp := &w.sup[i]
				caps, costs := sp.pcap, sp.pcost
				if sp.dyn {
					caps, costs = sp.ecap, sp.ecost
					dyn++
				}
				checkThrQueue(t, sp, caps, costs)
				for j, thr := range sp.thr[:len(caps)] {
					if math.IsNaN(thr) || math.IsInf(thr, 0) {
						t.Errorf("%s: threshold %d is %v", m.Suppliers[i].Name, j, thr)
					}
				}
			}
			if tc.dyn != (dyn > 0) {
				t.Errorf("%d suppliers with capacities in force (dyn), want some: %v", dyn, tc.dyn)
			}
		})
	}

	// Capacities a policy cannot set: Solve rejects them before any
	// supplier is prepared.
	for _, v := range []float64{-1, math.Copysign(math.SmallestNonzeroFloat64, -1), math.NaN(), math.Inf(1)} {
		pol := NewPolicy(m)
		pol.CorridorCap[m.SupplierIndex("Belarus")][0] = v
		if _, err := NewSolver(c).Solve(pol, nil, nil, NewSolution(c)); err == nil {
			t.Errorf("corridor capacity %v: Solve returned no error", v)
		}
	}
}
