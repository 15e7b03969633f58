package model

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mathext"
	"gonum.org/v1/gonum/stat/distuv"
)

// The Distribution implementations below are drawn by inverse CDF
// (Quantile of a uniform variate), so a Monte Carlo draw depends only on
// its own random stream (docs/MODEL.md, "Monte Carlo"). They wrap gonum's
// distuv quantile functions; none holds a random source.

// Uniform is the uniform distribution on [Min, Max].
type Uniform struct{ Min, Max float64 }

// NewUniform returns Uniform{min, max}; it needs finite min < max.
func NewUniform(min, max float64) (Uniform, error) {
	if !distFinite(min) || !distFinite(max) || !(min < max) {
		return Uniform{}, distErr("uniform: need finite min < max, got min %g, max %g", min, max)
	}
	return Uniform{min, max}, nil
}

// Quantile returns Min + p·(Max − Min).
func (u Uniform) Quantile(p float64) float64 {
	return distuv.Uniform{Min: u.Min, Max: u.Max}.Quantile(distClampP(p))
}

// Mean returns (Min + Max)/2.
func (u Uniform) Mean() float64 { return (u.Min + u.Max) / 2 }

// String describes the distribution, e.g. "uniform(0.1, 0.6)".
func (u Uniform) String() string { return fmt.Sprintf("uniform(%g, %g)", u.Min, u.Max) }

// Triangular is the triangular distribution on [Min, Max] with mode Mode.
type Triangular struct{ Min, Mode, Max float64 }

// NewTriangular returns Triangular{min, mode, max}; it needs finite
// min ≤ mode ≤ max and min < max.
func NewTriangular(min, mode, max float64) (Triangular, error) {
	if !distFinite(min) || !distFinite(mode) || !distFinite(max) || !(min < max) || mode < min || mode > max {
		return Triangular{}, distErr("triangular: need finite min ≤ mode ≤ max and min < max, got min %g, mode %g, max %g", min, mode, max)
	}
	return Triangular{min, mode, max}, nil
}

// Quantile is the inverse CDF of the triangular distribution (distuv.Triangle).
func (t Triangular) Quantile(p float64) float64 {
	return distuv.NewTriangle(t.Min, t.Max, t.Mode, nil).Quantile(distClampP(p))
}

// Mean returns (Min + Mode + Max)/3.
func (t Triangular) Mean() float64 { return (t.Min + t.Mode + t.Max) / 3 }

// String describes the distribution.
func (t Triangular) String() string {
	return fmt.Sprintf("triangular(%g, %g, %g)", t.Min, t.Mode, t.Max)
}

// Normal is the normal distribution N(Mu, Sigma²), optionally truncated to
// [Lower, Upper] (−Inf and +Inf for no truncation).
type Normal struct {
	Mu, Sigma    float64
	Lower, Upper float64
}

// NewNormal returns a normal distribution with mean mu and standard
// deviation sigma > 0, truncated to [lower, upper]; pass math.Inf(−1) and
// math.Inf(1) for none. The truncation interval must hold probability
// ≥ 1e-12 (so its quantiles are well defined in float64).
func NewNormal(mu, sigma, lower, upper float64) (Normal, error) {
	if !distFinite(mu) || !distFinite(sigma) || !(sigma > 0) {
		return Normal{}, distErr("normal: need finite mean and sd > 0, got mean %g, sd %g", mu, sigma)
	}
	if math.IsNaN(lower) || math.IsNaN(upper) || !(lower < upper) {
		return Normal{}, distErr("normal: need lower < upper, got lower %g, upper %g", lower, upper)
	}
	n := Normal{mu, sigma, lower, upper}
	a, b := n.z(lower), n.z(upper)
	if mass := truncMass(a, b); !(mass >= 1e-12) {
		return Normal{}, distErr("normal(%g, %g) truncated to [%g, %g]: the interval holds probability %.3g, too little to draw from", mu, sigma, lower, upper, mass)
	}
	return n, nil
}

func (n Normal) z(x float64) float64 { return (x - n.Mu) / n.Sigma }

