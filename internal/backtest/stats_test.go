package backtest

import (
	"math"
	"reflect"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"

	"github.com/potash-sim/potash/model"
)

const statTol = 1e-12 // relative; the reference values are exact to ~16 digits

func months(from model.Month, n int) []model.Month {
	out := make([]model.Month, n)
	for k := range out {
		out[k] = from + model.Month(k)
	}
	return out
}

func TestStatistics(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  float64
		want float64
	}{
		// √((0.1² + 0.2² + 0.2²)/3) = √0.03
		{"RMSE", RMSE([]float64{0.1, -0.2, 0.2}), 0.17320508075688773},
		// (0.1 − 0.2 + 0.2)/3
		{"Mean", Mean([]float64{0.1, -0.2, 0.2}), 0.1 / 3},
		// x = 1,2,3; y = 2,4,7: Sxy = 5, Sxx = 2, Syy = 114/9, r = 15/√228
		{"Corr", Corr([]float64{1, 2, 3}, []float64{2, 4, 7}), 15 / math.Sqrt(228)},
		// changes (ln 1.1, ln 1.1, ln 0.9) vs (ln 1.2, ln 1.2, ln 0.8): two
		// distinct values each, same order: r = 1.
		{"ChangeCorr same", ChangeCorr([]float64{100, 110, 121, 108.9}, []float64{100, 120, 144, 115.2}), 1},
		// reversed: r = −1
		{"ChangeCorr opposite", ChangeCorr([]float64{100, 110, 121, 108.9}, []float64{100, 80, 64, 76.8}), -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !scalar.EqualWithinRel(tc.got, tc.want, statTol) {
				t.Errorf("got %.17g, want %.17g", tc.got, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name string
		v    float64
	}{
		{"RMSE empty", RMSE(nil)},
		{"Corr constant", Corr([]float64{1, 1, 1}, []float64{1, 2, 3})},
		{"Corr short", Corr([]float64{1, 2}, []float64{1, 2})},
	} {
		if !math.IsNaN(tc.v) {
			t.Errorf("%s = %g, want NaN", tc.name, tc.v)
		}
	}
}

func TestCompare(t *testing.T) {
	ms := months(model.NewMonth(2020, 1), 5)
	mod := []float64{100, 110, 121, 100, 50}
	rec := []float64{100, 100, math.NaN(), 100, 100}
	s := Compare(ms, mod, rec, ms[0], ms[3])
	// errors over months 0, 1, 3: 0, ln 1.1, 0 (month 2 unpublished, month 4 outside)
	l := math.Log(1.1)
	if s.N != 3 || !scalar.EqualWithinRel(s.RMSE, l/math.Sqrt(3), statTol) || !scalar.EqualWithinRel(s.MeanError, l/3, statTol) {
		t.Errorf("Compare = %+v, want N 3, RMSE %g, mean %g", s, l/math.Sqrt(3), l/3)
	}
	// only one full change pair (months 0→1): correlation undefined
	if !math.IsNaN(s.ChangeCorr) {
		t.Errorf("ChangeCorr = %g, want NaN (one pair)", s.ChangeCorr)
	}
	e, idx := LogErrors([]float64{110, 100, -1}, []float64{100, 100, 100})
	if len(e) != 2 || !scalar.EqualWithinRel(e[0], math.Log(1.1), statTol) || e[1] != 0 || !reflect.DeepEqual(idx, []int{0, 1}) {
		t.Errorf("LogErrors = %v %v", e, idx)
	}
}

func TestTurningPoints(t *testing.T) {
	ms := months(model.NewMonth(2021, 1), 9)
	v := []float64{1, 2, 5, 3, 2, 1, 4, 6, 4}
	// By hand with half-window 2: index 2 (5) is the largest of 1,2,5,3,2;
	// index 5 (1) the smallest of 3,2,1,4,6; index 7 (6) the largest of
	// 1,4,6,4. Endpoints are never turning points.
	want := []TurningPoint{
		{Peak, ms[2], 5},
		{Trough, ms[5], 1},
		{Peak, ms[7], 6},
	}
	if got := TurningPoints(ms, v, 2, 0.1); !reflect.DeepEqual(got, want) {
		t.Errorf("TurningPoints = %v, want %v", got, want)
	}
	// A plateau: the first month of a tie is the turning point.
	flat := []float64{1, 3, 3, 2, 1}
	if got := TurningPoints(ms[:5], flat, 2, 0.1); len(got) != 1 || got[0].Month != ms[1] || got[0].Kind != Peak {
		t.Errorf("plateau: %v, want one peak at %v", got, ms[1])
	}
	// A wiggle below the amplitude threshold is no turning point.
	if got := TurningPoints(ms[:5], []float64{100, 101, 100.5, 100.2, 100}, 2, 0.1); len(got) != 0 {
		t.Errorf("small wiggle: %v, want none", got)
	}
}

func TestPeakInRecord(t *testing.T) {
	rec, err := LoadRecord()
	if err != nil {
		t.Fatal(err)
	}
	var ms []model.Month
	for k := range rec.Potash.Values {
		ms = append(ms, rec.Potash.Start+model.Month(k))
	}
	// Pink Sheet: the 2022 maximum is April, 1,202 $/t.
	p, ok := PeakIn(ms, rec.Potash.Values, 2022)
	if !ok || p.Month != model.NewMonth(2022, 4) || p.Value != 1202 {
		t.Errorf("2022 peak = %v %v, want 2022-04 1202", p.Month, p.Value)
	}
	// 2020 average 241.1 $/t (World Bank annual average, rounded).
	m, n := rec.Potash.Mean(model.NewMonth(2020, 1), model.NewMonth(2020, 12))
	if n != 12 || !scalar.EqualWithinAbs(m, 241.1, 0.05) {
		t.Errorf("2020 average = %g over %d months, want 241.1", m, n)
	}
	if _, ok := PeakIn(ms, rec.Potash.Values, 2030); ok {
		t.Error("peak found in a year without data")
	}
}

func TestAnnualMean(t *testing.T) {
	ms := months(model.NewMonth(2020, 11), 4)
	a := AnnualMean(ms, []float64{1, 2, 3, 5})
	want := Annual{Years: []int{2020, 2021}, Values: []float64{1.5, 4}}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("AnnualMean = %+v, want %+v", a, want)
	}
}

// TestSigFixed: the fit table's sd column reads at one precision, with
// its trailing zeros ("0.100" beside "0.181", not "0.1").
func TestSigFixed(t *testing.T) {
	for _, c := range []struct {
		v    float64
		n    int
		want string
	}{
		{0.1, 3, "0.100"},
		{0.181, 3, "0.181"},
		{0.0539, 3, "0.0539"},
		{0.00806, 3, "0.00806"},
		{0.0019234, 3, "0.00192"},
		{0.09996, 3, "0.100"},
		{9.99, 3, "9.99"},
		{9.996, 3, "10.0"},
		{19.6, 3, "19.6"},
		{20, 3, "20.0"},
		{1234.6, 3, "1,235"},
		{-0.5, 3, "−0.500"},
		{0, 3, "0.00"},
		{math.NaN(), 3, "n/a"},
		{math.Inf(1), 3, "n/a"},
	} {
		if got := sigFixed(c.v, c.n); got != c.want {
			t.Errorf("sigFixed(%v, %d) = %q, want %q", c.v, c.n, got, c.want)
		}
	}
}
