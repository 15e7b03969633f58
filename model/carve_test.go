package model

import "testing"

// carveRef points s's float fields into fl and its matrices' rows into
// hd through solFields, in a template's shape: what carveSolution
// writes out.
func carveRef(s, tmpl *Solution, fl []float64, hd [][]float64) {
	for f := range solFields {
		sf := &solFields[f]
		if sf.vec != nil {
			l := len(*sf.vec(tmpl))
			*sf.vec(s), fl = fl[:l:l], fl[l:]
			continue
		}
		m := *sf.mat(tmpl)
		h := hd[:len(m):len(m)]
		hd = hd[len(m):]
		for i, r := range m {
			h[i], fl = fl[:len(r):len(r)], fl[len(r):]
		}
		*sf.mat(s) = h
	}
}

// TestCarveSolution checks that carveSolution, solFields written out,
// gives every float field of a Solution the storage that solFields'
// order gives it (the same first element, length and capacity, each
// matrix row too), on markets with and without a facility, routes and
// corridors, and that solutionSlab's Solutions have the template's
// shape.
func TestCarveSolution(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    *Market
	}{{"path", pathMarket()}, {"facility", facilityMarket(40)}, {"routed", routedTestMarket()}, {"segments", segRouteMarket(30)}, {"test", testMarket()}} {
		cal, err := Calibrate(tc.m)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		tmpl := NewSolution(cal)
		per, rows := 0, 0
		for f := range solFields {
			if sf := &solFields[f]; sf.vec != nil {
				per += len(*sf.vec(tmpl))
			} else {
				rows += len(*sf.mat(tmpl))
				for _, r := range *sf.mat(tmpl) {
					per += len(r)
				}
			}
		}
		fl, hd := make([]float64, per), make([][]float64, rows)
		var cor, route []int
		for _, r := range tmpl.CorridorFlow {
			cor = append(cor, len(r))
		}
		for _, r := range tmpl.Flow {
			route = append(route, len(r))
		}
		var got, want Solution
		restF, restH := carveSolution(&got, fl, hd, len(tmpl.FOB), len(tmpl.Tonnes), len(tmpl.FacilityValue), cor, route)
		if len(restF) != 0 || len(restH) != 0 {
			t.Fatalf("%s: %d floats and %d rows left over", tc.name, len(restF), len(restH))
		}
		carveRef(&want, tmpl, fl, make([][]float64, rows))
		same := func(f int, a, b []float64) {
			if len(a) != len(b) || cap(a) != cap(b) || len(a) > 0 && &a[0] != &b[0] {
				t.Errorf("%s: field %d: len %d cap %d, solFields' len %d cap %d, or other storage", tc.name, f, len(a), cap(a), len(b), cap(b))
			}
		}
		for f := range solFields {
			sf := &solFields[f]
			if sf.vec != nil {
				same(f, *sf.vec(&got), *sf.vec(&want))
				continue
			}
			a, b := *sf.mat(&got), *sf.mat(&want)
			if len(a) != len(b) || cap(a) != cap(b) {
				t.Errorf("%s: field %d: %d rows (cap %d), solFields' %d (%d)", tc.name, f, len(a), cap(a), len(b), cap(b))
				continue
			}
			for i := range a {
				same(f, a[i], b[i])
			}
		}
		for _, s := range solutionSlab(tmpl, 3) {
			if err := newWorkspace(cal).checkSolution(s); err != nil {
				t.Errorf("%s: a slab's Solution: %v", tc.name, err)
			}
		}
	}
}