// Quantile is the inverse CDF of the (truncated) normal:
// μ + σ·Φ⁻¹(Φ(α) + p·(Φ(β) − Φ(α))), α and β the standardised bounds,
// computed in the lower tail (by reflection) for accuracy.
func (n Normal) Quantile(p float64) float64 {
	p = distClampP(p)
	if math.IsInf(n.Lower, -1) && math.IsInf(n.Upper, 1) {
		return distuv.Normal{Mu: n.Mu, Sigma: n.Sigma}.Quantile(p)
	}
	z := truncStdQuantile(n.z(n.Lower), n.z(n.Upper), p)
	return distClamp(n.Mu+n.Sigma*z, n.Lower, n.Upper)
}

// Mean returns μ + σ·(φ(α) − φ(β))/(Φ(β) − Φ(α)), which is μ untruncated.
func (n Normal) Mean() float64 {
	a, b := n.z(n.Lower), n.z(n.Upper)
	return n.Mu + n.Sigma*truncStdMean(a, b)
}

// String describes the distribution.
func (n Normal) String() string {
	s := fmt.Sprintf("normal(%g, %g)", n.Mu, n.Sigma)
	if !math.IsInf(n.Lower, -1) || !math.IsInf(n.Upper, 1) {
		s += fmt.Sprintf(" truncated to [%g, %g]", n.Lower, n.Upper)
	}
	return s
}

// LogNormal is the distribution of exp(X), X ~ N(Mu, Sigma²), optionally
// truncated to [Lower, Upper] (0 and +Inf for no truncation).
type LogNormal struct {
	Mu, Sigma    float64
	Lower, Upper float64
}

// NewLogNormal returns a log-normal distribution with log-mean mu and
// log-sd sigma > 0, truncated to [lower, upper] (lower ≥ 0; pass 0 and
// math.Inf(1) for none).
func NewLogNormal(mu, sigma, lower, upper float64) (LogNormal, error) {
	if !distFinite(mu) || !distFinite(sigma) || !(sigma > 0) {
		return LogNormal{}, distErr("lognormal: need finite mu and sigma > 0, got mu %g, sigma %g", mu, sigma)
	}
	if math.IsInf(lower, -1) {
		lower = 0
	}
	if math.IsNaN(lower) || math.IsNaN(upper) || lower < 0 || !(lower < upper) {
		return LogNormal{}, distErr("lognormal: need 0 ≤ lower < upper, got lower %g, upper %g", lower, upper)
	}
	l := LogNormal{mu, sigma, lower, upper}
	if mass := truncMass(l.z(lower), l.z(upper)); !(mass >= 1e-12) {
		return LogNormal{}, distErr("lognormal(%g, %g) truncated to [%g, %g]: the interval holds probability %.3g, too little to draw from", mu, sigma, lower, upper, mass)
	}
	return l, nil
}

func (l LogNormal) z(x float64) float64 {
	if x <= 0 {
		return math.Inf(-1)
	}
	return (math.Log(x) - l.Mu) / l.Sigma
}

// Quantile is exp of the (truncated) normal quantile of log x.
func (l LogNormal) Quantile(p float64) float64 {
	p = distClampP(p)
	if l.Lower <= 0 && math.IsInf(l.Upper, 1) {
		return distuv.LogNormal{Mu: l.Mu, Sigma: l.Sigma}.Quantile(p)
	}
	z := truncStdQuantile(l.z(l.Lower), l.z(l.Upper), p)
	return distClamp(math.Exp(l.Mu+l.Sigma*z), l.Lower, l.Upper)
}

// Mean returns exp(μ + σ²/2)·(Φ(β − σ) − Φ(α − σ))/(Φ(β) − Φ(α)), which is
// exp(μ + σ²/2) untruncated.
func (l LogNormal) Mean() float64 {
	a, b := l.z(l.Lower), l.z(l.Upper)
	m := math.Exp(l.Mu + l.Sigma*l.Sigma/2)
	if math.IsInf(a, -1) && math.IsInf(b, 1) {
		return m
	}
	num := truncMass(a-l.Sigma, b-l.Sigma)
	den := truncMass(a, b)
	return m * num / den
}

