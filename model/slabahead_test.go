package model

import (
	"reflect"
	"runtime"
	"testing"
)

// TestSlabAheadEitherOrder: the stored Solutions carveAhead hands over
// are shaped as NewSolution makes them, every value zero, no two months
// sharing memory, whichever of its goroutine and get claims the carving;
// drop returns in either order.
func TestSlabAheadEitherOrder(t *testing.T) {
	c, err := Calibrate(testMarket())
	if err != nil {
		t.Fatal(err)
	}
	const n = 5
	want := NewSolution(c)
	for _, tc := range []struct {
		name string
		make func() *slabAhead
	}{
		{"the goroutine carves", func() *slabAhead {
			a := carveAhead(c.Market, n)
			for !a.claimed.Load() {
				runtime.Gosched()
			}
			return a
		}},
		// Without its goroutine, as when the goroutine has not started
		// by the time the Solutions are needed: get carves them.
		{"get carves", func() *slabAhead {
			return &slabAhead{done: make(chan []*Solution, 1), m: c.Market, n: n}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.make().drop()
			got := tc.make().get()
			if len(got) != n {
				t.Fatalf("%d Solutions, want %d", len(got), n)
			}
			for k, s := range got {
				if !sameShape(reflect.ValueOf(s).Elem(), reflect.ValueOf(want).Elem()) {
					t.Fatalf("month %d: shape differs from NewSolution's", k)
				}
				for f := range solFields {
					for _, v := range solFieldValues(s, f) {
						if v != 0 {
							t.Fatalf("month %d: field %d not zeroed", k, f)
						}
					}
				}
			}
			// Distinct memory: mark each month's values with its index
			// and read them back.
			for k, s := range got {
				for f := range solFields {
					for _, p := range solFieldPtrs(s, f) {
						*p = float64(k + 1)
					}
				}
			}
			for k, s := range got {
				for f := range solFields {
					for _, v := range solFieldValues(s, f) {
						if v != float64(k+1) {
							t.Fatalf("month %d: field %d shares memory with another month (%v)", k, f, v)
						}
					}
				}
			}
		})
	}
}

// sameShape reports whether a and b (Solutions) have slices of the same
// lengths, field by field.
func sameShape(a, b reflect.Value) bool {
	switch a.Kind() {
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		for i := 0; i < a.Len(); i++ {
			if !sameShape(a.Index(i), b.Index(i)) {
				return false
			}
		}
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if !sameShape(a.Field(i), b.Field(i)) {
				return false
			}
		}
	}
	return true
}

// solFieldPtrs returns pointers to every value of solFields[f] of s.
func solFieldPtrs(s *Solution, f int) []*float64 {
	var out []*float64
	sf := &solFields[f]
	if sf.vec != nil {
		v := *sf.vec(s)
		for i := range v {
			out = append(out, &v[i])
		}
		return out
	}
	for _, row := range *sf.mat(s) {
		for i := range row {
			out = append(out, &row[i])
		}
	}
	return out
}

// solFieldValues returns every value of solFields[f] of s.
func solFieldValues(s *Solution, f int) []float64 {
	var out []float64
	for _, p := range solFieldPtrs(s, f) {
		out = append(out, *p)
	}
	return out
}
