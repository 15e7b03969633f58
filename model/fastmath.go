package model

import "math"

// Table-driven exp and log for the solver's inner loops (docs/MODEL.md,
// section 5). Both agree with math.Exp and math.Log to a few units in the
// last place (fastmath_test.go) and fall back to the math package outside
// the ranges they are built for, so special values (±Inf, NaN, 0) behave
// exactly as in package math.

const (
	expTabBits = 8
	expTabN    = 1 << expTabBits // 256
	// ln 2/256 split in a high part with trailing zero bits (k·hi is exact
	// for |k| < 2^20) and a low part.
	expLn2Hi   = 6.93147180369123816490e-01 / expTabN
	expLn2Lo   = 1.90821492927058770002e-10 / expTabN
	expInvLn2N = expTabN / math.Ln2
	expShift   = 0x1.8p52 // rounds to the nearest integer by addition

	logTabBits = 8
	logTabN    = 1 << logTabBits // 256
)

var (
	expTab [expTabN]uint64  // the bits of 2^(j/256)
	logInv [logTabN]float64 // 1/c_j, c_j = 1 + (j + 1/2)/256, rounded
	logC   [logTabN]float64 // −ln(logInv[j]), so that ln m = logC + ln(m·logInv)
)

func init() {
	for j := range expTab {
		expTab[j] = math.Float64bits(math.Exp2(float64(j) / expTabN))
	}
	for j := range logInv {
		c := 1 + (float64(j)+0.5)/logTabN
		logInv[j] = 1 / c
		logC[j] = -math.Log(logInv[j])
	}
}

// fexp returns e^x. For |x| < 700 it reduces x = (256·e + j)·ln2/256 + r
// with |r| ≤ ln2/512 and evaluates 2^e·2^(j/256)·e^r with a degree-4
// polynomial (truncation error below 4e-17); elsewhere it calls math.Exp.
func fexp(x float64) float64 {
	if !(x > -700 && x < 700) {
		return math.Exp(x)
	}
	return fexpCore(x)
}

// flog returns ln x. For normal x in [2^-1000, 2^1000] it splits
// x = 2^e·m, m in [1, 2), takes c_j near m from a 256-entry table and
// evaluates e·ln2 + ln c_j + ln(1 + r), r = m/c_j − 1 (|r| < 1/512), with a
// degree-5 series (truncation below 1.1e-17); elsewhere it calls math.Log.
// The absolute error is a few 1e-16, like math.Log's.
func flog(x float64) float64 {
	if !(x >= 0x1p-1000 && x <= 0x1p1000) {
		return math.Log(x)
	}
	return flogCore(x)
}

// fexpCore is fexp without the range check: x must lie in (−700, 700).
// Small enough to be inlined in the solver's inner loops.
func fexpCore(x float64) float64 {
	kf := x*expInvLn2N + expShift
	k := int64(int32(math.Float64bits(kf)))
	kf -= expShift
	r := (x - kf*expLn2Hi) - kf*expLn2Lo
	p := 1 + r*(1+r*(0.5+r*(1.0/6+r*(1.0/24))))
	// 2^(k/256)·p with 2^(k>>8) added to the table entry's exponent
	// field: the power of two scales exactly (the result is normal for
	// |x| < 700), so this rounds once like (2^((k&255)/256)·p)·2^(k>>8).
	return math.Float64frombits(expTab[k&(expTabN-1)]+uint64(k>>expTabBits)<<52) * p
}

// flogCore is flog without the range check: x must be a normal number in
// [2^-1000, 2^1000]. Small enough to be inlined.
func flogCore(x float64) float64 {
	b := math.Float64bits(x)
	j := (b >> (52 - logTabBits)) & (logTabN - 1)
	r := math.FMA(math.Float64frombits(b&(1<<52-1)|1023<<52), logInv[j], -1)
	return float64(int64(b>>52)-1023)*math.Ln2 + (logC[j] + r*(1-r*(0.5-r*(1.0/3-r*(0.25-r*0.2)))))
}
