package model

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/integrate/quad"
)

func mustDist[D Distribution](d D, err error) D {
	if err != nil {
		panic(err)
	}
	return d
}

func TestDistributionQuantiles(t *testing.T) {
	inf := math.Inf(1)
	cases := []struct {
		name string
		d    Distribution
		p    float64
		want float64 // reference value, worked out by hand in the comment
	}{
		// uniform(2, 6): 2 + 0.25·4 = 3.
		{"uniform", mustDist(NewUniform(2, 6)), 0.25, 3},
		// triangular(0, 1, 2) is symmetric: median 1; P(X ≤ 0.5) = 0.5²/2 = 0.125.
		{"triangular median", mustDist(NewTriangular(0, 1, 2)), 0.5, 1},
		{"triangular lower", mustDist(NewTriangular(0, 1, 2)), 0.125, 0.5},
		// normal(10, 2): P95 = 10 + 2·1.6448536269514722.
		{"normal", mustDist(NewNormal(10, 2, -inf, inf)), 0.95, 10 + 2*1.6448536269514722},
		// symmetric truncation keeps the median at the mean.
		{"normal truncated median", mustDist(NewNormal(10, 2, 8, 12)), 0.5, 10},
		// normal(0,1) truncated to [0, ∞) is the half-normal: its median is Φ⁻¹(0.75) = 0.6744897501960817.
		{"half-normal median", mustDist(NewNormal(0, 1, 0, inf)), 0.5, 0.6744897501960817},
		// truncated to [1, ∞): reflected branch. P(Z>1)=0.15865525393145707; median z solves
		// 1−Φ(z) = 0.0793276269657285 → z = 1.4093...; checked against the CDF below instead.
		// lognormal(0, 1): median e^0 = 1, P95 = exp(1.6448536269514722).
		{"lognormal median", mustDist(NewLogNormal(0, 1, 0, inf)), 0.5, 1},
		{"lognormal p95", mustDist(NewLogNormal(0, 1, 0, inf)), 0.95, math.Exp(1.6448536269514722)},
		// lognormal(0,1) truncated to [1, ∞) is exp of a half-normal: median exp(0.6744897501960817).
		{"lognormal truncated", mustDist(NewLogNormal(0, 1, 1, inf)), 0.5, math.Exp(0.6744897501960817)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := c.d.Quantile(c.p)
			if !scalar.EqualWithinAbsOrRel(got, c.want, 1e-12, 1e-12) {
				t.Errorf("Quantile(%v) = %.15g, want %.15g", c.p, got, c.want)
			}
		})
	}
}

// TestTruncatedQuantileInvertsCDF checks the reflected (upper-tail) branch:
// for a normal truncated to [μ+σ, ∞), the CDF of the truncated law at
// Quantile(p) must be p.
func TestTruncatedQuantileInvertsCDF(t *testing.T) {
	d := mustDist(NewNormal(5, 2, 7, math.Inf(1)))
	for _, p := range []float64{1e-6, 0.05, 0.5, 0.95, 1 - 1e-9} {
		x := d.Quantile(p)
		// truncated CDF = (Φ(z) − Φ(1)) / (1 − Φ(1)) = (Q(1) − Q(z)) / Q(1), Q the upper tail.
		z := (x - 5) / 2
		cdf := (distPhi(-1) - distPhi(-z)) / distPhi(-1)
		if !scalar.EqualWithinAbsOrRel(cdf, p, 1e-12, 1e-9) {
			t.Errorf("p=%v: CDF(Quantile(p)) = %v", p, cdf)
		}
		if x < 7 {
			t.Errorf("p=%v: quantile %v below the truncation bound 7", p, x)
		}
	}
}

