package backtest

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"

	"github.com/potash-sim/potash/model"
)

// tCDF4 and tCDF5 are Student's t CDFs with 4 and 5 degrees of freedom
// in closed form (e.g. Johnson, Kotz and Balakrishnan, Continuous
// Univariate Distributions 2, 2nd ed., §28.2; checked against a numerical
// integral of the density to 1e-12): independent of gonum's incomplete
// beta function, which DieboldMariano uses. With 2 degrees of freedom
// F(t) = 1/2 + t/(2√(2 + t²)), used by hand below.

func tCDF4(t float64) float64 {
	u := 1 + t*t/4
	return 0.5 + 3.0/8*t/math.Sqrt(u)*(1-t*t/(12*u))
}

func tCDF5(t float64) float64 {
	x, u := t/math.Sqrt(5), 1+t*t/5
	return 0.5 + (x/u*(1+2/(3*u))+math.Atan(x))/math.Pi
}

// TestDieboldMariano checks the statistic against values computed by
// hand (the arithmetic is in each case's comment; e2 = 0 or small
// integers so that every d_t = e1_t² − e2_t² is exact).
func TestDieboldMariano(t *testing.T) {
	for _, tc := range []struct {
		name      string
		e1, e2    []float64
		h, lag    int
		kernel    Kernel
		stat, p   float64
		kernelOut Kernel
		fallback  bool
	}{
		// d = (1, 4, 9): d̄ = 14/3, γ̂_0 = (121 + 4 + 169)/9/3 = 98/9,
		// DM = (14/3)/√(98/27) = √6; h = 1: DM* = √6·√(2/3) = 2;
		// p = 2 F_2(−2) = 1 − 2/√6.
		{"n 3, h 1", []float64{1, 2, 3}, []float64{0, 0, 0}, 1, 0, Uniform, 2, 1 - 2/math.Sqrt(6), Uniform, false},
		// d = (1, 3, 0, 8, 4): d̄ = 3.2, deviations (−2.2, −0.2, −3.2,
		// 4.8, 0.8), γ̂_0 = 38.8/5 = 7.76, γ̂_1 = (0.44 + 0.64 − 15.36 +
		// 3.84)/5 = −2.088; uniform: V̂ = 7.76 − 2·2.088 = 3.584,
		// DM = 3.2/√(3.584/5); h = 2: factor √((5 + 1 − 4 + 2/5)/5) = √0.48.
		{"n 5, h 2, uniform", []float64{1, 2, 1, 3, 2}, []float64{0, 1, 1, 1, 0}, 2, 1, Uniform,
			3.2 / math.Sqrt(3.584/5) * math.Sqrt(0.48), 2 * tCDF4(-3.2/math.Sqrt(3.584/5)*math.Sqrt(0.48)), Uniform, false},
		// The same with the Bartlett weight w_1 = 1/2: V̂ = 7.76 − 2.088 = 5.672.
		{"n 5, h 2, Bartlett", []float64{1, 2, 1, 3, 2}, []float64{0, 1, 1, 1, 0}, 2, 1, Bartlett,
			3.2 / math.Sqrt(5.672/5) * math.Sqrt(0.48), 2 * tCDF4(-3.2/math.Sqrt(5.672/5)*math.Sqrt(0.48)), Bartlett, false},
		// d = (4, 0, 4, 0, 4, 0): d̄ = 2, deviations ±2, γ̂_0 = 4,
		// γ̂_1 = −5·4/6 = −10/3; uniform V̂ = 4 − 20/3 < 0, so Bartlett:
		// V̂ = 4 − 10/3 = 2/3, DM = 2/√(1/9) = 6; h = 2: factor
		// √((6 + 1 − 4 + 2/6)/6) = √(5/9); DM* = √20, p = 2 F_5(−√20).
		{"fallback to Bartlett", []float64{2, 0, 2, 0, 2, 0}, []float64{0, 0, 0, 0, 0, 0}, 2, 1, Uniform,
			math.Sqrt(20), 2 * tCDF5(-math.Sqrt(20)), Bartlett, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := DieboldMariano(tc.e1, tc.e2, tc.h, tc.lag, tc.kernel)
			if !r.OK() {
				t.Fatalf("not computed: %s", r.Reason)
			}
			if !scalar.EqualWithinRel(r.Stat, tc.stat, 1e-12) {
				t.Errorf("DM* = %.15g, want %.15g", r.Stat, tc.stat)
			}
			if !scalar.EqualWithinRel(r.P, tc.p, 1e-9) {
				t.Errorf("p = %.15g, want %.15g", r.P, tc.p)
			}
			if r.Kernel != tc.kernelOut || r.Fallback != tc.fallback || r.N != len(tc.e1) || r.H != tc.h || r.Lag != tc.lag {
				t.Errorf("got %+v, want kernel %v fallback %v", r, tc.kernelOut, tc.fallback)
			}
			if !(r.P > 0 && r.P < 1) {
				t.Errorf("p = %g", r.P)
			}
		})
	}
}

