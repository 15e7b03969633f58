package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/potash-sim/potash/model"
)

// Summary is everything a reader needs about one run, written as
// summary.json and rendered as summary.md. Money is in the model's units
// ($M for cumulative totals, $M/yr for flows); prices in $/t.
type Summary struct {
	Provenance

	Scenario ScenarioInfo `json:"scenario"`

	Seed    uint64 `json:"seed"`
	Draws   int    `json:"draws"` // 0: a single run at central parameter values
	Workers int    `json:"workers,omitempty"`

	// Converged and FailedDraws count Monte Carlo draws (0 without draws);
	// DrawFailures names the first MaxListedFailures failed draws (all of
	// them are in draws.csv).
	Converged   int `json:"converged_draws"`
	FailedDraws int `json:"failed_draws"`
	// RejectedDraws counts the candidate draws that broke a joint rule
	// of the model and were redrawn (model.MCResult.Rejected; absent when
	// none was): the draws are from the uncertainty box truncated by the
	// rules (RejectedNote).
	RejectedDraws int           `json:"rejected_draws,omitempty"`
	DrawFailures  []DrawFailure `json:"draw_failures,omitempty"`
	// FailedMonths counts and names the months whose solve did not
	// converge in the central run's scenario and counterfactual paths
	// (also marked in results.csv).
	FailedMonths FailedMonths `json:"failed_months"`

	Headline []Headline `json:"headline"`
	// OffBand names the headline figures whose central value lies outside
	// their Monte Carlo band and the uncertain parameters that explain it
	// (FindOffBand); nil when there is none, or no draws.
	OffBand *OffBand `json:"central_outside_band,omitempty"`
	// ExportsByYear is the main suppliers' exports by calendar year of the
	// report window, scenario against counterfactual (ExportsByYear).
	ExportsByYear []YearExports `json:"exports_by_year,omitempty"`
	Metrics       []Metric      `json:"metrics"`
	Charts        []ChartInfo   `json:"charts,omitempty"`
	Warnings      []string      `json:"warnings,omitempty"`
}

// MaxListedFailures bounds the failed months and draws a summary names.
const MaxListedFailures = 50

// FailedMonths counts non-converged months of the central run, and names
// the first MaxListedFailures of them.
type FailedMonths struct {
	Scenario       int           `json:"scenario"`
	Counterfactual int           `json:"counterfactual"`
	Months         []FailedMonth `json:"months,omitempty"`
}

// FailedMonth is a month of the central run whose solve did not converge.
type FailedMonth struct {
	Path   string `json:"path"`   // "scenario" or "counterfactual"
	Month  string `json:"month"`  // YYYY-MM
	Status string `json:"status"` // model.Status, e.g. "iteration limit"
}

// DrawFailure is a Monte Carlo draw left out of the bands.
type DrawFailure struct {
	Draw   int    `json:"draw"` // from 0, as the model numbers draws
	Reason string `json:"reason"`
}

// ChartInfo describes a chart written with a run: its file base name
// without extension, its caption, and whether it is one of the main
// charts (embedded in summary.md, shown first on the web page).
type ChartInfo struct {
	Name    string   `json:"name"`
	Caption string   `json:"caption"`
	Main    bool     `json:"main,omitempty"`
	Files   []string `json:"files"` // e.g. price.png, price.svg
}

// ScenarioInfo describes the scenario run.
type ScenarioInfo struct {
	Name           string   `json:"name"`
	Title          string   `json:"title"`
	Description    string   `json:"description,omitempty"`
	Sources        []string `json:"sources,omitempty"`
	Hash           string   `json:"sha256"` // of the resolved scenario
	Counterfactual string   `json:"counterfactual"`
	Dataset        string   `json:"dataset"` // market data set name and version
	// Data credits the market data as the charts' footers do, e.g.
	// "base-2020 v1.0.0 (FAOSTAT and World Bank Pink Sheet; see docs/DATA.md)"
	// or "tiny v0.1, own market data (no sources cited)".
	Data string `json:"data,omitempty"`
	// DollarsOf is the year whose US dollars every money figure is in: the
	// market's base year (the model works at constant prices; docs/MODEL.md,
	// "Real crop prices"). 0 when the market names no base year.
	DollarsOf  int         `json:"dollars_of,omitempty"`
	Start      string      `json:"start"` // YYYY-MM, first simulated month
	End        string      `json:"end"`   // YYYY-MM, last simulated month
	ReportFrom string      `json:"report_from"`
	Events     []EventInfo `json:"events,omitempty"`
	// Conduct is the market conduct assumed, nil when every supplier takes
	// prices and no coalition acts (docs/MODEL.md, section 3.8).
	Conduct *ConductInfo `json:"conduct,omitempty"`
	// Correlations are the groups of uncertain parameters drawn together
	// (the scenario's correlations: section, a Gaussian copula); nil when
	// every parameter is drawn on its own.
	Correlations []CorrelationInfo `json:"correlations,omitempty"`
}

