package backtest

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/optimize"

	"github.com/potash-sim/potash/internal/numfmt"
	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/model"
)

// Direction says which way a statistic improves.
type Direction int

const (
	Lower  Direction = iota // smaller is better (errors)
	Higher                  // larger is better (correlations)
	Pinned                  // neither: a result that must not move unnoticed
)

func (d Direction) String() string {
	switch d {
	case Lower:
		return "lower is better"
	case Higher:
		return "higher is better"
	}
	return "pinned"
}

// MarshalText writes the direction as "lower", "higher" or "pinned".
func (d Direction) MarshalText() ([]byte, error) {
	switch d {
	case Lower:
		return []byte("lower"), nil
	case Higher:
		return []byte("higher"), nil
	}
	return []byte("pinned"), nil
}

// UnmarshalText reads what MarshalText writes.
func (d *Direction) UnmarshalText(b []byte) error {
	switch string(b) {
	case "lower":
		*d = Lower
	case "higher":
		*d = Higher
	case "pinned":
		*d = Pinned
	default:
		return fmt.Errorf("direction %q: want lower, higher or pinned", b)
	}
	return nil
}

// Stat is one named fit statistic, pinned by the golden test.
type Stat struct {
	Name   string    `json:"name"`
	Value  float64   `json:"value"`
	Unit   string    `json:"unit"`
	Better Direction `json:"better"`
}

// Statistics returns the report's statistics in a stable order. A
// statistic that is not defined (NaN, e.g. a correlation of constant
// changes) is left out.
func (r *Report) Statistics() []Stat {
	var out []Stat
	add := func(name, unit string, v float64, d Direction) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return
		}
		out = append(out, Stat{Name: name, Value: v, Unit: unit, Better: d})
	}
	for _, w := range []struct {
		name string
		s    Stats
	}{{"in_sample", r.InSample}, {"out_of_sample", r.OutSample}} {
		add(w.name+".rmse_log", "ln", w.s.RMSE, Lower)
		add(w.name+".abs_mean_error_log", "ln", math.Abs(w.s.MeanError), Lower)
		add(w.name+".change_corr", "1", w.s.ChangeCorr, Higher)
	}
	add("naive.out_of_sample.rmse_log", "ln", r.NaiveOut.RMSE, Pinned)
	add("change.out_of_sample.rmse_log", "ln", r.ChangeOut.RMSE, Lower)
	add("change.out_of_sample.abs_mean_error_log", "ln", math.Abs(r.ChangeOut.MeanError), Lower)
	dm := func(name string, t DMTest) {
		if t.OK() {
			add("dm."+name+".stat", "1", t.Stat, Pinned)
			add("dm."+name+".p_value", "1", t.P, Pinned)
		}
	}
	dm("out_of_sample.level", r.DMLevel)
	dm("out_of_sample.change", r.DMChange)
	add("peak.abs_month_error", "months", math.Abs(float64(r.PeakModel.Month-r.PeakRecord.Month)), Lower)
	add("peak.abs_height_error_log", "ln", math.Abs(math.Log(r.PeakModel.Value/r.PeakRecord.Value)), Lower)
	for _, e := range r.Exports {
		add(fmt.Sprintf("exports.%s.%d.abs_rel_error", e.Supplier, e.Year), "1", math.Abs(e.RelError), Lower)
		add(fmt.Sprintf("exports.%s.%d.abs_change_error", e.Supplier, e.Year), "1", math.Abs(e.ChangeError), Lower)
	}
	for j, p := range r.Params {
		add("param."+p.Name, p.Unit, r.ParamValues[j], Pinned)
	}
	failed := 0
	for k, d := range r.Decompositions {
		key := [...]string{"decomposition", "decomposition_peak", "decomposition_prior"}[min(k, 2)]
		add(key+".model_rise", "$/t", d.ModelRise, Pinned)
		for _, c := range d.Contributions {
			add(key+"."+strings.ReplaceAll(c.Factor, " ", "_"), "$/t", c.Value, Pinned)
		}
		add(key+".other", "$/t", d.Other, Pinned)
		failed += d.Failed
	}
	if rl := r.Rolling; rl != nil {
		for _, h := range rl.Stats {
			for _, m := range []struct {
				name string
				e    ErrStats
				d    Direction
			}{{"level", h.Level, Lower}, {"change", h.Change, Lower}, {"naive", h.Naive, Pinned}, {"ma", h.MA, Pinned}} {
				add(fmt.Sprintf("rolling.h%d.%s.mae_log", h.H, m.name), "ln", m.e.MAE, m.d)
				add(fmt.Sprintf("rolling.h%d.%s.rmse_log", h.H, m.name), "ln", m.e.RMSE, m.d)
			}
			dm(fmt.Sprintf("rolling.h%d.level", h.H), h.DMLevel)
			dm(fmt.Sprintf("rolling.h%d.change", h.H), h.DMChange)
		}
		for k, t := range rl.Nowcast.Months {
			add("nowcast.change."+t.String(), "1", rl.Nowcast.Change[k], Pinned)
		}
	}
	add("failed_months.fitted_path", "months", float64(r.Failed), Lower)
	add("failed_months.decomposition", "months", float64(failed), Lower)
	return out
}

