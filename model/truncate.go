package model

import (
	"fmt"
	"math/rand/v2"
)

// The joint rules truncate the box of draws (docs/MODEL.md §9.1, "The box
// of draws is a truncated prior"): a Monte Carlo draw whose values break
// one (JointRules) is rejected and redrawn from the same stream.

const (
	// MaxDrawCandidates is the most candidates a Monte Carlo draw takes
	// from its stream: a draw whose MaxDrawCandidates candidates all break
	// a joint rule fails. A scenario whose pilot (Truncation) rejects at
	// most half its candidates fails a draw this way with probability
	// below 2⁻¹⁰⁰⁰.
	MaxDrawCandidates = 1000
	// PilotDraws is the size of Truncation's fixed pilot sample.
	PilotDraws = 4096
	// pilotSeed is the seed of Truncation's pilot sample: fixed, so a
	// scenario's pilot share does not depend on the run's seed.
	pilotSeed = 0x5eed
	// cropRuleTol is the relative tolerance of the crop rule on a draw:
	// a box whose end sits on the rule (the back-test puts ε's lower end
	// at θ's upper end / MaxCropEpsRatio, rounded) keeps it.
	cropRuleTol = 1e-9
)

// The joint rules' names, as a TornadoBar names the rule that cut an end.
const (
	RuleStockCycle = "stock-cycle"   // the stock cycle's modulus at most MaxStockCycleRadius (StockCycleOK)
	RuleCrop       = "crop"          // a crop-price elasticity at most MaxCropEpsRatio times the demand elasticity
	RuleRelease    = "stock-release" // stocks answer prices at least minStockRelease a month (StockReleaseOK)
	RuleConduct    = "conduct"       // the conduct markups calibrate (calibrateConduct)
)

// minStockRelease is the stock-release rule's bound on φ·γ, the share
// of a region's stock target (in percent) its stocks move in a month
// for each percent its price stands above the expected price: the
// stock speed φ times the target's price elasticity γ = β/c
// (StockGamma). The fitted values give 0.39; draws below 0.06 (stocks
// that barely answer the price while the precautionary target holds)
// priced Belarus at 20–27 times its base in the Klaipėda closure of
// 2022-02 (6 of us-relief-2025's 10,000 draws, all at 0.034–0.058),
// and the bound cuts about 1 % of the fitted posterior (docs/MODEL.md
// §9.1, "The stock-release rule").
const minStockRelease = 0.08

// MinStockRelease returns the stock-release rule's bound on φ·β/c
// (StockReleaseOK).
func MinStockRelease() float64 { return minStockRelease }

// StockRelease returns what the stock-release rule bounds in region g:
// φ·γ, the stock speed times the stock target's price elasticity
// (StockGamma), in percent of the target a month for each percent of
// price above the expected price.
func StockRelease(g *Region) float64 { return g.StockAdjust * StockGamma(g) }

// StockReleaseOK reports whether region g keeps the stock-release rule:
// StockRelease at least MinStockRelease (true for a region whose
// stocks do not answer the price: no stocks, or γ = 0).
func StockReleaseOK(g *Region) bool {
	if !hasStocks(g) || !(StockGamma(g) > 0) {
		return true
	}
	return StockRelease(g) >= minStockRelease
}

// JointRules returns why spec s breaks a joint rule of its parameters, or
// "" when it keeps them all: the stock-cycle rule (StockCycleOK) and the
// stock-release rule (StockReleaseOK) in every region, the crop rule in
// every region that a demand-driver event (EventDemandDriver, its drivers
// and events) reaches with an elasticity θ > 0: θ at most MaxCropEpsRatio
// times the region's demand elasticity ε (to a relative 1e-9), and the
// conduct rule: the market's conduct markups calibrate (none leaves a
// supplier's mines less than a tenth of its base netback). Monte Carlo
// draws keep them (docs/MODEL.md §9.1).
func JointRules(s *Spec) string {
	_, why, _ := jointRules(s, nil, false)
	return why
}

