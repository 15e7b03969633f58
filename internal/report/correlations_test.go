package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/potash-sim/potash/model"
)

// TestCorrelationsInSummaries checks that the groups of correlated
// parameters (model.Uncertain.Copula) are in summary.json, summary.md
// and the text table of a run with draws, and nowhere without them.
func TestCorrelationsInSummaries(t *testing.T) {
	u, err := model.NewUniform(0, 1)
	if err != nil {
		t.Fatal(err)
	}
	c, err := model.NewCopula([][]float64{{1, 0.96}, {0.96, 1}})
	if err != nil {
		t.Fatal(err)
	}
	unc := []model.Uncertain{
		{Name: "market.regions.*.demand_elasticity", Dist: u, Copula: c, CopulaRow: 1},
		{Name: "market.regions.*.substitution_elasticity", Dist: u},
		{Name: "market.drivers.crop_prices.elasticity", Dist: u, Copula: c, CopulaRow: 0},
	}
	const pair = "market.drivers.crop_prices.elasticity` with `market.regions.*.demand_elasticity` 0.96"
	for _, tc := range []struct {
		name string
		unc  []model.Uncertain
		want bool
	}{
		{"correlated", unc, true},
		{"independent", unc[1:2], false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &Summary{Scenario: ScenarioInfo{Name: "s", Title: "S", Correlations: Correlations(tc.unc)}, Draws: 10, Converged: 10}
			var md, tab bytes.Buffer
			if err := WriteMarkdown(&md, s); err != nil {
				t.Fatal(err)
			}
			if err := WriteTable(&tab, s); err != nil {
				t.Fatal(err)
			}
			js, err := json.Marshal(s)
			if err != nil {
				t.Fatal(err)
			}
			text := strings.ReplaceAll(tab.String(), "\n  ", " ")
			for what, got := range map[string]bool{
				"summary.md":   strings.Contains(md.String(), pair),
				"table":        strings.Contains(text, strings.ReplaceAll(pair, "`", "")),
				"summary.json": strings.Contains(string(js), `"correlations":[{"params":["market.drivers.crop_prices.elasticity","market.regions.*.demand_elasticity"],"matrix":[[1,0.96],[0.96,1]]}]`),
			} {
				if got != tc.want {
					t.Errorf("%s names the correlated pair: %v, want %v", what, got, tc.want)
				}
			}
		})
	}
}
