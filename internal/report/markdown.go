package report

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// WriteTable writes the headline table as aligned plain text: one line per
// headline with its change, the 5–95% band when there were draws, and the
// unit. Money is shown in $ bn.
func WriteTable(w io.Writer, s *Summary) error {
	if err := s.CheckFinite(); err != nil {
		return err
	}
	fmt.Fprintf(w, "%s\n", s.Scenario.Title)
	fmt.Fprintf(w, "%s vs %s · model %s · sha256 %s", s.Scenario.Name, s.Scenario.Counterfactual, s.ModelVersion, short(s.Scenario.Hash))
	if s.Draws > 0 {
		fmt.Fprintf(w, " · %d draws (%d converged), seed %d", s.Draws, s.Converged, s.Seed)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w)
	hasBand := false
	for _, h := range s.Headline {
		hasBand = hasBand || h.Band != nil
	}
	head := []string{"", "Change", "Unit"}
	if hasBand {
		head = []string{"", "Change", "5–95%", "Unit"}
	}
	rows := [][]string{head}
	for _, h := range s.Headline {
		v, b, u := h.Display()
		if hasBand {
			if b == "" {
				b = "–"
			}
			rows = append(rows, []string{h.Label, v, b, u})
		} else {
			rows = append(rows, []string{h.Label, v, u})
		}
	}
	// The label and unit columns align left, the numbers right.
	right := func(c int) bool { return c > 0 && c < len(head)-1 }
	WriteAligned(w, rows, right)
	if n := notes(s); n != "" {
		fmt.Fprintf(w, "\n%s", n)
	}
	return nil
}

