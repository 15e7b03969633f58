package backtest

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/scenarios"
)

// The files the published fit is written into (paths from the module
// root): the base dataset's behavioural parameters and the history
// scenario's risk cost and uncertainty section, which every built-in
// extends. `go test ./internal/backtest -run Golden -update` rewrites them
// from the fit (ApplyToMarket, ApplyToHistory); `go test ./internal/backtest`
// fails when they differ from what the fit writes.
//
// The dataset is scenarios.DefaultMarket, the market of the history
// scenario (which names none, and which every built-in extends):
// MarketPath is its file, and scenarios.BaseMarket(scenarios.DefaultMarket) its regions,
// whose stock-to-use ratios and carrying costs enter the stock-cycle rule
// of the box of draws. (scenarios.MarketFile is the type of such a file's
// contents, not a path.)
const (
	MarketPath  = "scenarios/data/" + scenarios.DefaultMarket + ".yaml"
	HistoryPath = "scenarios/builtin/history.yaml"
)

// Fitted is the published estimate of one parameter as the built-ins
// use it: its name (ParamCropElasticity, …), the estimate, its posterior
// standard deviation and 95% interval, the range it was fitted over, and
// its posterior correlations with the others.
type Fitted struct {
	Name  string
	Value float64
	// Corr are the posterior correlations with the other parameters, by
	// name (nil when the fit has no covariance).
	Corr map[string]float64
	// SD is the posterior standard deviation (FitResult.SE; NaN when the
	// fit has none).
	SD       float64
	CI       [2]float64
	Range    model.Range // the documented range the fit searched (Param.Range)
	From, To model.Month // the fit's window
}

// FittedValues returns the estimates of f as Fitted values.
func FittedValues(f *FitResult) []Fitted {
	out := make([]Fitted, len(f.Params))
	for j, p := range f.Params {
		ci := [2]float64{p.Range.Lo, p.Range.Hi}
		if j < len(f.CI) {
			ci = f.CI[j]
		}
		sd := math.NaN()
		if j < len(f.SE) {
			sd = f.SE[j]
		}
		out[j] = Fitted{Name: p.Name, Value: f.Values[j], SD: sd, CI: ci, Range: p.Range, From: f.From, To: f.To}
		if j < len(f.Cov) && sd > 0 {
			out[j].Corr = map[string]float64{}
			for k, q := range f.Params {
				if k < len(f.SE) && f.SE[k] > 0 && k < len(f.Cov[j]) {
					out[j].Corr[q.Name] = f.Cov[j][k] / (sd * f.SE[k])
				}
			}
		}
	}
	return out
}

// fittedDigits is the number of significant digits the dataset carries
// of an estimate and of its interval: far below the estimates' standard
// errors.
const fittedDigits = 3

func fmtFitted(v float64) string { return strconv.FormatFloat(v, 'g', fittedDigits, 64) }

func roundFitted(v float64) float64 {
	r, _ := strconv.ParseFloat(fmtFitted(v), 64)
	return r
}

// Source is the source text the dataset gives a fitted value: the fit's
// window and its 95% confidence interval, rounded outward.
func (f Fitted) Source() string {
	return fmt.Sprintf("estimated: back-test fit %v..%v (docs/BACKTEST.md), 95%% CI [%s, %s]",
		f.From, f.To, fmtFitted(roundDown(f.CI[0])), fmtFitted(roundUp(f.CI[1])))
}

// marketKeys maps each fitted parameter to its key in the base dataset
// (every region's or supplier's entry, or the crop-price driver's).
var marketKeys = map[string]string{
	ParamDemandElast:    "demand_elasticity",
	ParamDemandAdjust:   "demand_adjustment_per_month",
	ParamStockAdjust:    "stock_adjustment_per_month",
	ParamStockResponse:  "stock_response",
	ParamExpectAdjust:   "price_expectation_speed_per_month",
	ParamSupplyElast:    "supply_elasticity",
	ParamSupplyAdjust:   "supply_adjustment_per_month",
	ParamCropElasticity: "elasticity",
	ParamCropLag:        "lag_months",
}

// numLine is a dataset number written on one line: indent, key, value,
// source and the rest (range, closing brace).
var numLine = regexp.MustCompile(`^(\s+)([a-z_]+): \{value: [^,]+, source: "[^"]*"(.*)$`)