// CorrelationInfo is a group of correlated uncertain parameters: the
// correlation matrix of their normal scores, a row per param.
type CorrelationInfo struct {
	Params []string    `json:"params"`
	Matrix [][]float64 `json:"matrix"`
}

// Correlations returns the groups of correlated parameters of unc
// (model.Uncertain.Copula), in the order of their first member, each
// with its params in the order of its matrix.
func Correlations(unc []model.Uncertain) []CorrelationInfo {
	var out []CorrelationInfo
	var cs []*model.Copula
	for _, u := range unc {
		if u.Copula == nil || u.CopulaRow < 0 || u.CopulaRow >= u.Copula.Size() {
			continue
		}
		k := slices.Index(cs, u.Copula)
		if k < 0 {
			k = len(cs)
			cs = append(cs, u.Copula)
			out = append(out, CorrelationInfo{Params: make([]string, u.Copula.Size()), Matrix: u.Copula.Matrix()})
		}
		out[k].Params[u.CopulaRow] = u.Name
	}
	return out
}

// Correlation groups of more than corrTextAll pairs are described by
// their pairs of |r| ≥ corrTextMin, strongest first, and a count of the
// others: history's group of eleven has 55 pairs, most of them near 0.
const (
	corrTextAll = 3
	corrTextMin = 0.3
)

// CorrelationsText describes the groups of cs in a sentence ("" for
// none): each pair of a group with its correlation (in a group of more
// than three pairs, those of |r| ≥ 0.3, strongest first, and how many
// are weaker), each param written by name (e.g. a Markdown code span;
// nil: as it is).
func CorrelationsText(cs []CorrelationInfo, name func(string) string) string {
	if name == nil {
		name = func(p string) string { return p }
	}
	if len(cs) == 0 {
		return ""
	}
	var groups []string
	for _, c := range cs {
		type pair struct{ i, j int }
		var all []pair
		for i := range c.Params {
			for j := i + 1; j < len(c.Params); j++ {
				all = append(all, pair{i, j})
			}
		}
		shown := all
		if len(all) > corrTextAll {
			shown = nil
			for _, p := range all {
				if math.Abs(c.Matrix[p.i][p.j]) >= corrTextMin {
					shown = append(shown, p)
				}
			}
			sort.SliceStable(shown, func(a, b int) bool {
				return math.Abs(c.Matrix[shown[a].i][shown[a].j]) > math.Abs(c.Matrix[shown[b].i][shown[b].j])
			})
		}
		var pairs []string
		for _, p := range shown {
			pairs = append(pairs, fmt.Sprintf("%s with %s %.3g", name(c.Params[p.i]), name(c.Params[p.j]), c.Matrix[p.i][p.j]))
		}
		if n := len(all) - len(shown); n > 0 {
			what := fmt.Sprintf("%d pairs", n)
			if n == 1 {
				what = "1 pair"
			}
			if len(shown) > 0 {
				what = "and " + what
			}
			pairs = append(pairs, fmt.Sprintf("%s of |r| < %g (summary.json gives the matrix)", what, corrTextMin))
		}
		groups = append(groups, strings.Join(pairs, ", "))
	}
	what := "one group"
	if len(cs) > 1 {
		what = fmt.Sprintf("%d groups", len(cs))
	}
	return fmt.Sprintf("The draws are correlated in %s (a Gaussian copula: the correlations of the parameters' normal scores; docs/SCENARIOS.md, \"Correlations\"): %s.", what, strings.Join(groups, "; "))
}

