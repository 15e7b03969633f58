package model_test

import (
	"context"
	"testing"

	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/scenarios"
)

// loadBuiltin loads a built-in scenario, skipping the test only while the
// scenarios package is still a stub.
func loadBuiltin(t testing.TB, name string) *scenarios.Scenario {
	t.Helper()
	s, err := scenarios.Load(name, nil)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return s
}

func headline(t *testing.T, s *scenarios.Scenario) map[string]float64 {
	t.Helper()
	run, err := model.SimulatePair(context.Background(), s.Spec, s.Counterfactual)
	if err != nil {
		t.Fatal(err)
	}
	if run.Scenario.Failed != 0 || run.Counterfactual.Failed != 0 {
		t.Fatalf("non-converged months: %d scenario, %d counterfactual", run.Scenario.Failed, run.Counterfactual.Failed)
	}
	out := map[string]float64{}
	for _, m := range model.Metrics(run) {
		out[m.Name] = m.Value
	}
	return out
}

type effect struct {
	metric string
	lo, hi float64 // the value must lie in [lo, hi]
	why    string
}

func checkEffects(t *testing.T, got map[string]float64, want []effect) {
	t.Helper()
	for _, e := range want {
		v, ok := got[e.metric]
		if !ok {
			t.Errorf("%s: no such metric", e.metric)
			continue
		}
		if v < e.lo || v > e.hi {
			t.Errorf("%s = %.1f, want in [%g, %g]: %s", e.metric, v, e.lo, e.hi, e.why)
		} else {
			t.Logf("%s = %.1f (in [%g, %g])", e.metric, v, e.lo, e.hi)
		}
	}
}

// us-relief-2025 against sanctions-stay, December 2025 – December 2028
// (37 months). Belarus's exports are limited by its corridors (Klaipėda
// closed; Russian ports and rail to China full), so relief cannot add many
// tonnes: it works through prices. In the central case only the US route
// reopens (the risk cost stays at history's level: how much it shrinks
// is not known): Belarus's FOB price rises by a few $/t, on
// ~10 Mt/yr of exports tens of $M a year (we allow $10M–$2bn over the
// window). US buyers gain a supplier, so
// the US price index falls by a few $/t (allowed −20 to −0.5). Canada, the
// main US supplier, loses some of that market: its export revenue falls.
// The Brazil benchmark hardly moves (|Δ| < $5/t): Belarusian tonnes that
// go to the US leave other markets.
func TestUSRelief2025Effects(t *testing.T) {
	s := loadBuiltin(t, "us-relief-2025")
	checkEffects(t, headline(t, s), []effect{
		{"revenue_change.Belarus", 10, 2000, "relief raises Belarus's FOB price on corridor-limited exports"},
		{"fob_price_change.Belarus", 0.2, 40, "the US market reopened"},
		{"price_change.United States", -20, -0.5, "US buyers regain a supplier"},
		{"revenue_change.Canada", -1000, 0, "Canada loses part of the US market"},
		{"benchmark_price_change", -5, 5, "Brazil is far from the reopened US route"},
	})
}

