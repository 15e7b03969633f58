package model

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

func TestSweep1D(t *testing.T) {
	scen, cf := mcTestSpecs()
	unc := mcTestUncertain()
	disc := Param{Name: unc[1].Name, Unit: "fraction", Apply: unc[1].Apply}
	res, err := Sweep(context.Background(), scen, cf, []SweepAxis{{Param: disc, Values: []float64{0, 0.15, 0.3}}},
		[]string{"revenue.Belarus", "revenue_change.Belarus"}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Values) != 3 || len(res.Values[0]) != 2 || res.Units[0] != "$M" {
		t.Fatalf("shape %d×%d, units %v", len(res.Values), len(res.Values[0]), res.Units)
	}
	// A bigger sanction discount on all of Belarus's sales lowers its
	// revenue (buyers pay more per tonne delivered, so they buy less and
	// Belarus's FOB price falls).
	for p := 1; p < 3; p++ {
		if !(res.Values[p][0] < res.Values[p-1][0]) {
			t.Errorf("revenue.Belarus not falling with the discount: %v", res.Values)
		}
		if res.Status[p] != Converged {
			t.Errorf("point %d: %v", p, res.Status[p])
		}
	}
	// The point at 0.15 equals the scenario as given (its discount is 0.15).
	run, err := SimulatePair(context.Background(), scen, cf)
	if err != nil {
		t.Fatal(err)
	}
	direct, _ := MetricValue(Metrics(run), "revenue.Belarus")
	if !scalar.EqualWithinRel(res.Values[1][0], direct.Value, 1e-12) {
		t.Errorf("sweep point %v, direct %v", res.Values[1][0], direct.Value)
	}
}

func TestSweep2DOrderAndWorkers(t *testing.T) {
	scen, cf := mcTestSpecs()
	unc := mcTestUncertain()
	axes := []SweepAxis{
		{Param: Param{Name: unc[0].Name, Apply: unc[0].Apply}, Values: []float64{0.2, 0.8}},
		{Param: Param{Name: unc[1].Name, Apply: unc[1].Apply}, Values: []float64{0, 0.1, 0.2}},
	}
	r1, err := Sweep(context.Background(), scen, cf, axes, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	r3, err := Sweep(context.Background(), scen, cf, axes, nil, 3)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r1.Values, r3.Values) || !reflect.DeepEqual(r1.Status, r3.Status) {
		t.Errorf("workers change the sweep")
	}
	if len(r1.Values) != 6 || r1.Metrics[0] != "benchmark_price_change" {
		t.Fatalf("%d points, metrics %v", len(r1.Values), r1.Metrics)
	}
	// Point 4 is (axis0[1], axis1[1]): the last axis varies fastest.
	vals, _, err := pairMetrics(context.Background(), scen, cf, []setting{
		{name: unc[0].Name, apply: unc[0].Apply, v: 0.8}, {name: unc[1].Name, apply: unc[1].Apply, v: 0.1}})
	if err != nil {
		t.Fatal(err)
	}
	if vals[0] != r1.Values[4][0] {
		t.Errorf("point 4 = %v, direct %v", r1.Values[4][0], vals[0])
	}
	// Errors: unknown metric, three axes, invalid value.
	if _, err := Sweep(context.Background(), scen, cf, axes, []string{"nope"}, 1); err == nil {
		t.Errorf("unknown metric accepted")
	}
	if _, err := Sweep(context.Background(), scen, cf, append(axes, axes[0]), nil, 1); err == nil {
		t.Errorf("three axes accepted")
	}
	if _, err := Sweep(context.Background(), scen, cf, []SweepAxis{axes[0], axes[0]}, nil, 1); !errors.Is(err, ErrInvalidOption) {
		t.Errorf("the same parameter on both axes: err %v, want ErrInvalidOption", err)
	}
	sigma := Param{Name: "market.regions.Brazil.substitution_elasticity", Apply: func(s *Spec, v float64) error { s.Market.Regions[0].Sigma = v; return nil }}
	if _, err := Sweep(context.Background(), scen, cf, []SweepAxis{{Param: sigma, Values: []float64{4, 0.5}}}, nil, 1); err == nil {
		t.Errorf("σ = 0.5 accepted")
	} else {
		t.Log(err)
	}
}

