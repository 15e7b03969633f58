package scenarios

import (
	"testing"

	"github.com/potash-sim/potash/model"
)

// TestRuleOfNamesEveryRule breaks each of the model's four joint rules on
// us-relief-2025's spec and checks that ruleOf, which names the rule of a
// pilot's first rejection in a diagnostic (Diagnostic.Rule), reads the
// model's own reason as the rule model.PairRules names.
func TestRuleOfNamesEveryRule(t *testing.T) {
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
		t.Run(tc.rule, func(t *testing.T) {
			sc, cf := s.Spec.Clone(), s.Counterfactual.Clone()
			tc.breakRule(sc)
			tc.breakRule(cf)
			rule, why, _ := model.PairRules(sc, cf)
			if rule != tc.rule {
				t.Fatalf("PairRules broke %q (%s), want %q: the test's market does not break its rule", rule, why, tc.rule)
			}
			if got := ruleOf(why); got != tc.rule {
				t.Errorf("ruleOf(%q) = %q, want %q", why, got, tc.rule)
			}
			if got := ruleOf("counterfactual: " + why); got != tc.rule {
				t.Errorf("ruleOf of the counterfactual's reason = %q, want %q", got, tc.rule)
			}
		})
	}
}
