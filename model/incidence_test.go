package model

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// Hand-computed incidence of each sanction instrument: who pays and who
// receives (docs/MODEL.md, section 3.1 "Sanction instruments").
//
// The market has one seller S with base FOB price p0 = 200 $/t, no freight
// and no logistics cost, a base marginal cost of 120 $/t (a base markup
// L = (200 − 120)/200 = 0.4), long-run supply elasticity η = 1 and unit
// elastic demand (ε = 1). With one seller per region the CES index is the
// delivered price. Demand Q = A/P with A = P0·Q0 (spending is fixed);
// supply S = B·(p·(1 − δ̄)·(1 − L) − t) with B = S0/120; so every case has
// a closed form.

const tolIncidence = 1e-12

// incidenceMarket returns the one-seller market with base sales q0[r] to
// each region r (all at 200 $/t).
func incidenceMarket(q0 ...float64) *Market {
	m := &Market{
		Name: "incidence", BaseYear: 2020,
		Suppliers: []Supplier{{Name: "S", FOB: 200, Capacity: 100, Eta: 1, Adjust: 1, MarginalCost: 120,
			Corridors: []Corridor{{Name: "port", Capacity: 100, Cost: 0}}}},
	}
	m.Flows, m.Freight = [][]float64{make([]float64, len(q0))}, [][]float64{make([]float64, len(q0))}
	for r, q := range q0 {
		m.Regions = append(m.Regions, Region{Name: string(rune('A' + r)), Eps: 1, Sigma: 4, Adjust: 1})
		m.Flows[0][r] = q
	}
	m.Benchmark = m.Regions[0].Name
	return m
}

// incidence is one month's change against the base (the base solution
// has zero surplus changes by construction).
type incidence struct {
	fob, received  float64   // list price and price received by the seller, $/t
	paid, tonnes   []float64 // price paid and tonnes bought per region
	revenue        float64   // seller's FOB revenue, $M/yr
	ps             float64   // seller's producer surplus change
	cs             []float64 // buyers' consumer surplus change per region
	tariff, risk   float64   // tariff revenue, risk costs, summed over regions
	concPaid, tax  float64   // concessions granted, export tax paid
	concRecv       []float64 // concessions received per region
	welfare        float64   // Σ cs + ps + tariff + tax (+ quota rents: none here)
	effectivePrice []float64 // CES index per region (risk costs included)
}

func solveIncidence(t *testing.T, m *Market, set func(pol *Policy)) incidence {
	t.Helper()
	c := mustCalibrate(t, m)
	pol := NewPolicy(m)
	set(pol)
	sol, res := mustSolve(t, c, pol, nil, nil)
	if res.Status != Converged {
		t.Fatalf("status %v: %s", res.Status, res.Reason)
	}
	base, _ := mustSolve(t, c, NewPolicy(m), nil, nil)
	out := incidence{fob: sol.FOB[0], received: sol.FOBReceived[0], revenue: sol.Revenue[0],
		ps: sol.ProducerSurplus[0], concPaid: sol.ConcessionPaid[0], tax: sol.ExportTax[0]}
	for r := range m.Regions {
		out.paid = append(out.paid, sol.PricePaid[r])
		out.tonnes = append(out.tonnes, sol.Tonnes[r])
		out.cs = append(out.cs, sol.ConsumerSurplus[r])
		out.concRecv = append(out.concRecv, sol.ConcessionReceived[r])
		out.effectivePrice = append(out.effectivePrice, sol.PriceIndex[r])
		out.tariff += sol.TariffRevenue[r]
		out.risk += sol.RiskCost[r]
	}
	out.welfare = welfareDiff(sol, base)
	return out
}

func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	if !scalar.EqualWithinAbsOrRel(got, want, 1e-9, tolIncidence) {
		t.Errorf("%s = %.12g, want %.12g", what, got, want)
	}
}

