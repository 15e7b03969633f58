package report

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/potash-sim/potash/model"
)

func TestFindOffBand(t *testing.T) {
	must := func(d model.Distribution, err error) model.Distribution {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	// The us-relief-2025 case: the relief scale's central value 1 is the
	// top of its uniform range; the risk cost's triangular has mode = max.
	relief := model.Uncertain{Name: "events.discount-relief.scale", Dist: must(model.NewUniform(1.0/3, 1)), Central: 1}
	riskCost := model.Uncertain{Name: "events.belarus-discount.pct", Unit: "%", Dist: must(model.NewTriangular(0, 40, 40)), Central: 40}
	supplyEl := model.Uncertain{Name: "market.suppliers.*.supply_elasticity", Dist: must(model.NewTriangular(0.3, 0.3, 0.736)), Central: 0.3}
	// Near the top: mode 0.96 of [0.05, 1] lies above the 95% quantile.
	stockAdj := model.Uncertain{Name: "market.regions.*.stock_adjustment_per_month", Unit: "1/month", Dist: must(model.NewTriangular(0.05, 0.96, 1)), Central: 0.96}
	middle := model.Uncertain{Name: "market.regions.*.substitution_elasticity", Dist: must(model.NewTriangular(2, 4, 8)), Central: 4}
	normal := model.Uncertain{Name: "x.normal", Dist: must(model.NewNormal(1, 0.1, math.Inf(-1), math.Inf(1))), Central: 1}

	inside := Headline{What: "Benchmark price", Value: 0.001, Band: &Band{P5: -0.07, P50: 1.4, P95: 4.3}}
	below := Headline{What: "Belarus netback revenue", Value: 41.7, Band: &Band{P5: 95.4, P50: 627, P95: 1406}}
	above := Headline{What: "Russia netback revenue", Value: -14.9, Band: &Band{P5: -204, P50: -83, P95: -21.1}}
	onEdge := Headline{What: "On the edge", Value: 2, Band: &Band{P5: 2 * (1 + offBandTol/10), P50: 3, P95: 4}}
	noBand := Headline{What: "No draws", Value: 5}

	for _, tc := range []struct {
		name   string
		heads  []Headline
		unc    []model.Uncertain
		lines  []string
		params []string // "name:top|bottom:at|near"
	}{
		{"all inside", []Headline{inside, onEdge}, []model.Uncertain{relief, riskCost}, nil, nil},
		{"no bands", []Headline{noBand}, []model.Uncertain{relief}, nil, nil},
		{"relief at top", []Headline{inside, below, above}, []model.Uncertain{middle, relief, riskCost, supplyEl, stockAdj, normal},
			[]string{"Belarus netback revenue", "Russia netback revenue"},
			[]string{"events.discount-relief.scale:top:at", "events.belarus-discount.pct:top:at",
				"market.suppliers.*.supply_elasticity:bottom:at", "market.regions.*.stock_adjustment_per_month:top:near"}},
		{"no edge parameter", []Headline{below}, []model.Uncertain{middle, normal}, []string{"Belarus netback revenue"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := FindOffBand(tc.heads, tc.unc)
			if tc.lines == nil {
				if o != nil {
					t.Fatalf("FindOffBand = %+v, want nil", o)
				}
				if o.Text() != "" {
					t.Errorf("nil OffBand has text %q", o.Text())
				}
				return
			}
			if o == nil {
				t.Fatal("FindOffBand = nil, want lines outside their band")
			}
			if strings.Join(o.Lines, "|") != strings.Join(tc.lines, "|") {
				t.Errorf("lines = %q, want %q", o.Lines, tc.lines)
			}
			var got []string
			for _, p := range o.Params {
				side, at := "bottom", "near"
				if p.Top {
					side = "top"
				}
				if p.AtEdge {
					at = "at"
				}
				got = append(got, p.Param+":"+side+":"+at)
			}
			if strings.Join(got, "|") != strings.Join(tc.params, "|") {
				t.Errorf("params = %q, want %q", got, tc.params)
			}
			text := o.Text()
			for _, l := range tc.lines {
				if !strings.Contains(text, l) {
					t.Errorf("text does not name %q: %s", l, text)
				}
			}
			for _, p := range o.Params {
				if !strings.Contains(text, p.Param) {
					t.Errorf("text does not name %s: %s", p.Param, text)
				}
			}
			if len(o.Params) == 0 && !strings.Contains(text, "no central value lies at an edge") {
				t.Errorf("text does not say no parameter is at an edge: %s", text)
			}
		})
	}
}

// The Markdown and text summaries carry the explanation under the
// headline when a central value lies outside its band, and nothing
// otherwise.
func TestOffBandInSummaries(t *testing.T) {
	u, err := model.NewUniform(1.0/3, 1)
	if err != nil {
		t.Fatal(err)
	}
	heads := []Headline{{Metric: "x", What: "Belarus netback revenue", Label: "Belarus netback revenue, cumulative change", Unit: "$M",
		Value: 41.7, Band: &Band{P5: 95.4, P50: 627, P95: 1406}}}
	unc := []model.Uncertain{{Name: "events.discount-relief.scale", Dist: u, Central: 1}}
	for _, tc := range []struct {
		name string
		off  *OffBand
		want bool
	}{
		{"outside", FindOffBand(heads, unc), true},
		{"inside", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &Summary{Scenario: ScenarioInfo{Name: "s", Title: "S"}, Draws: 10, Converged: 10, Headline: heads, OffBand: tc.off}
			for _, w := range []struct {
				name  string
				write func(*bytes.Buffer) error
			}{
				{"markdown", func(b *bytes.Buffer) error { return WriteMarkdown(b, s) }},
				{"table", func(b *bytes.Buffer) error { return WriteTable(b, s) }},
			} {
				var b bytes.Buffer
				if err := w.write(&b); err != nil {
					t.Fatal(err)
				}
				// The text table wraps its notes at textWidth, continuation
				// lines indented.
				text := strings.ReplaceAll(b.String(), "\n  ", " ")
				got := strings.Contains(text, "outside the 5–95% range") && strings.Contains(text, "discount-relief")
				if got != tc.want {
					t.Errorf("%s names the off-band figures: %v, want %v\n%s", w.name, got, tc.want, b.String())
				}
				if _, notes, ok := strings.Cut(b.String(), "\nNote: "); ok && w.name == "table" {
					for _, l := range strings.Split("Note: "+notes, "\n") {
						if n := len([]rune(l)); n > textWidth {
							t.Errorf("table: a note line of %d characters (wrap at %d): %q", n, textWidth, l)
						}
					}
				}
			}
		})
	}
}