// sigFixed formats v to n significant digits, keeping trailing zeros
// so that a column reads at one precision: 0.1 → "0.100" (n = 3) beside
// 0.181, not "0.1"; 0.00806 → "0.00806"; 19.6 → "19.6"; 1234 → "1,234"
// (never fewer digits than the integer part). "n/a" for NaN and ±Inf.
func sigFixed(v float64, n int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	if v == 0 {
		return num(0, max(0, n-1))
	}
	// The exponent after rounding to n digits: 0.09996 → 1.00e-01.
	e := strconv.FormatFloat(v, 'e', max(0, n-1), 64)
	exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	return num(v, max(0, n-1-exp))
}

// num formats v with dec decimals, thousands separators and a minus sign;
// "n/a" for NaN and ±Inf (numfmt.Number).
func num(v float64, dec int) string { return numfmt.Number(v, dec) }

// statusWords says the optimizer's status (gonum's optimize.Status, kept
// as is in backtest.json) in words: "FunctionEvaluationLimit" means
// nothing to a reader of the report.
func statusWords(status string) string {
	for _, w := range []struct{ status, words string }{
		{"FunctionEvaluationLimit", "stopped at its limit of simulations"},
		{"FunctionConvergence", "converged (the sum of squares stopped falling)"},
		{"GradientThreshold", "converged"},
		{"IterationLimit", "stopped at its limit of iterations"},
		{"RuntimeLimit", "stopped at its time limit"},
		{"MethodConverge", "converged (the simplex shrank to a point)"},
	} {
		if rest, ok := strings.CutPrefix(status, w.status); ok {
			return w.words + rest
		}
	}
	return status
}

// atLimit reports whether status is a search's stop at its limit of
// simulations (FitOptions.MaxEvals).
func atLimit(status string) bool {
	s, ok := parseStatus(status)
	return ok && s == optimize.FunctionEvaluationLimit
}

// searchWords says briefly how one search ended: "converged", "stopped
// at its limit" (of simulations) or statusWords, with any note kept.
func searchWords(status string) string {
	for _, w := range []struct {
		ok    func(string) bool
		words string
	}{{Converged, "converged"}, {atLimit, "stopped at its limit"}} {
		if w.ok(status) {
			_, rest, _ := strings.Cut(status, " ")
			if rest != "" {
				rest = " " + rest
			}
			return w.words + rest
		}
	}
	return statusWords(status)
}

// searchesVerdict says how searches with these statuses ended: how many
// converged, and that the others stopped at their limit of simulations
// (or otherwise), e.g. "none converged: each stopped at its limit", "all
// 3 converged", "14 converged, 2 stopped at their limit".
func searchesVerdict(statuses []string) string {
	n := len(statuses)
	conv, limit := 0, 0
	for _, s := range statuses {
		switch {
		case Converged(s):
			conv++
		case atLimit(s):
			limit++
		}
	}
	other := n - conv - limit
	switch {
	case n == 1:
		if conv == 1 {
			return "the search converged"
		}
		return "the search did not converge: it " + statusWords(statuses[0])
	case conv == n:
		return fmt.Sprintf("all %d converged", n)
	case conv == 0 && limit == n:
		return "none converged: each stopped at its limit"
	}
	parts := []string{fmt.Sprintf("%d converged", conv)}
	if conv == 0 {
		parts[0] = "none converged"
	}
	if limit > 0 {
		parts = append(parts, fmt.Sprintf("%d stopped at %s limit", limit, map[bool]string{true: "its", false: "their"}[limit == 1]))
	}
	if other > 0 {
		parts = append(parts, fmt.Sprintf("%d stopped otherwise", other))
	}
	return strings.Join(parts, ", ")
}

// signed formats v with dec decimals and its sign; "n/a" for NaN and
// ±Inf (numfmt.Signed).
func signed(v float64, dec int) string { return numfmt.Signed(v, dec) }

// pct is a ratio v as a signed percentage, in whole percents unless one
// that is not zero would read as zero (numfmt.Percent: "−0.5%").
func pct(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	return numfmt.Percent(100*v, 0) + "%"
}