// TestDistributionMeans compares Mean with the integral of the quantile
// function over (0,1) (E[X] = ∫ Q(p) dp), by Gauss–Legendre quadrature.
func TestDistributionMeans(t *testing.T) {
	inf := math.Inf(1)
	for _, c := range []struct {
		name string
		d    Distribution
	}{
		{"uniform", mustDist(NewUniform(-1, 3))},
		{"triangular", mustDist(NewTriangular(0.1, 0.3, 0.6))},
		{"normal truncated", mustDist(NewNormal(15, 5, 0, 40))},
		{"normal one-sided", mustDist(NewNormal(0.2, 0.3, 0, inf))},
		{"lognormal truncated", mustDist(NewLogNormal(0, 0.5, 0.5, 3))},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := quad.Fixed(c.d.Quantile, 0, 1, 2000, nil, 0)
			if !scalar.EqualWithinRel(c.d.Mean(), got, 1e-5) {
				t.Errorf("Mean = %.10g, ∫Q = %.10g", c.d.Mean(), got)
			}
		})
	}
}

func TestDistributionErrors(t *testing.T) {
	inf := math.Inf(1)
	for name, err := range map[string]error{
		"uniform reversed":      errOf(NewUniform(3, 1)),
		"triangular mode":       errOf(NewTriangular(0, 2, 1)),
		"normal sd":             errOf(NewNormal(0, 0, -inf, inf)),
		"normal no mass":        errOf(NewNormal(0, 1, 50, 60)),
		"normal reversed":       errOf(NewNormal(0, 1, 1, 0)),
		"lognormal lower":       errOf(NewLogNormal(0, 1, -1, inf)),
		"lognormal NaN":         errOf(NewLogNormal(math.NaN(), 1, 0, inf)),
		"uniform infinite":      errOf(NewUniform(0, inf)),
		"triangular degenerate": errOf(NewTriangular(1, 1, 1)),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func errOf[T any](_ T, err error) error { return err }

// TestDistributionDescribe: a distribution's description (Describe, the
// pilot cache's key of it) is the same for equal distributions and
// differs between any two different ones, down to a parameter's last
// bit, and between kinds with the same parameters.
func TestDistributionDescribe(t *testing.T) {
	up := func(x float64) float64 { return math.Nextafter(x, math.Inf(1)) }
	inf := math.Inf(1)
	dists := []Describer{
		Uniform{0.1, 0.6}, Uniform{up(0.1), 0.6}, Uniform{0.1, up(0.6)},
		Triangular{2, 4, 8}, Triangular{2, up(4), 8}, Triangular{2, 4, up(8)},
		Normal{0.36, 0.1, 0.1, 0.8}, Normal{0.36, 0.1, math.Inf(-1), inf}, Normal{0.36, up(0.1), 0.1, 0.8},
		Normal{0.36, 0.1, 0.1, up(0.8)}, Normal{up(0.36), 0.1, 0.1, 0.8}, Normal{0.36, 0.1, up(0.1), 0.8},
		LogNormal{0.36, 0.1, 0.1, 0.8}, LogNormal{0.36, 0.1, 0, inf}, LogNormal{0.36, 0.1, up(0.1), 0.8},
		Fixed{0.3}, Fixed{up(0.3)}, Fixed{0}, Fixed{math.Copysign(0, -1)},
	}
	seen := map[string]int{}
	for k, d := range dists {
		s := d.Describe()
		if j, ok := seen[s]; ok {
			t.Errorf("%#v and %#v share the description %s", dists[j], d, s)
		}
		seen[s] = k
		// An equal distribution, built apart, describes itself alike.
		var again Describer
		switch d := d.(type) {
		case Uniform:
			again = mustDist(NewUniform(d.Min, d.Max))
		case Triangular:
			again = mustDist(NewTriangular(d.Min, d.Mode, d.Max))
		case Normal:
			again = mustDist(NewNormal(d.Mu, d.Sigma, d.Lower, d.Upper))
		case LogNormal:
			again = mustDist(NewLogNormal(d.Mu, d.Sigma, d.Lower, d.Upper))
		case Fixed:
			again = Fixed{d.Value}
		}
		if got := again.Describe(); got != s {
			t.Errorf("%#v: %s, built again %s", d, s, got)
		}
	}
	if got, want := (Normal{0.36, 0.1, 0.1, 0.8}).Describe(), "normal(mu=0.36 sigma=0.1 lower=0.1 upper=0.8)"; got != want {
		t.Errorf("Describe: %s, want %s", got, want)
	}
}