// ApplyToMarket returns the base dataset YAML data with every fitted
// parameter's entries (in every region or supplier, and the crop-price
// driver's elasticity and lag) set to the estimate, rounded to three
// significant digits, with the fit and its interval as source. Other
// lines are kept byte for byte. It fails when a parameter has no entry.
func ApplyToMarket(data []byte, fit []Fitted) ([]byte, error) {
	byKey := map[string]Fitted{}
	for _, f := range fit {
		if k, ok := marketKeys[f.Name]; ok {
			byKey[k] = f
		}
	}
	lines := strings.Split(string(data), "\n")
	seen := map[string]int{}
	inCrop := false
	for i, l := range lines {
		if t := strings.TrimSpace(l); strings.HasSuffix(t, ":") && !strings.HasPrefix(t, "#") {
			// A section header: the driver's keys count only under
			// drivers.crop_prices.
			inCrop = t == "crop_prices:"
		}
		m := numLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		key := m[2]
		f, ok := byKey[key]
		if !ok || (key == "elasticity" || key == "lag_months") != inCrop {
			continue
		}
		lines[i] = fmt.Sprintf("%s%s: {value: %s, source: %q%s", m[1], key, fmtFitted(f.Value), f.Source(), m[3])
		seen[key]++
	}
	for k := range byKey {
		if seen[k] == 0 {
			return nil, fmt.Errorf("backtest: the dataset has no %s entry for the fitted %s", k, byKey[k].Name)
		}
	}
	return []byte(strings.Join(lines, "\n")), nil
}

// The generated part of the history scenario's uncertainty section, and
// of its correlations section (optional: ApplyToHistory writes it when the
// file has it).
const (
	beginUncertain = "  # BEGIN fitted: generated by go test ./internal/backtest -run Golden -update; do not edit\n"
	endUncertain   = "  # END fitted\n"
	beginCorr      = "  # BEGIN fitted correlations: generated by go test ./internal/backtest -run Golden -update; do not edit\n"
	endCorr        = "  # END fitted correlations\n"
)

// uncertainPaths maps each fitted parameter to the scenario path its
// Monte Carlo draws set.
var uncertainPaths = []struct{ name, path string }{
	{ParamCropElasticity, "market.drivers.crop_prices.elasticity"},
	{ParamCropLag, "market.drivers.crop_prices.lag_months"},
	{ParamDemandElast, "market.regions.*.demand_elasticity"},
	{ParamDemandAdjust, "market.regions.*.demand_adjustment_per_month"},
	{ParamSupplyElast, "market.suppliers.*.supply_elasticity"},
	{ParamSupplyAdjust, "market.suppliers.*.supply_adjustment_per_month"},
	{ParamStockAdjust, "market.regions.*.stock_adjustment_per_month"},
	{ParamStockResponse, "market.regions.*.stock_response"},
	{ParamExpectAdjust, "market.regions.*.price_expectation_speed_per_month"},
	{ParamDiscount, "events." + DiscountEventID + ".pct"},
	{ParamPrecaution, "events." + PrecautionEventID + ".pct"},
}

// validRanges are the valid ranges (model units as in the file) of the
// fitted parameters' scenario fields.
func validRange(name string) model.Range {
	switch name {
	case ParamCropElasticity:
		return scenarios.CropElasticityRange()
	case ParamCropLag:
		return scenarios.CropLagRange()
	case ParamDemandElast:
		return model.RangeEps()
	case ParamDemandAdjust:
		return model.RangeDemandAdjust()
	case ParamSupplyElast:
		return model.RangeEta()
	case ParamSupplyAdjust:
		return model.RangeSupplyAdjust()
	case ParamStockAdjust:
		return model.RangeStockAdjust()
	case ParamStockResponse:
		return model.RangeStockResponse()
	case ParamExpectAdjust:
		return model.RangeExpectAdjust()
	case ParamPrecaution:
		return scenarios.StockTargetPctRange() // a stock_target event, percent
	}
	return scenarios.RiskCostPctRange() // ParamDiscount: a risk cost, percent
}

