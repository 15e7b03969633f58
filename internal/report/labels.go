package report

import (
	"fmt"
	"strings"

	"github.com/potash-sim/potash/model"
)

// metricWords names a family of metrics for people: what it measures
// (with %s for the supplier or region, or the benchmark region of
// benchmark_price*) and how over the report window.
type metricWords struct{ what, measure string }

// Measures of the report window.
const (
	measureMean       = "mean change"
	measureCumulative = "cumulative change"
)

// worldMetrics and entityMetrics name model.MetricList's metrics, world
// totals by name and a supplier's or a region's by the prefix before the
// dot. A supplier's "revenue" is its FOB export revenue, told apart from
// its netback (mine-gate) revenue.
var (
	worldMetrics = map[string]metricWords{
		"benchmark_price_change":     {"Benchmark potash price (%s CFR)", measureMean},
		"benchmark_price_change_pct": {"Benchmark potash price (%s CFR)", "mean change, percent"},
		"benchmark_price":            {"Benchmark potash price (%s CFR)", "mean level in the scenario"},
		"tonnes_change":              {"World potash purchases", measureMean},
		"consumer_surplus_change":    {"World consumer surplus", measureCumulative},
		"producer_surplus_change":    {"World producer surplus", measureCumulative},
		"government_revenue_change":  {"Government revenue (import tariffs and export taxes)", measureCumulative},
		"quota_rent_change":          {"Tariff-rate quota rents kept by importers", measureCumulative},
		"risk_cost_change":           {"Buyers' risk costs, all regions", measureCumulative},
		"welfare_change":             {"World welfare", measureCumulative},
		"market_value":               {"World potash market value (delivered prices)", "cumulative, the larger run each month"},
	}
	entityMetrics = map[string]metricWords{
		"netback_revenue_change":     {"%s netback revenue (mine gate)", measureCumulative},
		"netback_revenue":            {"%s netback revenue (mine gate)", "cumulative level in the scenario"},
		"revenue_change":             {"%s export revenue (FOB)", measureCumulative},
		"revenue":                    {"%s export revenue (FOB)", "cumulative level in the scenario"},
		"exports_change":             {"%s exports", measureMean},
		"fob_price_change":           {"%s FOB price", measureMean},
		"market_share_change":        {"%s share of world exports", measureMean},
		"producer_surplus_change":    {"%s producer surplus", measureCumulative},
		"export_tax_change":          {"%s export tax collected", measureCumulative},
		"concession_paid_change":     {"%s price concessions granted", measureCumulative},
		"price_change":               {"%s delivered price paid", measureMean},
		"tonnes_change":              {"%s potash purchases", measureMean},
		"import_bill_change":         {"%s import bill (CFR)", measureCumulative},
		"consumer_surplus_change":    {"%s consumer surplus", measureCumulative},
		"tariff_revenue_change":      {"%s import tariff revenue", measureCumulative},
		"trq_rent_change":            {"%s tariff-rate quota rent", measureCumulative},
		"risk_cost_change":           {"%s buyers' risk costs", measureCumulative},
		"concession_received_change": {"%s price concessions received", measureCumulative},
	}
)

// MetricLabel names metric name (a model.MetricList name) of market m for
// people, in the words of the headline table, which builds its lines with
// it: what the metric measures, e.g. "Belarus export revenue (FOB)", and
// how over the report window, e.g. "cumulative change". Suppliers and
// regions go by their labels in m (m may be nil: then by their names). A
// name it does not know is spelled out from its words.
func MetricLabel(m *model.Market, name string) (what, measure string) {
	base, who, entity := strings.Cut(name, ".")
	if !entity {
		if w, ok := worldMetrics[name]; ok {
			bench := "benchmark region"
			if m != nil && m.Benchmark != "" {
				bench = m.Benchmark
			}
			if strings.Contains(w.what, "%s") {
				return fmt.Sprintf(w.what, bench), w.measure
			}
			return w.what, w.measure
		}
	} else if w, ok := entityMetrics[base]; ok {
		return fmt.Sprintf(w.what, entityLabel(m, who)), w.measure
	}
	// Unknown: its words, "who" first.
	l := strings.ReplaceAll(base, "_", " ")
	if l == "" {
		return name, ""
	}
	if who != "" {
		return who + " " + l, ""
	}
	return strings.ToUpper(l[:1]) + l[1:], ""
}

// IsChange reports whether metric name (a model.MetricList name) is a
// change against the counterfactual (benchmark_price_change,
// revenue_change.Belarus, benchmark_price_change_pct, …), which prints
// with its sign, rather than a level of the scenario (benchmark_price,
// market_value, revenue.Belarus, netback_revenue.Belarus), which prints
// without one: "283.3 $/t", not "+283.3 $/t", which reads as a change.
func IsChange(name string) bool {
	base, _, _ := strings.Cut(name, ".")
	return strings.HasSuffix(base, "_change") || strings.HasSuffix(base, "_change_pct")
}

// MetricText is MetricLabel's two parts as one label, "what, measure",
// as the page and the headline table (without its window) show it.
func MetricText(m *model.Market, name string) string {
	what, measure := MetricLabel(m, name)
	if measure == "" {
		return what
	}
	return what + ", " + measure
}

// WindowLabel is a metric's label with its window, as the headline table
// words a line: "what, measure window", e.g. "Belarus export revenue
// (FOB), cumulative change 2025-12 to 2028-12" (MetricLabel's parts; a
// metric of no known measure: "what, window").
func WindowLabel(what, measure, window string) string {
	l := what
	if measure != "" {
		l += ", " + measure
	}
	if window != "" {
		if measure == "" {
			l += ","
		}
		l += " " + window
	}
	return l
}

// entityLabel is the label of supplier or region name in m, or name.
func entityLabel(m *model.Market, name string) string {
	if m == nil {
		return name
	}
	for _, s := range m.Suppliers {
		if s.Name == name {
			return supplierLabel(s)
		}
	}
	for _, r := range m.Regions {
		if r.Name == name && r.Label != "" {
			return r.Label
		}
	}
	return name
}
