package model

import (
	"context"
	"math"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// tolStocks is the tolerance of the stock accounting X = C + 12·ΔS, and of
// S ≥ 0, relative to the region's base use (docs/MODEL.md, section 10).
const tolStocks = 1e-9

// stockMarket is pathMarket with stocks in every region: two months of
// use, φ = 0.3, β = 0.024, c = 1.2 %/month (γ = 2), ω = 0.05.
func stockMarket() *Market {
	m := pathMarket()
	for r := range m.Regions {
		g := &m.Regions[r]
		g.StockMonths, g.StockAdjust, g.StockResponse, g.CarryCost, g.ExpectAdjust = 2, 0.3, 0.024, 0.012, 0.05
	}
	return m
}

// checkStockAccounting checks every month of p: shipments (Demand) equal
// consumption plus 12 × the change in stocks, and stocks are ≥ 0.
func checkStockAccounting(t *testing.T, p *Path) {
	t.Helper()
	c := p.Cal
	for r, g := range c.Market.Regions {
		prev := g.StockMonths / 12 * c.Q0[r]
		for k, sol := range p.Sol {
			X, C, S := sol.Demand[r], sol.Consumption[r], sol.Stocks[r]
			if d := X - C - 12*(S-prev); math.Abs(d) > tolStocks*c.Q0[r] {
				t.Fatalf("%v %s: shipments %.12g − consumption %.12g − 12·Δstocks %.12g = %g", p.Months[k], g.Name, X, C, 12*(S-prev), d)
			}
			if S < -tolStocks*c.Q0[r] {
				t.Fatalf("%v %s: stocks %g < 0", p.Months[k], g.Name, S)
			}
			prev = S
		}
	}
}

func TestStocksSteadyState(t *testing.T) {
	m := stockMarket()
	p := simulateStocks(t, testSpec(m, 60))
	c := p.Cal
	for k, sol := range p.Sol {
		for i, s := range m.Suppliers {
			if !scalar.EqualWithinRel(sol.FOB[i], s.FOB, tolPathBase) {
				t.Fatalf("%v: FOB[%s] = %.12g, want %g", p.Months[k], s.Name, sol.FOB[i], s.FOB)
			}
		}
		for r, g := range m.Regions {
			if !scalar.EqualWithinRel(sol.PriceIndex[r], c.P0[r], tolPathBase) ||
				!scalar.EqualWithinRel(sol.Consumption[r], c.Q0[r], tolPathBase) ||
				!scalar.EqualWithinRel(sol.Demand[r], c.Q0[r], tolPathBase) ||
				!scalar.EqualWithinRel(sol.Stocks[r], c.Q0[r]*g.StockMonths/12, tolPathBase) {
				t.Fatalf("%v %s: P %.12g (base %.12g), C %.12g, X %.12g (base %.12g), S %.12g", p.Months[k], g.Name,
					sol.PriceIndex[r], c.P0[r], sol.Consumption[r], sol.Demand[r], c.Q0[r], sol.Stocks[r])
			}
		}
	}
}

// Every permanent shock converges to the long-run equilibrium (Solve with
// no lag), stocks to k·C̄, and the stocks hold their accounting every month.
func TestStocksConvergeToLongRun(t *testing.T) {
	for _, tc := range []struct {
		name string
		ev   Event
	}{
		{"belarus wedge 15%", Event{ID: "w", Kind: EventWedge, Supplier: 2, Region: -1, Value: 0.15}},
		{"ban Belarus→Brazil", Event{ID: "b", Kind: EventBan, Supplier: 2, Region: 0}},
		{"Belarus capacity −8", Event{ID: "k", Kind: EventCapacity, Supplier: 2, Region: -1, Value: -8}},
		{"Canada capacity +4 ramped", Event{ID: "c", Kind: EventCapacity, Supplier: 0, Region: -1, Value: 4, RampIn: 18}},
		{"demand +5% all", Event{ID: "d", Kind: EventDemand, Supplier: -1, Region: -1, Value: 0.05}},
		{"demand −10% Brazil", Event{ID: "d", Kind: EventDemand, Supplier: -1, Region: 0, Value: -0.10}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := stockMarket()
			spec := testSpec(m, pathLongRunMonths, tc.ev)
			spec.Events[0].Start = spec.Start
			p := simulateStocks(t, spec)
			c := p.Cal
			pol := NewPolicy(c.Market)
			SetPolicy(pol, c, spec, spec.End)
			lr, _ := mustSolve(t, c, pol, nil, nil)
			last := p.Sol[len(p.Sol)-1]
			for i, s := range m.Suppliers {
				if !scalar.EqualWithinRel(last.FOB[i], lr.FOB[i], tolLongRun) {
					t.Errorf("FOB[%s] = %.12g, long run %.12g", s.Name, last.FOB[i], lr.FOB[i])
				}
			}
			for r, g := range m.Regions {
				if !scalar.EqualWithinAbsOrRel(last.Stocks[r], lr.Stocks[r], 1e-12, tolLongRun) ||
					!scalar.EqualWithinAbsOrRel(last.Consumption[r], lr.Consumption[r], 1e-12, tolLongRun) {
					t.Errorf("%s: stocks %.12g, consumption %.12g; long run %.12g, %.12g", g.Name, last.Stocks[r], last.Consumption[r], lr.Stocks[r], lr.Consumption[r])
				}
			}
		})
	}
}

