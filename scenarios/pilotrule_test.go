package scenarios

import (
	"testing"

	"github.com/potash-sim/potash/model"
)

// TestPilotNamesEveryRule breaks each of the model's four joint rules on
// us-relief-2025's spec (in the scenario and its counterfactual, or in
// the counterfactual alone) and measures a pilot of it (pilotCheck, as
// the loader does for a correlated group's box) drawing a value that
// moves none of the rules' fields, so every candidate breaks the rule:
// the pilot keeps the rule model.PairRules names for the first rejection
// (model.TruncationRule), and its refusal of runs with draws names it
// (Diagnostic.Rule).
func TestPilotNamesEveryRule(t *testing.T) {
	s, err := Load("us-relief-2025", nil)
	if err != nil {
		t.Fatal(err)
	}
	brazil := -1
	for r, g := range s.Spec.Market.Regions {
		if g.Name == "Brazil" {
			brazil = r
		}
	}
	if brazil < 0 {
		t.Fatal("no region Brazil")
	}
	dist, err := model.NewUniform(0, 1)
	if err != nil {
		t.Fatal(err)
	}
	unc := []model.Uncertain{{Name: "nothing", Dist: dist, Apply: func(*model.Spec, float64) error { return nil }}}
	for _, tc := range []struct {
		rule      string
		breakRule func(sp *model.Spec)
	}{
		{RuleStockCycle, func(sp *model.Spec) {
			g := &sp.Market.Regions[brazil]
			g.Eps, g.StockAdjust, g.ExpectAdjust = 0.1, 1, 0.15
		}},
		{RuleRelease, func(sp *model.Spec) { sp.Market.Regions[brazil].StockAdjust = 1e-4 }},
		{RuleCrop, func(sp *model.Spec) {
			for k := range sp.Drivers {
				if sp.Drivers[k].Kind == model.EventDemandDriver {
					sp.Drivers[k].Aux[1] = 10
				}
			}
		}},
		{RuleConduct, func(sp *model.Spec) {
			for i := range sp.Market.Suppliers {
				sp.Market.Suppliers[i].Conduct = 1
			}
		}},
	} {
		for _, cfOnly := range []bool{false, true} {
			name := tc.rule
			if cfOnly {
				name += "/counterfactual"
			}
			t.Run(name, func(t *testing.T) {
				sc, cf := s.Spec.Clone(), s.Counterfactual.Clone()
				if !cfOnly {
					tc.breakRule(sc)
				}
				tc.breakRule(cf)
				rule, why, inCf := model.PairRules(sc, cf)
				if rule != tc.rule || inCf != cfOnly {
					t.Fatalf("PairRules broke %q (%s; counterfactual %v), want %q: the test's market does not break its rule", rule, why, inCf, tc.rule)
				}
				if inCf {
					why = "counterfactual: " + why
				}
				p := &pilotCheck{kind: refuseGroup, group: "the test's group"}
				p.measure(&Scenario{Spec: sc, Counterfactual: cf, Uncertain: unc})
				if p.rej != p.n || p.first != why {
					t.Fatalf("pilot: %d of %d rejected, first %q; want all, first %q", p.rej, p.n, p.first, why)
				}
				if p.rule != tc.rule {
					t.Errorf("pilot's rule %q, want %q", p.rule, tc.rule)
				}
				if p.err == nil || p.err.Rule != tc.rule {
					t.Errorf("refusal %+v, want one naming rule %q", p.err, tc.rule)
				}
			})
		}
	}
}
