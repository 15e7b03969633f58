package model_test

import (
	"context"
	"math"
	"reflect"
	"strconv"
	"testing"

	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/scenarios"
)

// TestLazyWeightsSameResults solves every built-in pair with the routes'
// weights scattered to the workspace at every evaluation and, as the
// solver does, only when read (workspace.weights): every Solution and
// Result must agree bit for bit. A reader or writer of the weights that
// does not bring them up to date first (the Jacobian, the strategic
// sellers' markups, the Gauss–Seidel fallback's own-market sums, the
// tariff-rate quotas' clearing) would read the weights of an earlier
// evaluation and move some result.
func TestLazyWeightsSameResults(t *testing.T) {
	for _, in := range scenarios.Builtins() {
		t.Run(in.Name, func(t *testing.T) {
			s := loadBuiltin(t, in.Name)
			lazy, err := model.SimulatePair(context.Background(), s.Spec, s.Counterfactual)
			if err != nil {
				t.Fatal(err)
			}
			restore := model.SetEagerWeights()
			eager, err := model.SimulatePair(context.Background(), s.Spec, s.Counterfactual)
			restore()
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range [][2]*model.Path{{lazy.Scenario, eager.Scenario}, {lazy.Counterfactual, eager.Counterfactual}} {
				if where := firstBitDiff(reflect.ValueOf(p[0].Sol), reflect.ValueOf(p[1].Sol), "Sol"); where != "" {
					t.Fatalf("lazy and eager weights differ at %s", where)
				}
				if where := firstBitDiff(reflect.ValueOf(p[0].Results), reflect.ValueOf(p[1].Results), "Results"); where != "" {
					t.Fatalf("lazy and eager weights differ at %s", where)
				}
			}
		})
	}
}

// firstBitDiff returns the path of the first value in which a and b
// differ, floats compared bit for bit, or "" when they agree.
func firstBitDiff(a, b reflect.Value, path string) string {
	switch a.Kind() {
	case reflect.Float64:
		if math.Float64bits(a.Float()) != math.Float64bits(b.Float()) {
			return path
		}
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			return path + " (length)"
		}
		for i := 0; i < a.Len(); i++ {
			if d := firstBitDiff(a.Index(i), b.Index(i), path+"["+strconv.Itoa(i)+"]"); d != "" {
				return d
			}
		}
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if d := firstBitDiff(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); d != "" {
				return d
			}
		}
	case reflect.Ptr, reflect.Interface:
		if a.IsNil() != b.IsNil() {
			return path + " (nil)"
		}
		if !a.IsNil() {
			return firstBitDiff(a.Elem(), b.Elem(), path)
		}
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.String:
		if !a.Equal(b) {
			return path
		}
	}
	return ""
}