// jointRules is JointRules, skipping the stock-cycle and stock-release
// rules in the regions whose fields of the rules equal those of same's
// region, and the conduct rule when the markets are equal (same nil:
// none), and naming the rule broken (RuleStockCycle, RuleRelease,
// RuleCrop, RuleConduct; "" when none is). When s keeps the rules, cal
// is the Calibrated of s's market the conduct rule built (conductRule;
// own as calibrate's), nil when the rule did not calibrate it.
func jointRules(s, same *Spec, own bool) (rule, why string, cal *Calibrated) {
	m := s.Market
	for r := range m.Regions {
		g := &m.Regions[r]
		if same != nil && r < len(same.Market.Regions) && sameStockCycle(g, &same.Market.Regions[r]) {
			continue
		}
		if !StockCycleOK(g) {
			z, per := StockCycle(g)
			return RuleStockCycle, fmt.Sprintf("the stock-cycle rule: region %s's stock cycle has modulus %.4g (period %.0f months), at most %g is valid", g.Name, z, per, maxStockCycleRadius), nil
		}
		if !StockReleaseOK(g) {
			return RuleRelease, fmt.Sprintf("the stock-release rule: region %s's stocks move %.3g%% of their target a month for each 1%% of price above the expected price (stock speed %.4g times stock response %.4g over carrying cost %.4g), at least %g%% is valid",
				g.Name, StockRelease(g), g.StockAdjust, g.StockResponse, g.CarryCost, minStockRelease), nil
		}
	}
	for _, evs := range [][]Event{s.Drivers, s.Events} {
		for k := range evs {
			e := &evs[k]
			if e.Kind != EventDemandDriver || !(e.Aux[1] > 0) {
				continue
			}
			r0, r1 := span(e.Region, len(m.Regions))
			for r := r0; r < r1; r++ {
				if eps := m.Regions[r].Eps; e.Aux[1] > maxCropEpsRatio*eps*(1+cropRuleTol) {
					return RuleCrop, fmt.Sprintf("the crop rule: region %s's crop-price elasticity %.4g is more than %g times its demand elasticity %.4g", m.Regions[r].Name, e.Aux[1], maxCropEpsRatio, eps), nil
				}
			}
		}
	}
	if same == nil || !marketsEqual(m, same.Market) {
		why, cal := conductRule(m, own)
		if why != "" {
			return RuleConduct, why, nil
		}
		return "", "", cal
	}
	return "", "", nil
}

// conductRule returns why market m's conduct markups do not calibrate
// (calibrateConduct: a markup that leaves a supplier's mines less than a
// tenth of its base netback), "" when they do or no supplier of m states
// its conduct φ (a conduct stated as a gap share always calibrates or
// fails the draw: calibrateConduct), or when m fails calibration before
// the conduct (the draw then fails and says why). cal is the
// Calibrated it built when m's markups calibrate (calibrate's, own as
// there: a Monte Carlo draw hands it to the draw's run, which then
// calibrates no more), nil when it built none.
func conductRule(m *Market, own bool) (why string, cal *Calibrated) {
	if direct, _ := conductStated(m); !direct {
		return "", nil
	}
	c, base, conduct := calibrateSteps(m, own)
	switch {
	case base != nil:
		return "", nil
	case conduct != nil:
		return "the conduct rule: " + conduct.Error(), nil
	}
	return "", c
}

// sameStockCycle reports whether regions a and b have the same fields of
// the stock-cycle rule (StockCycle reads nothing else).
func sameStockCycle(a, b *Region) bool {
	return a.Adjust == b.Adjust && a.Eps == b.Eps && a.StockMonths == b.StockMonths && a.StockAdjust == b.StockAdjust &&
		a.StockResponse == b.StockResponse && a.CarryCost == b.CarryCost && a.ExpectAdjust == b.ExpectAdjust
}

// applyCandidate applies the next candidate of rng's stream to s and c:
// for each Uncertain in order one uniformOpen variate u and the value
// Dist.Quantile(u), the variates of a copula's members correlated first
// (gs, copulaPlan; applyCopulaCandidate). It returns why a value could
// not be applied.
func applyCandidate(rng *rand.Rand, s, c *Spec, unc []Uncertain, gs []copulaGroup) string {
	if len(gs) > 0 {
		return applyCopulaCandidate(rng, s, c, unc, gs)
	}
	for k := range unc {
		u := &unc[k]
		if why := applyValue(u, s, c, u.Dist.Quantile(uniformOpen(rng))); why != "" {
			return why
		}
	}
	return ""
}

