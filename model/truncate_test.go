package model_test

import (
	"context"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/potash-sim/potash/model"
)

// omegaBox returns us-relief-2025's scenario and counterfactual on a
// one-year horizon and one uncertain parameter: every region's
// expectation speed ω drawn uniformly on [lo, hi]. At base-2020's other
// values the stock-cycle rule holds for ω up to about 0.133 (docs/MODEL.md
// §9.1), so a box beyond it is partly rejected.
func omegaBox(t testing.TB, lo, hi float64) (s, c *model.Spec, unc []model.Uncertain) {
	t.Helper()
	sc := loadBuiltin(t, "us-relief-2025")
	s, c = sc.Spec.Clone(), sc.Counterfactual.Clone()
	s.End, c.End = s.Start+11, c.Start+11
	s.ReportStart, c.ReportStart = s.Start, c.Start
	d, err := model.NewUniform(lo, hi)
	if err != nil {
		t.Fatal(err)
	}
	unc = []model.Uncertain{{Name: "market.regions.*.price_expectation_speed_per_month", Dist: d, Central: 0.05,
		Apply: func(sp *model.Spec, v float64) error {
			for r := range sp.Market.Regions {
				sp.Market.Regions[r].ExpectAdjust = v
			}
			return nil
		}}}
	return s, c, unc
}

// replayOmega replays draw d's stream as docs/MODEL.md §9.1 documents it
// (rand.NewPCG(seed, d), one variate in (0, 1) per candidate): the first
// candidate whose ω keeps the joint rules, and how many were rejected
// before it.
func replayOmega(s *model.Spec, unc []model.Uncertain, seed uint64, d int) (omega float64, rejected int) {
	rng := rand.New(rand.NewPCG(seed, uint64(d)))
	for {
		u := rng.Float64()
		for u == 0 {
			u = rng.Float64()
		}
		v := unc[0].Dist.Quantile(u)
		c := s.Clone()
		_ = unc[0].Apply(c, v)
		if model.JointRules(c) == "" {
			return v, rejected
		}
		rejected++
	}
}

// TestDrawRejection checks the truncated prior: every accepted draw keeps
// the joint rules (a property over 300 draws), a draw is the first
// candidate of its stream that keeps them (so a draw whose first
// candidate keeps them is the draw of the stream without rejection),
// DrawSpecs is deterministic, and MonteCarlo counts the rejected
// candidates the same whatever its workers.
func TestDrawRejection(t *testing.T) {
	s, c, unc := omegaBox(t, 0.02, 0.2)
	const seed = 11
	firstKept, rejectedSome := 0, 0
	wantRejected := 0
	for d := range 300 {
		ds, dc, err := model.DrawSpecs(s, c, unc, seed, d)
		if err != nil {
			t.Fatal(err)
		}
		for _, sp := range []*model.Spec{ds, dc} {
			if why := model.JointRules(sp); why != "" {
				t.Fatalf("draw %d (%s) breaks a joint rule: %s", d, sp.Name, why)
			}
		}
		omega, rej := replayOmega(s, unc, seed, d)
		wantRejected += rej
		if got := ds.Market.Regions[0].ExpectAdjust; got != omega {
			t.Fatalf("draw %d: ω = %v, the stream's first candidate keeping the rules is %v", d, got, omega)
		}
		if rej == 0 {
			firstKept++
		} else {
			rejectedSome++
		}
		again, _, err := model.DrawSpecs(s, c, unc, seed, d)
		if err != nil || !reflect.DeepEqual(again.Market, ds.Market) {
			t.Fatalf("draw %d is not deterministic (%v)", d, err)
		}
	}
	if firstKept == 0 || rejectedSome == 0 {
		t.Fatalf("%d draws kept their first candidate, %d rejected some: the box should do both", firstKept, rejectedSome)
	}

	const draws = 24
	var res [2]*model.MCResult
	for k, w := range []int{1, 2} {
		r, err := model.MonteCarlo(context.Background(), s, c, unc, model.MCOptions{Draws: draws, Seed: seed, Workers: w})
		if err != nil {
			t.Fatal(err)
		}
		res[k] = r
	}
	want := 0
	for d := range draws {
		_, rej := replayOmega(s, unc, seed, d)
		want += rej
	}
	if res[0].Rejected != want || res[0].Failed != 0 {
		t.Errorf("MonteCarlo rejected %d candidates (failed %d), the streams %d", res[0].Rejected, res[0].Failed, want)
	}
	if !reflect.DeepEqual(res[0], res[1]) {
		t.Error("MonteCarlo with rejection differs between 1 and 2 workers")
	}
}

