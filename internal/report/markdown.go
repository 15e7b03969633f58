package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/potash-sim/potash/internal/numfmt"
)

// WriteTable writes the headline table as aligned plain text: one line per
// headline with its change, the 5–95% band when there were draws, and the
// unit (see FormatQuantity), then any warning about convergence.
func WriteTable(w io.Writer, s *Summary) error {
	if err := s.CheckFinite(); err != nil {
		return err
	}
	fmt.Fprintf(w, "%s\n", s.Scenario.Title)
	fmt.Fprintf(w, "%s vs %s · model %s · sha256 %s", s.Scenario.Name, s.Scenario.Counterfactual, s.ModelVersion, short(s.Scenario.Hash))
	if s.Draws > 0 {
		fmt.Fprintf(w, " · %d draws (%d converged), seed %d", s.Draws, s.Converged, s.Seed)
	}
	fmt.Fprintf(w, "\n")
	if m := moneyLine(s); m != "" {
		fmt.Fprintf(w, "%s\n", m)
	}
	fmt.Fprintf(w, "\n")
	if err := headlineTable(s, "5–95%").WriteText(w); err != nil {
		return err
	}
	if t := ExportsByYearTable(s); t != nil {
		fmt.Fprintf(w, "\nExports by year, change against the counterfactual (Mt KCl/yr; partial years: months in the window)\n")
		if err := t.WriteText(w); err != nil {
			return err
		}
	}
	if c := ConductText(s.Scenario); c != "" {
		fmt.Fprintf(w, "\n%s\n", c)
	}
	if t := s.OffBand.Text(); t != "" {
		fmt.Fprintf(w, "\n%s\n", Wrap("Note: "+t, " ", textWidth, 0, "  "))
	}
	if t := CorrelationsText(s.Scenario.Correlations, nil); t != "" && s.Draws > 0 {
		fmt.Fprintf(w, "\n%s\n", Wrap(t, " ", textWidth, 0, "  "))
	}
	if n := notes(s); n != "" {
		fmt.Fprintf(w, "\n%s", Wrap(n, " ", textWidth, 0, "  "))
	}
	return nil
}

// textWidth is the width, in characters, the notes under a plain-text
// table are wrapped at: a note is read in a terminal, where a line of a
// thousand characters breaks mid-word.
const textWidth = 100

