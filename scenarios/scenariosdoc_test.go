package scenarios

import (
	"context"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/potash-sim/potash/model"
)

// TestScenariosDocFigures: the figures docs/SCENARIOS.md quotes from the
// built-ins' central runs — the BPC break-up's long-run and path falls
// ("The 2013 record"), Jansen's room ("A `capacity` event adds room, not
// output") and the welfare split of sanctions-cost and bpc-breakup
// ("Welfare, and what the surplus figures are measured from") — are the
// model's, at the precision printed: a change of the model or the data
// that moves one fails here instead of leaving a stale number behind
// (the break-up's went stale once).
func TestScenariosDocFigures(t *testing.T) {
	if testing.Short() {
		t.Skip("simulation in -short mode")
	}
	data, err := os.ReadFile("../docs/SCENARIOS.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := strings.Join(strings.Fields(string(data)), " ")
	want := func(what, text string) {
		t.Helper()
		if !strings.Contains(doc, text) {
			t.Errorf("docs/SCENARIOS.md should quote %s as %q", what, text)
		}
	}

	// The break-up's long-run falls (TestBPCBreakupBenchmark's runs).
	joint, apart := breakupLongRun(t, 0)
	want("the long-run fall at 2020 capacity", fmt.Sprintf("**%s%%** (%.1f → %.1f $/t", signedText(100*(apart/joint-1), 1), joint, apart))
	joint5, apart5 := breakupLongRun(t, 5)
	want("the long-run fall with spare capacity", fmt.Sprintf("the long-run fall is %s%% (%.1f → %.1f $/t)", signedText(100*(apart5/joint5-1), 1), joint5, apart5))

	// The break-up's path and Russia's revenue against its surplus.
	_, ms := docRun(t, "bpc-breakup")
	want("bpc-breakup's mean benchmark change", fmt.Sprintf("mean over 2021–2030 %s%% (%s $/t)",
		signedText(ms["benchmark_price_change_pct"], 1), signedText(ms["benchmark_price_change"], 1)))
	want("Russia's netback revenue change in bpc-breakup", fmt.Sprintf("Russia's netback revenue rises (%s $ bn", signedText(ms["netback_revenue_change.Russia"]/1e3, 2)))
	want("Russia's producer surplus change in bpc-breakup", fmt.Sprintf("producer surplus falls (%s $ bn", signedText(ms["producer_surplus_change.Russia"]/1e3, 2)))

	// Jansen's room: Canada's capacity use in 2030 without it, the exports
	// it adds in 2030, the benchmark change over the window.
	run, ms := docRun(t, "jansen-ramp")
	m := run.Scenario.Spec.Market
	can := m.SupplierIndex("Canada")
	var use, dx float64
	n := 0
	for k, mo := range run.Scenario.Months {
		if mo.Year() != 2030 {
			continue
		}
		use += run.Counterfactual.Sol[k].CapacityUse[can]
		dx += run.Scenario.Sol[k].Exports[can] - run.Counterfactual.Sol[k].Exports[can]
		n++
	}
	if n != 12 {
		t.Fatalf("jansen-ramp: %d months of 2030", n)
	}
	want("Canada's capacity use in 2030 without Jansen", fmt.Sprintf("Canada uses about %.0f%% of its capacity in 2030 without Jansen", 100*use/12))
	want("Jansen's added exports in 2030", fmt.Sprintf("Jansen's 4.15 Mt/yr add %.2f Mt/yr to Canada's exports in 2030", dx/12))
	want("jansen-ramp's benchmark change", fmt.Sprintf("lower the benchmark by %.1f $/t (%s%%) over 2027-07..2030-12",
		-ms["benchmark_price_change"], signedText(ms["benchmark_price_change_pct"], 1)))

	// sanctions-cost's welfare split, $ bn: each figure's size, and the
	// verb its sign takes (a flipped sign must not pass as the same text).
	_, ms = docRun(t, "sanctions-cost")
	bn := func(name string, dec int) string { return fmt.Sprintf("%.*f", dec, math.Abs(ms[name])/1e3) }
	verb := func(name, up, down string) string {
		if ms[name] >= 0 {
			return up
		}
		return down
	}
	want("sanctions-cost's consumer surplus change", "buyers "+verb("consumer_surplus_change", "gain", "lose")+" "+bn("consumer_surplus_change", 1)+" $ bn of consumer surplus ("+bn("risk_cost_change", 1)+" $ bn of it risk costs")
	want("sanctions-cost's producer surplus change", fmt.Sprintf("producers %s %s $ bn (Belarus %s, Canada %s, Russia %s), the EU's quota holders %s $ bn",
		verb("producer_surplus_change", "gain", "lose"), bn("producer_surplus_change", 1),
		signedText(ms["producer_surplus_change.Belarus"]/1e3, 2), signedText(ms["producer_surplus_change.Canada"]/1e3, 2), signedText(ms["producer_surplus_change.Russia"]/1e3, 2),
		bn("quota_rent_change", 2)))
	if ms["quota_rent_change"] < 0 || ms["risk_cost_change"] < 0 {
		t.Errorf("sanctions-cost: quota rent %+.0f $M, risk costs %+.0f $M: the doc counts a gain and a cost", ms["quota_rent_change"], ms["risk_cost_change"])
	}
	want("sanctions-cost's welfare change", "the world "+verb("welfare_change", "gains", "loses")+" "+bn("welfare_change", 1)+" $ bn")
	want("Belarus's surplus and netback changes", "Belarus's "+verb("producer_surplus_change.Belarus", "rises", "falls")+" by "+bn("producer_surplus_change.Belarus", 2)+" $ bn against "+bn("netback_revenue_change.Belarus", 2)+" of netback revenue")
	if ms["netback_revenue_change.Belarus"] >= 0 {
		t.Errorf("sanctions-cost: Belarus's netback revenue change %+.0f $M: the doc says a loss", ms["netback_revenue_change.Belarus"])
	}
}

// docRun simulates built-in name against its counterfactual at central
// values and returns the run and its metrics by name.
func docRun(t *testing.T, name string) (*model.Run, map[string]float64) {
	t.Helper()
	s := mustLoad(t, name)
	run, err := model.SimulatePair(context.Background(), s.Spec, s.Counterfactual)
	if err != nil {
		t.Fatal(err)
	}
	if f := run.Failures(); len(f) > 0 {
		t.Fatalf("%s: %d months failed", name, len(f))
	}
	ms := map[string]float64{}
	for _, mt := range model.Metrics(run) {
		ms[mt.Name] = mt.Value
	}
	return run, ms
}

// signedText formats v with dec decimals and a sign as the docs print it:
// "+0.37", "−2.5" (a minus sign, U+2212).
func signedText(v float64, dec int) string {
	s := fmt.Sprintf("%+.*f", dec, v)
	return strings.Replace(s, "-", "−", 1)
}
