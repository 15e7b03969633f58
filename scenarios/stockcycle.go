package scenarios

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/potash-sim/potash/model"
)

// The stock-cycle rule (docs/MODEL.md §9.1, "The stock-cycle rule"): in
// every region that holds stocks, the modulus of the linearised stock
// cycle (model.StockCycle) of its demand speed and elasticity, stock
// parameters and expectation speed is at most model.MaxStockCycleRadius.
// The validator checks it on the market (after overrides and --set): a
// market that breaks it is an error. Over the box of draws it is a
// truncation: a corner beyond the rule is a warning giving the share of
// a pilot sample the Monte Carlo will reject and redraw (model.JointRules,
// model.Truncation), and runs with draws are refused (DrawsRefused) when
// that share exceeds MaxRejectedShare.

// stockCycleKeys are the region fields the stock-cycle rule reads, in
// the order its messages list them; blameKey is the one named when the
// market file itself (no override) breaks the rule.
var stockCycleKeys = []string{"demand_adjustment_per_month", "demand_elasticity", "stock_to_use_months",
	"stock_adjustment_per_month", "stock_response", "carrying_cost_pct_per_month", "price_expectation_speed_per_month"}

const blameKey = "price_expectation_speed_per_month"

// stockRegion returns region r of mf as the model.Region fields the
// rule reads (file units converted as regionFields do).
func stockRegion(mf *MarketFile, r int) model.Region {
	g := model.Region{Name: mf.Regions[r].Name}
	m := &model.Market{Regions: []model.Region{g}}
	for _, k := range stockCycleKeys {
		f, _ := findField(regionFields, k)
		f.set(m, 0, 0, f.num(mf, r, 0).Value*f.scale)
	}
	return m.Regions[0]
}

// setStockKey sets field key of g to v in file units.
func setStockKey(g *model.Region, key string, v float64) {
	f, _ := findField(regionFields, key)
	m := &model.Market{Regions: []model.Region{*g}}
	f.set(m, 0, 0, v*f.scale)
	*g = m.Regions[0]
}

// stockCycleMessage says why region g breaks the stock-cycle rule.
func stockCycleMessage(g *model.Region) string {
	r, per := model.StockCycle(g)
	return fmt.Sprintf("region %s's stock cycle is damped too weakly: its monthly modulus is %s (period %.0f months), at most %g is valid "+
		"(demand_adjustment_per_month %.4g, demand_elasticity %.4g, stock_to_use_months %.4g, stock_adjustment_per_month %.4g, "+
		"stock_response %.4g, carrying_cost_pct_per_month %.4g, price_expectation_speed_per_month %.4g); "+
		"raise demand_adjustment_per_month, or lower price_expectation_speed_per_month or stock_response "+
		"(beyond, stocks bought in a price trough and a fast-moving expected price drive a cycle that grows to implausible prices; "+
		"docs/MODEL.md §9.1, \"The stock-cycle rule\")",
		g.Name, aboveText(r, model.MaxStockCycleRadius()), per, model.MaxStockCycleRadius(), g.Adjust, g.Eps, g.StockMonths, g.StockAdjust, g.StockResponse, 100*g.CarryCost, g.ExpectAdjust)
}