// sanctions-cost: history (2021–22 measures as they happened) against
// no-sanctions, July 2021 – December 2025 (54 months). Closing Klaipėda
// (11 Mt/yr, ~90% of Belarus's exports) with rerouting ramping from 3 to
// 8.4 Mt/yr through Russian ports, the EU and US bans and the buyers' risk
// cost (the back-test's estimate: part of it lowers Belarus's price) cut Belarus's
// exports by a few Mt/yr on average (reported: −60–70% in 2022, recovering
// after). At ~$250–300/t, 2–3 Mt/yr less over 4.5 years is roughly
// $2.5–4bn, and the risk cost borne by the seller as much again: we allow
// a loss of $1–15bn. The rivals (Canada, Russia) gain: prices rise and they
// take Belarus's markets. The world price (Brazil benchmark) rises by
// $5–150/t on average over the window: both paths carry the 2021–22 crop
// boom (the market's crop-price driver at the back-test's estimates), and
// the closure bites harder in that tight market (the back-test's
// decomposition gives the sanctions about a third of the 2021–22 rise);
// the rivals' gains scale with it (Canada up to $20bn).
//
// With the stocks of importers (docs/MODEL.md §10) the closure no longer
// makes a one-month spike (scenarios.TestNoSpikes).
func TestSanctionsCostEffects(t *testing.T) {
	s := loadBuiltin(t, "sanctions-cost")
	checkEffects(t, headline(t, s), []effect{
		{"revenue_change.Belarus", -15000, -1000, "Klaipėda closed, bans and the risk cost cut Belarus's exports"},
		{"exports_change.Belarus", -6, -0.5, "rerouting replaces only part of Klaipėda"},
		{"revenue_change.Canada", 0, 20000, "Canada takes Belarus's markets at higher prices"},
		{"revenue_change.Russia", 0, 15000, "Russia too"},
		{"benchmark_price_change", 5, 150, "a fifth of world trade disrupted in a tight market"},
	})
}

// The us-relief-2025 gain for Belarus holds across its uncertainty: with
// every uncertain parameter drawn (elasticities, discount, its relief,
// Russian-port costs), the 5th percentile of Belarus's cumulative revenue
// change is still positive, and the band is ordered.
func TestUSRelief2025Bands(t *testing.T) {
	if testing.Short() {
		t.Skip("Monte Carlo in -short mode")
	}
	s := loadBuiltin(t, "us-relief-2025")
	res, err := model.MonteCarlo(context.Background(), s.Spec, s.Counterfactual, s.Uncertain, model.MCOptions{Draws: 128, Seed: 2025})
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed > res.Draws/20 {
		t.Errorf("%d of %d draws failed: %s", res.Failed, res.Draws, res.FirstFailure)
	}
	tot := res.Total("revenue_change.Belarus")
	if tot == nil {
		t.Fatal("no revenue_change.Belarus total")
	}
	b := tot.Band
	if !(b.P5 > 0 && b.P5 <= b.P25 && b.P25 <= b.P50 && b.P50 <= b.P75 && b.P75 <= b.P95) {
		t.Errorf("Belarus revenue change band %+v: want 0 < P5 ≤ … ≤ P95", b)
	}
	t.Logf("revenue_change.Belarus over %d draws: %+v", res.Converged, b)
}

// The shipped base-2020 dataset with zero demand trend and no events
// stays at its base year in every month of a 108-month path (1e-9
// relative), like the test market in TestPathNoEventsStaysAtBase.
func TestBaseMarketPathStaysAtBase(t *testing.T) {
	m, err := scenarios.BaseMarket("base-2020")
	if err != nil {
		t.Fatal(err)
	}
	for r := range m.Regions {
		m.Regions[r].Growth = 0
	}
	spec := &model.Spec{Market: m, Start: model.NewMonth(2020, 1), End: model.NewMonth(2028, 12)}
	path, err := model.Simulate(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	if path.Failed != 0 {
		t.Fatalf("%d months failed", path.Failed)
	}
	const tol = 1e-9
	for k, sol := range path.Sol {
		for i, s := range m.Suppliers {
			if d := sol.FOB[i]/s.FOB - 1; d > tol || d < -tol {
				t.Fatalf("%v: FOB[%s] = %.12g, base %g", path.Months[k], s.Name, sol.FOB[i], s.FOB)
			}
			for r := range m.Regions {
				x0 := m.Flows[i][r]
				if d := sol.Flow[i][r] - x0; d > tol*x0+1e-12 || d < -tol*x0-1e-12 {
					t.Fatalf("%v: flow[%s][%s] = %.12g, base %g", path.Months[k], s.Name, m.Regions[r].Name, sol.Flow[i][r], x0)
				}
			}
		}
		if d := sol.Benchmark/path.Cal.P0[path.Cal.Bench] - 1; d > tol || d < -tol {
			t.Fatalf("%v: benchmark %.12g, base %.12g", path.Months[k], sol.Benchmark, path.Cal.P0[path.Cal.Bench])
		}
	}
}
