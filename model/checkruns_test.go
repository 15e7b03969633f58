package model

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

// TestCheckRuns: a flat policy checked run by run (checkRuns; Policy.check
// and routeCache.check) accepts and rejects what checkFields, field by
// field, does, with its error, for a value that fails some fields' checks
// and passes others' at the first and last entry of every field; the
// route cache's check (keep) leaves out exactly the per-route fields.
// It fails when a run joins fields of different checks or leaves a field
// out.
func TestCheckRuns(t *testing.T) {
	var want, got []int // the non-bool fields, and the runs' fields
	for f := range policyFields {
		if policyFields[f].bools == nil {
			want = append(want, f)
		}
	}
	for k, r := range checkRuns {
		for f := r.first; f < r.end; f++ {
			if pf := &policyFields[f]; pf.check != r.check || (pf.shape == perRoute) != r.route {
				t.Fatalf("run %d: field %s is not alike", k, pf.name)
			}
			got = append(got, f)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("the runs' fields %v, want %v", got, want)
	}
	m := testMarket()
	errString := func(err error) string {
		if err == nil {
			return "<nil>"
		}
		return err.Error()
	}
	rejected := 0
	for f := range policyFields {
		pf := &policyFields[f]
		if pf.bools != nil {
			continue
		}
		p := newFlatPolicy(m)
		fl := p.flat
		s0, s1 := fl.span[f][0], fl.span[f][1]
		if s0 == s1 {
			continue
		}
		for _, q := range []int{s0, s1 - 1} {
			for _, x := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), -1, 1, 0.5} {
				t.Run(fmt.Sprintf("%s/%d/%v", pf.name, q-s0, x), func(t *testing.T) {
					old := fl.f[q]
					defer func() { fl.f[q] = old }()
					fl.f[q] = x
					want := errString(p.checkFields(m))
					if got := errString(p.check(m)); got != want {
						t.Errorf("check: %s, want %s", got, want)
					}
					var rc routeCache
					if got := errString(rc.check(p, m, false)); got != want {
						t.Errorf("route cache's check: %s, want %s", got, want)
					}
					if pf.shape == perRoute {
						want = "<nil>"
					}
					if got := errString(rc.check(p, m, true)); got != want {
						t.Errorf("route cache's check, keep: %s, want %s", got, want)
					}
					if want != "<nil>" {
						rejected++
					}
				})
			}
		}
	}
	if rejected == 0 {
		t.Fatal("no value was rejected")
	}
}
