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
// writes values. The box is not cut to the joint rules (the crop rule,
// the stock-cycle rule): the Monte Carlo rejects a draw that breaks one
// and draws again (docs/MODEL.md §9.1), so that the draws are the
// posterior truncated to the rules rather than to a box inside them.
// The estimates stay inside.
func UncertainRanges(fit []Fitted) map[string][2]float64 {
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
	return out
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
	rs := UncertainRanges(fit)
	var b strings.Builder
	b.WriteString(beginUncertain)
	b.WriteString("  # The back-test's posterior (docs/BACKTEST.md, \"Uncertainty of the\n" +
		"  # estimates\"): each estimate as mean, its posterior sd (the Laplace\n" +
		"  # approximation, the autocorrelated months' information divided by\n" +
		"  # kappa), truncated to the range the fit searched. The box is not\n" +
		"  # cut to the joint rules: the Monte Carlo rejects a draw that breaks\n" +
		"  # one (the crop, stock-cycle, stock-release and conduct rules) and\n" +
		"  # draws again, about a third of them (docs/MODEL.md 9.1). The\n" +
		"  # posterior's correlations are in the correlations section\n" +
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