// ConductInfo is the market conduct of a run: its strategic suppliers with
// their base-year conduct markups, and its coalitions.
type ConductInfo struct {
	Players    []PlayerInfo    `json:"players"`
	Coalitions []CoalitionInfo `json:"coalitions,omitempty"`
}

// PlayerInfo is one strategic supplier (conduct above 0) in the base year.
type PlayerInfo struct {
	Supplier string  `json:"supplier"`
	Conduct  float64 `json:"conduct"` // φ in force at base (0 to 1 when stated; one derived from a gap share may exceed 1)
	// GapShare is the share of the base gap between the netback and the
	// published cost that the base conduct markup takes (0: no published
	// cost; above 1 when a stated conduct claims more than the gap), and
	// Derived says that the scenario stated this share and the model
	// derived Conduct from it (docs/MODEL.md, section 4.2).
	GapShare float64 `json:"conduct_gap_share,omitempty"`
	Derived  bool    `json:"conduct_derived,omitempty"`
	// Markup is the base conduct markup μ0, a share of the FOB price;
	// MarginalCost the base marginal cost it calibrates to, $/t, and
	// PublishedCost the published one (0: none given).
	Markup        float64 `json:"markup"`
	MarginalCost  float64 `json:"marginal_cost_usd_per_t"`
	PublishedCost float64 `json:"published_cost_usd_per_t,omitempty"`
}

// CoalitionInfo is one coalition: its members, base-year cooperation
// weight and the events that move it.
type CoalitionInfo struct {
	Name    string   `json:"name"`
	Members []string `json:"members"`
	Weight  float64  `json:"weight"` // in the base year, 0 to 1
	Changes []string `json:"changes,omitempty"`
}

// EventInfo is one event of the scenario.
type EventInfo struct {
	ID    string `json:"id"`
	Label string `json:"label,omitempty"`
	Start string `json:"start"`
	End   string `json:"end,omitempty"` // first month no longer in force
}

// Band is a 5–95% range across Monte Carlo draws, with the median.
type Band struct {
	P5  float64 `json:"p5"`
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
}

// Metric is one headline metric of model.Metrics with its Monte Carlo band.
type Metric struct {
	Name  string  `json:"name"`
	Unit  string  `json:"unit"`
	Value float64 `json:"value"` // at central parameter values
	Band  *Band   `json:"band,omitempty"`
	Doc   string  `json:"doc,omitempty"`
}

// Headline is one line of the headline table.
type Headline struct {
	Metric string `json:"metric"` // model metric name
	// Label is the line's full label, What + ", " + Measure + " " +
	// Window, e.g. "Benchmark potash price (Brazil CFR), mean change
	// 2025-12 to 2028-12".
	Label   string  `json:"label"`
	What    string  `json:"what"`    // "Benchmark potash price (Brazil CFR)"
	Measure string  `json:"measure"` // "mean change" or "cumulative change"
	Window  string  `json:"window"`  // "2025-12 to 2028-12"
	Unit    string  `json:"unit"`    // of Value and Band: the model's unit
	Value   float64 `json:"value"`   // equals the model's metric
	Band    *Band   `json:"band,omitempty"`
	// Counterfactual is the counterfactual's level of the same quantity over
	// the report window (mean price, or cumulative revenue), and Percent the
	// change relative to it; both omitted when the level is zero.
	Counterfactual *float64 `json:"counterfactual,omitempty"`
	Percent        *float64 `json:"percent,omitempty"`
}

// Metric names the headline uses (computed by model.Metrics).
const (
	MetricBenchmarkPrice = "benchmark_price_change"
	MetricNetbackPrefix  = "netback_revenue_change."
	MetricRevenuePrefix  = "revenue_change."
)

// MainSupplierShare is the share of base-year world exports above which a
// supplier is "main" and appears in the headline table.
const MainSupplierShare = 0.05

// ReportWindow returns the indices [from, len) of run's months in the
// report window Spec.ReportStart..Spec.End (from Start when ReportStart is
// zero).
func ReportWindow(p *model.Path) int {
	rs := p.Spec.ReportStart
	if rs == 0 {
		rs = p.Spec.Start
	}
	for k, m := range p.Months {
		if m >= rs {
			return k
		}
	}
	return len(p.Months)
}

