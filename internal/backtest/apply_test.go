package backtest

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/scenarios"
)

// toyFit is a fit of the crop-price driver and the demand elasticity on
// 2020-01..2023-12, with hand-picked intervals, posterior standard
// deviations (0.1 for θ, 0.04 for ε, 5 for the risk cost) and the
// documented ranges.
func toyFit(theta, thetaHi, eps, epsLo float64) []Fitted {
	from, to := model.NewMonth(2020, 1), model.NewMonth(2023, 12)
	return []Fitted{
		{Name: ParamCropElasticity, Value: theta, SD: 0.1, CI: [2]float64{0, thetaHi}, Range: model.Range{Lo: 0, Hi: 1.5}, From: from, To: to},
		{Name: ParamDemandElast, Value: eps, SD: 0.04, CI: [2]float64{epsLo, 0.8}, Range: model.Range{Lo: 0.1, Hi: 0.8}, From: from, To: to},
		{Name: ParamDiscount, Value: 24.339, SD: 5, CI: [2]float64{0, 40}, Range: model.Range{Lo: 0, Hi: 40}, From: from, To: to},
	}
}

// TestApplyToMarket: the fitted entries are rewritten (value to three
// significant digits, the interval rounded outward in the source), the
// driver's keys only under crop_prices, every other line byte for byte.
func TestApplyToMarket(t *testing.T) {
	in := strings.Join([]string{
		"regions:",
		"  - name: A",
		"    demand_elasticity: {value: 0.3, source: \"estimated: prior\", range: [0.1, 0.8]}",
		"    elasticity: {value: 9, source: \"not the driver\"}",
		"drivers:",
		"  crop_prices:",
		"    elasticity: {value: 0, source: \"estimated: off\", range: [0, 1.5]}",
		"",
	}, "\n")
	fit := toyFit(1.27654, 1.5, 0.799964, 0.10049)
	got, err := ApplyToMarket([]byte(in), fit)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"regions:",
		"  - name: A",
		"    demand_elasticity: {value: 0.8, source: \"estimated: back-test fit 2020-01..2023-12 (docs/BACKTEST.md), 95% CI [0.1, 0.8]\", range: [0.1, 0.8]}",
		"    elasticity: {value: 9, source: \"not the driver\"}",
		"drivers:",
		"  crop_prices:",
		"    elasticity: {value: 1.28, source: \"estimated: back-test fit 2020-01..2023-12 (docs/BACKTEST.md), 95% CI [0, 1.5]\", range: [0, 1.5]}",
		"",
	}, "\n")
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// Applying twice changes nothing.
	if again, err := ApplyToMarket(got, fit); err != nil || string(again) != want {
		t.Errorf("not idempotent: %v\n%s", err, again)
	}
	// A fitted parameter without an entry is an error.
	if _, err := ApplyToMarket([]byte("regions: []\n"), fit); err == nil {
		t.Error("no entry: want an error")
	}
}

// TestUncertainRanges: the truncation is the fitted range cut at the
// valid range, rounded outward, with the estimates inside; a box that
// breaks the crop rule (θ_hi 1.5 > 3·ε_lo 0.3) is not cut, as the Monte
// Carlo rejects the draws that break it (model 0.6.1).
func TestUncertainRanges(t *testing.T) {
	fit := toyFit(0.6, 1.5, 0.36, 0.1)
	got := UncertainRanges(fit)
	want := map[string][2]float64{ParamCropElasticity: {0, 1.5}, ParamDemandElast: {0.1, 0.8}, ParamDiscount: {0, 40}}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %v, want %v", k, got[k], v)
		}
	}
	// A range beyond the valid range is cut at it; one that misses its
	// estimate (by rounding) is widened to it.
	fit[1].Range = model.Range{Lo: 0.01, Hi: 5}
	fit[0].Value, fit[0].Range = 0.61234, model.Range{Lo: 0.1, Hi: 0.6123}
	got = UncertainRanges(fit)
	if v := model.RangeEps(); got[ParamDemandElast] != [2]float64{v.Lo, v.Hi} {
		t.Errorf("ε %v, want the valid range %v", got[ParamDemandElast], v)
	}
	if got[ParamCropElasticity] != [2]float64{0.1, 0.612} {
		t.Errorf("θ %v, want [0.1, 0.612]", got[ParamCropElasticity])
	}
}