// TestDieboldMarianoProperties: swapping the forecasts flips the sign;
// the test is not computed, with a reason and no NaN, when it is not
// defined.
func TestDieboldMarianoProperties(t *testing.T) {
	e1 := []float64{0.12, -0.05, 0.30, 0.22, 0.08, -0.14, 0.25, 0.19, 0.02, 0.11}
	e2 := []float64{0.10, 0.03, 0.12, 0.20, -0.15, 0.05, 0.09, 0.01, 0.07, -0.02}
	t.Run("swap flips the sign", func(t *testing.T) {
		for lag := 0; lag < 4; lag++ {
			for _, k := range []Kernel{Uniform, Bartlett} {
				a, b := DieboldMariano(e1, e2, lag+1, lag, k), DieboldMariano(e2, e1, lag+1, lag, k)
				if !a.OK() || !b.OK() || a.Stat == 0 || a.Stat != -b.Stat || a.P != b.P || a.Kernel != b.Kernel {
					t.Errorf("lag %d, %v: %+v against %+v", lag, k, a, b)
				}
			}
		}
	})
	constant := make([]float64, 7)
	for k := range constant {
		constant[k] = 0.3 // d_t = 0.09 − 0.01: its mean is not exactly d_t
	}
	tenth := []float64{0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1}
	for _, tc := range []struct {
		name   string
		e1, e2 []float64
		h, lag int
		reason string
	}{
		{"identical forecasts", e1, e1, 1, 0, "equal in every period"},
		{"identical forecasts, lag 3", e1, e1, 4, 3, "equal in every period"},
		{"constant loss differential", constant, tenth, 1, 0, "constant"},
		{"constant loss differential, lag 2", constant, tenth, 3, 2, "constant"},
		{"one period", e1[:1], e2[:1], 1, 0, "too few"},
		{"no period", nil, nil, 1, 0, "too few"},
		{"lag as long as the sample", e1[:5], e2[:5], 6, 5, "too few for lag 5"},
		{"10 periods, 11 steps ahead", e1[:10], e2[:10], 11, 9, "too few for h = 11"},
		{"lengths differ", e1, e2[:9], 1, 0, "10 errors against 9"},
		{"not finite", append([]float64{math.NaN()}, e1[1:]...), e2, 1, 0, "not finite"},
		{"infinite", append([]float64{math.Inf(1)}, e1[1:]...), e2, 1, 0, "not finite"},
		{"bad lag", e1, e2, 1, -1, "lag −1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := DieboldMariano(tc.e1, tc.e2, tc.h, tc.lag, Uniform)
			if r.OK() || !strings.Contains(r.Reason, strings.ReplaceAll(tc.reason, "−", "-")) {
				t.Errorf("reason %q, want one containing %q (%+v)", r.Reason, tc.reason, r)
			}
			for _, v := range []float64{r.Stat, r.P, r.MeanDiff} {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Errorf("a non-finite value: %+v", r)
				}
			}
			if r.Stat != 0 || r.P != 1 {
				t.Errorf("stat %g, p %g: want 0 and 1 when not computed", r.Stat, r.P)
			}
		})
	}
}

// TestDMReasonUnit: the rolling table's tests count origins, the
// out-of-sample one periods (months): a reason names the right one.
func TestDMReasonUnit(t *testing.T) {
	e1 := []float64{0.1, -0.2, 0.3, 0.05, -0.1}
	e2 := []float64{0.2, 0.1, -0.1, 0.15, 0.05}
	for _, tc := range []struct {
		got  DMTest
		want string
	}{
		{DieboldMariano(e1, e2, 6, 5, Uniform), "5 periods, too few for lag 5"},
		{dieboldMarianoOver("origin", e1, e2, 6, 5, Uniform), "5 origins, too few for lag 5"},
		{dieboldMarianoOver("origin", e1[:1], e2[:1], 1, 0, Uniform), "1 origin, too few"},
		{dieboldMarianoOver("origin", e1[:4], e2[:4], 4, 3, Uniform), "4 origins, too few for h = 4"},
	} {
		if tc.got.Reason != tc.want {
			t.Errorf("reason %q, want %q", tc.got.Reason, tc.want)
		}
	}
}

// TestNeweyWestLag: floor(4·(n/100)^(2/9)).
func TestNeweyWestLag(t *testing.T) {
	for _, tc := range []struct{ n, lag int }{{0, 0}, {4, 1}, {5, 2}, {22, 2}, {27, 2}, {28, 3}, {99, 3}, {100, 4}} {
		if got := NeweyWestLag(tc.n); got != tc.lag {
			t.Errorf("NeweyWestLag(%d) = %d, want %d", tc.n, got, tc.lag)
		}
	}
}

// TestOutsideValid: the fit table marks a 95% interval that reaches
// beyond its field's valid range (μ's [0.036, 0.247] against the valid
// [0.08, 1]), and only a fitted parameter's.
func TestOutsideValid(t *testing.T) {
	v := model.RangeDemandAdjust()
	for _, tc := range []struct {
		name string
		ci   [2]float64
		want string
	}{
		{ParamDemandAdjust, [2]float64{0.036, 0.247}, fmt.Sprintf("  interval below the valid range (from %g)", v.Lo)},
		{ParamDemandAdjust, [2]float64{v.Lo, 0.247}, ""},
		{ParamDemandAdjust, [2]float64{0.1, v.Hi + 0.5}, fmt.Sprintf("  interval above the valid range (to %g)", v.Hi)},
		{ParamDemandAdjust, [2]float64{0.01, v.Hi + 0.5}, fmt.Sprintf("  interval below the valid range (from %g), above the valid range (to %g)", v.Lo, v.Hi)},
		{"synthetic", [2]float64{-1e9, 1e9}, ""},
	} {
		if got := outsideValid(tc.name, tc.ci); got != tc.want {
			t.Errorf("outsideValid(%s, %v) = %q, want %q", tc.name, tc.ci, got, tc.want)
		}
	}
}