// MainSuppliers returns the indices of suppliers whose base-year exports
// (flows outside their home region) are at least MainSupplierShare of world
// exports, largest first.
func MainSuppliers(m *model.Market) []int {
	exp := make([]float64, len(m.Suppliers))
	total := 0.0
	for i, s := range m.Suppliers {
		for r, reg := range m.Regions {
			if reg.Name == s.Home || i >= len(m.Flows) || r >= len(m.Flows[i]) {
				continue
			}
			exp[i] += m.Flows[i][r]
		}
		total += exp[i]
	}
	var idx []int
	for i := range exp {
		if total > 0 && exp[i]/total >= MainSupplierShare {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return exp[idx[a]] > exp[idx[b]] })
	return idx
}

func supplierLabel(s model.Supplier) string {
	if s.Label != "" {
		return s.Label
	}
	return s.Name
}

// Metrics pairs model metrics with their Monte Carlo bands (mc may be nil).
func Metrics(ms []model.Metric, mc *model.MCResult) []Metric {
	out := make([]Metric, len(ms))
	for k, m := range ms {
		out[k] = Metric{Name: m.Name, Unit: m.Unit, Value: m.Value, Doc: m.Doc, Band: totalBand(mc, m.Name)}
	}
	return out
}

func totalBand(mc *model.MCResult, name string) *Band {
	if mc == nil {
		return nil
	}
	for _, t := range mc.Totals {
		if t.Metric == name {
			return &Band{P5: t.Band.P5, P50: t.Band.P50, P95: t.Band.P95}
		}
	}
	return nil
}

// Headlines builds the headline table of run: the benchmark price change
// and, for each main supplier, the cumulative change in its mine netback
// revenue (what its mines earn: FOB revenue less logistics) and in its FOB
// export revenue (what trade statistics record), with the values of
// metrics (model.Metrics(run)) and the bands of mc (may be nil). It is an
// error when a metric it needs is missing.
func Headlines(run *model.Run, metrics []Metric) ([]Headline, error) {
	byName := map[string]Metric{}
	for _, m := range metrics {
		byName[m.Name] = m
	}
	sc, cf := run.Scenario, run.Counterfactual
	from := ReportWindow(sc)
	if from >= len(sc.Months) {
		return nil, fmt.Errorf("report: empty report window")
	}
	window := sc.Months[from].String() + " to " + sc.Months[len(sc.Months)-1].String()
	var out []Headline

	bm, ok := byName[MetricBenchmarkPrice]
	if !ok {
		return nil, fmt.Errorf("report: the model reports no %q metric", MetricBenchmarkPrice)
	}
	// The counterfactual's level: from the model's level metric when it
	// reports one (level − change), else computed from the path.
	var mean float64
	if lv, ok := byName["benchmark_price"]; ok {
		mean = lv.Value - bm.Value
	} else {
		for k := from; k < len(cf.Sol); k++ {
			mean += cf.Sol[k].Benchmark
		}
		mean /= float64(len(cf.Sol) - from)
	}
	market := sc.Cal.Market
	what, measure := MetricLabel(market, bm.Name)
	out = append(out, withLevel(Headline{
		Metric: bm.Name, Unit: bm.Unit, Value: bm.Value, Band: bm.Band,
	}.labelled(what, measure, window), mean))

	for _, i := range MainSuppliers(market) {
		s := market.Suppliers[i]
		for _, line := range []struct {
			prefix, level string
			get           func(sol *model.Solution) float64
		}{
			{MetricNetbackPrefix, "netback_revenue.", func(sol *model.Solution) float64 { return sol.NetbackRevenue[i] }},
			{MetricRevenuePrefix, "revenue.", func(sol *model.Solution) float64 { return sol.ExportRev[i] }},
		} {
			m, ok := byName[line.prefix+s.Name]
			if !ok {
				return nil, fmt.Errorf("report: the model reports no %q metric", line.prefix+s.Name)
			}
			var cum float64
			if lv, ok := byName[line.level+s.Name]; ok {
				cum = lv.Value - m.Value
			} else {
				for k := from; k < len(cf.Sol); k++ {
					cum += line.get(cf.Sol[k]) / 12
				}
			}
			what, measure := MetricLabel(market, m.Name)
			out = append(out, withLevel(Headline{
				Metric: m.Name, Unit: m.Unit, Value: m.Value, Band: m.Band,
			}.labelled(what, measure, window), cum))
		}
	}
	return out, nil
}