// aboveText writes v, which lies above limit, to 4 significant digits,
// or to as many more as it takes not to read as limit or below it (a
// modulus of 0.950003 against 0.95 is "0.950003", not "0.95").
func aboveText(v, limit float64) string {
	for prec := 4; prec < 17; prec++ {
		s := strconv.FormatFloat(v, 'g', prec, 64)
		if x, err := strconv.ParseFloat(s, 64); err == nil && (x > limit || v <= limit) {
			return s
		}
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// stockFieldsValid reports whether region r's fields of the rule are
// each in their valid range (else their range errors come first).
func stockFieldsValid(mf *MarketFile, r int) bool {
	for _, k := range stockCycleKeys {
		f, _ := findField(regionFields, k)
		if !f.valid.ok(f.num(mf, r, 0).Value) {
			return false
		}
	}
	return true
}

// validateStockCycle checks the stock-cycle rule in every region of mf
// that holds stocks, reported at the override that broke it (the first
// of the rule's fields overridden in the region, by a file or --set),
// else at the region's price_expectation_speed_per_month.
func (l *loader) validateStockCycle(mf *MarketFile, d *doc, at func(string) string) {
	reported := map[string]bool{}
	for r := range mf.Regions {
		if !(mf.Regions[r].StockMonths.Value > 0) || !stockFieldsValid(mf, r) {
			continue
		}
		g := stockRegion(mf, r)
		if model.StockCycleOK(&g) {
			continue
		}
		o, ok := l.stockOverride(g.Name)
		l.reportJointRule(RuleStockCycle, SeverityError, reported, o, ok, d, at(fmt.Sprintf("regions[%d].%s", r, blameKey)), stockCycleMessage(&g))
	}
}

// stockOverride returns the override (a file's or a --set) of the first
// of the stock-cycle rule's fields of region name (stockCycleKeys'
// order), and whether one was overridden.
func (l *loader) stockOverride(name string) (ovRef, bool) {
	for _, k := range stockCycleKeys {
		if o, ok := l.overriddenBy["market.regions."+name+"."+k]; ok {
			return o, true
		}
	}
	return ovRef{}, false
}

// reportJointRule reports msg, a joint rule of several fields (the
// stock-cycle rule, the crop rule θ/ε) broken in the market (an error) or
// at a corner of the box of draws (a warning, boxCorner), with severity
// sev: at o, the override (a file's or a --set) that broke it, once per
// override (reported), when ok; else at field of document d.
func (l *loader) reportJointRule(rule string, sev Severity, reported map[string]bool, o ovRef, ok bool, d *doc, field, msg string) {
	if ok && reported[o.key] {
		return
	}
	l.diags = append(l.diags, jointRuleDiag(rule, sev, o, ok, d, field, msg))
	if ok {
		reported[o.key] = true
	}
}

// jointRuleDiag is reportJointRule's diagnostic: at o, the override (a
// file's or a --set) that broke the rule, when ok; else at field of
// document d.
func jointRuleDiag(rule string, sev Severity, o ovRef, ok bool, d *doc, field, msg string) Diagnostic {
	var dg Diagnostic
	switch {
	case !ok:
		dg = diagAt(sev, d, field, msg)
	case o.doc == nil:
		dg = setDiagAt(sev, "market."+o.path, msg)
	default:
		dg = diagAt(sev, o.doc, "market.overrides."+o.key, msg)
	}
	dg.Rule = rule
	return dg
}

// boxCorner reports msg, a corner of the box of draws that breaks a joint
// rule, as a warning (reportJointRule) and keeps it as the box's
// diagnostic: once the scenario's draws are built, truncate measures the
// share of them the rules reject and completes it. Only the first corner
// is reported.
func (l *loader) boxCorner(rule string, o ovRef, ok bool, d *doc, field, msg string) {
	if l.box >= 0 {
		return
	}
	n := len(l.diags)
	l.reportJointRule(rule, SeverityWarning, map[string]bool{}, o, ok, d, field, msg)
	if len(l.diags) > n {
		l.box = n
	}
}

// checkStockCycleDraws checks the stock-cycle rule over every corner of
// the box of draws: in each region that holds stocks, each of the rule's
// fields drawn (by any entry) at both ends of its draws, the others at
// the market's values. The first corner that breaks it is a warning
// (boxCorner) at the override or --set of one of the rule's fields in the
// region that moved the box beyond it, else at the entry that draws the
// expectation speed (else the last entry that draws one of the rule's
// fields): the Monte Carlo rejects and redraws the draws beyond the rule.
func (l *loader) checkStockCycleDraws(unc []uncChecked, mf *MarketFile) {
	if mf == nil {
		return
	}
	for r := range mf.Regions {
		g := &mf.Regions[r]
		if !(g.StockMonths.Value > 0) || !stockFieldsValid(mf, r) {
			continue
		}
		var ds []stockDraw
		at := -1
		for k, u := range unc {
			for _, p := range u.paths {
				rest, ok := strings.CutPrefix(p, "market.regions."+g.Name+".")
				if !ok {
					continue
				}
				for _, key := range stockCycleKeys {
					if rest == key {
						ds = append(ds, stockDraw{key, u.dist.Quantile(0), u.dist.Quantile(1)})
						if at < 0 || key == blameKey {
							at = k
						}
					}
				}
			}
		}
		if len(ds) == 0 {
			continue
		}
		c0 := stockRegion(mf, r)
		if !model.StockCycleOK(&c0) {
			continue // a market breaking the rule is validateStockCycle's error
		}
		u := unc[at].ref
		// An override or --set of one of the rule's fields moved the box
		// beyond it: reported there.
		o, ok := l.stockOverride(g.Name)
		field := fmt.Sprintf("uncertainty[%d].dist", u.idx)
		// Beyond 12 fields drawn the corners are too many to walk (4,096):
		// pilotCheck measures the box with its inside.
		var c model.Region
		broken := false
		if len(ds) <= 12 {
			c, broken = firstBrokenCorner(c0, ds)
		}
		if broken {
			l.boxCorner(RuleStockCycle, o, ok, u.doc, field,
				fmt.Sprintf("a corner of the draws of uncertainty[%d] breaks the stock-cycle rule: %s", u.idx, stockCycleMessage(&c)))
			return
		}
		if l.inside == nil {
			// The corners keep the rule, but its modulus need not be
			// largest at a corner: truncate leaves the inside to
			// pilotCheck, located here.
			d := jointRuleDiag(RuleStockCycle, SeverityError, o, ok, u.doc, field, fmt.Sprintf("uncertainty[%d]", u.idx))
			l.inside = &d
		}
	}
}

// stockRuleBound narrows the valid bound of path, a region field of the
// stock-cycle rule (market.regions.NAME.KEY, NAME may be *), to the
// values that keep the rule with the region's other fields held at mf's
// values, in every region it names that holds stocks and keeps the rule
// at mf's values (the interval around mf's value, by bisection to 1e-9
// relative; an end that keeps the rule stays). The box of draws does not
// narrow it: draws beyond the rule are rejected and redrawn (model.
// JointRules). Other paths keep b.
func stockRuleBound(path string, b bound, mf *MarketFile) bound {
	rest, ok := strings.CutPrefix(path, "market.regions.")
	i := strings.LastIndex(rest, ".")
	if mf == nil || !ok || i < 0 {
		return b
	}
	name, key := rest[:i], rest[i+1:]
	if !slices.Contains(stockCycleKeys, key) {
		return b
	}
	f, _ := findField(regionFields, key)
	for r := range mf.Regions {
		rn := mf.Regions[r].Name
		if name != "*" && rn != name {
			continue
		}
		if !(mf.Regions[r].StockMonths.Value > 0) || !stockFieldsValid(mf, r) {
			continue
		}
		g := stockRegion(mf, r)
		okAt := func(v float64) bool {
			c := g
			setStockKey(&c, key, v)
			return model.StockCycleOK(&c)
		}
		v0 := f.num(mf, r, 0).Value
		if !okAt(v0) {
			continue
		}
		if !math.IsInf(b.lo, -1) && b.lo < v0 && !okAt(b.lo) {
			b.lo, b.loStrict = ruleEdge(v0, b.lo, okAt), false
		}
		if !math.IsInf(b.hi, 1) && b.hi > v0 && !okAt(b.hi) {
			b.hi = ruleEdge(v0, b.hi, okAt)
		}
	}
	return b
}

// stockDraw is one of the rule's fields drawn by an uncertainty entry:
// its key and the two ends of its draws.
type stockDraw struct {
	key    string
	lo, hi float64
}

// StockBoxBroken returns the first corner of box on region g that breaks
// the stock-cycle rule (model.StockCycleOK), and whether there is one:
// box holds ranges [lo, hi] of the region fields the rule reads, by
// their key in a market file (demand_elasticity, stock_response, …, file
// units; other keys are ignored), and a corner puts each at one end, the
// region's other fields as in g. The back-test's box of draws is cut with
// it (internal/backtest), the validator's corners are the same walk
// (firstBrokenCorner).
func StockBoxBroken(g model.Region, box map[string][2]float64) (model.Region, bool) {
	var ds []stockDraw
	for _, k := range stockCycleKeys {
		if r, ok := box[k]; ok {
			ds = append(ds, stockDraw{k, r[0], r[1]})
		}
	}
	return firstBrokenCorner(g, ds)
}

// firstBrokenCorner returns the first corner of ds's draws on region g
// (each drawn field at one end of its draws, the others at g's values;
// bit j of the corner's number puts ds[j] at its top) that breaks the
// stock-cycle rule, and whether there is one.
func firstBrokenCorner(g model.Region, ds []stockDraw) (model.Region, bool) {
	for m := range 1 << len(ds) {
		c := g
		for j, d := range ds {
			v := d.lo
			if m>>j&1 == 1 {
				v = d.hi
			}
			setStockKey(&c, d.key, v)
		}
		if !model.StockCycleOK(&c) {
			return c, true
		}
	}
	return model.Region{}, false
}

// ruleEdge returns the edge between good, where ok holds, and bad, where
// it does not, by bisection to 1e-9 relative: the value nearest bad known
// to keep ok.
func ruleEdge(good, bad float64, ok func(float64) bool) float64 {
	for math.Abs(bad-good) > 1e-9*math.Abs(good) {
		if m := (bad + good) / 2; ok(m) {
			good = m
		} else {
			bad = m
		}
	}
	return good
}
