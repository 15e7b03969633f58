package report_test

import (
	"strings"
	"testing"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/scenarios"
)

// TestMetricLabels: every metric the model computes for the default
// scenario's market has a name of its own in report.MetricLabel (not
// the fallback spelled from its words), no two metrics share a label, a
// supplier's two revenues say which revenue they are, and suppliers go
// by their labels.
func TestMetricLabels(t *testing.T) {
	sc, err := scenarios.Load(scenarios.DefaultScenario, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := sc.Spec.Market
	seen := map[string]string{}
	for _, mt := range model.MetricList(m) {
		what, measure := report.MetricLabel(m, mt.Name)
		if measure == "" {
			t.Errorf("%s: no label of its own (%q)", mt.Name, what)
		}
		text := report.MetricText(m, mt.Name)
		if other, dup := seen[text]; dup {
			t.Errorf("%s and %s are both %q", other, mt.Name, text)
		}
		seen[text] = mt.Name
		if strings.Contains(text, "%!") || strings.Contains(text, "_") {
			t.Errorf("%s: label %q", mt.Name, text)
		}
	}
	for name, want := range map[string]string{
		"revenue_change.Belarus":         "Belarus export revenue (FOB), cumulative change",
		"netback_revenue_change.Belarus": "Belarus netback revenue (mine gate), cumulative change",
		"revenue.Canada":                 "Canada export revenue (FOB), cumulative level in the scenario",
		"benchmark_price_change":         "Benchmark potash price (" + m.Benchmark + " CFR), mean change",
		"price_change.Southeast Asia":    "Southeast Asia delivered price paid, mean change",
		"no_such_metric.Belarus":         "Belarus no such metric",
	} {
		if got := report.MetricText(m, name); got != want {
			t.Errorf("MetricText(%s) = %q, want %q", name, got, want)
		}
	}
	for _, s := range m.Suppliers {
		if s.Label != "" && s.Label != s.Name {
			if what, _ := report.MetricLabel(m, "revenue_change."+s.Name); !strings.HasPrefix(what, s.Label+" ") {
				t.Errorf("revenue_change.%s is %q, not by its label %q", s.Name, what, s.Label)
			}
		}
	}
}
