package scenarios

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// FuzzParse feeds arbitrary bytes (and an arbitrary --set argument) to
// Parse: it must never panic, must return either a Scenario or a
// Diagnostics error with at least one error, and a Scenario it returns
// must be complete and free of NaN and Inf.
//
//	go test ./scenarios -run XXX -fuzz FuzzParse -fuzztime 5m
//
// The corpus found so far is kept in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, n := range builtinNames() {
		src, _ := BuiltinSource(n)
		f.Add(src, "")
	}
	f.Add([]byte("title: t\nhorizon: {end: 2021-12}\n"), "events.us-ban.end=2026-01")
	files, _ := filepath.Glob("testdata/valid/*.yaml")
	for _, file := range files {
		data, _ := os.ReadFile(file)
		f.Add(data, "market.regions.*.demand_elasticity=0.4")
	}
	for _, tc := range invalidCases {
		if tc.src != "" {
			set := ""
			if len(tc.sets) > 0 {
				set = tc.sets[0]
			}
			f.Add([]byte(tc.src), set)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, set string) {
		var sets []string
		if set != "" {
			sets = []string{set}
		}
		// The file name puts relative extends/compare_to paths inside
		// testdata, away from anything else on disk.
		s, err := Parse("testdata/fuzz.yaml", data, sets)
		if err != nil {
			var ds Diagnostics
			if !errors.As(err, &ds) {
				return // an I/O error is not a diagnostic
			}
			if len(ds.Errors()) == 0 {
				t.Fatalf("error without an error diagnostic: %v", err)
			}
			for _, d := range ds {
				if d.Msg == "" {
					t.Fatalf("empty diagnostic %+v", d)
				}
			}
			return
		}
		if s.Spec == nil || s.Counterfactual == nil || s.Spec.Market == nil || len(s.Resolved) == 0 || len(s.Hash) != 64 {
			t.Fatalf("incomplete scenario %+v", s)
		}
		if s.Spec.End < s.Spec.Start {
			t.Fatalf("horizon %s..%s", s.Spec.Start, s.Spec.End)
		}
		for _, e := range append(s.Spec.Events, s.Counterfactual.Events...) {
			if math.IsNaN(e.Value) || math.IsInf(e.Value, 0) || math.IsNaN(e.From) || math.IsInf(e.From, 0) {
				t.Fatalf("event %s value %g from %g", e.ID, e.Value, e.From)
			}
		}
		for _, u := range s.Uncertain {
			if q := u.Dist.Quantile(0.5); math.IsNaN(q) || math.IsInf(q, 0) {
				t.Fatalf("%s median %g", u.Name, q)
			}
		}
		// Every copula's rows are held once each (correlations:).
		for _, g := range groupsOf(s.Uncertain) {
			if slices.Contains(g.params, "") {
				t.Fatalf("a copula of %d rows has params %q", g.c.Size(), g.params)
			}
		}
	})
}
