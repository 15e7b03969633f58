package report

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/potash-sim/potash/model"
)

// SweepSummary is the summary.json of `potash sweep`: the metrics at every
// point of a 1-D or 2-D grid.
type SweepSummary struct {
	Provenance
	Scenario string      `json:"scenario"`
	Axes     []SweepAxis `json:"axes"`
	Metrics  []string    `json:"metrics"`
	Units    []string    `json:"units"`
	// Labels name the metrics for people, in their order, as the
	// headline table does (WindowLabel: what, how and over which
	// window); the table heads its columns with them (the names when
	// absent).
	Labels       []string     `json:"labels,omitempty"`
	Points       []SweepPoint `json:"points"`
	NotConverged int          `json:"not_converged"` // points with a month that did not converge
	// Warnings are remarks for the reader, e.g. that a swept event is
	// the counterfactual's too, so the differences barely move.
	Warnings []string `json:"warnings,omitempty"`
}

// SweepAxis is one swept parameter and its values (in the parameter's
// unit; for a month parameter the model.Month number, and Months has them
// as YYYY-MM).
type SweepAxis struct {
	Param  string    `json:"param"`
	Unit   string    `json:"unit"`
	Values []float64 `json:"values"`
	Months []string  `json:"months,omitempty"`
}

// Format formats value v of the axis: a month as YYYY-MM, a number in its
// shortest form.
func (a SweepAxis) Format(v float64) string {
	if len(a.Months) > 0 {
		return model.Month(int(v)).String()
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// SweepPoint is one grid point: the parameter values (one per axis) and
// the metrics (in the order of SweepSummary.Metrics).
type SweepPoint struct {
	At        []float64 `json:"at"`
	Values    []float64 `json:"values"`
	Converged bool      `json:"converged"`
	Status    string    `json:"status"` // the solver's status: "converged", or that of the first month that did not converge
}

// CheckFinite returns an error naming the first NaN or infinite number.
func (s *SweepSummary) CheckFinite() error {
	for p, pt := range s.Points {
		for m, v := range pt.Values {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%s is not a finite number at point %d", s.Metrics[m], p+1)
			}
		}
	}
	return nil
}

// WriteJSON writes s as indented JSON. NaN or Inf is an error.
func (s *SweepSummary) WriteJSON(w io.Writer) error {
	if err := s.CheckFinite(); err != nil {
		return err
	}
	return WriteJSON(w, s)
}

// WriteSweepCSV writes sweep.csv: one row per grid point and metric, in
// the model's units, with the point's status.
func WriteSweepCSV(w io.Writer, s *SweepSummary) error {
	head := []string{"scenario"}
	for k := range s.Axes {
		head = append(head, fmt.Sprintf("param%d", k+1), fmt.Sprintf("value%d", k+1))
	}
	head = append(head, "metric", "value", "unit", "converged", "status")
	cw, err := NewCSVWriter(w, head...)
	if err != nil {
		return err
	}
	row := make([]Cell, 0, len(head))
	for _, p := range s.Points {
		for m, v := range p.Values {
			row = append(row[:0], Text(s.Scenario))
			for k, x := range p.At {
				c := Num(x)
				if len(s.Axes[k].Months) > 0 {
					c = Text(s.Axes[k].Format(x))
				}
				row = append(row, Text(s.Axes[k].Param), c)
			}
			row = append(row, Text(s.Metrics[m]), Num(v), Text(s.Units[m]), Text(strconv.FormatBool(p.Converged)), Text(p.Status))
			if err := cw.Row(row...); err != nil {
				return err
			}
		}
	}
	return cw.Flush()
}

// SweepTable is the sweep as a Table: a column per parameter, then one per
// metric, headed by its label (SweepSummary.Labels), in its display unit (DisplayUnit) with the decimals that tell
// the column's values apart (ColumnDecimals); a point with a month that
// did not converge is marked '*'.
func SweepTable(s *SweepSummary) *Table {
	t := &Table{}
	for _, ax := range s.Axes {
		t.Head = append(t.Head, ax.Param)
		t.Right = append(t.Right, true)
	}
	decs := make([]int, len(s.Metrics))
	factors := make([]float64, len(s.Metrics))
	for m, name := range s.Metrics {
		f, unit := DisplayUnit(s.Units[m])
		factors[m] = f
		if m < len(s.Labels) && s.Labels[m] != "" {
			name = s.Labels[m]
		}
		t.Head = append(t.Head, name+" ("+unit+")")
		t.Right = append(t.Right, true)
		var col []float64
		for _, p := range s.Points {
			col = append(col, p.Values[m])
		}
		decs[m] = ColumnDecimals(s.Units[m], col...)
	}
	for _, p := range s.Points {
		var r []string
		for k, x := range p.At {
			r = append(r, s.Axes[k].Format(x))
		}
		for m, v := range p.Values {
			cell := FormatNumber(v*factors[m], decs[m], IsChange(s.Metrics[m]))
			if !p.Converged {
				cell += "*"
			}
			r = append(r, cell)
		}
		t.Rows = append(t.Rows, r)
	}
	return t
}

// WriteSweepTable prints the sweep as plain text or Markdown, with a
// footnote when some point did not converge.
func WriteSweepTable(w io.Writer, s *SweepSummary, markdown bool) error {
	if err := s.CheckFinite(); err != nil {
		return err
	}
	if err := SweepTable(s).Write(w, markdown); err != nil {
		return err
	}
	if s.NotConverged > 0 {
		_, err := fmt.Fprintln(w, "* some months did not converge at this point")
		return err
	}
	return nil
}

// SensitivitySummary is the summary.json of `potash sensitivity`: the
// one-at-a-time effect of each uncertain parameter on a metric.
type SensitivitySummary struct {
	Provenance
	Scenario string `json:"scenario"`
	Metric   string `json:"metric"`
	// Label words the metric as the headline table does, with its
	// window ("Belarus export revenue (FOB), cumulative change 2025-12
	// to 2028-12"; WindowLabel).
	Label string       `json:"label,omitempty"`
	Unit  string       `json:"unit"`
	Base  float64      `json:"base"` // the metric at central values
	Bars  []TornadoBar `json:"bars"` // largest swing first
	// NotConverged counts the runs (of 1 + 2 per bar) with a month that did
	// not converge; their metric is still reported.
	NotConverged int `json:"not_converged"`
}

// TornadoBar is one parameter's effect.
type TornadoBar struct {
	Param  string  `json:"param"`
	Low    float64 `json:"low"`  // the parameter's 5th percentile, truncated by the joint rules
	High   float64 `json:"high"` // its 95th
	AtLow  float64 `json:"at_low"`
	AtHigh float64 `json:"at_high"`
	Swing  float64 `json:"swing"` // |at_high − at_low|
	// StatedLow and StatedHigh are the 5th and 95th percentiles of the
	// stated distribution; LowCutBy and HighCutBy name the joint rule
	// ("stock-cycle", "stock-release", "crop", "conduct") that cuts it
	// below and above the central value, "" when none does
	// (model.TornadoBar).
	StatedLow  float64 `json:"stated_low"`
	StatedHigh float64 `json:"stated_high"`
	LowCutBy   string  `json:"low_cut_by"`
	HighCutBy  string  `json:"high_cut_by"`
}

// CheckFinite returns an error naming the first NaN or infinite number.
func (s *SensitivitySummary) CheckFinite() error {
	bad := func(v ...float64) bool {
		for _, x := range v {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return true
			}
		}
		return false
	}
	if bad(s.Base) {
		return fmt.Errorf("the base value of %s is not a finite number", s.Metric)
	}
	for _, b := range s.Bars {
		if bad(b.Low, b.High, b.AtLow, b.AtHigh, b.Swing, b.StatedLow, b.StatedHigh) {
			return fmt.Errorf("%s gives a value of %s that is not a finite number", b.Param, s.Metric)
		}
	}
	return nil
}