// YearExports is one main supplier's exports in one calendar year of the
// report window: the mean monthly export rate over the year's months in
// the window (Months of them), in the scenario and the counterfactual,
// Mt KCl/yr: tonnes a year, comparable with annual trade statistics.
type YearExports struct {
	Supplier       string   `json:"supplier"`
	Year           int      `json:"year"`
	Months         int      `json:"months"`
	Scenario       float64  `json:"scenario_mt"`
	Counterfactual float64  `json:"counterfactual_mt"`
	Change         float64  `json:"change_mt"`
	Percent        *float64 `json:"change_pct,omitempty"` // omitted when the counterfactual exports nothing
}

// ExportsByYear returns the main suppliers' exports by calendar year of
// run's report window (MainSuppliers order, then year order).
func ExportsByYear(run *model.Run) []YearExports {
	if run == nil || run.Scenario == nil || run.Counterfactual == nil {
		return nil
	}
	sc, cf := run.Scenario, run.Counterfactual
	var out []YearExports
	for _, i := range MainSuppliers(sc.Cal.Market) {
		name := supplierLabel(sc.Cal.Market.Suppliers[i])
		var cur *YearExports
		for k := ReportWindow(sc); k < len(sc.Months) && k < len(sc.Sol) && k < len(cf.Sol); k++ {
			if i >= len(sc.Sol[k].Exports) || i >= len(cf.Sol[k].Exports) {
				return nil // a hand-made run without exports
			}
			y := sc.Months[k].Year()
			if cur == nil || cur.Year != y {
				out = append(out, YearExports{Supplier: name, Year: y})
				cur = &out[len(out)-1]
			}
			cur.Months++
			cur.Scenario += sc.Sol[k].Exports[i]
			cur.Counterfactual += cf.Sol[k].Exports[i]
		}
	}
	for k := range out {
		e := &out[k]
		e.Scenario /= float64(e.Months)
		e.Counterfactual /= float64(e.Months)
		e.Change = e.Scenario - e.Counterfactual
		if e.Counterfactual > 0 {
			p := 100 * e.Change / e.Counterfactual
			e.Percent = &p
		}
	}
	return out
}

// labelled sets h's label and its parts.
func (h Headline) labelled(what, measure, window string) Headline {
	h.What, h.Measure, h.Window = what, measure, window
	h.Label = WindowLabel(what, measure, window)
	return h
}

func withLevel(h Headline, level float64) Headline {
	if level != 0 && !math.IsNaN(level) && !math.IsInf(level, 0) {
		l := level
		p := 100 * h.Value / level
		h.Counterfactual, h.Percent = &l, &p
	}
	return h
}

// CheckFinite returns an error naming the first NaN or infinite number in
// s.
func (s *Summary) CheckFinite() error {
	bad := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }
	band := func(b *Band) bool { return b != nil && (bad(b.P5) || bad(b.P50) || bad(b.P95)) }
	opt := func(p *float64) bool { return p != nil && bad(*p) }
	for _, h := range s.Headline {
		if bad(h.Value) || band(h.Band) || opt(h.Counterfactual) || opt(h.Percent) {
			return fmt.Errorf("headline %s is not a finite number", h.Metric)
		}
	}
	for _, e := range s.ExportsByYear {
		if bad(e.Scenario) || bad(e.Counterfactual) || bad(e.Change) || opt(e.Percent) {
			return fmt.Errorf("exports of %s in %d are not a finite number", e.Supplier, e.Year)
		}
	}
	for _, m := range s.Metrics {
		if bad(m.Value) || band(m.Band) {
			return fmt.Errorf("metric %s is not a finite number", m.Name)
		}
	}
	return nil
}

// WriteJSON writes s as indented JSON. NaN or Inf is an error.
func (s *Summary) WriteJSON(w io.Writer) error {
	if err := s.CheckFinite(); err != nil {
		return err
	}
	return WriteJSON(w, s)
}

// WriteJSON writes v as indented JSON with a final newline (every JSON
// output of potash).
func WriteJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