// String describes the distribution.
func (l LogNormal) String() string {
	s := fmt.Sprintf("lognormal(%g, %g)", l.Mu, l.Sigma)
	if l.Lower > 0 || !math.IsInf(l.Upper, 1) {
		s += fmt.Sprintf(" truncated to [%g, %g]", l.Lower, l.Upper)
	}
	return s
}

// Fixed is a degenerate distribution: always Value. It lets a parameter be
// listed as uncertain but held fixed.
type Fixed struct{ Value float64 }

// Quantile returns Value.
func (f Fixed) Quantile(p float64) float64 { return f.Value }

// Mean returns Value.
func (f Fixed) Mean() float64 { return f.Value }

// A Describer is a Distribution that describes itself exactly
// (Describe): every distribution of this package is one.
type Describer interface {
	Distribution
	// Describe returns the distribution's kind and all its parameters,
	// each written so that it reads back to the same float64 (strconv's
	// shortest form), e.g. "normal(mu=0.36 sigma=0.1 lower=0.1
	// upper=0.8)": equal distributions describe themselves alike and
	// different ones differently, in every process (a key, not a
	// caption: String is the caption).
	Describe() string
}

// Describe implements Describer.
func (u Uniform) Describe() string { return describe("uniform", "min max", u.Min, u.Max) }

// Describe implements Describer.
func (t Triangular) Describe() string {
	return describe("triangular", "min mode max", t.Min, t.Mode, t.Max)
}

// Describe implements Describer.
func (n Normal) Describe() string {
	return describe("normal", "mu sigma lower upper", n.Mu, n.Sigma, n.Lower, n.Upper)
}

// Describe implements Describer.
func (l LogNormal) Describe() string {
	return describe("lognormal", "mu sigma lower upper", l.Mu, l.Sigma, l.Lower, l.Upper)
}

// Describe implements Describer.
func (f Fixed) Describe() string { return describe("fixed", "value", f.Value) }

// describe writes kind(name=value …) for Describe: names holds the
// parameters' names, space-separated, in the order of values.
func describe(kind, names string, values ...float64) string {
	var b strings.Builder
	b.WriteString(kind)
	b.WriteByte('(')
	for k, name := range strings.Fields(names) {
		if k > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(name)
		b.WriteByte('=')
		b.WriteString(strconv.FormatFloat(values[k], 'g', -1, 64))
	}
	b.WriteByte(')')
	return b.String()
}

// stdPhi is the standard normal CDF Φ.
func distPhi(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }

// stdDens is the standard normal density φ (0 at ±Inf).
func distDens(z float64) float64 {
	if math.IsInf(z, 0) {
		return 0
	}
	return math.Exp(-z*z/2) / math.Sqrt(2*math.Pi)
}

// truncMass returns Φ(b) − Φ(a), computed in the tail where it is
// accurate.
func truncMass(a, b float64) float64 {
	if a > 0 {
		return distPhi(-a) - distPhi(-b)
	}
	return distPhi(b) - distPhi(a)
}

// truncStdMean is the mean of the standard normal truncated to [a, b].
func truncStdMean(a, b float64) float64 {
	if math.IsInf(a, -1) && math.IsInf(b, 1) {
		return 0
	}
	return (distDens(a) - distDens(b)) / truncMass(a, b)
}

// truncStdQuantile is the p-quantile of the standard normal truncated to
// [a, b]. When the interval lies in the upper half it works with the
// reflected variable −Z on [−b, −a] so that Φ is evaluated in the lower
// tail, where it keeps its relative precision.
func truncStdQuantile(a, b, p float64) float64 {
	if a > 0 {
		return -truncStdQuantile(-b, -a, 1-p)
	}
	fa, fb := distPhi(a), distPhi(b)
	q := fa + p*(fb-fa)
	q = min(max(q, math.SmallestNonzeroFloat64), 1-0x1p-53)
	z := mathext.NormalQuantile(q)
	return min(max(z, a), b)
}

// clampP keeps p inside (0, 1) so that quantiles stay finite.
func distClampP(p float64) float64 {
	const tiny = 0x1p-53
	switch {
	case !(p > tiny): // also NaN
		return tiny
	case p > 1-tiny:
		return 1 - tiny
	}
	return p
}

func distClamp(x, lo, hi float64) float64 { return min(max(x, lo), hi) }

func distFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
