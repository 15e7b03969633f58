package serve

import (
	"bytes"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/internal/run"
	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/plots"
)

// compareResponse is the JSON answer of /api/compare/A/B: two finished
// runs side by side (the page's "compare two settings" view: A is the
// pinned result, B the current one).
type compareResponse struct {
	A      compareSide  `json:"a"`
	B      compareSide  `json:"b"`
	Rows   []compareRow `json:"rows"`   // the headline of both, by metric
	Charts []chartRef   `json:"charts"` // both runs on one chart
	Notes  []string     `json:"notes"`  // why the difference may mislead
}

// compareSide is one run of a comparison.
type compareSide struct {
	ID       string `json:"id"`
	Query    string `json:"query"`
	Scenario string `json:"scenario"`
	// Counterfactual is what the run's changes are measured against.
	Counterfactual string `json:"counterfactual"`
	Window         string `json:"window"`
	// Settings is what the run changed from its scenario's values
	// (runResponse.Settings); Label what tells it apart from the other
	// run, as the charts' legend names it.
	Settings string `json:"settings"`
	Label    string `json:"label"`
}

// compareRow is one headline line of both runs and their difference
// (B − A), in the model's unit (Unit) and as the page shows them.
type compareRow struct {
	Metric   string  `json:"metric"`
	Label    string  `json:"label"`
	Unit     string  `json:"unit"`
	A        float64 `json:"a"`
	B        float64 `json:"b"`
	Diff     float64 `json:"diff"`
	AText    string  `json:"a_text"`
	BText    string  `json:"b_text"`
	DiffText string  `json:"diff_text"`
}

// comparePair finds the runs of the request's ids (a 404 when either has
// left the cache: the page runs it again and retries).
func (s *Server) comparePair(w http.ResponseWriter, r *http.Request) (a, b *runEntry, ok bool) {
	if a, ok = s.runEntry(w, r, r.PathValue("a")); !ok {
		return nil, nil, false
	}
	if b, ok = s.runEntry(w, r, r.PathValue("b")); !ok {
		return nil, nil, false
	}
	return a, b, true
}

func (s *Server) handleCompare(w http.ResponseWriter, r *http.Request) {
	a, b, ok := s.comparePair(w, r)
	if !ok {
		return
	}
	la, lb := compareLabels(a, b)
	side := func(e *runEntry, label string) compareSide {
		sc := e.resp.Scenario
		return compareSide{ID: e.id, Query: e.resp.Query, Scenario: sc.Name, Counterfactual: sc.Counterfactual,
			Window: sc.ReportFrom + " to " + sc.End, Settings: e.resp.Settings, Label: label}
	}
	resp := compareResponse{A: side(a, la), B: side(b, lb), Rows: compareRows(a, b), Charts: []chartRef{}, Notes: []string{}}
	if resp.A.Counterfactual != resp.B.Counterfactual {
		resp.Notes = append(resp.Notes, fmt.Sprintf("The two results are changes against different counterfactuals (%s and %s): their difference mixes the settings with the counterfactuals.", resp.A.Counterfactual, resp.B.Counterfactual))
	}
	if resp.A.Window != resp.B.Window {
		resp.Notes = append(resp.Notes, fmt.Sprintf("The two results cover different windows (%s and %s).", resp.A.Window, resp.B.Window))
	}
	charts, err := s.compareCharts(a, b)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, ch := range charts {
		resp.Charts = append(resp.Charts, newChartRef(ch, "/api/compare/"+a.id+"/"+b.id+"/"+ch.Name))
	}
	writeJSON(w, http.StatusOK, resp)
}

// compareRows lines up the headlines of a and b by metric (b's order,
// then a's own).
func compareRows(a, b *runEntry) []compareRow {
	var rows []compareRow
	find := func(hs []headlineRow, metric string) (headlineRow, bool) {
		k := slices.IndexFunc(hs, func(h headlineRow) bool { return h.Metric == metric })
		if k < 0 {
			return headlineRow{}, false
		}
		return hs[k], true
	}
	seen := map[string]bool{}
	for _, hs := range [][]headlineRow{b.resp.Headline, a.resp.Headline} {
		for _, h := range hs {
			if seen[h.Metric] {
				continue
			}
			seen[h.Metric] = true
			ha, okA := find(a.resp.Headline, h.Metric)
			hb, okB := find(b.resp.Headline, h.Metric)
			row := compareRow{Metric: h.Metric, Label: h.Label, Unit: h.Unit, AText: "—", BText: "—", DiffText: "—"}
			if okA {
				row.A, row.AText = ha.Value, ha.Text
			}
			if okB {
				row.B, row.BText = hb.Value, hb.Text
			}
			if okA && okB && ha.Unit == hb.Unit {
				row.Diff = hb.Value - ha.Value
				text, unit := report.FormatQuantity(row.Diff, h.Unit, true)
				row.DiffText = text + " " + unit
			}
			rows = append(rows, row)
		}
	}
	return rows
}