// TestApplyToHistory: the risk cost of belarus-discount is set and the
// generated block rewritten; a file without the block is an error.
func TestApplyToHistory(t *testing.T) {
	in := "events:\n  - id: belarus-discount\n    label: x\n    risk_cost: {supplier: Belarus, region: all, pct: 15}\n    start: 2021-12\n" +
		"uncertainty:\n  - {param: a, dist: uniform, min: 0, max: 1}\n  - {param: events.belarus-discount.pct, dist: normal, mean: 15, sd: 7.5, lower: 0, upper: 40}\n" + beginUncertain + "  - old\n" + endUncertain
	got, err := ApplyToHistory([]byte(in), toyFit(1.28, 1.5, 0.8, 0.1))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"risk_cost: {supplier: Belarus, region: all, pct: 24.3}\n",
		"  - {param: a, dist: uniform, min: 0, max: 1}\n" + beginUncertain,
		"  - {param: market.drivers.crop_prices.elasticity, dist: normal, mean: 1.28, sd: 0.1, lower: 0, upper: 1.5}\n",
		"  - {param: market.regions.*.demand_elasticity, dist: normal, mean: 0.8, sd: 0.04, lower: 0.1, upper: 0.8}\n",
		"  - {param: events.belarus-discount.pct, dist: normal, mean: 24.3, sd: 5, lower: 0, upper: 40}\n" + endUncertain,
	} {
		if !strings.Contains(string(got), want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if strings.Contains(string(got), "  - old\n") || strings.Contains(string(got), "mean: 15") {
		t.Error("the old block, or a hand-written entry for a fitted parameter, is kept")
	}
	// With a correlations block, the drawn parameters' posterior
	// correlations, to two decimals, one group.
	fit := toyFit(1.28, 1.5, 0.8, 0.1)
	fit[0].Corr = map[string]float64{ParamCropElasticity: 1, ParamDemandElast: 0.9049, ParamDiscount: -0.004}
	fit[1].Corr = map[string]float64{ParamCropElasticity: 0.9049, ParamDemandElast: 1, ParamDiscount: 0.1}
	fit[2].Corr = map[string]float64{ParamCropElasticity: -0.004, ParamDemandElast: 0.1, ParamDiscount: 1}
	got, err = ApplyToHistory([]byte(in+"correlations:\n"+beginCorr+"  - old\n"+endCorr), fit)
	if err != nil {
		t.Fatal(err)
	}
	if want := "correlations:\n" + beginCorr + "  # The back-test's posterior correlations (docs/BACKTEST.md, \"Uncertainty of\n" +
		"  # the estimates\"), to two decimals, as the correlations of the normal scores.\n" +
		"  - params:\n      - market.drivers.crop_prices.elasticity\n      - market.regions.*.demand_elasticity\n      - events.belarus-discount.pct\n" +
		"    matrix:\n      - [1, 0.9, 0]\n      - [0.9, 1, 0.1]\n      - [0, 0.1, 1]\n" + endCorr; !strings.HasSuffix(string(got), want) {
		t.Errorf("correlations block: got\n%s\nwant it to end\n%s", got, want)
	}
	if _, err := ApplyToHistory([]byte("events: []\n"), toyFit(1.28, 1.5, 0.8, 0.1)); err == nil {
		t.Error("no event and no block: want an error")
	}
}

// TestApplyToShippedFiles: the shipped dataset and history scenario have
// an entry for every estimated parameter, so that applying a fit is the
// one command docs/BACKTEST.md gives: every region's five fitted fields,
// every supplier's two and the driver's two are rewritten, and the
// history scenario's two events and generated block.
func TestApplyToShippedFiles(t *testing.T) {
	h := historyModel(t)
	var fit []Fitted
	for _, p := range h.Params() {
		fit = append(fit, Fitted{Name: p.Name, Value: p.Start, SD: (p.Range.Hi - p.Range.Lo) / 8, CI: [2]float64{p.Range.Lo, p.Range.Hi},
			Range: p.Range, From: model.NewMonth(2020, 1), To: model.NewMonth(2023, 12)})
	}
	for _, f := range fitFiles {
		data, err := os.ReadFile(f.path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := f.apply(data, fit)
		if err != nil {
			t.Fatalf("%s: %v", f.path, err)
		}
		if n := strings.Count(string(got), `source: "estimated: back-test fit`); f.path == fitFiles[0].path && n != 5*len(h.Spec.Market.Regions)+2*len(h.Spec.Market.Suppliers)+2 {
			t.Errorf("%s: %d fitted entries", f.path, n)
		}
		if f.path == fitFiles[1].path && strings.Count(string(got), "dist: normal, mean:") < len(fit) {
			t.Errorf("%s: the generated block draws fewer than the %d parameters:\n%s", f.path, len(fit), got)
		}
	}
}

// TestValidRangeIsTheValidators: the valid range the back-test cuts the
// history events' fitted percentages at is the one the scenario
// validator enforces: its ends load, a step past either end is an error
// naming the field. (The stock target's range was once copied by hand
// as [−90, 200] while the validator took [−50, 200].)
func TestValidRangeIsTheValidators(t *testing.T) {
	for _, tc := range []struct {
		param, path string
	}{
		{ParamPrecaution, "events." + PrecautionEventID + ".pct"},
		{ParamDiscount, "events." + DiscountEventID + ".pct"},
	} {
		v := validRange(tc.param)
		// past is a step beyond an end, large against rounding, small
		// against the range.
		past := 1e-3 * (v.Hi - v.Lo)
		for _, probe := range []struct {
			value float64
			ok    bool
		}{
			{v.Lo, true}, {v.Hi, true}, {v.Lo - past, false}, {v.Hi + past, false},
		} {
			set := fmt.Sprintf("%s=%g", tc.path, probe.value)
			t.Run(set, func(t *testing.T) {
				_, err := scenarios.Load("history", []string{set})
				switch {
				case probe.ok && err != nil:
					t.Errorf("validRange(%s) = [%g, %g], but the validator rejects %g: %v", tc.param, v.Lo, v.Hi, probe.value, err)
				case !probe.ok && err == nil:
					t.Errorf("validRange(%s) = [%g, %g], but the validator accepts %g", tc.param, v.Lo, v.Hi, probe.value)
				case !probe.ok && !strings.Contains(err.Error(), "pct"):
					t.Errorf("error %q does not name the field", err)
				}
			})
		}
	}
}