// A step loss of supply (Belarus loses two thirds of its capacity for
// good): the price jumps at once, rises to its peak within the first year
// without a reversal, and then approaches the long run changing the sign
// of its gap at most once (gaps smaller than 1% of the long-run change,
// ripples of a few cents, are not counted); no month is a spike.
func TestStocksImpulseResponse(t *testing.T) {
	m := stockMarket()
	ev := Event{ID: "k", Kind: EventCapacity, Supplier: 2, Region: -1, Value: -8}
	spec := testSpec(m, 240, ev)
	spec.Events[0].Start = spec.Start + 12
	p, err := Simulate(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	c := p.Cal
	pol := NewPolicy(c.Market)
	SetPolicy(pol, c, spec, spec.End)
	lr, _ := mustSolve(t, c, pol, nil, nil)
	b := make([]float64, len(p.Sol))
	for k, sol := range p.Sol {
		b[k] = sol.Benchmark
	}
	const shock = 12
	peak := shock
	for k := shock; k < len(b); k++ {
		if b[k] > b[peak] {
			peak = k
		}
	}
	const firstMonths = 12
	if peak-shock >= firstMonths {
		t.Errorf("peak %.1f $/t in month %d of the shock, want within the first %d", b[peak], peak-shock+1, firstMonths)
	}
	if !(b[peak] > lr.Benchmark && b[shock] > b[shock-1]) {
		t.Errorf("peak %.1f, long run %.1f, month before %.1f, first month %.1f: the price should rise at once and overshoot", b[peak], lr.Benchmark, b[shock-1], b[shock])
	}
	for k := shock + 1; k <= peak; k++ {
		if b[k] < b[k-1] {
			t.Errorf("month %d: price %.2f fell from %.2f before the peak", k-shock+1, b[k], b[k-1])
		}
	}
	changes, sign := 0, 1.0
	for k := peak; k < len(b); k++ {
		d := b[k] - lr.Benchmark
		if math.Abs(d) < 0.01*math.Abs(lr.Benchmark-b[0]) {
			continue
		}
		if s := math.Copysign(1, d); s != sign {
			changes++
			sign = s
		}
	}
	if changes > 1 {
		t.Errorf("after the peak the gap to the long run changes sign %d times, want at most 1", changes)
	}
	if k, dev := maxSpike(b); dev > 0.10 {
		t.Errorf("month %d: price %.1f is %.1f%% from the mean of its neighbours", k, b[k], 100*dev)
	}
	t.Logf("base %.1f, first month %.1f, peak %.1f in month %d, long run %.1f", b[0], b[shock], b[peak], peak-shock+1, lr.Benchmark)
}

// maxSpike returns the month whose value differs most, relative, from the
// mean of its two neighbours, and that difference.
func maxSpike(v []float64) (int, float64) {
	at, worst := -1, 0.0
	for k := 1; k+1 < len(v); k++ {
		m := (v[k-1] + v[k+1]) / 2
		if m == 0 {
			continue
		}
		if d := math.Abs(v[k]/m - 1); d > worst {
			at, worst = k, d
		}
	}
	return at, worst
}

func TestShipFactor(t *testing.T) {
	for _, u := range []float64{-5, -1, -0.6, -0.5 - 1e-9, -0.5, -0.2, 0, 0.3, 2} {
		f, fp := shipFactor(u)
		if !(f > 0) || f < 1+u-1e-15 {
			t.Errorf("f(%g) = %g, want > 0 and ≥ 1 + u", u, f)
		}
		h := 1e-7
		fh, _ := shipFactor(u + h)
		fl, _ := shipFactor(u - h)
		if num := (fh - fl) / (2 * h); !scalar.EqualWithinAbsOrRel(fp, num, 1e-6, 1e-6) {
			t.Errorf("f'(%g) = %g, numerically %g", u, fp, num)
		}
	}
}

// tolStockRule is the tolerance of the stock rule recomputed by hand from
// a month's solution (its price index and consumption), relative.
const tolStockRule = 1e-9

// A precautionary rise of the stock target (EventStockTarget, docs/MODEL.md
// section 10.2): in the long run stocks are k·h·C̄ at unchanged prices; in
// the first month of the ramp the stock follows the rule by hand,
// S = S₀ + φ·(k·h·Q0·(P/P0)^(−γ) − S₀) with h = 1 + v/RampIn; stocks are
// built before the target's peak (prices up) and run down during its
// ramp-out (prices below the base at some month), and the path returns
// to the base year once the event has ramped out.
func TestStocksTarget(t *testing.T) {
	m := stockMarket()
	c, err := Calibrate(m)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("long run", func(t *testing.T) {
		pol := NewPolicy(c.Market)
		for r := range pol.StockScale {
			pol.StockScale[r] = 1.5
		}
		lr, _ := mustSolve(t, c, pol, nil, nil)
		for i, s := range m.Suppliers {
			if !scalar.EqualWithinRel(lr.FOB[i], s.FOB, tolPathBase) {
				t.Errorf("FOB[%s] = %.12g, want the base %g: stocks do not move long-run prices", s.Name, lr.FOB[i], s.FOB)
			}
		}
		for r, g := range m.Regions {
			if want := 1.5 * g.StockMonths / 12 * c.Q0[r]; !scalar.EqualWithinRel(lr.Stocks[r], want, tolPathBase) {
				t.Errorf("%s: long-run stocks %.12g, want k·h·Q0 = %.12g", g.Name, lr.Stocks[r], want)
			}
		}
	})
	t.Run("path", func(t *testing.T) {
		const v, rampIn, rampOut, on = 0.5, 6, 12, 12
		start := NewMonth(2020, 1)
		ev := Event{ID: "pre", Kind: EventStockTarget, Supplier: -1, Region: -1, Value: v,
			Start: start + on, RampIn: rampIn, End: start + on + rampIn + 1, RampOut: rampOut}
		spec := testSpec(m, pathLongRunMonths, ev)
		p := simulateStocks(t, spec)
		first := p.Sol[on]
		h := 1 + v/rampIn
		for r, g := range m.Regions {
			s0 := g.StockMonths / 12 * c.Q0[r]
			target := s0 * h * math.Pow(first.PriceIndex[r]/c.P0[r], -StockGamma(&g))
			want := s0 + g.StockAdjust*(target-s0)
			if !scalar.EqualWithinRel(first.Stocks[r], want, tolStockRule) {
				t.Errorf("%s, first month: stocks %.12g, by hand %.12g", g.Name, first.Stocks[r], want)
			}
			if !(first.Demand[r] > first.Consumption[r]) {
				t.Errorf("%s, first month: shipments %g ≤ consumption %g while stocks are built", g.Name, first.Demand[r], first.Consumption[r])
			}
		}
		b0 := p.Sol[0].Benchmark
		if !(first.Benchmark > b0) {
			t.Errorf("first month of stock-building: benchmark %g, base %g: want higher", first.Benchmark, b0)
		}
		low := math.Inf(1)
		for k := on + rampIn; k < on+rampIn+1+rampOut+12; k++ {
			low = math.Min(low, p.Sol[k].Benchmark)
		}
		if !(low < b0) {
			t.Errorf("lowest benchmark during the run-down %g, base %g: want lower", low, b0)
		}
		b := make([]float64, len(p.Sol))
		for k, sol := range p.Sol {
			b[k] = sol.Benchmark
		}
		if k, dev := maxSpike(b); dev > 0.10 {
			t.Errorf("month %d: price %.1f is %.1f%% from the mean of its neighbours", k, b[k], 100*dev)
		}
		last := p.Sol[len(p.Sol)-1]
		for r, g := range m.Regions {
			if s0 := g.StockMonths / 12 * c.Q0[r]; !scalar.EqualWithinRel(last.Stocks[r], s0, tolLongRun) ||
				!scalar.EqualWithinRel(last.PriceIndex[r], c.P0[r], tolLongRun) {
				t.Errorf("%s after %d months: stocks %.12g (base %.12g), price %.12g (base %.12g)", g.Name, len(p.Sol), last.Stocks[r], s0, last.PriceIndex[r], c.P0[r])
			}
		}
		t.Logf("base %.2f, first month %.2f, lowest in the run-down %.2f", b0, first.Benchmark, low)
	})
}

// simulateStocks simulates spec, fails the test when the path errs or a
// month does not converge, and checks the stock accounting of every month
// (checkStockAccounting).
func simulateStocks(t *testing.T, spec *Spec) *Path {
	t.Helper()
	p, err := Simulate(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	if p.Failed != 0 {
		t.Fatalf("%d months failed", p.Failed)
	}
	checkStockAccounting(t, p)
	return p
}