// WriteTable prints the fit table: estimates, price fit in and out of
// sample next to the naive forecast, the 2022 peak, turning points,
// exports and the decomposition of the rise.
func (r *Report) WriteTable(w io.Writer) error {
	c := r.Config
	var b strings.Builder
	f := r.Fit
	fmt.Fprintf(&b, "Back-test of potash %s against the record, %v..%v (scenario %s)\n\n", model.Version, c.Start, r.lastRecord(), HistoryScenario)
	kind := "least squares"
	if c.Fit.PriorWeight > 0 {
		kind = fmt.Sprintf("penalised least squares (MAP: a Gaussian prior of weight %s at the starting values, s.d. %s of each range, against σ² = %s)",
			num(c.Fit.PriorWeight, 0), num(cmp.Or(c.Fit.PriorScale, 0.25), 2), num(c.Fit.PriorSigma2, 5))
	}
	fmt.Fprintf(&b, "Fit: %s on log prices over %v..%v (%d months)", kind, f.From, f.To, f.N)
	if f.ExportWeight > 0 {
		fmt.Fprintf(&b, " and on annual log export changes from %d (%s; %d supplier-years, weight %s)",
			c.Fit.BaseYear, strings.Join(c.Fit.ExportSuppliers, ", "), f.ExportN, num(f.ExportWeight, 1))
	}
	fo := c.Fit
	fo.defaults()
	var statuses []string
	for _, sr := range f.Searches {
		statuses = append(statuses, sr.Status)
	}
	searches := fmt.Sprintf("%d searches", len(f.Searches))
	if len(f.Searches) == 1 {
		searches = "one search"
	}
	ended := searchesVerdict(statuses)
	fmt.Fprintf(&b, ";\n     Nelder–Mead, %s of at most %d simulations each (%d in all; converged: the best objective fell by less than 1e-7 over %d iterations). %s",
		searches, fo.MaxEvals, f.Evaluations, cmp.Or(fo.ConvergeIterations, 40), strings.ToUpper(ended[:1])+ended[1:])
	switch {
	case atLimit(f.Status):
		fmt.Fprintf(&b, ";\n     the estimate is the best point the kept search reached, not a converged minimum")
	case !Converged(f.Status):
		fmt.Fprintf(&b, ";\n     the estimate is where the kept search stopped (%s), not a converged minimum", statusWords(f.Status))
	}
	fmt.Fprintf(&b, ".\n     Sum of squares %s at the start → %s at the estimate", num(f.StartSSR, 3), num(f.SSR, 3))
	if f.ExportWeight > 0 && f.PriorSSR > 0 {
		fmt.Fprintf(&b, " (prices %s, exports %s, prior %s)", num(f.PriceSSR, 3), num(f.ExportSSR, 3), num(f.PriorSSR, 3))
	} else if f.ExportWeight > 0 {
		fmt.Fprintf(&b, " (prices %s, exports %s)", num(f.PriceSSR, 3), num(f.ExportSSR, 3))
	}
	fmt.Fprintln(&b, ".")
	if len(f.Searches) > 1 {
		var ss []string
		for k, sr := range f.Searches {
			from := "the starting values"
			if k > 0 {
				from = fmt.Sprintf("%s%% of every range", num(100*c.Fit.ExtraStarts[k-1], 0))
			}
			best := ""
			if sr.SSR == f.SSR && sameValues(sr.Values, f.Values) {
				best = ", kept"
			}
			ss = append(ss, fmt.Sprintf("from %s %s (%d sims, %s%s)", from, num(sr.SSR, 3), sr.Evaluations, searchWords(sr.Status), best))
		}
		fmt.Fprintf(&b, "     Searches: %s.\n", strings.Join(ss, "; "))
	}
	weights := r.CropWeights
	if w := c.Fit.Weights; w != (CropWeights{}) {
		weights = fmt.Sprintf("every region maize %.2f/soybeans %.2f/wheat %.2f", w.Maize, w.Soybeans, w.Wheat)
	}
	fmt.Fprintf(&b, "Inputs: the scenario's recorded events, the market's crop-price index by region (Pink Sheet maize, soybeans, wheat; %s; %d = 1) and the European gas price.\n\n",
		weights, c.BaseYear)
	if len(f.SE) > 0 {
		fmt.Fprintf(&b, "Intervals: the Laplace approximation of the posterior at the estimate; the monthly residuals' lag-1 autocorrelation is %s,\n"+
			"so their information is divided by κ = (1 + ρ)/(1 − ρ) = %s. sd: the posterior standard deviation (the built-ins' draws).\n\n", num(f.Rho, 2), num(f.Kappa, 2))
	}
	params := report.Table{Head: []string{"parameter", "unit", "estimate", "sd", "95% interval", "start", "range"}, Right: []bool{false, false, true, true, false, true, false}}
	for j, p := range f.Params {
		flag := ""
		for _, n := range f.AtBound {
			if n == p.Name {
				flag = "  at bound"
			}
		}
		ci, sd := "n/a", "n/a"
		if j < len(f.SE) && !math.IsNaN(f.SE[j]) {
			sd = sigFixed(f.SE[j], fittedDigits)
		}
		if j < len(f.CI) {
			ci = "[" + num(f.CI[j][0], 3) + ", " + num(f.CI[j][1], 3) + "]"
			if math.IsNaN(f.SE[j]) {
				ci += " not identified"
			}
			flag += outsideValid(p.Name, f.CI[j])
		}
		params.Rows = append(params.Rows, []string{p.Name, p.Unit, num(f.Values[j], 3), sd, ci, num(f.Start[j], 3), "[" + num(p.Range.Lo, 3) + ", " + num(p.Range.Hi, 3) + "]" + flag})
	}
	params.WriteText(&b)

	fmt.Fprintf(&b, "\nPrice: Pink Sheet potassium chloride (Brazil CFR) vs the model's benchmark, $/t\n")
	fit := report.Table{Head: []string{"window", "months", "RMSE (log)", "mean error (log)", "corr. of monthly changes"}}
	anchor := (c.Cut - 1).String()
	for _, row := range []struct {
		name string
		s    Stats
	}{
		{"in sample (fitted) " + r.InSample.From.String() + ".." + r.InSample.To.String(), r.InSample},
		{"out of sample " + r.OutSample.From.String() + ".." + r.OutSample.To.String(), r.OutSample},
		{"  second reading: model's change from " + anchor, r.ChangeOut},
		{"naive: " + anchor + " price carried forward", r.NaiveOut},
	} {
		fit.Rows = append(fit.Rows, []string{row.name, strconv.Itoa(row.s.N), num(row.s.RMSE, 3), signed(row.s.MeanError, 3), num(row.s.ChangeCorr, 2)})
	}
	fit.WriteText(&b)
	fmt.Fprintf(&b, "Out of sample the model %s the naive forecast (RMSE %s vs %s).\n", beatWord(r.OutSample.RMSE, r.NaiveOut.RMSE), num(r.OutSample.RMSE, 3), num(r.NaiveOut.RMSE, 3))
	fmt.Fprintf(&b, "Second reading, added after that result was known: the model's change since %s applied to the %s price (the\n"+
		"rolling origins' and the nowcast's reading) %s the naive forecast (RMSE %s vs %s).\n",
		anchor, anchor, beatWord(r.ChangeOut.RMSE, r.NaiveOut.RMSE), num(r.ChangeOut.RMSE, 3), num(r.NaiveOut.RMSE, 3))
	fmt.Fprintf(&b, "Diebold–Mariano tests of equal accuracy against the naive forecast (squared log errors, %d months, Bartlett kernel,\n"+
		"lag %d, HLN-corrected with h = %d; DM* > 0: the model is less accurate; p two-sided, Student's t with %d df):\n"+
		"model's level %s; model's change %s.\n",
		r.DMLevel.N, r.DMLevel.Lag, r.DMLevel.H, max(r.DMLevel.N-1, 0), dmCell(r.DMLevel), dmCell(r.DMChange))

	lag := r.PeakModel.Month - r.PeakRecord.Month
	months := "months"
	if lag == 1 || lag == -1 {
		months = "month"
	}
	fmt.Fprintf(&b, "\nPeak of %d: record %v at %s $/t; model %v at %s $/t (%s %s, height %s).\n",
		c.PeakYear, r.PeakRecord.Month, num(r.PeakRecord.Value, 0), r.PeakModel.Month, num(r.PeakModel.Value, 0),
		signed(float64(lag), 0), months, pct(r.PeakModel.Value/r.PeakRecord.Value-1))
	fmt.Fprintf(&b, "Turning points (±6 months, ≥10%%): record %s; model %s.\n", tpList(r.TurningRecord), tpList(r.TurningModel))
	if line := stockLine(r); line != "" {
		b.WriteString(line)
	}

	fmt.Fprintf(&b, "\nExports: FAOSTAT (t K2O ÷ %.2f = t KCl) vs the model's annual average, Mt KCl\n", K2OShareOfKCl)
	exports := report.Table{Head: []string{"supplier", "year", "record", "model", "error", fmt.Sprintf("change from %d: record", c.BaseYear), "model"}}
	for _, e := range r.Exports {
		exports.Rows = append(exports.Rows, []string{e.Supplier, strconv.Itoa(e.Year), num(e.Record, 2), num(e.Model, 2), pct(e.RelError), pct(e.RecordChange), pct(e.ModelChange)})
	}
	exports.WriteText(&b)

	fmt.Fprintf(&b, "\nThe rise over the %d average, $/t, split by factor (Shapley values over the %d runs with each set of\nfactors switched on), with the fitted and with the starting (prior) parameters:\n", c.BaseYear, 1<<len(factorNames))
	decomp := report.Table{Head: []string{""}}
	for _, d := range r.Decompositions {
		decomp.Head = append(decomp.Head, d.Name, "")
	}
	row := func(name string, val func(d Decomposition) (float64, float64)) {
		cells := []string{"  " + name}
		for _, d := range r.Decompositions {
			v, tot := val(d)
			sh := ""
			if !math.IsNaN(tot) {
				sh = shareOf(v, tot)
			}
			cells = append(cells, signed(v, 0), sh)
		}
		decomp.Rows = append(decomp.Rows, cells)
	}
	row("record", func(d Decomposition) (float64, float64) { return d.RecordRise, math.NaN() })
	row("model", func(d Decomposition) (float64, float64) { return d.ModelRise, d.ModelRise })
	for k, f := range factorNames {
		row("  "+f, func(d Decomposition) (float64, float64) { return d.Contributions[k].Value, d.ModelRise })
	}
	row("  other (trend, base dynamics)", func(d Decomposition) (float64, float64) { return d.Other, d.ModelRise })
	decomp.WriteText(&b)
	failed := 0
	for _, d := range r.Decompositions {
		failed += d.Failed
	}
	if failed > 0 {
		fmt.Fprintf(&b, "  WARNING: %d months of these runs did not converge.\n", failed)
	}
	if r.Rolling != nil {
		r.writeRolling(&b)
	}
	if r.Failed > 0 {
		fmt.Fprintf(&b, "\nWARNING: %d months of the fitted path did not converge.\n", r.Failed)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeRolling prints the rolling-origin forecast errors by horizon next
// to the naive and moving-average forecasts, and the nowcast.
func (r *Report) writeRolling(b *strings.Builder) {
	rl := r.Rolling
	c := rl.Config
	evals := 0
	for _, f := range rl.Forecasts {
		evals += f.Evaluations
	}
	var statuses []string
	for _, f := range rl.Forecasts {
		statuses = append(statuses, f.Status)
	}
	fmt.Fprintf(b, "\nForecast skill: rolling origins %v..%v (%d fits, each on the data before its origin only: one search of at most\n"+
		"%d simulations from the published estimate, %d in all; %s). Forecasts from the month before the origin;\n"+
		"h months ahead is origin + h − 1. Mean absolute log error (RMSE in brackets) against the record:\n",
		c.First, c.Last, len(rl.Forecasts), c.MaxEvals, evals, searchesVerdict(statuses))
	t := report.Table{Head: []string{"horizon", "origins", "model (level)", "model (change)", "naive (no change)", fmt.Sprintf("%d-month average", c.MAWindow)}}
	errCell := func(e ErrStats) string { return num(e.MAE, 3) + " (" + num(e.RMSE, 3) + ")" }
	for _, h := range rl.Stats {
		t.Rows = append(t.Rows, []string{plural(h.H, "month"), strconv.Itoa(h.N), errCell(h.Level), errCell(h.Change), errCell(h.Naive), errCell(h.MA)})
	}
	t.WriteText(b)
	fmt.Fprintln(b, "model (level): the model's price; model (change): the model's change since the last recorded month applied to")
	fmt.Fprintln(b, "the last recorded price; the crop and gas prices after the origin are held at their last values (not known).")
	for _, h := range rl.Stats {
		if h.H != 6 {
			continue
		}
		fmt.Fprintf(b, "At 6 months the model's change %s the naive forecast (mean absolute log error %s vs %s).\n", beatWord(h.Change.MAE, h.Naive.MAE), num(h.Change.MAE, 3), num(h.Naive.MAE, 3))
	}
	fmt.Fprintln(b, "Diebold–Mariano tests of equal accuracy against the naive forecast over the origins (squared log errors; lag h − 1,")
	fmt.Fprintln(b, "uniform kernel; HLN-corrected; DM* > 0: the model is less accurate; p two-sided, Student's t with origins − 1 df):")
	dt := report.Table{Head: []string{"horizon", "origins", "lag", "model (level)", "model (change)"}, Right: []bool{false, true, true, false, false}}
	fallback := false
	for _, h := range rl.Stats {
		dt.Rows = append(dt.Rows, []string{plural(h.H, "month"), strconv.Itoa(h.N), strconv.Itoa(h.DMLevel.Lag), dmCell(h.DMLevel), dmCell(h.DMChange)})
		fallback = fallback || h.DMLevel.Fallback || h.DMChange.Fallback
	}
	dt.WriteText(b)
	if fallback {
		fmt.Fprintln(b, "Bartlett: the uniform kernel's variance estimate was not positive; the Bartlett weights of the same lag are used.")
	}
	nc := rl.Nowcast
	if len(nc.Months) > 0 {
		var parts []string
		for k, t := range nc.Months {
			parts = append(parts, fmt.Sprintf("%v %s $/t (%s)", t, num(nc.Price[k], 0), pct1(nc.Change[k])))
		}
		fmt.Fprintf(b, "Nowcast (fitted on every month through %v; its search %s): from %v's %s $/t the model's change gives %s.\n",
			nc.Last, searchWords(nc.Status), nc.Last, num(nc.LastPrice, 0), strings.Join(parts, ", "))
	}
}

// beatWord says whether an error a beats the naive forecast's b: "beats"
// when strictly lower, else "does not beat".
func beatWord(a, b float64) string {
	if a < b {
		return "beats"
	}
	return "does not beat"
}

// outsideValid marks a fitted parameter's 95% interval that reaches
// beyond the valid range of its scenario field (validRange; the search
// range can be wider, e.g. μ's 0.03 against the valid 0.08): "  interval
// below the valid range (from 0.08)", "... above ... (to 1)", or "" when it
// stays inside or the parameter is not one of the built-ins' fitted ones.
// The built-ins' draws are cut at the valid range (UncertainRanges).
func outsideValid(name string, ci [2]float64) string {
	known := false
	for _, u := range uncertainPaths {
		known = known || u.name == name
	}
	if !known {
		return ""
	}
	v := validRange(name)
	var out []string
	if ci[0] < v.Lo {
		out = append(out, fmt.Sprintf("below the valid range (from %g)", v.Lo))
	}
	if ci[1] > v.Hi {
		out = append(out, fmt.Sprintf("above the valid range (to %g)", v.Hi))
	}
	if len(out) == 0 {
		return ""
	}
	return "  interval " + strings.Join(out, ", ")
}

// dmCell prints a Diebold–Mariano test: "DM* +1.23, p 0.241", with
// "(Bartlett)" when the uniform kernel fell back, or "n/a: " and why.
func dmCell(t DMTest) string {
	if !t.OK() {
		return "n/a: " + t.Reason
	}
	s := "DM* " + signed(t.Stat, 2) + ", p " + pValue(t.P)
	if t.Fallback {
		s += " (Bartlett)"
	}
	return s
}

// pValue prints a p-value with three decimals, "< 0.001" below.
func pValue(p float64) string {
	if p < 0.0005 {
		return "< 0.001"
	}
	return num(p, 3)
}

// pct1 formats a fraction as a signed percentage with one decimal.
func pct1(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	return numfmt.Signed(100*v, 1) + "%"
}

// WriteForecastsCSV writes the rolling-origin forecasts and the nowcast,
// one row per origin and horizon: kind ("rolling" or "nowcast"), origin
// (the first month the fit did not see), horizon in months, target month,
// and the record and the forecasts in $/t (an empty cell: not
// published).
func (r *Report) WriteForecastsCSV(w io.Writer) error {
	cw, err := report.NewCSVWriter(w, "kind", "origin", "horizon_months", "target", "record_usd_per_t",
		"model_usd_per_t", "model_change_usd_per_t", "naive_usd_per_t", "moving_average_usd_per_t")
	if err != nil {
		return err
	}
	if rl := r.Rolling; rl != nil {
		for _, f := range rl.Forecasts {
			for j, h := range rl.Config.Horizons {
				if err := cw.Row(report.Text("rolling"), report.Text(f.Origin.String()), report.Num(float64(h)), report.Text(f.Target[j].String()),
					csvCell(f.Record[j]), csvCell(f.Level[j]), csvCell(f.Change[j]), csvCell(f.Naive[j]), csvCell(f.MA[j])); err != nil {
					return err
				}
			}
		}
		nc := rl.Nowcast
		for k, t := range nc.Months {
			if err := cw.Row(report.Text("nowcast"), report.Text((nc.Last + 1).String()), report.Num(float64(t-nc.Last)), report.Text(t.String()),
				report.Text(""), report.Text(""), csvCell(nc.Price[k]), csvCell(nc.LastPrice), report.Text("")); err != nil {
				return err
			}
		}
	}
	return cw.Flush()
}

// shareOf is v's share of total as a percentage, in whole percents
// unless a share that is not zero would read as zero: then with the
// decimals numfmt.Percent gives it ("0.4%", "<0.01%"); unsigned but for
// a negative share's minus.
func shareOf(v, total float64) string {
	if total == 0 || math.IsNaN(v/total) || math.IsInf(v/total, 0) {
		return "n/a"
	}
	return strings.TrimPrefix(numfmt.Percent(100*v/total, 0), "+") + "%"
}

func tpList(tps []TurningPoint) string {
	if len(tps) == 0 {
		return "none"
	}
	var s []string
	for _, t := range tps {
		s = append(s, fmt.Sprintf("%s %v %s", t.Kind, t.Month, num(t.Value, 0)))
	}
	return strings.Join(s, ", ")
}

// lastRecord returns the last month with a published record price.
func (r *Report) lastRecord() model.Month {
	last := r.Config.Start
	for k, t := range r.Months {
		if !math.IsNaN(r.Record[k]) {
			last = t
		}
	}
	return last
}

// WritePricesCSV writes month, sample, record, model, the model's change
// reading (Report.Change) and naive prices ($/t); an unpublished record
// or a month without a change reading or naive forecast is an empty cell.
func (r *Report) WritePricesCSV(w io.Writer) error {
	cw, err := report.NewCSVWriter(w, "month", "sample", "record_usd_per_t", "model_usd_per_t", "model_change_usd_per_t", "naive_usd_per_t")
	if err != nil {
		return err
	}
	for k, t := range r.Months {
		sample := "in"
		if t >= r.Config.Cut {
			sample = "out"
		}
		change := math.NaN()
		if k < len(r.Change) {
			change = r.Change[k]
		}
		if err := cw.Row(report.Text(t.String()), report.Text(sample), csvCell(r.Record[k]), csvCell(r.Model[k]), csvCell(change), csvCell(r.Naive[k])); err != nil {
			return err
		}
	}
	return cw.Flush()
}

// WriteExportsCSV writes supplier, year, record and model exports (Mt KCl)
// and the relative error.
func (r *Report) WriteExportsCSV(w io.Writer) error {
	cw, err := report.NewCSVWriter(w, "supplier", "year", "record_mt", "model_mt", "rel_error")
	if err != nil {
		return err
	}
	rows := append([]ExportFit(nil), r.Exports...)
	sort.SliceStable(rows, func(a, b int) bool { return rows[a].Supplier < rows[b].Supplier })
	for _, e := range rows {
		if err := cw.Row(report.Text(e.Supplier), report.Num(float64(e.Year)), report.Num(e.Record), report.Num(e.Model), report.Num(e.RelError)); err != nil {
			return err
		}
	}
	return cw.Flush()
}

// jsonParam is a fitted parameter in the JSON summary.
type jsonParam struct {
	Name     string     `json:"name"`
	Unit     string     `json:"unit"`
	Estimate float64    `json:"estimate"`
	Start    float64    `json:"start"`
	Range    [2]float64 `json:"range"`
	AtBound  bool       `json:"at_bound"`
	// CI95 is the asymptotic 95% confidence interval, cut at the range.
	CI95 [2]float64 `json:"ci95"`
	Doc  string     `json:"doc"`
}

// jsonSummary is the JSON form of a Report.
type jsonSummary struct {
	report.Provenance
	FitFrom        string       `json:"fit_from"`
	FitTo          string       `json:"fit_to"`
	TestFrom       string       `json:"test_from"`
	TestTo         string       `json:"test_to"`
	Method         string       `json:"method"`
	Evaluations    int          `json:"evaluations"`
	Status         string       `json:"status"`
	Converged      bool         `json:"converged"` // the kept search converged (Converged), not stopped at its limit
	MaxEvals       int          `json:"max_evals_per_search"`
	Searches       []jsonSearch `json:"searches"`
	SSR            float64      `json:"ssr"`
	Params         []jsonParam  `json:"params"`
	Statistics     []Stat       `json:"statistics"`
	Decompositions []jsonDecomp `json:"decompositions"`
	OutOfSample    jsonOOS      `json:"out_of_sample"`
	Rolling        *jsonRolling `json:"rolling,omitempty"`
}

// jsonOOS is the out-of-sample comparison in the JSON summary: log
// errors of the model's level (the headline), of its change reading (a
// second reading, added after the level's result was known) and of the
// naive forecast, and the Diebold–Mariano tests against naive.
type jsonOOS struct {
	From    string                `json:"from"`
	To      string                `json:"to"`
	Months  int                   `json:"months"`
	Note    string                `json:"note"`
	Errors  map[string]jsonLogErr `json:"log_errors"`
	DMTests map[string]jsonDM     `json:"diebold_mariano"`
}

type jsonLogErr struct {
	RMSE float64 `json:"rmse"`
	Mean float64 `json:"mean"`
}

// jsonDM is a Diebold–Mariano test (DMTest) in the JSON summary;
// statistic and p_value are left out, and not_computed says why, when
// the test could not be computed.
type jsonDM struct {
	N           int      `json:"n"`
	H           int      `json:"horizon_steps"`
	Lag         int      `json:"lag"`
	Kernel      string   `json:"kernel"`
	Fallback    bool     `json:"bartlett_fallback,omitempty"`
	MeanDiff    float64  `json:"mean_loss_differential"`
	Stat        *float64 `json:"statistic,omitempty"`
	P           *float64 `json:"p_value,omitempty"`
	NotComputed string   `json:"not_computed,omitempty"`
}

func newJSONDM(t DMTest) jsonDM {
	j := jsonDM{N: t.N, H: t.H, Lag: t.Lag, Kernel: t.Kernel.String(), Fallback: t.Fallback, MeanDiff: t.MeanDiff, NotComputed: t.Reason}
	if t.OK() {
		j.Stat, j.P = &t.Stat, &t.P
	}
	return j
}

// jsonSearch is one search of the fit in the JSON summary.
type jsonSearch struct {
	Start       []float64 `json:"start"`
	Estimate    []float64 `json:"estimate"`
	SSR         float64   `json:"ssr"`
	Evaluations int       `json:"evaluations"`
	Status      string    `json:"status"`
	Converged   bool      `json:"converged"`
}

// jsonRolling is the rolling-origin evaluation in the JSON summary: log
// errors by horizon and method, and the nowcast.
type jsonRolling struct {
	FirstOrigin string        `json:"first_origin"`
	LastOrigin  string        `json:"last_origin"`
	Fits        int           `json:"fits"`
	Converged   int           `json:"converged_fits"` // fits whose search converged; the others stopped at max_evals_per_fit
	MaxEvals    int           `json:"max_evals_per_fit"`
	Horizons    []jsonHorizon `json:"horizons"`
	Nowcast     jsonNowcast   `json:"nowcast"`
}

type jsonHorizon struct {
	Months  int                    `json:"months_ahead"`
	Origins int                    `json:"origins"`
	Errors  map[string]jsonErrStat `json:"log_errors"`
	DMTests map[string]jsonDM      `json:"diebold_mariano"`
}

type jsonErrStat struct {
	MAE  float64 `json:"mean_abs"`
	RMSE float64 `json:"rmse"`
	Bias float64 `json:"mean"`
}

type jsonNowcast struct {
	Last      string             `json:"last_recorded_month"`
	Converged bool               `json:"converged"` // the nowcast fit's search converged
	LastPrice float64            `json:"last_recorded_usd_per_t"`
	Price     map[string]float64 `json:"usd_per_t"`
	Change    map[string]float64 `json:"change_from_last"`
}

// jsonDecomp is a Decomposition in the JSON summary ($/t).
type jsonDecomp struct {
	Name          string             `json:"name"`
	From          string             `json:"from"`
	To            string             `json:"to"`
	RecordRise    float64            `json:"record_rise_usd_per_t"`
	ModelRise     float64            `json:"model_rise_usd_per_t"`
	Contributions map[string]float64 `json:"contributions_usd_per_t"`
	Other         float64            `json:"other_usd_per_t"`
	Failed        int                `json:"failed_months"`
}

// WriteJSON writes the estimates and statistics as JSON, after their
// provenance (see Provenance).
func (r *Report) WriteJSON(w io.Writer, prov report.Provenance) error {
	s := jsonSummary{
		Provenance: prov,
		FitFrom:    r.Fit.From.String(), FitTo: r.Fit.To.String(),
		TestFrom: r.OutSample.From.String(), TestTo: r.OutSample.To.String(),
		Method:      "least squares on log prices, gonum/optimize Nelder–Mead, bounds by logistic transform",
		Evaluations: r.Fit.Evaluations, Status: r.Fit.Status, Converged: Converged(r.Fit.Status), SSR: r.Fit.SSR,
		Statistics: r.Statistics(),
	}
	s.OutOfSample = jsonOOS{From: r.OutSample.From.String(), To: r.OutSample.To.String(), Months: r.OutSample.N,
		Note: "model_level is the headline reading (issue 14); model_change, the model's change since the last in-sample month " +
			"applied to its recorded price, was added after model_level's result was known",
		Errors:  map[string]jsonLogErr{},
		DMTests: map[string]jsonDM{"model_level_vs_naive": newJSONDM(r.DMLevel), "model_change_vs_naive": newJSONDM(r.DMChange)}}
	for name, st := range map[string]Stats{"model_level": r.OutSample, "model_change": r.ChangeOut, "naive": r.NaiveOut} {
		if !math.IsNaN(st.RMSE) && !math.IsNaN(st.MeanError) {
			s.OutOfSample.Errors[name] = jsonLogErr{RMSE: st.RMSE, Mean: st.MeanError}
		}
	}
	fo := r.Config.Fit
	fo.defaults()
	s.MaxEvals = fo.MaxEvals
	for _, sr := range r.Fit.Searches {
		s.Searches = append(s.Searches, jsonSearch{Start: sr.Start, Estimate: sr.Values, SSR: sr.SSR,
			Evaluations: sr.Evaluations, Status: sr.Status, Converged: Converged(sr.Status)})
	}
	for j, p := range r.Fit.Params {
		at := false
		for _, n := range r.Fit.AtBound {
			at = at || n == p.Name
		}
		jp := jsonParam{Name: p.Name, Unit: p.Unit, Estimate: r.Fit.Values[j], Start: r.Fit.Start[j],
			Range: [2]float64{p.Range.Lo, p.Range.Hi}, AtBound: at, Doc: p.Doc, CI95: [2]float64{p.Range.Lo, p.Range.Hi}}
		if j < len(r.Fit.CI) {
			jp.CI95 = r.Fit.CI[j]
		}
		s.Params = append(s.Params, jp)
	}
	for _, d := range r.Decompositions {
		jd := jsonDecomp{Name: d.Name, From: d.From.String(), To: d.To.String(), RecordRise: d.RecordRise,
			ModelRise: d.ModelRise, Other: d.Other, Failed: d.Failed, Contributions: map[string]float64{}}
		for _, c := range d.Contributions {
			jd.Contributions[c.Factor] = c.Value
		}
		for _, v := range append([]float64{jd.RecordRise, jd.ModelRise, jd.Other}, mapValues(jd.Contributions)...) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("backtest: decomposition %q is not finite", d.Name)
			}
		}
		s.Decompositions = append(s.Decompositions, jd)
	}
	if rl := r.Rolling; rl != nil {
		jr := &jsonRolling{FirstOrigin: rl.Config.First.String(), LastOrigin: rl.Config.Last.String(), Fits: len(rl.Forecasts), MaxEvals: rl.Config.MaxEvals,
			Nowcast: jsonNowcast{Last: rl.Nowcast.Last.String(), Converged: Converged(rl.Nowcast.Status), LastPrice: rl.Nowcast.LastPrice, Price: map[string]float64{}, Change: map[string]float64{}}}
		for _, f := range rl.Forecasts {
			if Converged(f.Status) {
				jr.Converged++
			}
		}
		for _, h := range rl.Stats {
			jh := jsonHorizon{Months: h.H, Origins: h.N, Errors: map[string]jsonErrStat{},
				DMTests: map[string]jsonDM{"model_level_vs_naive": newJSONDM(h.DMLevel), "model_change_vs_naive": newJSONDM(h.DMChange)}}
			for name, e := range map[string]ErrStats{"model_level": h.Level, "model_change": h.Change, "naive": h.Naive, "moving_average": h.MA} {
				if math.IsNaN(e.MAE) {
					continue
				}
				jh.Errors[name] = jsonErrStat(e)
			}
			jr.Horizons = append(jr.Horizons, jh)
		}
		for k, t := range rl.Nowcast.Months {
			jr.Nowcast.Price[t.String()] = rl.Nowcast.Price[k]
			jr.Nowcast.Change[t.String()] = rl.Nowcast.Change[k]
		}
		s.Rolling = jr
	}
	return report.WriteJSON(w, s)
}

