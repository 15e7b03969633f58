package model_test

import (
	"context"
	"math"
	"reflect"
	"testing"

	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/scenarios"
)

// floatsOf appends every float64 (and bool, as 0 or 1) reachable from v
// in field order.
func floatsOf(v reflect.Value, out []float64) []float64 {
	switch v.Kind() {
	case reflect.Float64:
		out = append(out, v.Float())
	case reflect.Bool:
		b := 0.0
		if v.Bool() {
			b = 1
		}
		out = append(out, b)
	case reflect.Int, reflect.Int8:
		out = append(out, float64(v.Int()))
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			out = floatsOf(v.Index(i), out)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			out = floatsOf(v.Field(i), out)
		}
	case reflect.Pointer:
		if !v.IsNil() {
			out = floatsOf(v.Elem(), out)
		}
	}
	return out
}

// TestPairEqualsSinglePaths: for every built-in scenario, SimulatePair —
// which solves the months the two paths share once and the
// counterfactual's own months on a second goroutine — gives, bit for
// bit, every value of every month of the scenario and the
// counterfactual simulated one by one (Simulate), and the same
// statuses.
func TestPairEqualsSinglePaths(t *testing.T) {
	ctx := context.Background()
	for _, info := range scenarios.Builtins() {
		t.Run(info.Name, func(t *testing.T) {
			s := loadBuiltin(t, info.Name)
			run, err := model.SimulatePair(ctx, s.Spec, s.Counterfactual)
			if err != nil {
				t.Fatal(err)
			}
			shared := 0
			for _, tc := range []struct {
				name string
				pair *model.Path
				spec *model.Spec
			}{{"scenario", run.Scenario, s.Spec}, {"counterfactual", run.Counterfactual, s.Counterfactual}} {
				single, err := model.Simulate(ctx, tc.spec)
				if err != nil {
					t.Fatal(err)
				}
				if tc.pair.Failed != single.Failed || tc.pair.Implausible != single.Implausible {
					t.Errorf("%s: %d failed, %d implausible months; alone %d, %d", tc.name, tc.pair.Failed, tc.pair.Implausible, single.Failed, single.Implausible)
				}
				for k := range single.Sol {
					if tc.name == "counterfactual" && run.Counterfactual.Sol[k] == run.Scenario.Sol[k] {
						shared++
					}
					if a, b := tc.pair.Results[k].Status, single.Results[k].Status; a != b {
						t.Errorf("%s %v: status %v, alone %v", tc.name, single.Months[k], a, b)
					}
					got := floatsOf(reflect.ValueOf(tc.pair.Sol[k]), nil)
					want := floatsOf(reflect.ValueOf(single.Sol[k]), nil)
					if len(got) != len(want) {
						t.Fatalf("%s %v: %d values, alone %d", tc.name, single.Months[k], len(got), len(want))
					}
					for j := range got {
						if math.Float64bits(got[j]) != math.Float64bits(want[j]) {
							t.Errorf("%s %v: value %d is %v, alone %v", tc.name, single.Months[k], j, got[j], want[j])
							break
						}
					}
				}
			}
			t.Logf("%d of %d months shared", shared, len(run.Scenario.Sol))
		})
	}
}
