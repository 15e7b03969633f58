package model

import (
	"slices"
	"testing"
)

// TestActiveListsKept steps a path of routedTestMarket (tied corridors
// and a shared facility, so segment columns) through a ban that starts
// and ends (new route lists, the same unknowns) and a tied corridor
// closed for some months (other unknowns), pinning and unpinning
// suppliers in each month, and checks after every prepare, pin and unpin
// that the Jacobian's per-region lists, which activeLists keeps while the
// route lists and unknowns are unchanged, are those it builds afresh.
func TestActiveListsKept(t *testing.T) {
	m := routedTestMarket()
	rus, bel, chn := m.SupplierIndex("Russia"), m.SupplierIndex("Belarus"), m.RegionIndex("China")
	rail := m.CorridorIndex(bel, "ChinaRail")
	start := NewMonth(2020, 1)
	spec := testSpec(m, 14,
		Event{ID: "b", Kind: EventBan, Supplier: bel, Region: chn, Start: start + 3, End: start + 6},
		Event{ID: "k", Kind: EventCorridorCapacity, Supplier: bel, Region: -1, Corridor: rail, Value: 0, Start: start + 8, End: start + 11})
	ps := testPathSim(t, spec)
	w := ps.solver.ws
	type lists struct{ unk, jl, ja, jn, jsb, jsn, rsegCol []int }
	snap := func() lists {
		return lists{slices.Clone(w.unk), slices.Clone(w.jl), slices.Clone(w.ja), slices.Clone(w.jn),
			slices.Clone(w.jsb), slices.Clone(w.jsn), slices.Clone(w.rsegCol)}
	}
	kept, newRoutes, segsOff := 0, 0, 0
	// check compares the lists with a fresh build; gen and unk are
	// rlGen and the unknowns before the call that set them.
	check := func(what string, gen int, unk []int) {
		t.Helper()
		switch same := slices.Equal(unk, w.unk); {
		case same && gen == w.rlGen:
			kept++
		case same:
			newRoutes++
		}
		got := snap()
		w.alUnk = nil // force a fresh build
		w.activeLists()
		want := snap()
		for _, f := range []struct {
			name      string
			got, want []int
		}{{"unk", got.unk, want.unk}, {"jl", got.jl, want.jl}, {"ja", got.ja, want.ja}, {"jn", got.jn, want.jn},
			{"jsb", got.jsb, want.jsb}, {"jsn", got.jsn, want.jsn}, {"rsegCol", got.rsegCol, want.rsegCol}} {
			if !slices.Equal(f.got, f.want) {
				t.Errorf("%s: %s %v, built afresh %v", what, f.name, f.got, f.want)
			}
		}
	}
	for k := 0; k < spec.Months(); k++ {
		tm := spec.Start + Month(k)
		ps.setPolicy(k, tm)
		gen, unk := w.rlGen, slices.Clone(w.unk)
		if err := w.prepare(ps.pol, &ps.lag, ps.start); err != nil {
			t.Fatal(err)
		}
		check(tm.String()+" prepare", gen, unk)
		if w.segOn < len(w.segs) {
			segsOff++
		}
		for _, i := range []int{rus, bel} {
			gen, unk = w.rlGen, slices.Clone(w.unk)
			w.pin(i)
			check(tm.String()+" pin", gen, unk)
			gen, unk = w.rlGen, slices.Clone(w.unk)
			w.unpinAll()
			check(tm.String()+" unpin", gen, unk)
		}
		if _, err := ps.solve(k, tm); err != nil {
			t.Fatal(err)
		}
	}
	if kept == 0 || newRoutes == 0 || segsOff == 0 {
		t.Errorf("%d calls kept the lists, %d had new route lists with the same unknowns, %d months a segment off: want all > 0", kept, newRoutes, segsOff)
	}
}