// UncertainRanges returns, for each fitted parameter, the truncation
// [lower, upper] of the built-ins' Monte Carlo draws of it, a normal
// distribution with the estimate as mean and the posterior standard
// deviation as sd (ApplyToHistory): the range the fit searched (the
// posterior lives there: the fit's transform keeps every estimate
// inside it) cut at the valid range, rounded outward as the dataset
// writes values. When the box of θ and ε breaks the joint rule θ/ε ≤
// model.MaxCropEpsRatio, θ's upper end and ε's lower end are moved to
// the box that keeps it and loses the least probability (cropCut). The
// stock-cycle parameters are then cut so that every corner of the box
// keeps the stock-cycle rule in each of regions (stockCycleBox; none with
// nil regions). The estimates stay inside.
func UncertainRanges(fit []Fitted, regions []model.Region) map[string][2]float64 {
	out := map[string][2]float64{}
	for _, f := range fit {
		v := validRange(f.Name)
		r := f.Range
		if !(r.Lo < r.Hi) {
			r = v
		}
		lo, hi := math.Max(r.Lo, v.Lo), math.Min(r.Hi, v.Hi)
		est := roundFitted(f.Value)
		out[f.Name] = [2]float64{math.Min(roundUp(lo), est), math.Max(roundDown(hi), est)}
	}
	byName := map[string]Fitted{}
	for _, f := range fit {
		byName[f.Name] = f
	}
	c, okc := out[ParamCropElasticity]
	e, oke := out[ParamDemandElast]
	if okc && oke && c[1] > model.MaxCropEpsRatio()*e[0] {
		out[ParamCropElasticity], out[ParamDemandElast] = cropCut(byName[ParamCropElasticity], byName[ParamDemandElast], c, e)
	}
	// θ's upper end stays the crop cut's even when the stock-cycle cut
	// raises ε's lower end: raised to 3·ε_lo (1.08 with model 0.6.0's
	// fit), the corner of high θ with slow stocks priced Belarus at 21.7
	// times its base at the Klaipėda closure (TestStockCycleCorners).
	stockCycleBox(out, fit, regions)
	return out
}

// cropCut returns the box of θ (crop-price elasticity, drawn over c) and
// ε (demand elasticity, over e) that keeps θ_hi ≤ r·ε_lo (r =
// model.MaxCropEpsRatio) with the largest probability of the normal draws
// (mean the estimate, sd the posterior's, each truncated to its range):
// P(θ ≤ θ_hi)·P(ε ≥ ε_lo) over ε_lo on a grid of the dataset's rounding,
// θ_hi = r·ε_lo rounded down, both estimates kept inside.
func cropCut(th, ep Fitted, c, e [2]float64) ([2]float64, [2]float64) {
	r := model.MaxCropEpsRatio()
	tv, ev := roundFitted(th.Value), roundFitted(ep.Value)
	cdf := func(f Fitted, x float64) float64 {
		if !(f.SD > 0) {
			return 0.5 // no sd: the box's middle
		}
		return 0.5 * math.Erfc(-(x-f.Value)/(f.SD*math.Sqrt2))
	}
	best, bestP := [2][2]float64{c, e}, -1.0
	// ε_lo from the smallest that keeps θ's estimate (θ̂/r) to ε's
	// estimate.
	lo := math.Max(e[0], roundUp(tv/r))
	const steps = 2000
	for k := 0; k <= steps; k++ {
		el := roundUp(lo + (ev-lo)*float64(k)/steps)
		if el > ev {
			el = ev
		}
		thHi := math.Max(math.Min(roundDown(r*el), c[1]), tv)
		if thHi > r*el*(1+1e-12) {
			continue
		}
		p := (cdf(th, thHi) - cdf(th, c[0])) * (cdf(ep, e[1]) - cdf(ep, el))
		if p > bestP {
			bestP = p
			best = [2][2]float64{{c[0], thHi}, {el, e[1]}}
		}
	}
	return best[0], best[1]
}

// stockSide lists the fitted parameters of the stock-cycle rule
// (model.StockCycleOK) whose end the box construction moves: the end at
// which the cycle is least damped, lo for the demand elasticity ε and the
// demand speed μ, hi for the stock speed φ, the stock response β and the
// expectation speed ω.
var stockSide = []struct {
	name string
	hi   bool
}{
	{ParamDemandElast, false},
	{ParamDemandAdjust, false},
	{ParamStockAdjust, true},
	{ParamStockResponse, true},
	{ParamExpectAdjust, true},
}

