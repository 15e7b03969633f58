package scenarios

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/model"
)

// instrumentGroup is a set of a built-in's events that make one
// instrument of its headline (e.g. "US route reopened").
type instrumentGroup struct {
	name string
	ids  []string
}

// decompositions lists, per built-in, the instruments its headline is
// decomposed into (docs/SCENARIOS.md, "What drives the headlines").
var decompositions = []struct {
	scenario string
	sets     []string
	groups   []instrumentGroup
}{
	{"us-relief-2025", nil, []instrumentGroup{
		{"US route reopened (us-ban ends)", []string{"us-ban"}},
		{"risk cost cut (discount-relief)", []string{"discount-relief"}},
	}},
	{"us-relief-2025", []string{"events.discount-relief.scale=0.6667"}, []instrumentGroup{
		{"US route reopened (us-ban ends)", []string{"us-ban"}},
		{"risk cost cut by a third (discount-relief)", []string{"discount-relief"}},
	}},
	{"sanctions-cost", nil, []instrumentGroup{
		{"bans (EU 2021 and 2022, US)", []string{"eu-june-2021", "us-ban", "eu-ban"}},
		{"buyers' risk cost (belarus-discount)", []string{"belarus-discount"}},
		{"Klaipėda closed, rerouting", []string{"klaipeda-closed", "russian-ports", "china-rail"}},
		{"EU quota on Russian KCl", []string{"eu-quota-russia"}},
		{"buyers' stock-building (precautionary-stocks)", []string{"precautionary-stocks"}},
	}},
}

// decompMetrics are the headline metrics decomposed.
var decompMetrics = []struct{ name, label, unit string }{
	{"benchmark_price_change", "benchmark price", "$/t"},
	{"netback_revenue_change.Belarus", "Belarus netback", "$ bn"},
	{"netback_revenue_change.Canada", "Canada netback", "$ bn"},
	{"netback_revenue_change.Russia", "Russia netback", "$ bn"},
}

// mixSpec returns the scenario's spec with the events of the groups in on
// taken from the scenario and every other event from the counterfactual
// (an event present on one side only is kept only when its side is used).
func mixSpec(s *Scenario, groups []instrumentGroup, on uint) *model.Spec {
	inGroup := func(id string) int {
		for g, gr := range groups {
			if slices.Contains(gr.ids, id) {
				return g
			}
		}
		return -1
	}
	spec := s.Spec.Clone()
	var evs []model.Event
	for _, e := range s.Spec.Events {
		if g := inGroup(e.ID); g < 0 || on&(1<<g) != 0 {
			evs = append(evs, e)
		}
	}
	for _, e := range s.Counterfactual.Events {
		if g := inGroup(e.ID); g >= 0 && on&(1<<g) == 0 {
			evs = append(evs, e)
		}
	}
	spec.Events = evs
	return spec
}

// decompose returns the Shapley value of every group for every metric
// (over the 2^n runs with each subset of groups taken from the scenario)
// and the headline values.
func decompose(t *testing.T, name string, sets []string, groups []instrumentGroup) (shap [][]float64, total []float64) {
	s, err := Load(name, sets)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range groups {
		for _, id := range g.ids {
			if !slices.ContainsFunc(s.Spec.Events, func(e model.Event) bool { return e.ID == id }) {
				t.Fatalf("%s: no event %s", name, id)
			}
		}
	}
	n := len(groups)
	vals := make([][]float64, 1<<n)
	for on := uint(0); on < 1<<n; on++ {
		run, err := model.SimulatePair(context.Background(), mixSpec(s, groups, on), s.Counterfactual)
		if err != nil {
			t.Fatal(err)
		}
		if f := run.Failures(); len(f) > 0 {
			t.Fatalf("%s, groups %b: %d months did not converge", name, on, len(f))
		}
		ms := model.Metrics(run)
		for _, dm := range decompMetrics {
			m, ok := model.MetricValue(ms, dm.name)
			if !ok {
				t.Fatalf("no metric %s", dm.name)
			}
			v := m.Value
			if dm.unit == "$ bn" {
				v /= 1000
			}
			vals[on] = append(vals[on], v)
		}
	}
	fact := func(k int) float64 {
		f := 1.0
		for i := 2; i <= k; i++ {
			f *= float64(i)
		}
		return f
	}
	shap = make([][]float64, n)
	for g := range n {
		shap[g] = make([]float64, len(decompMetrics))
		for on := uint(0); on < 1<<n; on++ {
			if on&(1<<g) != 0 {
				continue
			}
			k := 0
			for b := range n {
				if on&(1<<b) != 0 {
					k++
				}
			}
			w := fact(k) * fact(n-k-1) / fact(n)
			for m := range decompMetrics {
				shap[g][m] += w * (vals[on|1<<g][m] - vals[on][m])
			}
		}
	}
	return shap, vals[1<<n-1]
}

