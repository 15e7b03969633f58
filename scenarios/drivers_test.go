package scenarios

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"

	"github.com/potash-sim/potash/model"
)

// tolIndex is the tolerance of an index computed by hand from the CSV's
// printed digits: far below any difference that matters, far above
// rounding.
const tolIndex = 1e-12

func driverByID(s *model.Spec, id string) *model.Event {
	for k := range s.Drivers {
		if s.Drivers[k].ID == id {
			return &s.Drivers[k]
		}
	}
	return nil
}

// TestCropDriverEmbedded checks the crop-price driver that every scenario
// on base-2020 runs on against values computed by hand from the embedded
// CSV: Brazil's index (maize 0.25, soybeans 0.75) and an equally weighted
// region's in May 2022 and October 2025 (the record's last month, held
// after it), the lag, the same driver in the counterfactual, and the
// projection a scenario sets.
func TestCropDriverEmbedded(t *testing.T) {
	s := mustLoad(t, "history", "market.drivers.crop_prices.lag_months=0")
	// The index is built on real prices: each price divided by the month's
	// price level π (TestPriceLevel), each crop's base the 2020 average of
	// its real prices.
	may22 := func(w CropWeights) float64 { return realIndex(t, w, model.NewMonth(2022, 5)) }
	oct25 := func(w CropWeights) float64 { return realIndex(t, w, model.NewMonth(2025, 10)) }
	brazil := CropWeights{Maize: 0.25, Soybeans: 0.75}
	for _, tc := range []struct {
		region string
		t      model.Month
		want   float64
	}{
		{"Brazil", model.NewMonth(2022, 5), may22(brazil)},          // 1.8565…
		{"India", model.NewMonth(2022, 5), may22(EqualCropWeights)}, // 2.0401…
		{"Brazil", model.NewMonth(2025, 10), oct25(brazil)},
		{"Brazil", model.NewMonth(2025, 12), oct25(brazil)}, // held after the record
		{"Europe", model.NewMonth(2025, 12), oct25(EqualCropWeights)},
	} {
		t.Run(tc.region+" "+tc.t.String(), func(t *testing.T) {
			for _, sp := range []*model.Spec{s.Spec, s.Counterfactual} {
				e := driverByID(sp, "crop_prices."+tc.region)
				if e == nil {
					t.Fatalf("%s: no driver for %s", sp.Name, tc.region)
				}
				if got := e.DriverLevel(tc.t); !scalar.EqualWithinAbs(got, tc.want, tolIndex) {
					t.Errorf("%s: level %.15g, want %.15g", sp.Name, got, tc.want)
				}
			}
		})
	}
	theta := s.CropDriver().Elasticity // the dataset's
	if b := driverByID(s.Spec, "crop_prices.Brazil"); b.Start != model.NewMonth(2019, 1) || b.Aux != [2]float64{0, theta} || !(theta > 0) {
		t.Errorf("Brazil's driver starts %v with lag, elasticity %v; want 2019-01 and (0, the dataset's %g > 0) after the --set", b.Start, b.Aux, theta)
	}

	// A lag of 1.5 months reads halfway between March and April 2022 for May.
	s = mustLoad(t, "history", "market.drivers.crop_prices.lag_months=1.5")
	apr, mar := brazilIndex(t, model.NewMonth(2022, 4)), brazilIndex(t, model.NewMonth(2022, 3))
	if got, want := driverByID(s.Spec, "crop_prices.Brazil").DriverLevel(model.NewMonth(2022, 5)), 0.5*apr+0.5*mar; !scalar.EqualWithinAbs(got, want, tolIndex) {
		t.Errorf("lag 1.5: level %.15g, want %.15g", got, want)
	}

	// A projection of −20% over 4 months: the projection's level is
	// 1 − 0.2·w, w = 1/4 in 2025-11, 1 from 2026-02; demand moves by
	// (index · projection)^θ.
	s = mustLoad(t, "history", "market.drivers.crop_prices.projection_pct=-20", "market.drivers.crop_prices.projection_ramp_months=4", "market.drivers.crop_prices.lag_months=0")
	p := driverByID(s.Spec, CropDriverID+projectionSuffix)
	for _, c := range []struct {
		t    model.Month
		want float64
	}{{model.NewMonth(2025, 10), 1}, {model.NewMonth(2025, 11), 0.95}, {model.NewMonth(2026, 2), 0.8}, {model.NewMonth(2027, 6), 0.8}} {
		if got := p.DriverLevel(c.t); !scalar.EqualWithinAbs(got, c.want, 1e-15) {
			t.Errorf("projection in %v: %g, want %g", c.t, got, c.want)
		}
	}
}