// stockCycleBox narrows out, the box of draws, so that every corner of
// the stock-cycle parameters (ε, μ, φ, β, ω) keeps the stock-cycle rule
// in every region of regions (with the region's own stock-to-use ratio
// and carrying cost, which the fit does not move): the destabilising end
// of each (stockSide) is moved towards its estimate by the smallest
// common fraction t (bisection to 1e-4) at which all 32 corners keep
// model.StockCycleOK, then rounded inwards (ε's lower end, which the crop
// rule may already have raised, too). Nothing changes when the box
// already keeps the rule, or when a parameter of the rule is not fitted.
func stockCycleBox(out map[string][2]float64, fit []Fitted, regions []model.Region) {
	est := map[string]float64{}
	for _, f := range fit {
		est[f.Name] = roundFitted(f.Value)
	}
	for _, sd := range stockSide {
		if _, ok := est[sd.name]; !ok {
			return
		}
	}
	if _, ok := out[ParamDemandElast]; !ok {
		return
	}
	box := func(t float64) map[string][2]float64 {
		b := map[string][2]float64{}
		for _, sd := range stockSide {
			r := out[sd.name]
			if sd.hi {
				r[1] += t * (est[sd.name] - r[1])
			} else {
				r[0] += t * (est[sd.name] - r[0])
			}
			b[sd.name] = r
		}
		return b
	}
	ok := func(b map[string][2]float64) bool { return StockBoxOK(b, regions) }
	if ok(box(0)) {
		return
	}
	lo, hi := 0.0, 1.0
	for hi-lo > 1e-4 {
		if m := (lo + hi) / 2; ok(box(m)) {
			hi = m
		} else {
			lo = m
		}
	}
	b := box(hi)
	for _, sd := range stockSide {
		r := b[sd.name]
		if sd.hi {
			r[1] = math.Max(roundDown(r[1]), est[sd.name])
		} else {
			r[0] = math.Min(roundUp(r[0]), est[sd.name])
		}
		out[sd.name] = r
	}
}

// StockBoxOK reports whether every corner of box (the ranges of the
// demand elasticity ε and of the stockSide parameters, by their Param
// names, which are the market file's keys) keeps the stock-cycle rule,
// model.StockCycleOK, in every one of regions (their other parameters as
// given): scenarios.StockBoxBroken, the validator's corner walk.
func StockBoxOK(box map[string][2]float64, regions []model.Region) bool {
	for _, g := range regions {
		if _, broken := scenarios.StockBoxBroken(g, box); broken {
			return false
		}
	}
	return true
}

// roundDown and roundUp round to fittedDigits significant digits
// towards −∞ and +∞ (a value on that grid, up to floating-point error,
// stays where it is).
func roundDown(v float64) float64 {
	return roundDir(v, func(x float64) float64 { return math.Floor(x + 1e-9) })
}
func roundUp(v float64) float64 {
	return roundDir(v, func(x float64) float64 { return math.Ceil(x - 1e-9) })
}

func roundDir(v float64, f func(float64) float64) float64 {
	if v == 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return v
	}
	e := math.Pow(10, float64(fittedDigits-1)-math.Floor(math.Log10(math.Abs(v))))
	return roundFitted(f(v*e) / e)
}

