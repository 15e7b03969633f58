package model_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/potash-sim/potash/model"
	"gonum.org/v1/gonum/floats/scalar"
)

// TestStockCycle checks model.StockCycle against the recursion it
// linearises, written out as in its doc comment (docs/MODEL.md §9.1):
// from a disturbance, the amplitude of the price falls by the modulus
// of the dominant root pair a month, and the rule's verdict. The cases:
// the back-test's estimates (base-2020), draw 3111 of us-relief-2025's
// box before the rule (it cycled to 23 times the base), and a corner of
// that box (μ 0.08, φ 1, β 0.0236, ω 0.15).
func TestStockCycle(t *testing.T) {
	// rateTol: the measured monthly decay against the modulus (the
	// other root is at least 5 % smaller, so after 1,000 months it is
	// gone to far below this).
	const rateTol = 1e-9
	for _, tc := range []struct {
		name                         string
		mu, eps, phi, beta, om, k, c float64
		ok                           bool
	}{
		{"fit", 0.21, 0.41, 0.964, 0.0104, 0.0935, 2, 0.012, true},
		{"draw 3111", 0.097, 0.432, 0.83, 0.0167, 0.126, 2, 0.012, false},
		{"corner", 0.08, 0.4, 1, 0.0236, 0.15, 2, 0.012, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := model.Region{Adjust: tc.mu, Eps: tc.eps, StockAdjust: tc.phi, StockResponse: tc.beta, ExpectAdjust: tc.om, StockMonths: tc.k, CarryCost: tc.c}
			r, per := model.StockCycle(&g)
			if r <= 0 || per <= 0 {
				t.Fatalf("no cycle: modulus %g, period %g", r, per)
			}
			if got := model.StockCycleOK(&g); got != tc.ok {
				t.Errorf("StockCycleOK = %v with modulus %.4g; want %v", got, r, tc.ok)
			}
			// The recursion, from c = 0.1, s = e = 0. Once the other root
			// has died out, p_t = A·|z|^t·cos(t·arg z + a), and
			// D_t = p_t·p_{t+2} − p_{t+1}² = −A²·|z|^(2t+2)·sin²(arg z):
			// D falls by |z|² a month whatever the phase.
			gam, K := tc.beta/tc.c, tc.k
			c, s, e := 0.1, 0.0, 0.0
			const n1, n2 = 1000, 1600
			var ps []float64
			for range n2 + 3 {
				p := ((1-tc.mu)*c - K*tc.phi*s + K*tc.phi*gam*e) / (tc.mu*tc.eps + K*tc.phi*gam)
				c = (1-tc.mu)*c - tc.mu*tc.eps*p
				s = (1-tc.phi)*s - tc.phi*gam*(p-e)
				e = (1-tc.om)*e + tc.om*p
				ps = append(ps, p)
			}
			D := func(t int) float64 { return ps[t]*ps[t+2] - ps[t+1]*ps[t+1] }
			rate := math.Pow(D(n2)/D(n1), 1.0/(2*(n2-n1)))
			if !scalar.EqualWithinRel(rate, r, rateTol) {
				t.Errorf("the recursion's amplitude changes by %.8g a month; StockCycle's modulus %.8g", rate, r)
			}
		})
	}
	t.Run("no stocks", func(t *testing.T) {
		g := model.Region{Adjust: 0.1, Eps: 0.3}
		if r, per := model.StockCycle(&g); r != 0 || per != 0 || !model.StockCycleOK(&g) {
			t.Errorf("modulus %g, period %g: want none", r, per)
		}
	})
}

// ExampleStockCycle shows the stock cycle of a region with the
// back-test's estimates (base-2020) and the rule's bound.
func ExampleStockCycle() {
	g := model.Region{Adjust: 0.21, Eps: 0.41, StockAdjust: 0.964, StockResponse: 0.0104,
		ExpectAdjust: 0.0935, StockMonths: 2, CarryCost: 0.012}
	r, per := model.StockCycle(&g)
	fmt.Printf("modulus %.3f a month, period %.0f months, rule |z| ≤ %g: %v\n", r, per, model.MaxStockCycleRadius(), model.StockCycleOK(&g))
	// Output: modulus 0.929 a month, period 35 months, rule |z| ≤ 0.95: true
}
