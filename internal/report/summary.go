package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/potash-sim/potash/model"
)

// Summary is everything a reader needs about one run, written as
// summary.json and rendered as summary.md. Money is in the model's units
// ($M for cumulative totals, $M/yr for flows); prices in $/t.
type Summary struct {
	Tool         string `json:"tool"`          // "potash"
	ModelVersion string `json:"model_version"` // model.Version
	Command      string `json:"command"`       // the command line that reproduces the run

	Scenario ScenarioInfo `json:"scenario"`

	Seed    uint64   `json:"seed"`
	Draws   int      `json:"draws"` // 0: a single run at central parameter values
	Workers int      `json:"workers,omitempty"`
	Sets    []string `json:"sets,omitempty"` // --set overrides, as given

	// Converged and FailedDraws count Monte Carlo draws (0 without draws).
	Converged   int `json:"converged_draws"`
	FailedDraws int `json:"failed_draws"`
	// FailedMonths counts months whose solve did not converge in the
	// central run's scenario and counterfactual paths.
	FailedMonths FailedMonths `json:"failed_months"`

	Headline []Headline `json:"headline"`
	Metrics  []Metric   `json:"metrics"`
	Warnings []string   `json:"warnings,omitempty"`
	Files    []string   `json:"files"` // base names of the files written, sorted
}

// FailedMonths counts non-converged months of the central run.
type FailedMonths struct {
	Scenario       int `json:"scenario"`
	Counterfactual int `json:"counterfactual"`
}

// ScenarioInfo describes the scenario run.
type ScenarioInfo struct {
	Name           string      `json:"name"`
	Title          string      `json:"title"`
	Description    string      `json:"description,omitempty"`
	Sources        []string    `json:"sources,omitempty"`
	Hash           string      `json:"sha256"` // of the resolved scenario
	Counterfactual string      `json:"counterfactual"`
	Dataset        string      `json:"dataset"` // market data set name and version
	Start          string      `json:"start"`   // YYYY-MM, first simulated month
	End            string      `json:"end"`     // YYYY-MM, last simulated month
	ReportFrom     string      `json:"report_from"`
	Events         []EventInfo `json:"events,omitempty"`
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
	Metric string  `json:"metric"` // model metric name
	Label  string  `json:"label"`
	Unit   string  `json:"unit"`  // of Value and Band: the model's unit
	Value  float64 `json:"value"` // equals the model's metric
	Band   *Band   `json:"band,omitempty"`
	// Counterfactual is the counterfactual's level of the same quantity over
	// the report window (mean price, or cumulative revenue), and Percent the
	// change relative to it; both omitted when the level is zero.
	Counterfactual *float64 `json:"counterfactual,omitempty"`
	Percent        *float64 `json:"percent,omitempty"`
}

// Metric names the headline uses (computed by model.Metrics).
const (
	MetricBenchmarkPrice = "benchmark_price_change"
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
// and each main supplier's cumulative export revenue change, with the values
// of metrics (model.Metrics(run)) and the bands of mc (may be nil). It is an
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
	bench := sc.Cal.Market.Benchmark
	out = append(out, withLevel(Headline{
		Metric: bm.Name, Unit: bm.Unit, Value: bm.Value, Band: bm.Band,
		Label: fmt.Sprintf("Benchmark potash price (%s CFR), mean change %s", bench, window),
	}, mean))

	for _, i := range MainSuppliers(sc.Cal.Market) {
		s := sc.Cal.Market.Suppliers[i]
		m, ok := byName[MetricRevenuePrefix+s.Name]
		if !ok {
			return nil, fmt.Errorf("report: the model reports no %q metric", MetricRevenuePrefix+s.Name)
		}
		var cum float64
		if lv, ok := byName["revenue."+s.Name]; ok {
			cum = lv.Value - m.Value
		} else {
			for k := from; k < len(cf.Sol); k++ {
				cum += cf.Sol[k].ExportRev[i] / 12
			}
		}
		out = append(out, withLevel(Headline{
			Metric: m.Name, Unit: m.Unit, Value: m.Value, Band: m.Band,
			Label: fmt.Sprintf("%s export revenue (FOB), cumulative change %s", supplierLabel(s), window),
		}, cum))
	}
	return out, nil
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
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// scale converts a model unit to the display unit of tables: $M → $ bn.
func scale(unit string) (factor float64, display string) {
	switch unit {
	case "$M":
		return 1e-3, "$ bn"
	case "$M/yr":
		return 1e-3, "$ bn/yr"
	}
	return 1, unit
}

// decimals for display of a value in display unit u.
func decimals(u string) int {
	switch u {
	case "$ bn", "$ bn/yr":
		return 2
	case "fraction":
		return 3
	}
	return 1
}

// FormatNumber formats v with thousands separators and dec decimals;
// signed adds a '+' to positive values. −0 prints as 0.
func FormatNumber(v float64, dec int, signed bool) string {
	s := fmt.Sprintf("%.*f", dec, math.Abs(v))
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for k, c := range intPart {
		if k > 0 && (len(intPart)-k)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String()
	if frac != "" {
		out += "." + frac
	}
	zero := strings.Trim(out, "0.,") == ""
	switch {
	case v < 0 && !zero:
		out = "−" + out
	case signed && !zero:
		out = "+" + out
	}
	return out
}

// Display returns h's value, band and unit as display strings (money in
// $ bn).
func (h Headline) Display() (value, band, unit string) {
	f, u := scale(h.Unit)
	d := decimals(u)
	value = FormatNumber(h.Value*f, d, true)
	if h.Percent != nil {
		value += " (" + FormatNumber(*h.Percent, 1, true) + "%)"
	}
	if h.Band != nil {
		band = FormatNumber(h.Band.P5*f, d, true) + " to " + FormatNumber(h.Band.P95*f, d, true)
	}
	return value, band, u
}