// WriteJSON writes s as indented JSON. NaN or Inf is an error.
func (s *SensitivitySummary) WriteJSON(w io.Writer) error {
	if err := s.CheckFinite(); err != nil {
		return err
	}
	return WriteJSON(w, s)
}

// WriteSensitivityCSV writes sensitivity.csv: one row per parameter,
// ranked, in the model's units, with the stated ends and the joint rule
// that cut each end (empty when none did).
func WriteSensitivityCSV(w io.Writer, s *SensitivitySummary) error {
	cw, err := NewCSVWriter(w, "scenario", "metric", "unit", "base", "rank", "param", "low", "high", "at_low", "at_high", "swing",
		"stated_low", "stated_high", "low_cut_by", "high_cut_by")
	if err != nil {
		return err
	}
	for k, b := range s.Bars {
		if err := cw.Row(Text(s.Scenario), Text(s.Metric), Text(s.Unit), Num(s.Base),
			Num(float64(k+1)), Text(b.Param), Num(b.Low), Num(b.High),
			Num(b.AtLow), Num(b.AtHigh), Num(b.Swing),
			Num(b.StatedLow), Num(b.StatedHigh), Text(b.LowCutBy), Text(b.HighCutBy)); err != nil {
			return err
		}
	}
	return cw.Flush()
}