// brazilIndex is Brazil's real index in month t from the CSV rows.
func brazilIndex(t *testing.T, m model.Month) float64 {
	return realIndex(t, CropWeights{Maize: 0.25, Soybeans: 0.75}, m)
}

// realIndex is the real crop-price index with weights w in month m, from
// the embedded CSV rows and price level: Σ_c w_c·(p_c,m/π_m) / mean over
// 2020 of p_c/π.
func realIndex(t *testing.T, w CropWeights, m model.Month) float64 {
	t.Helper()
	p, err := RecordedCropPrices()
	if err != nil {
		t.Fatal(err)
	}
	l, err := RecordedPriceLevel()
	if err != nil {
		t.Fatal(err)
	}
	pi := func(x model.Month) float64 {
		v, err := l.Monthly(x, 2020)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	real := func(v []float64, x model.Month) float64 { return v[int(x-p.Start)] / pi(x) }
	out := 0.0
	for _, c := range []struct {
		w float64
		v []float64
	}{{w.Maize, p.Maize}, {w.Soybeans, p.Soybeans}, {w.Wheat, p.Wheat}} {
		base := 0.0
		for x := model.NewMonth(2020, 1); x <= model.NewMonth(2020, 12); x++ {
			base += real(c.v, x) / 12
		}
		out += c.w * real(c.v, m) / base
	}
	return out
}

// TestCropIndexErrors checks CropIndex's refusals.
func TestCropIndexErrors(t *testing.T) {
	p, err := RecordedCropPrices()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		w    CropWeights
		base int
	}{
		{"weights sum to 1.2", CropWeights{Maize: 0.6, Soybeans: 0.6}, 2020},
		{"negative weight", CropWeights{Maize: 1.2, Soybeans: -0.2}, 2020},
		{"base year without prices", EqualCropWeights, 2030},
	} {
		if _, _, err := CropIndex(p, c.w, c.base); err == nil {
			t.Errorf("%s: accepted", c.name)
		}
	}
	if _, err := ParseCropPrices("x.csv", []byte("month,maize_usd_per_t,soybeans_usd_per_t,wheat_us_hrw_usd_per_t\n2020M01,1,2,3\n2020M03,1,2,3\n")); err == nil || !strings.Contains(err.Error(), "x.csv:3:1") {
		t.Errorf("a gap in the months: %v", err)
	}
}