// compareLabels are the names of a and b on the comparison's charts:
// what tells them apart (scenario, control values, draws and seed).
func compareLabels(a, b *runEntry) (string, string) {
	var da, db []string
	if a.sc.Name != b.sc.Name {
		da, db = append(da, a.sc.Name), append(db, b.sc.Name)
	}
	sa, sb := controlStates(a.sc, nil), controlStates(b.sc, nil)
	runsOf := func(e *runEntry, c Control) Runs {
		if _, set := e.params.Values[c.ID]; set {
			return c.runs(e.params.Both[c.ID])
		}
		return ""
	}
	for k, c := range Controls {
		if !sa[k].Available || !sb[k].Available {
			continue
		}
		va, vb, ra, rb := sa[k].Value, sb[k].Value, runsOf(a, c), runsOf(b, c)
		if va != vb || ra != rb {
			da, db = append(da, settingText(c, va, ra)), append(db, settingText(c, vb, rb))
		}
	}
	if a.params.Draws != b.params.Draws || a.params.Seed != b.params.Seed {
		da = append(da, fmt.Sprintf("%d draws, seed %d", a.params.Draws, a.params.Seed))
		db = append(db, fmt.Sprintf("%d draws, seed %d", b.params.Draws, b.params.Seed))
	}
	label := func(who string, d []string) string {
		if len(d) == 0 {
			return who + " (the same settings)"
		}
		return who + ": " + strings.Join(d, "; ")
	}
	return label("Pinned", da), label("Current", db)
}

// compareCharts are the charts of a and b side by side
// (plots.CompareCharts): the benchmark price of both, and the revenue
// change of the supplier whose headline differs most between them.
func (s *Server) compareCharts(a, b *runEntry) ([]*plots.Chart, error) {
	supplier, most := "", -1.0
	for _, row := range compareRows(a, b) {
		who, ok := strings.CutPrefix(row.Metric, report.MetricRevenuePrefix)
		if ok && math.Abs(row.Diff) > most {
			supplier, most = who, math.Abs(row.Diff)
		}
	}
	la, lb := compareLabels(a, b)
	meta := run.ChartMeta(b.sc, 0, 0)
	meta.Scenario = a.sc.Name
	if b.sc.Name != a.sc.Name {
		meta.Scenario += ", " + b.sc.Name
	}
	meta.Title = "Pinned and current settings"
	meta.Counterfactual = "each one's counterfactual"
	meta.Hash = ""
	// Each run by its side ("Pinned", "Current", as compareLabels) and
	// scenario, not cut from its label: "Pinned (the same settings)"
	// has no colon.
	for _, r := range []struct {
		who string
		e   *runEntry
	}{{"Pinned", a}, {"Current", b}} {
		meta.Runs = append(meta.Runs, plots.RunRef{Name: r.who + " " + r.e.sc.Name, Hash: r.e.sc.Hash})
	}
	if am := run.ChartMeta(a.sc, 0, 0).Markers; !slices.Equal(am, meta.Markers) {
		meta.Markers = nil // the settings moved the events: no one set of marks
	}
	charts, err := s.be.compareCharts([]*model.Run{a.run, b.run}, []string{la, lb}, supplier, meta)
	if err != nil {
		return nil, &stageError{"charts", err}
	}
	return charts, nil
}

func (s *Server) handleCompareChart(w http.ResponseWriter, r *http.Request) {
	a, b, ok := s.comparePair(w, r)
	if !ok {
		return
	}
	file := r.PathValue("file")
	s.serveChart(w, r, file, func(name, format string) ([]byte, error) { return b.compareChart(s, a, name, format) },
		func(name string) string { return fmt.Sprintf("the comparison has no chart %q", clip(name, 40)) },
		downloadName(b, "vs-"+a.id[:8]+"-"+file))
}

// compareChart returns chart name of the comparison of a with e in
// format, drawing it on first request and keeping it with e (counted in
// e's size).
func (e *runEntry) compareChart(s *Server, a *runEntry, name, format string) ([]byte, error) {
	file := "vs-" + a.id + "-" + name + "." + format
	if b, ok := e.file(file); ok {
		return b, nil
	}
	e.renderMu.Lock()
	defer e.renderMu.Unlock()
	if b, ok := e.file(file); ok {
		return b, nil
	}
	charts, err := s.compareCharts(a, e)
	if err != nil {
		return nil, err
	}
	k := slices.IndexFunc(charts, func(c *plots.Chart) bool { return c.Name == name })
	if k < 0 {
		return nil, errNoChart
	}
	var buf bytes.Buffer
	if err := s.be.renderChart(charts[k], &buf, format, chartOptions); err != nil {
		return nil, &stageError{"charts", err}
	}
	e.store(file, buf.Bytes())
	return buf.Bytes(), nil
}
