package scenarios

import (
	"fmt"
	"slices"
	"strings"

	"github.com/potash-sim/potash/model"
)

// releaseKeys are a region's fields of the stock-release rule
// (model.StockReleaseOK: φ·β/c at least model.MinStockRelease), in the
// order a warning looks for the override that set one.
var releaseKeys = []string{"stock_adjustment_per_month", "stock_response", "carrying_cost_pct_per_month"}

// checkReleaseCentral warns of each region whose central values break
// the stock-release rule while the draws unc reach one of its fields of
// the rule (releaseKeys) in that region: the central run runs (the
// validator does not refuse a market below the rule, docs/MODEL.md §9.1),
// but every draw near those values is rejected and redrawn, so the
// draws do not spread around the central run. The warning is located at
// the override or --set of the first of the region's fields of the rule
// that one set (jointRuleDiag), else at the region's
// stock_adjustment_per_month in the market (m.marketDoc). Without draws
// there is nothing to warn of.
func (l *loader) checkReleaseCentral(unc []uncChecked, mf *MarketFile, m *merged) {
	if mf == nil || len(unc) == 0 {
		return
	}
	for r := range mf.Regions {
		name := mf.Regions[r].Name
		if !(mf.Regions[r].StockMonths.Value > 0) || !stockFieldsValid(mf, r) || !releaseDrawn(unc, name) {
			continue
		}
		g := stockRegion(mf, r)
		if model.StockReleaseOK(&g) {
			continue
		}
		var o ovRef
		ok := false
		for _, k := range releaseKeys {
			if o, ok = l.overriddenBy["market.regions."+name+"."+k]; ok {
				break
			}
		}
		field := "market.base"
		if m.marketInline != nil {
			field = fmt.Sprintf("market.inline.regions[%d].stock_adjustment_per_month", r)
		}
		val := func(k string) float64 {
			f, _ := findField(regionFields, k)
			return f.num(mf, r, 0).Value
		}
		msg := fmt.Sprintf("region %s's central values break the stock-release rule: its stocks move %.3g%% of their target a month for each 1%% of price above the expected price "+
			"(φ·β/c: stock_adjustment_per_month %g × stock_response %g / carrying_cost_pct_per_month %g%%), and at least %g%% keeps it (docs/MODEL.md §9.1, \"The stock-release rule\"): "+
			"the central run runs, but the draws reach these fields and every draw near these values is rejected and redrawn, so the draws do not spread around it; "+
			"raise stock_adjustment_per_month or stock_response, or lower carrying_cost_pct_per_month",
			name, model.StockRelease(&g), val("stock_adjustment_per_month"), val("stock_response"), val("carrying_cost_pct_per_month"), model.MinStockRelease())
		l.diags = append(l.diags, jointRuleDiag(RuleRelease, SeverityWarning, o, ok, m.marketDoc(), field, msg))
	}
}

// releaseDrawn reports whether an entry of unc draws one of region
// name's fields of the stock-release rule.
func releaseDrawn(unc []uncChecked, name string) bool {
	for _, u := range unc {
		for _, p := range u.paths {
			if k, ok := strings.CutPrefix(p, "market.regions."+name+"."); ok && slices.Contains(releaseKeys, k) {
				return true
			}
		}
	}
	return false
}