// ApplyToHistory returns the history scenario YAML data with the
// risk cost of its DiscountEventID event and the stock-target rise of its
// PrecautionEventID event set to the estimates (three significant digits) and the generated block of its uncertainty section
// rewritten: each fitted parameter drawn from a normal distribution with
// the estimate as mean and its posterior standard deviation as sd,
// truncated to UncertainRanges (a parameter without a standard deviation
// or whose range is a single value is left out).
func ApplyToHistory(data []byte, fit []Fitted) ([]byte, error) {
	s := string(data)
	byName := map[string]Fitted{}
	for _, f := range fit {
		byName[f.Name] = f
	}
	if d, ok := byName[ParamDiscount]; ok {
		re := regexp.MustCompile(`(?m)^(  - id: ` + regexp.QuoteMeta(DiscountEventID) + `\n(?:    .*\n)*?    risk_cost: \{supplier: Belarus, region: all, pct: )[0-9.eE+-]+\}`)
		if !re.MatchString(s) {
			return nil, fmt.Errorf("backtest: %s has no event %s with a risk_cost on Belarus, all regions", HistoryPath, DiscountEventID)
		}
		s = re.ReplaceAllString(s, "${1}"+fmtFitted(d.Value)+"}")
	}
	if p, ok := byName[ParamPrecaution]; ok {
		re := regexp.MustCompile(`(?m)^(  - id: ` + regexp.QuoteMeta(PrecautionEventID) + `\n(?:    .*\n)*?    stock_target: \{region: all, pct: )[0-9.eE+-]+\}`)
		if !re.MatchString(s) {
			return nil, fmt.Errorf("backtest: %s has no event %s with a stock_target in all regions", HistoryPath, PrecautionEventID)
		}
		s = re.ReplaceAllString(s, "${1}"+fmtFitted(p.Value)+"}")
	}
	i := strings.Index(s, beginUncertain)
	j := strings.Index(s, endUncertain)
	if i < 0 || j < i {
		return nil, fmt.Errorf("backtest: %s has no block %q … %q in its uncertainty section", HistoryPath, beginUncertain, endUncertain)
	}
	base, err := scenarios.BaseMarket(scenarios.DefaultMarket)
	if err != nil {
		return nil, err
	}
	rs := UncertainRanges(fit, base.Regions)
	var b strings.Builder
	b.WriteString(beginUncertain)
	b.WriteString("  # The back-test's posterior (docs/BACKTEST.md, \"Uncertainty of the\n" +
		"  # estimates\"): each estimate as mean, its posterior sd (the Laplace\n" +
		"  # approximation, the autocorrelated months' information divided by\n" +
		"  # kappa), truncated to the range the fit searched; the crop-price and\n" +
		"  # demand elasticities cut to the most probable box in which no draw\n" +
		"  # breaks the crop-demand rule (docs/SCENARIOS.md, \"Drivers\"); the\n" +
		"  # demand and stock speeds, the stock response and the expectation\n" +
		"  # speed cut so that no corner breaks the stock-cycle rule (docs/MODEL.md\n" +
		"  # 9.1). The posterior's correlations are in the correlations section\n" +
		"  # when it has the generated block (docs/BACKTEST.md).\n")
	for _, up := range uncertainPaths {
		f, ok := byName[up.name]
		if !ok {
			continue
		}
		r := rs[up.name]
		if !(r[0] < r[1]) || !(f.SD > 0) {
			continue
		}
		fmt.Fprintf(&b, "  - {param: %s, dist: normal, mean: %s, sd: %s, lower: %s, upper: %s}\n",
			up.path, fmtFitted(f.Value), fmtFitted(f.SD), fmtFitted(r[0]), fmtFitted(r[1]))
	}
	// Hand-written entries for a parameter the block draws are dropped:
	// the fit's interval replaces them.
	drawn := map[string]bool{}
	for _, up := range uncertainPaths {
		if _, ok := byName[up.name]; ok {
			drawn[up.path] = true
		}
	}
	keep := func(part string) string {
		var out []string
		for _, l := range strings.SplitAfter(part, "\n") {
			if m := paramLine.FindStringSubmatch(l); m != nil && drawn[m[1]] {
				continue
			}
			out = append(out, l)
		}
		return strings.Join(out, "")
	}
	s = keep(s[:i]) + b.String() + keep(s[j:])
	if i, j := strings.Index(s, beginCorr), strings.Index(s, endCorr); i >= 0 && j > i {
		s = s[:i] + corrBlock(fit, rs) + s[j+len(endCorr):]
	}
	return []byte(s), nil
}

// corrBlock returns the generated correlations block: one group of every
// parameter the uncertainty block draws (ApplyToHistory) with its posterior
// correlations (Fitted.Corr) to two decimals as the matrix of the normal
// scores; an empty block when fewer than two have correlations.
func corrBlock(fit []Fitted, rs map[string][2]float64) string {
	byName := map[string]Fitted{}
	for _, f := range fit {
		byName[f.Name] = f
	}
	var names, paths []string
	for _, up := range uncertainPaths {
		f, ok := byName[up.name]
		if r := rs[up.name]; !ok || !(r[0] < r[1]) || !(f.SD > 0) || f.Corr == nil {
			continue
		}
		names, paths = append(names, up.name), append(paths, up.path)
	}
	var b strings.Builder
	b.WriteString(beginCorr)
	if len(names) >= 2 {
		b.WriteString("  # The back-test's posterior correlations (docs/BACKTEST.md, \"Uncertainty of\n" +
			"  # the estimates\"), to two decimals, as the correlations of the normal scores.\n")
		fmt.Fprintf(&b, "  - params:\n")
		for _, p := range paths {
			fmt.Fprintf(&b, "      - %s\n", p)
		}
		b.WriteString("    matrix:\n")
		for _, a := range names {
			var row []string
			for _, c := range names {
				v := 1.0
				if a != c {
					v = math.Round(100*byName[a].Corr[c]) / 100
				}
				row = append(row, strconv.FormatFloat(v+0, 'f', -1, 64))
			}
			fmt.Fprintf(&b, "      - [%s]\n", strings.Join(row, ", "))
		}
	}
	b.WriteString(endCorr)
	return b.String()
}

// paramLine is an uncertainty entry written on one line.
var paramLine = regexp.MustCompile(`^  - \{param: ([^,]+),`)