// applyValue applies value v of u to s and c; it returns why it could not.
func applyValue(u *Uncertain, s, c *Spec, v float64) string {
	if err := u.Apply(s, v); err != nil {
		return fmt.Sprintf("%s = %g: %v", u.Name, v, err)
	}
	if err := u.Apply(c, v); err != nil {
		return fmt.Sprintf("%s = %g (counterfactual): %v", u.Name, v, err)
	}
	return ""
}

// drawRules returns which joint rule draw s, c breaks and why ("", ""
// when neither does).
func drawRules(s, c *Spec) (rule, why string) {
	rule, why, _ = drawRulesCal(s, c, false)
	return rule, why
}

// pairCal holds the Calibrated of a draw's scenario and counterfactual
// markets that the conduct rule built (conductRule), nil where it built
// none.
type pairCal struct{ s, c *Calibrated }

// drawRulesCal is drawRules that also returns, when the draw keeps the
// rules, the Calibrated the conduct rule built; own says that the
// caller hands both specs' markets over (calibrate).
func drawRulesCal(s, c *Spec, own bool) (rule, why string, cal pairCal) {
	rule, why, cf, cal := pairRules(s, c, own)
	if cf {
		why = "counterfactual: " + why
	}
	return rule, why, cal
}

// PairRules returns which joint rule (RuleStockCycle, RuleRelease,
// RuleCrop, RuleConduct) the scenario s or its counterfactual c breaks
// and why, s first ("", "" when neither does); cf reports that c broke
// it. The counterfactual shares the scenario's market values: its stock
// cycles are checked only where its regions differ from the scenario's.
// Monte Carlo draws and sweep points keep the rules of both.
func PairRules(s, c *Spec) (rule, why string, cf bool) {
	rule, why, cf, _ = pairRules(s, c, false)
	return rule, why, cf
}

// pairRules is PairRules that also returns, when neither spec breaks a
// rule, the Calibrated the conduct rule built (jointRules; own as
// there).
func pairRules(s, c *Spec, own bool) (rule, why string, cf bool, cal pairCal) {
	if rule, why, cal.s = jointRules(s, nil, own); why != "" {
		return rule, why, false, pairCal{}
	}
	if rule, why, cal.c = jointRules(c, s, own); why != "" {
		return rule, why, true, pairCal{}
	}
	return "", "", false, cal
}

// Truncation measures how much of the box of draws of unc the joint rules
// cut away: of a fixed pilot sample of PilotDraws candidates (the first
// candidate of MonteCarlo's draws 0 … PilotDraws−1 with a fixed seed, so
// the share does not depend on the run's seed), how many break a joint
// rule (JointRules) and why the first of them does. A candidate whose
// values cannot be applied counts as kept (MonteCarlo reports it as a
// failed draw). It is TruncationRule without the rule's name.
func Truncation(scen, cf *Spec, unc []Uncertain) (rejected, n int, first string) {
	rejected, n, _, first = TruncationRule(scen, cf, unc)
	return rejected, n, first
}

// TruncationRule is Truncation that also names the joint rule the first
// rejected candidate breaks: rule is RuleStockCycle, RuleRelease,
// RuleCrop or RuleConduct, as PairRules names it, and "" when no
// candidate is rejected. first says why, prefixed "counterfactual: "
// when the candidate's counterfactual broke it.
func TruncationRule(scen, cf *Spec, unc []Uncertain) (rejected, n int, rule, first string) {
	if len(unc) == 0 {
		return 0, PilotDraws, "", ""
	}
	gs, err := copulaPlan(unc)
	if err != nil {
		return 0, PilotDraws, "", "" // MonteCarlo refuses the copulas
	}
	// Each candidate sets every drawn value, so one clone serves all.
	s, c := scen.Clone(), cf.Clone()
	for d := range PilotDraws {
		rng := rand.New(rand.NewPCG(pilotSeed, uint64(d)))
		if applyCandidate(rng, s, c, unc, gs) != "" {
			continue
		}
		if r, why := drawRules(s, c); why != "" {
			if rejected == 0 {
				rule, first = r, why
			}
			rejected++
		}
	}
	return rejected, PilotDraws, rule, first
}