// Provenance is the provenance of a back-test of the history scenario
// (hash: its SHA-256, may be empty) run by command (a command line).
func Provenance(command, hash string) report.Provenance {
	return report.NewProvenance(command, nil, report.Input{Name: HistoryScenario, SHA256: hash})
}

func sameValues(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if a[k] != b[k] {
			return false
		}
	}
	return true
}

func mapValues(m map[string]float64) []float64 {
	out := make([]float64, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// csvCell is v as a CSV cell, empty for NaN (not published).
func csvCell(v float64) report.Cell {
	if math.IsNaN(v) {
		return report.Text("")
	}
	return report.Num(v)
}

// plural returns "1 month", "3 months".
func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// stockLine describes the fitted model's stocks of importers and
// distributors (Report.StockMonths): their cover in the first month, the
// highest month in sample and after, and the last in-sample and last
// simulated months; "" without stocks.
func stockLine(r *Report) string {
	if len(r.StockMonths) != len(r.Months) || len(r.Months) == 0 {
		return ""
	}
	c := r.Config
	hiIn, hiOut := -1, -1
	for k, t := range r.Months {
		v := r.StockMonths[k]
		if math.IsNaN(v) {
			continue
		}
		switch {
		case t < c.Cut && (hiIn < 0 || v > r.StockMonths[hiIn]):
			hiIn = k
		case t >= c.Cut && (hiOut < 0 || v > r.StockMonths[hiOut]):
			hiOut = k
		}
	}
	at := func(k int) string { return r.Months[k].String() + " " + num(r.StockMonths[k], 2) }
	parts := []string{at(0)}
	if hiIn >= 0 {
		parts = append(parts, "highest in sample "+at(hiIn))
	}
	for k, t := range r.Months {
		if t == c.Cut-1 {
			parts = append(parts, at(k))
		}
	}
	if hiOut >= 0 {
		parts = append(parts, "highest after "+at(hiOut))
	}
	parts = append(parts, at(len(r.Months)-1))
	return "Stocks of importers and distributors, all regions, in months of use (the model's; no record): " + strings.Join(parts, "; ") + ".\n"
}