// TestDrawRejectionExhausted: a box wholly beyond a joint rule fails
// every draw after MaxDrawCandidates candidates, saying why.
func TestDrawRejectionExhausted(t *testing.T) {
	s, c, unc := omegaBox(t, 0.19, 0.2)
	res, err := model.MonteCarlo(context.Background(), s, c, unc, model.MCOptions{Draws: 2, Seed: 1, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed != 2 || res.Rejected != 2*model.MaxDrawCandidates {
		t.Fatalf("failed %d, rejected %d: want 2 and %d", res.Failed, res.Rejected, 2*model.MaxDrawCandidates)
	}
	if !strings.Contains(res.FirstFailure, "candidates break a joint rule") || !strings.Contains(res.FirstFailure, "stock-cycle rule") {
		t.Errorf("first failure %q does not say why", res.FirstFailure)
	}
}

// TestTruncation checks the pilot share of the box the joint rules cut
// away: none for the built-in's own box, about a third (scenarios'
// TestBoxTruncation has the same band) for ω uniform on [0.02, 0.135]
// (the rule's edge about 0.097 at model 0.6.0's other values; [0.02, 0.2]
// before, with its edge at 0.133), all of [0.19, 0.2], and
// the same each time (a fixed pilot stream).
func TestTruncation(t *testing.T) {
	sc := loadBuiltin(t, "us-relief-2025")
	cases := []struct {
		name   string
		s, c   *model.Spec
		unc    []model.Uncertain
		lo, hi float64 // the share's bounds
	}{
		// The built-in draws the posterior: the rules reject about a
		// third of it (1,419 of 4,096 with model 0.6.1), nearly all by
		// the stock-cycle rule (docs/MODEL.md §9.1).
		{name: "built-in box", s: sc.Spec, c: sc.Counterfactual, unc: sc.Uncertain, lo: 0.3, hi: 0.4},
	}
	for _, b := range []struct {
		name           string
		lo, hi, sl, sh float64
	}{{"ω in [0.02, 0.135]", 0.02, 0.135, 0.25, 0.42}, {"ω in [0.19, 0.2]", 0.19, 0.2, 1, 1}, {"ω in [0.02, 0.09]", 0.02, 0.09, 0, 0}} {
		s, c, unc := omegaBox(t, b.lo, b.hi)
		cases = append(cases, struct {
			name   string
			s, c   *model.Spec
			unc    []model.Uncertain
			lo, hi float64
		}{b.name, s, c, unc, b.sl, b.sh})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rej, n, first := model.Truncation(tc.s, tc.c, tc.unc)
			share := float64(rej) / float64(n)
			if n != model.PilotDraws || share < tc.lo || share > tc.hi {
				t.Errorf("rejected %d of %d (%.4g), want a share in [%g, %g]", rej, n, share, tc.lo, tc.hi)
			}
			if (rej > 0) != (first != "") {
				t.Errorf("rejected %d, first %q", rej, first)
			}
			rej2, _, rule, first2 := model.TruncationRule(tc.s, tc.c, tc.unc)
			if rej2 != rej || first2 != first {
				t.Errorf("the pilot is not deterministic: %d then %d", rej, rej2)
			}
			// The first rejection's rule is the one its reason names.
			if want := ruleOfReason(first); rule != want {
				t.Errorf("TruncationRule's rule %q, its reason (%q) names %q", rule, first, want)
			}
		})
	}
}

// ruleOfReason names the joint rule that a reason of model.PairRules (or
// the "counterfactual: " one of a draw) says is broken, "" for none.
func ruleOfReason(why string) string {
	why = strings.TrimPrefix(why, "counterfactual: ")
	for _, r := range []string{model.RuleStockCycle, model.RuleRelease, model.RuleCrop, model.RuleConduct} {
		if strings.HasPrefix(why, "the "+r+" rule") {
			return r
		}
	}
	return ""
}