func TestSensitivity(t *testing.T) {
	scen, cf := mcTestSpecs()
	unc := mcTestUncertain()
	tor, err := Sensitivity(context.Background(), scen, cf, unc, "revenue_change.Belarus", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(tor.Bars) != len(unc) || tor.Unit != "$M" || tor.Failed != 0 {
		t.Fatalf("%+v", tor)
	}
	for k := 1; k < len(tor.Bars); k++ {
		a, b := tor.Bars[k-1], tor.Bars[k]
		if math.Abs(a.AtHigh-a.AtLow) < math.Abs(b.AtHigh-b.AtLow) {
			t.Errorf("bars not sorted by |effect|: %+v", tor.Bars)
		}
	}
	for _, b := range tor.Bars {
		for _, u := range unc {
			if u.Name == b.Param && (b.Low != u.Dist.Quantile(0.05) || b.High != u.Dist.Quantile(0.95)) {
				t.Errorf("%s: low/high %v/%v are not the 5th/95th percentiles", b.Param, b.Low, b.High)
			}
		}
	}
	// The Baltic capacity of Russia ranges over 6–10 Mt/yr in both paths;
	// Base is the metric with everything at Central.
	sets := []setting{}
	for _, u := range unc {
		sets = append(sets, setting{name: u.Name, apply: u.Apply, v: u.Central})
	}
	vals, _, err := pairMetrics(context.Background(), scen, cf, sets)
	if err != nil {
		t.Fatal(err)
	}
	k, _ := metricIndex(metricDefs(scen.Market), []string{"revenue_change.Belarus"})
	if vals[k[0]] != tor.Base {
		t.Errorf("base %v, want %v", tor.Base, vals[k[0]])
	}
	if _, err := Sensitivity(context.Background(), scen, cf, unc, "nope", 1); err == nil {
		t.Errorf("unknown metric accepted")
	}
}

// TestDescribeSettings: a sweep point is named as the user writes it: a
// month parameter as YYYY-MM, not as its month index.
func TestDescribeSettings(t *testing.T) {
	for _, tc := range []struct {
		name string
		sets []setting
		want string
	}{
		{"number", []setting{{name: "a.b", v: 0.25, unit: "fraction"}}, "a.b=0.25"},
		{"month", []setting{{name: "events.us-ban.end", v: float64(NewMonth(2019, 1)), unit: UnitMonth}}, "events.us-ban.end=2019-01"},
		{"month and number", []setting{
			{name: "events.x.start", v: float64(NewMonth(2025, 12)), unit: UnitMonth},
			{name: "events.x.pct", v: 30},
		}, "events.x.start=2025-12, events.x.pct=30"},
		{"number without unit", []setting{{name: "x", v: 24228}}, "x=24228"},
		{"fractional month", []setting{{name: "events.x.start", v: float64(NewMonth(2025, 12)) + 0.25, unit: UnitMonth}}, fmt.Sprintf("events.x.start=2025-12 (month index %g)", float64(NewMonth(2025, 12))+0.25)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := describeSettings(tc.sets); got != tc.want {
				t.Errorf("describeSettings = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestSensitivityErrorNamesMonth: a failed sensitivity run names a
// month-valued uncertain parameter's value as YYYY-MM, not as its month
// index, and a numeric one as a number.
func TestSensitivityErrorNamesMonth(t *testing.T) {
	scen, cf := mcTestSpecs()
	errApply := errors.New("apply refused")
	refuse := func(*Spec, float64) error { return errApply }
	for _, tc := range []struct {
		name  string
		unit  string
		lo    float64
		want  string
		wrong string
	}{
		{"month", UnitMonth, float64(NewMonth(2024, 3)), "events.x.start=2024-03", fmt.Sprintf("events.x.start=%d", NewMonth(2024, 3))},
		{"number", "", 0.5, "events.x.start=0.5", "events.x.start=0.5 ("},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Every run sets the value lo: the first run's error is
			// returned whichever runs first.
			unc := []Uncertain{{Name: "events.x.start", Unit: tc.unit, Dist: Uniform{Min: tc.lo, Max: tc.lo}, Central: tc.lo, Apply: refuse}}
			_, err := Sensitivity(context.Background(), scen, cf, unc, "", 1)
			if !errors.Is(err, errApply) || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), tc.wrong) {
				t.Errorf("err %v, want one naming %q", err, tc.want)
			}
		})
	}
}