// TestCropDriverParams checks that the driver's numbers are parameters
// like every other: --set and a sweep (Param.Apply) set the elasticity
// and lag of every driver event of the scenario and the counterfactual
// and of the scenario's crop_prices shocks; the valid range is enforced.
func TestCropDriverParams(t *testing.T) {
	s := mustLoad(t, "testdata/valid/inline-basic.yaml")
	p, err := s.Param("market.drivers.crop_prices.elasticity")
	if err != nil {
		t.Fatal(err)
	}
	for _, sp := range []*model.Spec{s.Spec.Clone(), s.Counterfactual.Clone()} {
		if err := p.Apply(sp, 0.7); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, evs := range [][]model.Event{sp.Drivers, sp.Events} {
			for _, e := range evs {
				if e.Kind == model.EventDemandDriver {
					n++
					if e.Aux != [2]float64{1.5, 0.7} {
						t.Errorf("%s %s: lag, elasticity %v, want [1.5 0.7]", sp.Name, e.ID, e.Aux)
					}
				}
			}
		}
		if n < 3 {
			t.Errorf("%s: %d driver events", sp.Name, n)
		}
	}
	if err := p.Apply(s.Spec.Clone(), 3.5); !errors.Is(err, ErrOutOfRange) {
		t.Errorf("elasticity 3.5: error %v, want ErrOutOfRange", err)
	}
	if lo, hi, _, err := s.Range("market.drivers.crop_prices.lag_months"); err != nil || lo != 0 || hi != 12 {
		t.Errorf("lag range [%g, %g] (%v), want [0, 12]", lo, hi, err)
	}
	shock := eventByID(s.Spec, "crops")
	if shock.Aux != [2]float64{1.5, 0.2} || shock.Value != 0.8 {
		t.Errorf("the crop_prices shock: value %g, lag and elasticity %v; want 0.8 and the market's [1.5 0.2]", shock.Value, shock.Aux)
	}
	// The uncertainty entry draws the elasticity for both paths.
	found := false
	for _, u := range s.Uncertain {
		if u.Name == "market.drivers.crop_prices.elasticity" {
			found = true
			sp := s.Counterfactual.Clone()
			if err := u.Apply(sp, 0.33); err != nil || sp.Drivers[0].Aux[1] != 0.33 {
				t.Errorf("uncertain elasticity on the counterfactual: %v, %v", err, sp.Drivers[0].Aux)
			}
		}
	}
	if !found {
		t.Error("no uncertain elasticity")
	}
}

// TestCropShockMovesDemand runs a crop-price shock against its
// counterfactual: with a positive elasticity lower crop prices lower
// demand and the benchmark price, only after the shock starts and its
// lag; with elasticity 0 the shock changes nothing.
func TestCropShockMovesDemand(t *testing.T) {
	src := "title: t\nhorizon: {start: 2020-01, end: 2021-12}\nevents:\n  - {id: cheap-crops, crop_prices: {region: all, pct: -30}, start: 2021-01}\n"
	for _, tc := range []struct {
		theta string
		moves bool
	}{{"0.5", true}, {"0", false}} {
		t.Run("elasticity "+tc.theta, func(t *testing.T) {
			s, err := Parse("shock.yaml", []byte(src), []string{"market.drivers.crop_prices.elasticity=" + tc.theta, "market.drivers.crop_prices.lag_months=2"})
			if err != nil {
				t.Fatal(err)
			}
			run, err := model.SimulatePair(context.Background(), s.Spec, s.Counterfactual)
			if err != nil {
				t.Fatal(err)
			}
			for k, tm := range run.Scenario.Months {
				d := run.Scenario.Sol[k].Benchmark - run.Counterfactual.Sol[k].Benchmark
				switch {
				case tm < model.NewMonth(2021, 3) || !tc.moves:
					if math.Abs(d) > 1e-9 {
						t.Errorf("%v: benchmark moved by %g before the shock reached demand", tm, d)
					}
				case !(d < -0.1):
					t.Errorf("%v: benchmark change %g $/t, want a fall", tm, d)
				}
			}
		})
	}
}

