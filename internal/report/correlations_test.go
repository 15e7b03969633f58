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

// TestCorrelationsTextLargeGroup: a group of more than three pairs (the
// built-ins' eleven fitted parameters: 55 pairs) is described by its
// pairs of |r| ≥ 0.3, strongest first, and a count of the others, not
// by every pair; a small group keeps every pair in matrix order.
func TestCorrelationsTextLargeGroup(t *testing.T) {
	for _, tc := range []struct {
		name string
		c    CorrelationInfo
		want string
	}{
		{"three params, every pair", CorrelationInfo{Params: []string{"a", "b", "c"}, Matrix: [][]float64{{1, 0.1, 0.9}, {0.1, 1, 0}, {0.9, 0, 1}}},
			": a with b 0.1, a with c 0.9, b with c 0."},
		{"four params, strong pairs first", CorrelationInfo{Params: []string{"a", "b", "c", "d"}, Matrix: [][]float64{
			{1, 0.1, 0.5, 0}, {0.1, 1, 0, -0.8}, {0.5, 0, 1, 0.2}, {0, -0.8, 0.2, 1}}},
			": b with d -0.8, a with c 0.5, and 4 pairs of |r| < 0.3 (summary.json gives the matrix)."},
		{"four params, none strong", CorrelationInfo{Params: []string{"a", "b", "c", "d"}, Matrix: [][]float64{
			{1, 0.1, 0, 0}, {0.1, 1, 0, 0}, {0, 0, 1, 0.2}, {0, 0, 0.2, 1}}},
			": 6 pairs of |r| < 0.3 (summary.json gives the matrix)."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := CorrelationsText([]CorrelationInfo{tc.c}, nil); !strings.HasSuffix(got, tc.want) {
				t.Errorf("CorrelationsText = %q, want it to end %q", got, tc.want)
			}
		})
	}
}