func TestSanctionIncidence(t *testing.T) {
	const (
		p0, q0, mc0, L = 200.0, 10.0, 120.0, 0.4
		A              = p0 * q0 // demand: Q = A/P
		B              = q0 / mc0
		ps0            = p0*q0 - 0.5*q0*mc0 // netback revenue less the long-run cost η/(η+1)·S·MC
	)
	cost := func(S float64) float64 { return 0.5 * S * S / B } // η/(η+1)·S·MC(S), MC = S/B

	t.Run("risk cost: buyers and seller share it, nobody collects it", func(t *testing.T) {
		// κ = 21%: A/(p·1.21) = B·p·(1 − L) ⇒ p = p0/√1.21 = p0/1.1.
		got := solveIncidence(t, incidenceMarket(q0), func(pol *Policy) { pol.RiskCost[0][0] = 0.21 })
		p := p0 / 1.1
		Q := A / (1.21 * p)
		near(t, "seller's price", got.received, p) // 181.82: the "sanction discount" is the seller's share
		near(t, "buyers' cash price", got.paid[0], p)
		near(t, "buyers' effective price", got.effectivePrice[0], 1.21*p) // 220: +10% with the risk cost
		near(t, "tonnes", got.tonnes[0], Q)
		near(t, "risk cost (deadweight)", got.risk, p*0.21*Q) // 347.1 $M/yr, collected by nobody
		near(t, "tariff revenue", got.tariff, 0)
		near(t, "seller's revenue", got.revenue, A/1.21)
		near(t, "producer surplus change", got.ps, p*Q-cost(Q)-ps0)      // −243.0
		near(t, "consumer surplus change", got.cs[0], A*math.Log(1/1.1)) // −190.6: on the demand curve between 200 and 220
		near(t, "world welfare change", got.welfare, got.ps+got.cs[0])
	})

	t.Run("tariff: the same prices, and the importer's government collects it", func(t *testing.T) {
		got := solveIncidence(t, incidenceMarket(q0), func(pol *Policy) { pol.Wedge[0][0] = 0.21 })
		p := p0 / 1.1
		Q := A / (1.21 * p)
		near(t, "seller's price", got.received, p)
		near(t, "buyers' cash price", got.paid[0], 1.21*p) // the duty is paid in cash
		near(t, "tariff revenue", got.tariff, p*0.21*Q)
		near(t, "risk cost", got.risk, 0)
		near(t, "consumer surplus change", got.cs[0], A*math.Log(1/1.1))
		// The same loss of surplus, but the duty is a transfer: only the
		// Harberger triangle is lost.
		near(t, "world welfare change", got.welfare, got.ps+got.cs[0]+p*0.21*Q) // −86.5
	})

	t.Run("concession on every route: a relabelling of the list price", func(t *testing.T) {
		got := solveIncidence(t, incidenceMarket(q0), func(pol *Policy) { pol.Concession[0][0] = 0.2 })
		near(t, "list price", got.fob, p0/0.8) // 250
		near(t, "seller's price", got.received, p0)
		near(t, "buyers' price", got.paid[0], p0)
		near(t, "tonnes", got.tonnes[0], q0)
		near(t, "concession paid", got.concPaid, 0.2*250*q0) // 500 $M/yr, all of it back in the list price
		near(t, "concession received", got.concRecv[0], got.concPaid)
		near(t, "producer surplus change", got.ps, 0)
		near(t, "consumer surplus change", got.cs[0], 0)
		near(t, "world welfare change", got.welfare, 0)
	})

	t.Run("concession on one route: a transfer from the other buyers", func(t *testing.T) {
		// Regions A (6 Mt) and B (4 Mt); a 20% concession to A's buyers.
		// Spending p̄·S = A_A + A_B is fixed, so p̄ and S are unchanged and
		// the list price rises to p = (A_A/0.8 + A_B)/S = 230.
		const aA, aB = p0 * 6, p0 * 4
		got := solveIncidence(t, incidenceMarket(6, 4), func(pol *Policy) { pol.Concession[0][0] = 0.2 })
		p := (aA/0.8 + aB) / q0
		near(t, "list price", got.fob, p)
		near(t, "seller's price", got.received, p0)
		near(t, "A's price", got.paid[0], 0.8*p) // 184: A's buyers receive the concession
		near(t, "B's price", got.paid[1], p)     // 230: B's buyers pay for it
		near(t, "A's tonnes", got.tonnes[0], aA/(0.8*p))
		near(t, "concession paid", got.concPaid, 0.2*p*aA/(0.8*p)) // 300 $M/yr
		near(t, "concession received by A", got.concRecv[0], got.concPaid)
		near(t, "concession received by B", got.concRecv[1], 0)
		near(t, "seller's revenue", got.revenue, aA+aB)
		near(t, "producer surplus change", got.ps, 0)
		near(t, "A's consumer surplus change", got.cs[0], aA*math.Log(p0/(0.8*p))) // +100.1
		near(t, "B's consumer surplus change", got.cs[1], aB*math.Log(p0/p))       // −111.8
	})

	t.Run("export tax: the exporter's government collects it", func(t *testing.T) {
		// t = 30 $/t: A/p = B·(p·(1 − L) − 30) ⇒ 0.6p² − 30p − A/B = 0.
		got := solveIncidence(t, incidenceMarket(q0), func(pol *Policy) { pol.ExportTax[0] = 30 })
		p := (30 + math.Sqrt(30*30+4*(1-L)*A/B)) / (2 * (1 - L)) // 226.56
		Q := A / p
		near(t, "price", got.fob, p)
		near(t, "tonnes", got.tonnes[0], Q)
		near(t, "export tax", got.tax, 30*Q)
		near(t, "producer surplus change", got.ps, p*Q-30*Q-cost(Q)-ps0)
		near(t, "consumer surplus change", got.cs[0], A*math.Log(p0/p))
		near(t, "world welfare change", got.welfare, got.ps+got.cs[0]+30*Q)
	})
}
