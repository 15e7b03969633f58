package model_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/potash-sim/potash/model"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// geevPair returns the complex eigenvalue re + i·im (im > 0) of region
// g's stock-cycle map (model.StockCycle) as gonum's general eigen solver,
// lapack64.Geev, finds it, and whether there is one; fail reports that
// Geev failed.
func geevPair(g *model.Region) (re, im float64, ok, fail bool) {
	gam := model.StockGamma(g)
	if !(gam > 0) || !(g.StockAdjust > 0) {
		return 0, 0, false, false
	}
	mu, eps, phi, om, K := g.Adjust, g.Eps, g.StockAdjust, g.ExpectAdjust, g.StockMonths
	D := mu*eps + K*phi*gam
	a := [3]float64{(1 - mu) / D, -K * phi / D, K * phi * gam / D}
	m := blas64.General{Rows: 3, Cols: 3, Stride: 3, Data: make([]float64, 9)}
	for j := range 3 {
		var y [3]float64
		y[j] = 1
		p := a[j]
		m.Data[j] = (1-mu)*y[0] - mu*eps*p
		m.Data[3+j] = (1-phi)*y[1] - phi*gam*(p-y[2])
		m.Data[6+j] = (1-om)*y[2] + om*p
	}
	wr, wi := make([]float64, 3), make([]float64, 3)
	work := []float64{0}
	lapack64.Geev(lapack.LeftEVNone, lapack.RightEVNone, m, wr, wi, blas64.General{}, blas64.General{}, work, -1)
	work = make([]float64, int(work[0]))
	if lapack64.Geev(lapack.LeftEVNone, lapack.RightEVNone, m, wr, wi, blas64.General{}, blas64.General{}, work, len(work)) != 0 {
		return 0, 0, false, true
	}
	for k := range wr {
		if wi[k] > 0 {
			return wr[k], wi[k], true, false
		}
	}
	return 0, 0, false, false
}

// geevStockCycle is model.StockCycle as it was written with Geev (the
// reference: StockCycle now takes the roots of the map's characteristic
// cubic).
func geevStockCycle(g *model.Region) (radius, period float64) {
	re, im, ok, fail := geevPair(g)
	if fail {
		return math.Inf(1), 0
	}
	if !ok {
		return 0, 0
	}
	if per := 2 * math.Pi / math.Atan2(im, re); per <= 120 {
		return math.Hypot(re, im), per
	}
	return 0, 0
}

const (
	// stockCycleTol is the relative tolerance to which StockCycle's
	// modulus agrees with Geev's (geevStockCycle), and the tolerance of
	// its angle 2π/period (radians): the pair's roots agree to about
	// stockCycleTol·|z|. A period near ten years has an angle of 0.05,
	// so the period itself agrees to about 20·stockCycleTol there.
	stockCycleTol = 1e-12
	// nearRealTol is how nearly real (im/|z|) Geev's pair may be where
	// StockCycle finds none, or the reverse: at a repeated real root the
	// pair is born, and both find it to about √ε (the roots of a double
	// root move by the square root of a rounding error).
	nearRealTol = 1e-6
)

// checkStockCycle compares StockCycle on g with Geev's: the same pair
// counts as the cycle, its modulus and angle to stockCycleTol, and the
// same decision of the rule (StockCycleOK). Where one finds a pair and
// the other does not, Geev's pair must be real to nearRealTol, and a
// period or modulus on the edge of a decision (maxCyclePeriod,
// MaxStockCycleRadius) may fall either side within the tolerances. It
// reports whether the region has a counted cycle, and keeps the largest
// differences in dev.
func checkStockCycle(t *testing.T, what string, g *model.Region, dev *[2]float64) bool {
	t.Helper()
	r, per := model.StockCycle(g)
	wr, wper := geevStockCycle(g)
	if math.IsInf(wr, 1) {
		t.Fatalf("%s: region %+v: Geev fails", what, *g)
	}
	edge := model.MaxStockCycleRadius()
	if (r > 0) != (wr > 0) {
		re, im, ok, _ := geevPair(g)
		nearReal := ok && im < nearRealTol*math.Hypot(re, im)
		nearPeriod := (wr > 0 && math.Abs(wper-120) <= 120*stockCycleTol*wper) || (r > 0 && math.Abs(per-120) <= 120*stockCycleTol*per)
		if !nearReal && !nearPeriod && !(ok && im < nearRealTol && r == 0) {
			t.Fatalf("%s: region %+v: StockCycle %v, %v; Geev's %v, %v (pair %v%+vi)", what, *g, r, per, wr, wper, re, im)
		}
		return false
	}
	if wr == 0 {
		return false
	}
	dr, da := math.Abs(r-wr)/wr, math.Abs(2*math.Pi/per-2*math.Pi/wper)
	dev[0], dev[1] = max(dev[0], dr), max(dev[1], da)
	if d := dr; d > stockCycleTol {
		t.Fatalf("%s: region %+v: StockCycle's modulus %v, Geev's %v (%.3g relative)", what, *g, r, wr, d)
	}
	if d := da; d > stockCycleTol {
		t.Fatalf("%s: region %+v: StockCycle's period %v, Geev's %v (angle %.3g apart)", what, *g, per, wper, d)
	}
	if (r <= edge) != (wr <= edge) && math.Abs(wr-edge) > stockCycleTol*edge {
		t.Fatalf("%s: region %+v: StockCycleOK differs: StockCycle %v, Geev %v", what, *g, r, wr)
	}
	return true
}