// TestHeadlineDecomposition decomposes the headlines of us-relief-2025
// and sanctions-cost by instrument (Shapley values over every subset of
// instruments taken from the scenario, the rest from the counterfactual),
// checks that the parts add up to the headline, and keeps the block in
// docs/SCENARIOS.md current (-update rewrites it).
func TestHeadlineDecomposition(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 20 scenario pairs")
	}
	var b strings.Builder
	for _, d := range decompositions {
		shap, total := decompose(t, d.scenario, d.sets, d.groups)
		for m := range decompMetrics {
			var sum float64
			for g := range shap {
				sum += shap[g][m]
			}
			if !scalar.EqualWithinAbsOrRel(sum, total[m], 1e-9, 1e-9) {
				t.Errorf("%s %s: parts add to %g, headline %g", d.scenario, decompMetrics[m].name, sum, total[m])
			}
		}
		title := d.scenario
		if len(d.sets) > 0 {
			title += " --set " + strings.Join(d.sets, " --set ")
		}
		fmt.Fprintf(&b, "%s, headline window, against its counterfactual:\n", title)
		head := []string{"instrument"}
		for _, dm := range decompMetrics {
			head = append(head, dm.label+" ("+dm.unit+")")
		}
		rows := [][]string{}
		for g, gr := range d.groups {
			row := []string{gr.name}
			for m := range decompMetrics {
				row = append(row, report.FormatNumber(shap[g][m], signedDec(decompMetrics[m].unit), true))
			}
			rows = append(rows, row)
		}
		row := []string{"headline (all together)"}
		for m := range decompMetrics {
			row = append(row, report.FormatNumber(total[m], signedDec(decompMetrics[m].unit), true))
		}
		rows = append(rows, row)
		if err := (&report.Table{Head: head, Rows: rows}).WriteText(&b); err != nil {
			t.Fatal(err)
		}
		b.WriteString("\n")
	}
	checkDocBlock(t, "../docs/SCENARIOS.md", "headline decomposition", "go test ./scenarios -run TestHeadlineDecomposition -update", b.String())
}

// docBlockBegin is the first line of a generated block called name,
// which cmd regenerates.
func docBlockBegin(name, cmd string) string {
	return "<!-- BEGIN " + name + ": generated by " + cmd + "; do not edit -->\n"
}

// signedDec is the decimals a change in unit is shown with: 2 for $ bn,
// else 1.
func signedDec(unit string) int {
	if unit == "$ bn" {
		return 2
	}
	return 1
}

// checkDocBlock compares the text between the markers "<!-- BEGIN name:
// generated by cmd; do not edit -->" and "<!-- END name -->" of file with
// want, in a text code block; -update rewrites it.
func checkDocBlock(t *testing.T, file, name, cmd, want string) {
	t.Helper()
	doc, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	begin := docBlockBegin(name, cmd)
	end := "<!-- END " + name + " -->"
	i, j := strings.Index(string(doc), begin), strings.Index(string(doc), end)
	if i < 0 || j < i {
		t.Fatalf("%s: no block %q ... %q", file, begin, end)
	}
	block := "```text\n" + want + "```\n"
	got := string(doc)[i+len(begin) : j]
	if got == block {
		return
	}
	if !*update {
		t.Fatalf("%s: the %s block is out of date (%s):\n%s", file, name, cmd, want)
	}
	out := string(doc)[:i+len(begin)] + block + string(doc)[j:]
	if err := os.WriteFile(file, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
}