// SensitivityTable is the tornado as a Table: each parameter's low and
// high values (3 significant digits) and the metric at each, and the
// swing.
func SensitivityTable(s *SensitivitySummary) *Table {
	_, unit := DisplayUnit(s.Unit)
	t := &Table{
		Head:  []string{"parameter", "low", "high", "at low (" + unit + ")", "at high (" + unit + ")", "swing"},
		Right: []bool{false, true, true, true, true, true},
	}
	f, _ := DisplayUnit(s.Unit)
	at, swing := sensitivityDecimals(s)
	for _, b := range s.Bars {
		lo := FormatNumber(b.AtLow*f, at, IsChange(s.Metric))
		hi := FormatNumber(b.AtHigh*f, at, IsChange(s.Metric))
		sw := FormatNumber(b.Swing*f, swing, false)
		low, high := strconv.FormatFloat(b.Low, 'g', 3, 64), strconv.FormatFloat(b.High, 'g', 3, 64)
		if b.LowCutBy != "" {
			low += "*"
		}
		if b.HighCutBy != "" {
			high += "*"
		}
		t.Rows = append(t.Rows, []string{b.Param, low, high, lo, hi, sw})
	}
	return t
}

// sensitivityDecimals are the decimals of the tornado table's metric
// values (the base and each end's) and of its swings (ColumnDecimals).
func sensitivityDecimals(s *SensitivitySummary) (at, swing int) {
	vals, swings := []float64{s.Base}, []float64{}
	for _, b := range s.Bars {
		vals = append(vals, b.AtLow, b.AtHigh)
		swings = append(swings, b.Swing)
	}
	return ColumnDecimals(s.Unit, vals...), ColumnDecimals(s.Unit, swings...)
}

// cutNotes returns a line per end of s that a joint rule moved from its
// stated percentile (EndNotes), naming the parameter (none when no rule
// cut s). In Markdown the parameter's name is escaped.
func cutNotes(s *SensitivitySummary, markdown bool) []string {
	var out []string
	for _, b := range s.Bars {
		name := b.Param
		if markdown {
			name = mdEscape(name)
		}
		for _, n := range EndNotes(b) {
			out = append(out, "* "+name+": "+n)
		}
	}
	return out
}

// EndNotes says how the joint rules moved b's ends from the stated 5th
// and 95th percentiles, an end a line (none when no rule cuts b). When a
// rule cuts either side of the central value both ends are percentiles of
// what the rules leave (model.TornadoBar): an end on a cut side moves in
// ("cut by the rule from" its stated end) unless the cut on the other
// side is larger, and then it moves out, as an end on an uncut side does.
func EndNotes(b TornadoBar) []string {
	if b.LowCutBy == "" && b.HighCutBy == "" {
		return nil
	}
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', 3, 64) }
	var sides []string
	if b.LowCutBy != "" {
		sides = append(sides, "the "+b.LowCutBy+" rule cuts it below the central value")
	}
	if b.HighCutBy != "" {
		s := "the " + b.HighCutBy + " rule above"
		if len(sides) == 0 {
			s = "the " + b.HighCutBy + " rule cuts it above the central value"
		}
		sides = append(sides, s)
	}
	left := strings.Join(sides, " and ")
	var out []string
	for _, e := range []struct {
		end, pct, rule string
		at, stated     float64
		in             bool
	}{
		{"low", "5th", b.LowCutBy, b.Low, b.StatedLow, b.Low >= b.StatedLow},
		{"high", "95th", b.HighCutBy, b.High, b.StatedHigh, b.High <= b.StatedHigh},
	} {
		switch {
		case e.rule != "" && e.in:
			out = append(out, fmt.Sprintf("%s end %s, cut by the %s rule from its stated %s percentile %s", e.end, g(e.at), e.rule, e.pct, g(e.stated)))
		case !e.in && g(e.at) != g(e.stated):
			out = append(out, fmt.Sprintf("%s end %s, out from its stated %s percentile %s: the %s percentile of what is left when %s", e.end, g(e.at), e.pct, g(e.stated), e.pct, left))
		}
	}
	return out
}

// WriteSensitivityTable prints the tornado as plain text, with a line on
// the base value first, or as Markdown; an end cut by a joint rule is
// starred and a note under the table gives its stated end and the rule.
func WriteSensitivityTable(w io.Writer, s *SensitivitySummary, markdown bool) error {
	if err := s.CheckFinite(); err != nil {
		return err
	}
	// What the table ranks by, and its base value (in Markdown too: the
	// table alone does not say).
	f, unit := DisplayUnit(s.Unit)
	at, _ := sensitivityDecimals(s)
	what, scen := s.Metric, s.Scenario
	if markdown {
		what, scen = "`"+s.Metric+"`", mdEscape(s.Scenario)
	}
	if s.Label != "" {
		// In the headline's words, the name --metric takes beside.
		l := s.Label
		if markdown {
			l = mdEscape(l)
		}
		what = l + " (" + what + ")"
	}
	fmt.Fprintf(w, "%s of %s at central values: %s %s\n\n", what, scen, FormatNumber(s.Base*f, at, IsChange(s.Metric)), unit)
	if err := SensitivityTable(s).Write(w, markdown); err != nil {
		return err
	}
	if notes := cutNotes(s, markdown); len(notes) > 0 {
		// In Markdown the notes are a list.
		if _, err := fmt.Fprintf(w, "\n%s\n", strings.Join(notes, "\n")); err != nil {
			return err
		}
	}
	return nil
}
