package scenarios

import (
	"context"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/potash-sim/potash/model"
)

// maxSpike is the largest relative gap allowed between a month's
// benchmark price and the mean of its two neighbours (issue 14: a step
// shock must not make a one-month spike).
const maxSpike = 0.10

// spikeOf returns the month of v whose value is farthest, relative, from
// the mean of its two neighbours, and that distance.
func spikeOf(v []float64) (int, float64) {
	at, worst := -1, 0.0
	for k := 1; k+1 < len(v); k++ {
		m := (v[k-1] + v[k+1]) / 2
		if m <= 0 {
			continue
		}
		if d := math.Abs(v[k]/m - 1); d > worst {
			at, worst = k, d
		}
	}
	return at, worst
}

func checkNoSpikes(t *testing.T, name string, p *model.Path) {
	t.Helper()
	if p.Failed != 0 {
		t.Errorf("%s: %d months did not converge", name, p.Failed)
	}
	b := make([]float64, len(p.Sol))
	for k, s := range p.Sol {
		b[k] = s.Benchmark
	}
	k, d := spikeOf(b)
	if d > maxSpike {
		t.Errorf("%s: %v benchmark %.1f $/t is %.1f%% from the mean of %.1f and %.1f", name, p.Months[k], b[k], 100*d, b[k-1], b[k+1])
	}
	t.Logf("%s: largest gap to the neighbours' mean %.1f%%", name, 100*d)
}

// TestNoSpikes: on every built-in's benchmark path (scenario and
// counterfactual, central values) no month's price differs from the mean
// of its two neighbours by more than 10%.
func TestNoSpikes(t *testing.T) {
	for _, in := range Builtins() {
		t.Run(in.Name, func(t *testing.T) {
			s, err := Load(in.Name, nil)
			if err != nil {
				t.Fatal(err)
			}
			run, err := model.SimulatePair(context.Background(), s.Spec, s.Counterfactual)
			if err != nil {
				t.Fatal(err)
			}
			checkNoSpikes(t, "scenario", run.Scenario)
			checkNoSpikes(t, "counterfactual", run.Counterfactual)
		})
	}
}

// TestDocsInlineMarketNoSpikes runs the inline market of docs/SCENARIOS.md
// ("or a whole market written inline") through a step loss of a tenth of
// its supply (its only port cut from 8 to 4.5 Mt/yr while it ships 5: the
// size of the Klaipėda closure against world trade in 2022) and checks
// that the price path has no spike.
func TestDocsInlineMarketNoSpikes(t *testing.T) {
	doc, err := os.ReadFile("../docs/SCENARIOS.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	i := strings.Index(text, "or a whole market written inline")
	if i < 0 {
		t.Fatal("docs/SCENARIOS.md: no inline market example")
	}
	rest := text[i:]
	j := strings.Index(rest, "```yaml\n")
	k := strings.Index(rest[j+8:], "```")
	if j < 0 || k < 0 {
		t.Fatal("docs/SCENARIOS.md: no YAML block after the inline market heading")
	}
	market := rest[j+8 : j+8+k]
	src := "title: inline example\ndescription: a step loss of supply\nsources: [test]\nhorizon: {start: 2020-01, end: 2027-12}\n" + market +
		"events:\n  - {id: cut, label: port cut, corridor: {supplier: North, name: Port, capacity_mt: 4.5}, start: 2022-02}\ncounterfactual: {name: none, events: []}\n"
	s, err := Parse("inline.yaml", []byte(src), nil)
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	run, err := model.SimulatePair(context.Background(), s.Spec, s.Counterfactual)
	if err != nil {
		t.Fatal(err)
	}
	checkNoSpikes(t, "inline example", run.Scenario)
	n := len(run.Scenario.Sol) - 1
	b0, b1 := run.Counterfactual.Sol[n].Benchmark, run.Scenario.Sol[n].Benchmark
	if !(b1 > b0) {
		t.Errorf("the supply loss should raise the price: %.1f against %.1f", b1, b0)
	}
}