// TestCropShockWarnsWhenOff checks the warning a crop_prices shock gets on
// a market whose crop-price elasticity is 0 (base-2020 with the driver
// set off), and that it is gone once the elasticity is set.
func TestCropShockWarnsWhenOff(t *testing.T) {
	src := "title: t\nhorizon: {end: 2021-12}\nevents:\n  - {id: c, crop_prices: {region: all, pct: 10}, start: 2021-01}\n"
	s, err := Parse("w.yaml", []byte(src), []string{"market.drivers.crop_prices.elasticity=0"})
	if err != nil {
		t.Fatal(err)
	}
	want := "w.yaml:4:26: warning: events[0].crop_prices: the market's crop-price elasticity is 0, so the shock changes nothing: set market.drivers.crop_prices.elasticity (docs/SCENARIOS.md, Drivers)"
	if len(s.Warnings) != 1 || s.Warnings[0].Error() != want {
		t.Errorf("warnings %q, want %q", s.Warnings, want)
	}
	s, err = Parse("w.yaml", []byte(src), []string{"market.drivers.crop_prices.elasticity=0.3"})
	if err != nil || len(s.Warnings) != 0 {
		t.Errorf("with an elasticity: %v, warnings %q", err, s.Warnings)
	}
}

// driverInvalid are drivers sections and shocks that must be rejected,
// with every error message (file:line:col: field: msg).
var driverInvalid = []struct {
	name string
	src  string
	sets []string
	want []string
}{
	{name: "weights do not sum to 1", src: inlineDriver("        weights:\n          - {region: A, maize: 0.5, soybeans: 0.6, wheat: 0}\n"), want: []string{
		"bad.yaml:17:13: market.inline.drivers.crop_prices.weights[0]: region A: crop weights maize 0.5, soybeans 0.6, wheat 0: want non-negative weights summing to 1",
	}},
	{name: "weights of an unknown region", src: inlineDriver("        weights:\n          - {region: B, maize: 0.5, soybeans: 0.5, wheat: 0}\n"), want: []string{
		"bad.yaml:17:22: market.inline.drivers.crop_prices.weights[0].region: unknown region 'B'; expected one of: A",
	}},
	{name: "elasticity out of range", src: strings.Replace(inlineDriver(""), "elasticity: 0.2", "elasticity: 4", 1), want: []string{
		"bad.yaml:14:21: market.inline.drivers.crop_prices.elasticity: elasticity = 4 is outside its valid range: must be in [0, 1.5]",
	}},
	{name: "lag out of range by --set", src: "title: t\nhorizon: {end: 2021-12}\n", sets: []string{"market.drivers.crop_prices.lag_months=13"}, want: []string{
		"--set: market.drivers.crop_prices.lag_months: lag_months = 13 is outside its valid range: must be in [0, 12]",
	}},
	{name: "unknown driver field", src: "title: t\nhorizon: {end: 2021-12}\n", sets: []string{"market.drivers.crop_prices.elastcity=1"}, want: []string{
		"--set: market.drivers.crop_prices.elastcity: unknown crop-price driver field 'elastcity'; did you mean 'elasticity'?",
	}},
	{name: "shock without a driver", src: strings.Replace(inlineDriver(""), "    drivers:\n      crop_prices:\n        elasticity: 0.2\n        lag_months: 1\n", "", 1) + "events:\n  - {id: c, crop_prices: {region: all, pct: 10}, start: 2021-01}\n", want: []string{
		"bad.yaml:14:26: events[0].crop_prices: the market has no crop-price driver to shock (market.drivers.crop_prices; the embedded base datasets have one)",
	}},
	{name: "shock with pct and series", src: "title: t\nhorizon: {end: 2021-12}\nevents:\n  - {id: c, crop_prices: {region: all, pct: 10, series_pct: [1, 2]}, start: 2021-01}\n", want: []string{
		"bad.yaml:4:61: events[0].crop_prices.series_pct: give pct or series_pct, not both",
	}},
	{name: "shock below -90%", src: "title: t\nhorizon: {end: 2021-12}\nevents:\n  - {id: c, crop_prices: {region: Brazil, pct: -95}, start: 2021-01}\n", want: []string{
		"bad.yaml:4:48: events[0].crop_prices.pct: pct = -95 is outside its valid range: must be in [-90, 400]",
	}},
}

