package model_test

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"github.com/potash-sim/potash/model"
	"gonum.org/v1/gonum/mat"
)

// eigenStockCycle is model.StockCycle as it was written with mat.Eigen
// (the reference: StockCycle now calls the same lapack64.Geev without
// mat's copies).
func eigenStockCycle(g *model.Region) (radius, period float64) {
	gam := model.StockGamma(g)
	if !(gam > 0) || !(g.StockAdjust > 0) {
		return 0, 0
	}
	mu, eps, phi, om, K := g.Adjust, g.Eps, g.StockAdjust, g.ExpectAdjust, g.StockMonths
	D := mu*eps + K*phi*gam
	a := [3]float64{(1 - mu) / D, -K * phi / D, K * phi * gam / D}
	m := mat.NewDense(3, 3, nil)
	for j := range 3 {
		var y [3]float64
		y[j] = 1
		p := a[j]
		m.Set(0, j, (1-mu)*y[0]-mu*eps*p)
		m.Set(1, j, (1-phi)*y[1]-phi*gam*(p-y[2]))
		m.Set(2, j, (1-om)*y[2]+om*p)
	}
	var ev mat.Eigen
	if !ev.Factorize(m, mat.EigenNone) {
		return math.Inf(1), 0
	}
	for _, z := range ev.Values(nil) {
		if imag(z) <= 0 {
			continue
		}
		r, per := cmplx.Abs(z), 2*math.Pi/cmplx.Phase(z)
		if per <= 120 && r > radius {
			radius, period = r, per
		}
	}
	return radius, period
}

// TestStockCycleEigen checks model.StockCycle against its mat.Eigen
// form bit for bit, modulus and period, over random regions across
// (and beyond) the Monte Carlo boxes' ranges, where the cycle is real,
// complex, slow or absent.
func TestStockCycleEigen(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	u := func(lo, hi float64) float64 { return lo + (hi-lo)*rng.Float64() }
	complexRoots := 0
	for k := 0; k < 20000; k++ {
		g := &model.Region{
			Adjust: u(0.01, 1), Eps: u(0.05, 1.5), StockMonths: u(0, 6), StockAdjust: u(0, 1),
			StockResponse: u(0, 0.2), CarryCost: u(0.01, 0.3), ExpectAdjust: u(0, 1),
		}
		if k%10 == 0 {
			g.StockAdjust = 1
		}
		r, per := model.StockCycle(g)
		wr, wper := eigenStockCycle(g)
		if math.Float64bits(r) != math.Float64bits(wr) || math.Float64bits(per) != math.Float64bits(wper) {
			t.Fatalf("region %+v: StockCycle %v, %v; mat.Eigen's %v, %v", *g, r, per, wr, wper)
		}
		if r > 0 {
			complexRoots++
		}
	}
	if complexRoots < 1000 {
		t.Errorf("only %d of 20000 regions cycle", complexRoots)
	}
}
