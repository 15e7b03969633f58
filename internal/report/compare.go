package report

import (
	"fmt"
	"io"
	"strings"
)

// CompareSummary is the summary.json of `potash compare`: each scenario
// run against its own counterfactual.
type CompareSummary struct {
	Provenance
	Scenarios []CompareEntry `json:"scenarios"`
}

// CompareEntry is one scenario of a comparison.
type CompareEntry struct {
	Name           string       `json:"name"`
	Title          string       `json:"title"`
	Hash           string       `json:"sha256"`
	Counterfactual string       `json:"counterfactual"`
	ReportFrom     string       `json:"report_from"`
	End            string       `json:"end"`
	FailedMonths   FailedMonths `json:"failed_months"`
	// DollarsOf is the year whose US dollars the scenario's money is in
	// (ScenarioInfo.DollarsOf).
	DollarsOf int        `json:"dollars_of,omitempty"`
	Headline  []Headline `json:"headline"`
	Metrics   []Metric   `json:"metrics"`
}

// CheckFinite returns an error naming the first NaN or infinite number.
func (s *CompareSummary) CheckFinite() error {
	for _, en := range s.Scenarios {
		sum := Summary{Headline: en.Headline, Metrics: en.Metrics}
		if err := sum.CheckFinite(); err != nil {
			return fmt.Errorf("%s: %w", en.Name, err)
		}
	}
	return nil
}

// WriteJSON writes s as indented JSON. NaN or Inf is an error.
func (s *CompareSummary) WriteJSON(w io.Writer) error {
	if err := s.CheckFinite(); err != nil {
		return err
	}
	return WriteJSON(w, s)
}

// WriteCompareCSV writes compare.csv: every metric of every scenario, one
// per row, in the model's units.
func WriteCompareCSV(w io.Writer, s *CompareSummary) error {
	cw, err := NewCSVWriter(w, "scenario", "counterfactual", "report_from", "end", "metric", "value", "unit")
	if err != nil {
		return err
	}
	for _, en := range s.Scenarios {
		for _, m := range en.Metrics {
			if err := cw.Row(Text(en.Name), Text(en.Counterfactual), Text(en.ReportFrom),
				Text(en.End), Text(m.Name), Num(m.Value), Text(m.Unit)); err != nil {
				return fmt.Errorf("%s %s: %w", en.Name, m.Name, err)
			}
		}
	}
	return cw.Flush()
}

// CompareTable is the comparison as a Table: a column per scenario, a row
// for its counterfactual, its headline window, then each headline metric,
// named with its measure and unit ("Canada export revenue (FOB),
// cumulative change ($ bn)"; a scenario without that metric shows "–").
func CompareTable(s *CompareSummary) *Table {
	t := &Table{Head: []string{""}}
	cfs := []string{"Compared with"}
	window := []string{"Headline window"}
	for _, en := range s.Scenarios {
		t.Head = append(t.Head, en.Name)
		cfs = append(cfs, en.Counterfactual)
		window = append(window, en.ReportFrom+" to "+en.End)
	}
	t.Rows = [][]string{cfs, window}
	index := map[string]int{}
	for k, en := range s.Scenarios {
		for _, h := range en.Headline {
			i, ok := index[h.Metric]
			if !ok {
				_, _, unit := h.Display()
				row := make([]string, len(s.Scenarios)+1)
				// What and how, as the headline table says it: a
				// revenue's change is cumulative over the window.
				row[0] = h.What
				if h.Measure != "" {
					row[0] += ", " + h.Measure
				}
				row[0] += " (" + unit + ")"
				for j := range row[1:] {
					row[j+1] = "–"
				}
				i = len(t.Rows)
				index[h.Metric] = i
				t.Rows = append(t.Rows, row)
			}
			v, _, _ := h.Display()
			t.Rows[i][k+1] = v
		}
	}
	return t
}

// WriteCompareTable prints the comparison as plain text or, with
// markdown, as a Markdown document.
func WriteCompareTable(w io.Writer, s *CompareSummary, markdown bool) error {
	if err := s.CheckFinite(); err != nil {
		return err
	}
	t := CompareTable(s)
	if !markdown {
		if err := t.WriteText(w); err != nil {
			return err
		}
		if m := s.money(); m != "" {
			_, err := fmt.Fprintf(w, "\n%s\n", m)
			return err
		}
		return nil
	}
	fmt.Fprintf(w, "# Scenario comparison\n\n")
	if err := t.WriteMarkdown(w); err != nil {
		return err
	}
	m := s.money()
	if m != "" {
		m = " " + m
	}
	_, err := fmt.Fprintf(w, "\nPrices: mean change over each scenario's headline window; revenue: cumulative change over it.%s "+
		"Model %s. Reproduce: `%s`\n", m, s.ModelVersion, s.Command)
	return err
}

// money says in which dollars the comparison's money is, as a run's
// table does: one base year for all ("Money in constant 2020 US dollars
// (the market's base year)."), or each scenario's when their markets'
// differ; "" when no scenario says.
func (s *CompareSummary) money() string {
	years := map[int]bool{}
	var each []string
	for _, en := range s.Scenarios {
		if en.DollarsOf == 0 {
			return ""
		}
		years[en.DollarsOf] = true
		each = append(each, fmt.Sprintf("%s %d", en.Name, en.DollarsOf))
	}
	switch len(years) {
	case 0:
		return ""
	case 1:
		return money(ScenarioInfo{DollarsOf: s.Scenarios[0].DollarsOf})
	}
	return "Money in constant US dollars of each scenario's market's base year: " + strings.Join(each, ", ") + "."
}