// inlineDriver is a one-supplier, one-region market written inline with a
// crop-price driver (lines 12–15: elasticity on line 14, weights from line 16) and extra lines for it.
func inlineDriver(extra string) string {
	return "title: t\nmarket:\n  inline:\n    base_year: 2020\n    benchmark: A\n" +
		"    suppliers:\n      - {name: S, fob_usd_per_t: 100, capacity_mt: 2, supply_elasticity: 1, supply_adjustment_per_month: 0.1, corridors: [{name: P, capacity_mt: 2, cost_usd_per_t: 10}]}\n" +
		"    regions:\n      - {name: A, demand_elasticity: 0.3, substitution_elasticity: 4, demand_adjustment_per_month: 0.1, demand_growth_pct_per_year: 0}\n" +
		"    routes:\n      - {from: S, to: A, flow_mt: 1, freight_usd_per_t: 5}\n" +
		"    drivers:\n      crop_prices:\n        elasticity: 0.2\n        lag_months: 1\n" + extra +
		"horizon: {end: 2021-12}\n"
}

// TestCropDriverInvalid checks that every bad driver is rejected with the
// file, line, column and field.
func TestCropDriverInvalid(t *testing.T) {
	if _, err := Parse("ok.yaml", []byte(inlineDriver("")), nil); err != nil {
		t.Fatalf("the valid template is rejected: %v", err)
	}
	for _, tc := range driverInvalid {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("bad.yaml", []byte(tc.src), tc.sets)
			var ds Diagnostics
			if !errors.As(err, &ds) {
				t.Fatalf("error %v is not Diagnostics", err)
			}
			var got []string
			for _, d := range ds.Errors() {
				got = append(got, d.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", quoteLines(got), quoteLines(tc.want))
			}
		})
	}
}

// TestSeasonalFactors checks Brazil's monthly factors against the 2013
// figures by hand: K2O deliveries 559 kt (Jan–Feb), 1,909 (Jan–Jun), 2,385
// (Jan–Jul), 2,992 (Jan–Aug), FAOSTAT's 5,156.986 kt for the year; the
// September–December rest split by product deliveries (December 1,950 of
// 31,080 − 18,819 kt). Monthly average 5,156.986/12 kt. Other regions have
// no supported profile.
func TestSeasonalFactors(t *testing.T) {
	f, ok, err := SeasonalFactors("Brazil")
	if err != nil || !ok {
		t.Fatalf("Brazil: %v, supported %v", err, ok)
	}
	avg := 5156.986 / 12
	sepDec := 5156.986 - 2992
	dec := sepDec * 1950 / (31080 - 18819)
	want := [12]float64{
		559.0 / 2 / avg, 559.0 / 2 / avg,
		(1909.0 - 559) / 4 / avg, (1909.0 - 559) / 4 / avg, (1909.0 - 559) / 4 / avg, (1909.0 - 559) / 4 / avg,
		(2385.0 - 1909) / avg, (2992.0 - 2385) / avg,
		(sepDec - dec) / 3 / avg, (sepDec - dec) / 3 / avg, (sepDec - dec) / 3 / avg,
		dec / avg,
	}
	sum, h2 := 0.0, 0.0
	for k := range f {
		if !scalar.EqualWithinRel(f[k], want[k], 1e-14) {
			t.Errorf("month %d: %.15g, want %.15g", k+1, f[k], want[k])
		}
		sum += f[k]
		if k >= 6 {
			h2 += f[k] / 12
		}
	}
	if !scalar.EqualWithinAbs(sum, 12, 1e-12) {
		t.Errorf("factors sum to %g, want 12", sum)
	}
	// Brazil's second-half season: about 63% of the year's K2O.
	if !(h2 > 0.6 && h2 < 0.66) || !(f[7] > 1.35 && f[0] < 0.7) {
		t.Errorf("second half %.3f of the year, August %.2f, January %.2f", h2, f[7], f[0])
	}
	for _, r := range []string{"United States", "Europe", "China", "India"} {
		if f, ok, err := SeasonalFactors(r); ok || err != nil || f[3] != 1 {
			t.Errorf("%s: supported %v, %v, April %g", r, ok, err, f[3])
		}
	}
}