// WriteAligned writes rows as columns two spaces apart; right(c) says
// whether column c aligns right. Widths count runes.
func WriteAligned(w io.Writer, rows [][]string, right func(c int) bool) {
	var width []int
	for _, r := range rows {
		for c, cell := range r {
			if c >= len(width) {
				width = append(width, 0)
			}
			width[c] = max(width[c], utf8.RuneCountInString(cell))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for c, cell := range r {
			pad := strings.Repeat(" ", width[c]-utf8.RuneCountInString(cell))
			if c > 0 {
				b.WriteString("  ")
			}
			if right(c) {
				b.WriteString(pad + cell)
			} else {
				b.WriteString(cell + pad)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// notes returns warnings about convergence, one per line, or "".
func notes(s *Summary) string {
	var b strings.Builder
	if s.FailedDraws > 0 {
		fmt.Fprintf(&b, "Warning: %d of %d draws did not converge; they are excluded from the bands.\n", s.FailedDraws, s.Draws)
	}
	if n := s.FailedMonths.Scenario + s.FailedMonths.Counterfactual; n > 0 {
		fmt.Fprintf(&b, "Warning: %d months of the central run did not converge (%d scenario, %d counterfactual).\n",
			n, s.FailedMonths.Scenario, s.FailedMonths.Counterfactual)
	}
	return b.String()
}

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
}

// mdEscape escapes text for a Markdown table cell or line.
func mdEscape(s string) string {
	r := strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ", "*", `\*`, "_", `\_`, "`", "'", "<", "&lt;", ">", "&gt;")
	return r.Replace(s)
}

// WriteMarkdown writes s as a Markdown summary for a briefing: title, what
// was compared, the headline table, the scenario's events and sources, and
// how to reproduce the run.
func WriteMarkdown(w io.Writer, s *Summary) error {
	if err := s.CheckFinite(); err != nil {
		return err
	}
	sc := s.Scenario
	fmt.Fprintf(w, "# %s\n\n", mdEscape(sc.Title))
	fmt.Fprintf(w, "Scenario **%s** compared with **%s**, simulated month by month from %s to %s; "+
		"headline figures cover %s to %s.\n\n",
		mdEscape(sc.Name), mdEscape(sc.Counterfactual), sc.Start, sc.End, sc.ReportFrom, sc.End)
	if d := strings.TrimSpace(sc.Description); d != "" {
		fmt.Fprintf(w, "%s\n\n", d)
	}
	fmt.Fprintf(w, "## Headline\n\n")
	hasBand := false
	for _, h := range s.Headline {
		hasBand = hasBand || h.Band != nil
	}
	if hasBand {
		fmt.Fprintf(w, "| | Change | 5–95%% range | Unit |\n|---|---:|---:|---|\n")
	} else {
		fmt.Fprintf(w, "| | Change | Unit |\n|---|---:|---|\n")
	}
	for _, h := range s.Headline {
		v, b, u := h.Display()
		if hasBand {
			if b == "" {
				b = "–"
			}
			fmt.Fprintf(w, "| %s | %s | %s | %s |\n", mdEscape(h.Label), v, b, mdEscape(u))
		} else {
			fmt.Fprintf(w, "| %s | %s | %s |\n", mdEscape(h.Label), v, mdEscape(u))
		}
	}
	fmt.Fprintln(w)
	if s.Draws > 0 {
		fmt.Fprintf(w, "Changes are at central parameter values; ranges are the 5th to 95th percentiles over %d Monte Carlo draws "+
			"(%d converged) of the scenario's uncertain parameters, seed %d.\n\n", s.Draws, s.Converged, s.Seed)
	} else {
		fmt.Fprintf(w, "Changes are at central parameter values (no Monte Carlo draws; rerun with `--draws 1000` for uncertainty ranges).\n\n")
	}
	fmt.Fprintf(w, "Percentages are relative to the counterfactual: its mean price, or its cumulative export revenue, over the same months.\n\n")
	if n := notes(s); n != "" {
		fmt.Fprintf(w, "%s\n", n)
	}
	writeChartLinks(w, s.Files)
	if len(sc.Events) > 0 {
		fmt.Fprintf(w, "## Events\n\n| Event | From | Until |\n|---|---|---|\n")
		for _, e := range sc.Events {
			label := e.Label
			if label == "" {
				label = e.ID
			}
			end := e.End
			if end == "" {
				end = "–"
			}
			fmt.Fprintf(w, "| %s (`%s`) | %s | %s |\n", mdEscape(label), strings.ReplaceAll(e.ID, "`", "'"), e.Start, end)
		}
		fmt.Fprintln(w)
	}
	if len(sc.Sources) > 0 {
		fmt.Fprintf(w, "## Sources\n\n")
		for _, src := range sc.Sources {
			fmt.Fprintf(w, "- %s\n", strings.ReplaceAll(strings.TrimSpace(src), "\n", " "))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "## Reproduce\n\n```\n%s\n```\n\n", s.Command)
	fmt.Fprintf(w, "Model version %s; market data %s; resolved scenario sha256 `%s` (see scenario.resolved.yaml).\n",
		s.ModelVersion, mdEscape(sc.Dataset), sc.Hash)
	if len(s.Warnings) > 0 {
		fmt.Fprintf(w, "\n## Warnings\n\n")
		for _, wn := range s.Warnings {
			fmt.Fprintf(w, "- %s\n", mdEscape(wn))
		}
	}
	return nil
}

// WriteHeadlineCSV writes the headline table as CSV: metric, label, value,
// p5, p50, p95 (empty without draws), counterfactual, percent, unit, in the
// model's units.
func WriteHeadlineCSV(w io.Writer, s *Summary) error {
	cw, err := NewCSVWriter(w, "scenario", "metric", "label", "value", "p5", "p50", "p95", "counterfactual", "percent", "unit")
	if err != nil {
		return err
	}
	opt := func(p *float64) Cell {
		if p == nil {
			return Text("")
		}
		return Num(*p)
	}
	for _, h := range s.Headline {
		p5, p50, p95 := Text(""), Text(""), Text("")
		if h.Band != nil {
			p5, p50, p95 = Num(h.Band.P5), Num(h.Band.P50), Num(h.Band.P95)
		}
		if err := cw.Row(Text(s.Scenario.Name), Text(h.Metric), Text(h.Label), Num(h.Value), p5, p50, p95,
			opt(h.Counterfactual), opt(h.Percent), Text(h.Unit)); err != nil {
			return err
		}
	}
	return cw.Flush()
}

// mainCharts are embedded in summary.md when present, in this order; other
// charts are linked.
var mainCharts = []string{"revenue_change.png", "price.png"}

// writeChartLinks writes a Charts section for the chart files among files
// (base names in the same folder as summary.md).
func writeChartLinks(w io.Writer, files []string) {
	var charts []string
	for _, f := range files {
		if strings.HasSuffix(f, ".png") || strings.HasSuffix(f, ".svg") || strings.HasSuffix(f, ".pdf") {
			charts = append(charts, f)
		}
	}
	if len(charts) == 0 {
		return
	}
	fmt.Fprintf(w, "## Charts\n\n")
	embedded := map[string]bool{}
	for _, m := range mainCharts {
		for _, f := range charts {
			if f == m {
				fmt.Fprintf(w, "![%s](%s)\n\n", strings.TrimSuffix(f, ".png"), f)
				embedded[f] = true
			}
		}
	}
	var rest []string
	for _, f := range charts {
		if !embedded[f] {
			rest = append(rest, fmt.Sprintf("[%s](%s)", f, f))
		}
	}
	if len(rest) > 0 {
		fmt.Fprintf(w, "Also: %s.\n\n", strings.Join(rest, ", "))
	}
}