// TestJointRules checks the rules a draw must keep, each way.
func TestJointRules(t *testing.T) {
	sc := loadBuiltin(t, "us-relief-2025")
	cases := []struct {
		name string
		edit func(s *model.Spec)
		want string // "" keeps the rules, else a part of why not
	}{
		{"the built-in", func(*model.Spec) {}, ""},
		{"fast expectations", func(s *model.Spec) { s.Market.Regions[0].ExpectAdjust = 0.2 }, "stock-cycle rule"},
		{"a large stock", func(s *model.Spec) { s.Market.Regions[0].StockMonths = 6 }, "stock-cycle rule"},
		{"stocks that barely answer the price", func(s *model.Spec) {
			s.Market.Regions[2].StockAdjust = 0.09 // φ·β/c = 0.09·0.00749/0.012 = 0.056
		}, "stock-release rule"},
		{"inelastic demand under the crop driver", func(s *model.Spec) {
			for r := range s.Market.Regions {
				s.Market.Regions[r].Eps = 0.1
				s.Market.Regions[r].StockMonths = 0 // the stock-cycle rule off
			}
		}, "crop rule"},
		{"crop driver off", func(s *model.Spec) {
			for r := range s.Market.Regions {
				s.Market.Regions[r].Eps = 0.1
				s.Market.Regions[r].StockMonths = 0
			}
			for k := range s.Drivers {
				s.Drivers[k].Aux[1] = 0
			}
		}, ""},
	}
	// Model 0.6.1's bpc-reunion stated the conducts fitted to the 2020
	// margins at ε 0.36: at ε 0.2 Russia's markup would leave its mines
	// less than a tenth of the netback (the draws of docs/MODEL.md §9.1,
	// "The conduct rule"). Since 0.6.2 it states the margin (the share
	// of the gap, §4.2), the conduct is derived at ε 0.2, and the draw
	// keeps the rules.
	br := loadBuiltin(t, "bpc-reunion")
	lowEps := func(s *model.Spec) {
		for r := range s.Market.Regions {
			s.Market.Regions[r].Eps = 0.2
			s.Market.Regions[r].StockMonths = 0 // the stock rules off
		}
	}
	type jcase = struct {
		name string
		edit func(s *model.Spec)
		want string
	}
	cases = append(cases, jcase{"bpc-reunion at low demand elasticities, model 0.6.1's conducts", func(s *model.Spec) {
		lowEps(s)
		for name, phi := range map[string]float64{"Canada": 0.31, "Russia": 0.68, "Belarus": 0.39} {
			i := s.Market.SupplierIndex(name)
			s.Market.Suppliers[i].Conduct, s.Market.Suppliers[i].ConductGapShare = phi, 0
		}
	}, "conduct rule"}, jcase{"bpc-reunion at low demand elasticities", lowEps, ""})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := sc.Spec.Clone()
			if strings.HasPrefix(tc.name, "bpc-reunion") {
				s = br.Spec.Clone()
			}
			tc.edit(s)
			got := model.JointRules(s)
			if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
				t.Errorf("JointRules = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestSensitivityTruncated: a tornado's ends are the 5th and 95th
// percentiles of each parameter's distribution, truncated along its axis
// by the joint rules when an end would break one: for ω uniform on
// [0.02, 0.2] the high end keeps the stock-cycle rule (the plain 95th
// percentile, 0.191, does not) and both runs converge; a box inside the
// rules keeps the plain percentiles.
func TestSensitivityTruncated(t *testing.T) {
	cases := []struct {
		name      string
		lo, hi    float64
		truncated bool
	}{
		{"ω in [0.02, 0.2]", 0.02, 0.2, true},
		{"ω in [0.02, 0.09]", 0.02, 0.09, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, c, unc := omegaBox(t, tc.lo, tc.hi)
			tor, err := model.Sensitivity(context.Background(), s, c, unc, "", 2)
			if err != nil {
				t.Fatal(err)
			}
			b := tor.Bars[0]
			plainLo, plainHi := unc[0].Dist.Quantile(0.05), unc[0].Dist.Quantile(0.95)
			// The bar names the stated ends and the rule that cut the high
			// side (ω's low side keeps the rule).
			if b.StatedLow != plainLo || b.StatedHigh != plainHi {
				t.Errorf("stated ends %v, %v: want the plain percentiles %v, %v", b.StatedLow, b.StatedHigh, plainLo, plainHi)
			}
			wantHigh := ""
			if tc.truncated {
				wantHigh = model.RuleStockCycle
			}
			if b.LowCut != "" || b.HighCut != wantHigh {
				t.Errorf("cut by %q (low), %q (high): want \"\", %q", b.LowCut, b.HighCut, wantHigh)
			}
			if !tc.truncated {
				if b.Low != plainLo || b.High != plainHi {
					t.Errorf("ends %v, %v: want the plain percentiles %v, %v", b.Low, b.High, plainLo, plainHi)
				}
				return
			}
			if tor.Failed != 0 {
				t.Errorf("%d runs failed", tor.Failed)
			}
			for _, v := range []float64{b.Low, b.High} {
				sp := s.Clone()
				_ = unc[0].Apply(sp, v)
				if why := model.JointRules(sp); why != "" {
					t.Errorf("end %v breaks a joint rule: %s", v, why)
				}
			}
			// The kept interval is [0.02, e], e the rule's edge (below the
			// plain 95th percentile): its percentiles are 0.02 + p·(e − 0.02).
			if !(b.High < plainHi && b.Low > tc.lo && b.Low < plainLo) {
				t.Errorf("ends %v, %v: want the truncated percentiles, inside the plain %v, %v", b.Low, b.High, plainLo, plainHi)
			}
			edge := 0.02 + (b.High-0.02)/0.95
			sp := s.Clone()
			_ = unc[0].Apply(sp, edge*(1+1e-6))
			if model.JointRules(sp) == "" {
				t.Errorf("the implied edge %v is not the rule's: a value just above keeps it", edge)
			}
			if want := 0.02 + 0.05*(edge-0.02); math.Abs(b.Low-want) > 1e-9 {
				t.Errorf("low end %v, want 5%% of the kept interval [0.02, %v]: %v", b.Low, edge, want)
			}
		})
	}
}

// TestSensitivityCutBy: a tornado bar names the joint rule that cut each
// side of its parameter's box: ω's high side by the stock-cycle rule, ε's
// low side by the crop rule (stocks off, so the stock-cycle rule cannot
// cut it).
func TestSensitivityCutBy(t *testing.T) {
	epsBox := func(t *testing.T) (s, c *model.Spec, unc []model.Uncertain) {
		s, c, _ = omegaBox(t, 0.02, 0.09)
		theta := 0.0
		for _, e := range s.Drivers {
			if e.Kind == model.EventDemandDriver {
				theta = max(theta, e.Aux[1])
			}
		}
		if !(theta > 0) {
			t.Fatal("the built-in has no crop driver with θ > 0")
		}
		edge := theta / model.MaxCropEpsRatio()
		for _, sp := range []*model.Spec{s, c} {
			for r := range sp.Market.Regions {
				sp.Market.Regions[r].StockMonths = 0
				sp.Market.Regions[r].Eps = 2 * edge
			}
		}
		d, err := model.NewUniform(0.5*edge, 3*edge)
		if err != nil {
			t.Fatal(err)
		}
		unc = []model.Uncertain{{Name: "market.regions.*.demand_elasticity", Dist: d, Central: 2 * edge,
			Apply: func(sp *model.Spec, v float64) error {
				for r := range sp.Market.Regions {
					sp.Market.Regions[r].Eps = v
				}
				return nil
			}}}
		return s, c, unc
	}
	cases := []struct {
		name          string
		box           func(t *testing.T) (s, c *model.Spec, unc []model.Uncertain)
		lowBy, highBy string
	}{
		{"ω's high side", func(t *testing.T) (*model.Spec, *model.Spec, []model.Uncertain) { return omegaBox(t, 0.02, 0.2) }, "", model.RuleStockCycle},
		{"ε's low side", epsBox, model.RuleCrop, ""},
		{"inside the rules", func(t *testing.T) (*model.Spec, *model.Spec, []model.Uncertain) { return omegaBox(t, 0.02, 0.09) }, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, c, unc := tc.box(t)
			tor, err := model.Sensitivity(context.Background(), s, c, unc, "", 2)
			if err != nil {
				t.Fatal(err)
			}
			b := tor.Bars[0]
			if b.LowCut != tc.lowBy || b.HighCut != tc.highBy {
				t.Errorf("cut by %q (low), %q (high): want %q, %q", b.LowCut, b.HighCut, tc.lowBy, tc.highBy)
			}
			plainLo, plainHi := unc[0].Dist.Quantile(0.05), unc[0].Dist.Quantile(0.95)
			if b.StatedLow != plainLo || b.StatedHigh != plainHi {
				t.Errorf("stated ends %v, %v: want %v, %v", b.StatedLow, b.StatedHigh, plainLo, plainHi)
			}
			// A cut side's end moves inward from its stated end.
			if tc.lowBy != "" && !(b.Low > b.StatedLow) || tc.highBy != "" && !(b.High < b.StatedHigh) {
				t.Errorf("ends %v, %v not inside the stated %v, %v on the cut side", b.Low, b.High, b.StatedLow, b.StatedHigh)
			}
		})
	}
}