// TestPriceLevel checks the monthly price level by hand from the annual
// averages placed at mid-year (2020 258.811, 2021 270.970, base 2020):
// June 2021 is 1/24 of a year before the middle of 2021, July 1/24 after
// it; the first year's January and the last year's December extend the
// nearest segment, and the level is held outside the years covered.
func TestPriceLevel(t *testing.T) {
	// tolLevel: rounding of the month's position in years; tolLevelAverage:
	// how far a year's monthly levels may average from its annual value.
	const tolLevel, tolLevelAverage = 1e-13, 0.005
	l := &PriceLevel{First: 2020, Values: []float64{258.811, 270.970, 292.655}}
	a20, a21, a22 := 258.811, 270.970, 292.655
	for _, tc := range []struct {
		name string
		t    model.Month
		want float64
	}{
		{"June 2021", model.NewMonth(2021, 6), (a21 - (a21-a20)/24) / a20},
		{"July 2021", model.NewMonth(2021, 7), (a21 + (a22-a21)/24) / a20},
		{"January 2021", model.NewMonth(2021, 1), (a20 + (a21-a20)*13/24) / a20},
		{"January 2020, extended", model.NewMonth(2020, 1), (a20 - (a21-a20)*11/24) / a20},
		{"2019, held", model.NewMonth(2019, 3), (a20 - (a21-a20)*11/24) / a20},
		{"December 2022, extended", model.NewMonth(2022, 12), (a22 + (a22-a21)*11/24) / a20},
		{"2024, held", model.NewMonth(2024, 6), (a22 + (a22-a21)*11/24) / a20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := l.Monthly(tc.t, 2020)
			if err != nil || !scalar.EqualWithinAbs(got, tc.want, tolLevel) {
				t.Errorf("%.17g (%v), want %.17g", got, err, tc.want)
			}
		})
	}
	// The twelve months of a year between two others average its annual
	// value up to the curvature: Σ/12 = A + ((A₊ − A) − (A − A₋))/8,
	// 0.44 % for 2021, when inflation accelerated (the interpolation is
	// not average-preserving; docs/DATA.md says so).
	sum := 0.0
	for m := 1; m <= 12; m++ {
		v, _ := l.Monthly(model.NewMonth(2021, m), 2021)
		sum += v / 12
	}
	if !scalar.EqualWithinAbs(sum, 1, tolLevelAverage) {
		t.Errorf("2021's monthly average %.6f, want 1 within %g", sum, tolLevelAverage)
	}
	if _, err := l.Monthly(model.NewMonth(2021, 1), 2018); err == nil {
		t.Error("a base year without an average is accepted")
	}
	if b := l.Before(model.NewMonth(2022, 1)); b.Last() != 2021 || len(l.Values) != 3 {
		t.Errorf("Before(2022-01) keeps through %d (the original %d years)", b.Last(), len(l.Values))
	}
	// The embedded series: 2019–2025, 2020 = 258.811.
	e, err := RecordedPriceLevel()
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := e.Annual(2020); e.First != 2019 || e.Last() != 2025 || v != 258.811 {
		t.Errorf("embedded CPI %d..%d, 2020 %g", e.First, e.Last(), v)
	}
	for _, bad := range []string{
		"year,cpi_u_annual_average\n2020,1\n2022,2\n",
		"year,cpi_u_annual_average\n2020,-1\n",
		"year,cpi\n2020,1\n",
	} {
		if _, err := ParsePriceLevel("x.csv", []byte(bad)); err == nil || !strings.Contains(err.Error(), "x.csv:") {
			t.Errorf("%q: error %v, want one naming x.csv", bad, err)
		}
	}
}