// Wrap breaks each line of text after sep (" " for words, ", " for a
// list) so that no line is longer than width characters, trailing spaces
// not counted; a single longer piece stays whole. A line it breaks goes on
// with indent. col is the column the text starts at (what its first line
// already holds), and the text's own newlines start lines at column 0.
// The command line's lists (run.MetricGroups) and the notes under a
// plain-text table use it.
func Wrap(text, sep string, width, col int, indent string) string {
	var b strings.Builder
	for k, line := range strings.Split(text, "\n") {
		if k > 0 {
			b.WriteByte('\n')
			col = 0
		}
		for j, piece := range strings.SplitAfter(line, sep) {
			if j > 0 && col+len([]rune(strings.TrimRight(piece, " "))) > width {
				trimmed := strings.TrimRight(b.String(), " ")
				b.Reset()
				b.WriteString(trimmed + "\n" + indent)
				col = len([]rune(indent))
				piece = strings.TrimLeft(piece, " ")
			}
			b.WriteString(piece)
			col += len([]rune(piece))
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// moneyLine says which dollars the money figures are in, e.g. "Money in
// constant 2020 US dollars (the market's base year).", or "" when the
// market names no base year.
func moneyLine(s *Summary) string { return money(s.Scenario) }

func money(info ScenarioInfo) string {
	if info.DollarsOf == 0 {
		return ""
	}
	return fmt.Sprintf("Money in constant %d US dollars (the market's base year).", info.DollarsOf)
}

// HeadlineNote says what the headline's figures are, as summary.md says
// it under its table and the web page under its headline: what the
// percentages are relative to, the two revenues, and which dollars.
func HeadlineNote(info ScenarioInfo) string {
	t := "Percentages are relative to the counterfactual: its mean price, or its cumulative revenue, over the same months. " +
		"Netback revenue is what the mines earn: FOB revenue less the cost of rail, ports and transit to the FOB point; " +
		"export revenue (FOB) is the value trade statistics record."
	if m := money(info); m != "" {
		t += " " + m
	}
	return t
}

// ConductText is the table's line on market conduct, "Market conduct:
// " + conductLine, or "" when every supplier takes prices (the page shows
// it under its headline as the table does).
func ConductText(info ScenarioInfo) string {
	if info.Conduct == nil {
		return ""
	}
	return "Market conduct: " + conductLine(info.Conduct)
}

// conductLine says in one line which suppliers are strategic and which
// coalitions act, e.g. for the built-in bpc-breakup "Cournot players
// Canada (conduct 0.317 from 100% of its base gap), Russia (0.407 from
// 100%), Belarus (0.252 from 100%); coalition BPC (Russia, Belarus) at
// weight 1 in the base year, 0 from 2021-01 over 6 months; the others
// take prices" (TestConductLineDoc checks the example against the
// built-in). A conduct derived from a stated gap share (docs/MODEL.md,
// section 4.2) names the share; a stated conduct does not.
func conductLine(c *ConductInfo) string {
	var ps []string
	for k, p := range c.Players {
		from := ""
		if p.Derived {
			from = fmt.Sprintf(" from %.3g%%", 100*p.GapShare)
			if k == 0 {
				from += " of its base gap"
			}
		}
		if k == 0 {
			ps = append(ps, fmt.Sprintf("%s (conduct %.3g%s)", p.Supplier, p.Conduct, from))
		} else {
			ps = append(ps, fmt.Sprintf("%s (%.3g%s)", p.Supplier, p.Conduct, from))
		}
	}
	line := "every supplier takes prices"
	if len(ps) > 0 {
		line = "Cournot players " + strings.Join(ps, ", ")
	}
	for _, co := range c.Coalitions {
		line += fmt.Sprintf("; coalition %s (%s) at weight %.3g in the base year", co.Name, strings.Join(co.Members, ", "), co.Weight)
		if len(co.Changes) > 0 {
			line += ", " + strings.Join(co.Changes, ", ")
		}
	}
	if len(ps) > 0 {
		line += "; the others take prices"
	}
	return line
}

// writeConduct writes the Markdown section on the market conduct.
func writeConduct(w io.Writer, c *ConductInfo) {
	fmt.Fprintf(w, "## Market conduct\n\n%s (docs/MODEL.md, section 3.8: conduct 0 is price-taking, 1 Cournot; "+
		"a coalition at weight 1 sets its members' quantities jointly).\n\n", mdEscape(upperFirst(conductLine(c))))
	if len(c.Players) == 0 {
		return
	}
	fmt.Fprintf(w, "The base year calibrates each strategic supplier's conduct markup out of the gap between its netback and its marginal cost (section 4.2):\n\n")
	t := &Table{Head: []string{"Supplier", "Conduct", "Share of the base gap", "Base conduct markup", "Marginal cost ($/t)", "Published cost ($/t)"},
		Right: []bool{false, true, true, true, true, true}}
	for _, p := range c.Players {
		pub, share := "–", "–"
		if p.PublishedCost > 0 {
			pub = fmt.Sprintf("%.0f", p.PublishedCost)
		}
		if p.GapShare > 0 {
			share = fmt.Sprintf("%.0f%%", 100*p.GapShare)
		}
		if p.Derived {
			share += " (stated; conduct derived)"
		}
		t.Rows = append(t.Rows, []string{mdEscape(p.Supplier), fmt.Sprintf("%.3g", p.Conduct), share, fmt.Sprintf("%.0f%% of FOB", 100*p.Markup),
			fmt.Sprintf("%.0f", p.MarginalCost), pub})
	}
	if err := t.WriteMarkdown(w); err == nil {
		fmt.Fprintln(w)
	}
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// headlineTable is the headline as a Table: label, change, the 5–95% band
// (only with draws; bandHead names its column) and unit.
func headlineTable(s *Summary, bandHead string) *Table {
	hasBand := false
	for _, h := range s.Headline {
		hasBand = hasBand || h.Band != nil
	}
	t := &Table{Head: []string{"", "Change", "Unit"}, Right: []bool{false, true, false}}
	if hasBand {
		t.Head = []string{"", "Change", bandHead, "Unit"}
		t.Right = []bool{false, true, true, false}
	}
	for _, h := range s.Headline {
		v, b, u := h.Display()
		if !hasBand {
			t.Rows = append(t.Rows, []string{h.Label, v, u})
			continue
		}
		if b == "" {
			b = "–"
		}
		t.Rows = append(t.Rows, []string{h.Label, v, b, u})
	}
	return t
}

// ExportsByYearNote says what the exports-by-year table
// (ExportsByYearTable) shows, under its heading in summary.md and on the
// web page.
const ExportsByYearNote = "Change in exports against the counterfactual, Mt KCl/yr (the mean monthly rate over the year's months in the report window; sales at home excluded)."

// ExportsByYearTable is the exports by year (Summary.ExportsByYear) as a
// Table, as the summaries and the web page show it: one row per main
// supplier, one column per year (a partial year's heading says its months
// in the window), each cell the change "−6.81 (−57.2%)" (numfmt.Change); nil without rows.
func ExportsByYearTable(s *Summary) *Table {
	if len(s.ExportsByYear) == 0 {
		return nil
	}
	var years []int
	months := map[int]int{}
	cells := map[string]map[int]string{}
	var order []string
	for _, e := range s.ExportsByYear {
		if _, ok := months[e.Year]; !ok {
			years = append(years, e.Year)
		}
		months[e.Year] = e.Months
		if cells[e.Supplier] == nil {
			cells[e.Supplier] = map[int]string{}
			order = append(order, e.Supplier)
		}
		cells[e.Supplier][e.Year] = numfmt.Change(e.Change, 2, e.Percent)
	}
	t := &Table{Head: []string{""}}
	for _, y := range years {
		h := fmt.Sprint(y)
		if months[y] < 12 {
			h += fmt.Sprintf(" (%d mo)", months[y])
		}
		t.Head = append(t.Head, h)
	}
	for _, sup := range order {
		row := []string{sup}
		for _, y := range years {
			c := cells[sup][y]
			if c == "" {
				c = "–"
			}
			row = append(row, c)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// notes returns warnings about convergence, one per line, naming the
// failed months and draws, or "".
func notes(s *Summary) string {
	var b strings.Builder
	if n := RejectedNote(s); n != "" {
		b.WriteString("Note: " + n + "\n")
	}
	if s.FailedDraws > 0 {
		fmt.Fprintf(&b, "Warning: %d of %d draws (%s%%) did not converge; they are excluded from the bands (listed in draws.csv",
			s.FailedDraws, s.Draws, FormatNumber(100*float64(s.FailedDraws)/float64(max(s.Draws, 1)), 1, false))
		if len(s.DrawFailures) > 0 {
			d := s.DrawFailures[0]
			fmt.Fprintf(&b, "; the first, draw %d: %s", d.Draw, d.Reason)
		}
		b.WriteString(").\n")
	}
	fm := s.FailedMonths
	if n := fm.Scenario + fm.Counterfactual; n > 0 {
		months := "months"
		if n == 1 {
			months = "month"
		}
		fmt.Fprintf(&b, "Warning: %d %s of the central run did not converge (%d scenario, %d counterfactual): %s; "+
			"their numbers are the solver's best point (status column of results.csv).\n",
			n, months, fm.Scenario, fm.Counterfactual, ListFailedMonths(fm))
	}
	return b.String()
}

// RejectedNote says how many candidate draws broke a joint rule of the
// model and were redrawn, "" when none did: each draw is the first
// candidate of its stream that keeps the rules, so the draws come from the
// uncertainty box truncated by the rules (docs/MODEL.md §9.1, "The box of
// draws is a truncated prior").
func RejectedNote(s *Summary) string {
	if s.RejectedDraws <= 0 {
		return ""
	}
	n := s.RejectedDraws + s.Draws
	return fmt.Sprintf("%d of %d candidate draws (%s%%) broke a joint rule of the model (the stock-cycle, stock-release, crop or conduct rule) and were redrawn: "+
		"the draws are from the uncertainty box truncated by the rules (docs/MODEL.md §9.1).",
		s.RejectedDraws, n, FormatNumber(100*float64(s.RejectedDraws)/float64(n), 2, false))
}

// ListFailedMonths names the failed months, "scenario 2024-03 (iteration
// limit), …", with "and N more" past the listed ones.
func ListFailedMonths(fm FailedMonths) string {
	var parts []string
	for k, m := range fm.Months {
		if k == 10 {
			break
		}
		parts = append(parts, fmt.Sprintf("%s %s (%s)", m.Path, m.Month, m.Status))
	}
	if more := fm.Scenario + fm.Counterfactual - len(parts); more > 0 {
		parts = append(parts, fmt.Sprintf("and %d more", more))
	}
	return strings.Join(parts, ", ")
}

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
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
	if err := headlineTable(s, "5–95% range").WriteMarkdown(w); err != nil {
		return err
	}
	fmt.Fprintln(w)
	if s.Draws > 0 {
		fmt.Fprintf(w, "Changes are at central parameter values; ranges are the 5th to 95th percentiles over %d Monte Carlo draws "+
			"(%d converged) of the scenario's uncertain parameters, seed %d.\n\n", s.Draws, s.Converged, s.Seed)
		// Params are paths (no backquote): a code span each.
		if t := CorrelationsText(sc.Correlations, func(p string) string { return "`" + strings.ReplaceAll(p, "`", "'") + "`" }); t != "" {
			fmt.Fprintf(w, "%s\n\n", t)
		}
		if t := s.OffBand.Text(); t != "" {
			fmt.Fprintf(w, "%s\n\n", mdEscape(t))
		}
	} else {
		fmt.Fprintf(w, "Changes are at central parameter values (no Monte Carlo draws; rerun with `--draws 1000` for uncertainty ranges).\n\n")
	}
	fmt.Fprintf(w, "%s\n\n", HeadlineNote(s.Scenario))
	if t := ExportsByYearTable(s); t != nil {
		fmt.Fprintf(w, "## Exports by year\n\n%s\n\n", ExportsByYearNote)
		if err := t.WriteMarkdown(w); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	if n := notes(s); n != "" {
		fmt.Fprintf(w, "%s\n", n)
	}
	writeChartLinks(w, s.Charts)
	if sc.Conduct != nil {
		writeConduct(w, sc.Conduct)
	}
	if len(sc.Events) > 0 {
		fmt.Fprintf(w, "## Events\n\n| Event | First month | First month after |\n|---|---|---|\n")
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
		fmt.Fprintf(w, "\nAn event is in force from its first month up to, not including, the first month after (the scenario file's start and end, the end being the first month no longer in force; –: to the horizon).\n")
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
	data := "data: " + mdEscape(sc.Data)
	switch {
	case sc.Data != "":
	case sc.Dataset != "":
		data = "market data " + mdEscape(sc.Dataset)
	default:
		data = "market data given in the scenario file"
	}
	fmt.Fprintf(w, "Model version %s; %s; resolved scenario sha256 `%s` (see scenario.resolved.yaml).\n",
		s.ModelVersion, data, sc.Hash)
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
	for _, h := range s.Headline {
		p5, p50, p95 := Text(""), Text(""), Text("")
		if h.Band != nil {
			p5, p50, p95 = Num(h.Band.P5), Num(h.Band.P50), Num(h.Band.P95)
		}
		if err := cw.Row(Text(s.Scenario.Name), Text(h.Metric), Text(h.Label), Num(h.Value), p5, p50, p95,
			OptNum(h.Counterfactual), OptNum(h.Percent), Text(h.Unit)); err != nil {
			return err
		}
	}
	return cw.Flush()
}

// writeChartLinks writes a Charts section: the main charts' PNGs embedded
// (with their captions), the other chart files linked.
func writeChartLinks(w io.Writer, charts []ChartInfo) {
	var embedded, rest []string
	for _, c := range charts {
		png := ""
		for _, f := range c.Files {
			if strings.HasSuffix(f, ".png") {
				png = f
			}
		}
		for _, f := range c.Files {
			if c.Main && f == png {
				embedded = append(embedded, fmt.Sprintf("![%s](%s)", mdEscape(c.Caption), f))
			} else {
				rest = append(rest, fmt.Sprintf("[%s](%s)", mdEscape(f), f))
			}
		}
	}
	if len(embedded)+len(rest) == 0 {
		return
	}
	fmt.Fprintf(w, "## Charts\n\n")
	for _, e := range embedded {
		fmt.Fprintf(w, "%s\n\n", e)
	}
	if len(rest) > 0 {
		fmt.Fprintf(w, "Also: %s.\n\n", strings.Join(rest, ", "))
	}
}