// TestOffBandTextWordings: every wording branch of OffBand.Text, the
// explanation the summaries and the web page give: nothing without a
// line outside its band; "lies" for one line, "lie" for several; no
// parameter at an edge; a parameter at or near the top or the bottom of
// its range ("near" adds that it lies beyond 95% of its draws); a unit
// named after the parameter, "%" after the numbers, "1" not at all; a
// minus sign for a negative number; several parameters joined by "; ".
func TestOffBandTextWordings(t *testing.T) {
	const (
		lie  = "At central parameter values, A and B lie outside the 5–95% range of the draws. "
		lies = "At central parameter values, A lies outside the 5–95% range of the draws. "
		why  = "This is not an error: the central run takes each uncertain parameter's central value, "
		edge = "and when that value lies at or near an edge of its range most draws move the parameter " +
			"the same way, so the range of the draws can leave the central run out. Central values at or near an edge: "
	)
	one := func(p EdgeParam) *OffBand { return &OffBand{Lines: []string{"A"}, Params: []EdgeParam{p}} }
	for _, tc := range []struct {
		name string
		o    *OffBand
		want string
	}{
		{"nil", nil, ""},
		{"no line", &OffBand{Params: []EdgeParam{{Param: "p"}}}, ""},
		{"no parameter, two lines", &OffBand{Lines: []string{"A", "B"}}, lie + why +
			"and no central value lies at an edge of its range, but the results respond unevenly " +
			"to the parameters (more to a move one way than the other), so the draws need not straddle the central run."},
		{"at the top", one(EdgeParam{Param: "p", Unit: "1", Central: 1, Min: 0.3333, Max: 1, Top: true, AtEdge: true}),
			lies + why + edge + "p is 1, at the top of its range 0.3333 to 1."},
		{"near the top", one(EdgeParam{Param: "p", Unit: "1/month", Central: 0.96, Min: 0.05, Max: 1, Top: true}),
			lies + why + edge + "p (1/month) is 0.96, near the top of its range 0.05 to 1 (beyond 95% of its draws)."},
		{"at the bottom", one(EdgeParam{Param: "p", Unit: "%", Central: 0, Min: 0, Max: 40, AtEdge: true}),
			lies + why + edge + "p is 0%, at the bottom of its range 0 to 40%."},
		{"near the bottom", one(EdgeParam{Param: "p", Central: -1.5, Min: -2, Max: 3}),
			lies + why + edge + "p is −1.5, near the bottom of its range −2 to 3 (beyond 95% of its draws)."},
		{"two parameters", &OffBand{Lines: []string{"A", "B"}, Params: []EdgeParam{
			{Param: "p", Central: 1, Min: 0, Max: 1, Top: true, AtEdge: true},
			{Param: "q", Central: 0, Min: 0, Max: 1, AtEdge: true}}},
			lie + why + edge + "p is 1, at the top of its range 0 to 1; q is 0, at the bottom of its range 0 to 1."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.o.Text(); got != tc.want {
				t.Errorf("Text =\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}