// TestStockCycleGeev checks StockCycle's roots of the characteristic
// cubic against Geev's eigenvalues (checkStockCycle) on random regions
// across the documented ranges (uniform, and log-uniform down to their
// small ends and beyond), with φ = 1, ω = 1, μ = 1 and ε = 0 mixed in;
// on every combination of the ranges' ends and middles; on regions
// without stocks or stock response; and at repeated real roots, found by
// bisecting ω between a region with a complex pair and one without.
func TestStockCycleGeev(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	u := func(lo, hi float64) float64 { return lo + (hi-lo)*rng.Float64() }
	lu := func(lo, hi float64) float64 { return lo * math.Exp(math.Log(hi/lo)*rng.Float64()) }
	cycles := 0
	var dev [2]float64 // the largest relative difference of the modulus, of the angle
	for k := range 200000 {
		var g *model.Region
		if k%2 == 0 {
			g = &model.Region{Adjust: u(0.005, 1), Eps: u(0, 3), StockMonths: u(0, 12), StockAdjust: u(0.01, 1), StockResponse: u(0, 5), CarryCost: u(0.001, 0.1), ExpectAdjust: u(0.01, 1)}
		} else {
			g = &model.Region{Adjust: lu(0.005, 1), Eps: lu(1e-4, 3), StockMonths: lu(1e-3, 12), StockAdjust: lu(0.01, 1), StockResponse: lu(1e-5, 5), CarryCost: lu(0.001, 0.1), ExpectAdjust: lu(1e-6, 1)}
		}
		switch k % 11 {
		case 1:
			g.StockAdjust = 1
		case 3:
			g.ExpectAdjust = 1
		case 5:
			g.Adjust = 1
		case 7:
			g.Eps = 0
		case 9:
			g.StockAdjust, g.ExpectAdjust = 1, 1
		}
		if checkStockCycle(t, "random", g, &dev) {
			cycles++
		}
	}
	if cycles < 20000 {
		t.Errorf("only %d of 200000 random regions cycle", cycles)
	}

	// The ranges' ends and middles (docs/MODEL.md §9.4), every combination.
	grid := [][3]float64{{0.005, 0.5, 1}, {0, 1.5, 3}, {1e-3, 6, 12}, {0.01, 0.5, 1}, {1e-3, 2.5, 5}, {0.001, 0.05, 0.1}, {0.01, 0.5, 1}}
	corners := 0
	for c := range 2187 {
		var v [7]float64
		for i, k := 0, c; i < 7; i, k = i+1, k/3 {
			v[i] = grid[i][k%3]
		}
		g := &model.Region{Adjust: v[0], Eps: v[1], StockMonths: v[2], StockAdjust: v[3], StockResponse: v[4], CarryCost: v[5], ExpectAdjust: v[6]}
		if checkStockCycle(t, "grid", g, &dev) {
			corners++
		}
	}
	if corners == 0 {
		t.Error("no combination of the ranges' ends cycles")
	}

	// No stocks, no stock response: no cycle.
	for _, g := range []*model.Region{
		{Adjust: 0.3, Eps: 0.5, StockMonths: 0, StockAdjust: 0.5, StockResponse: 1, CarryCost: 0.05, ExpectAdjust: 0.3},
		{Adjust: 0.3, Eps: 0.5, StockMonths: 3, StockAdjust: 0.5, StockResponse: 0, CarryCost: 0.05, ExpectAdjust: 0.3},
	} {
		if r, per := model.StockCycle(g); r != 0 || per != 0 {
			t.Errorf("region %+v: StockCycle %v, %v, want 0, 0", *g, r, per)
		}
	}

	// Repeated roots: bisect ω to where a complex pair is born.
	born := 0
	for range 2000 {
		g := &model.Region{Adjust: u(0.005, 1), Eps: u(0, 3), StockMonths: u(0, 12), StockAdjust: u(0.01, 1), StockResponse: u(0, 5), CarryCost: u(0.001, 0.1)}
		pair := func(om float64) bool {
			g.ExpectAdjust = om
			_, _, ok, _ := geevPair(g)
			return ok
		}
		lo, hi := 0.01, 1.0
		if pair(lo) == pair(hi) {
			continue
		}
		plo := pair(lo)
		for range 200 {
			mid := (lo + hi) / 2
			if mid == lo || mid == hi {
				break
			}
			if pair(mid) == plo {
				lo = mid
			} else {
				hi = mid
			}
		}
		born++
		for _, om := range []float64{lo, hi, math.Nextafter(lo, 0), math.Nextafter(hi, 2)} {
			g.ExpectAdjust = om
			checkStockCycle(t, "repeated root", g, &dev)
		}
	}
	if born < 100 {
		t.Errorf("only %d repeated roots found", born)
	}
	t.Logf("%d random regions cycle, %d of 2187 combinations of the ranges' ends, %d repeated roots; largest difference from Geev: modulus %.2g relative, angle %.2g",
		cycles, corners, born, dev[0], dev[1])
}
