package serve

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/internal/run"
	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/scenarios"
	"gonum.org/v1/gonum/floats/scalar"
)

// realConfig is the server configuration of the tests on the real
// packages: the default but for the time limit of a run. The limit is
// tested on its own (TestTimeLimit); here a run with its charts under the
// race detector, on a 2-core machine busy with other work, took more than
// the default 30 s and got the limit's 503.
var realConfig = Config{Timeout: 5 * time.Minute}

// TestRealRun runs a page request on the real scenarios, model and plots
// packages: the headline equals the model's own metrics for the --set
// values the command line shows (event controls change the scenario
// only, unless both= names them), every main chart is there, the
// downloads parse, and the command line reproduces the settings.
//
// With -short it runs without draws and reads the first rows of the CSV
// only (the full CSV with draws is tens of MB).
func TestRealRun(t *testing.T) {
	s := New(realConfig)
	draws := 10
	if testing.Short() {
		draws = 0
	}
	var r runResponse
	for _, tc := range []struct {
		query string
		sets  []string
	}{
		{"belarus_discount=25&relief=2026-06", []string{"scenario.events.belarus-discount.pct=25", "scenario.events.us-ban.end=2026-06"}},
		{"belarus_discount=25&relief=2026-06&both=belarus_discount", []string{"events.belarus-discount.pct=25", "scenario.events.us-ban.end=2026-06"}},
	} {
		query := fmt.Sprintf("/api/run?scenario=us-relief-2025&%s&draws=%d&seed=3", tc.query, draws)
		w := do(t, s, "GET", query, nil)
		if w.Code != 200 {
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
		r = decode[runResponse](t, w)

		// The same run by hand, as `potash run` does it.
		sc, err := scenarios.Load("us-relief-2025", tc.sets)
		if err != nil {
			t.Fatal(err)
		}
		run, err := model.SimulatePair(context.Background(), sc.Spec, sc.Counterfactual)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]float64{}
		for _, m := range model.Metrics(run) {
			want[m.Name] = m.Value
		}
		const tol = 1e-12
		for _, h := range r.Metrics {
			if !scalar.EqualWithinAbsOrRel(h.Value, want[h.Metric], tol, tol) {
				t.Errorf("%s: %s: page %v, model %v", tc.query, h.Metric, h.Value, want[h.Metric])
			}
		}
		if len(r.Headline) < 2 || r.Headline[0].Metric != report.MetricBenchmarkPrice || !slices.ContainsFunc(r.Headline, func(h headlineRow) bool { return h.Metric == "revenue_change.Belarus" && h.HasBand == (draws > 0) }) {
			t.Errorf("headline %+v: want the benchmark price first and Belarus's revenue, with a band when there are draws", r.Headline)
		}
		wantCmd := "potash run us-relief-2025 --seed 3"
		if draws > 0 {
			wantCmd += fmt.Sprintf(" --draws %d", draws)
		}
		for _, set := range tc.sets {
			wantCmd += " --set " + set
		}
		if r.Command != wantCmd {
			t.Errorf("command %q, want %q", r.Command, wantCmd)
		}
		if (r.Bands != "") != (draws > 0) {
			t.Errorf("bands download %q with %d draws", r.Bands, draws)
		}
		// The discount is drawn by the scenario's uncertainty section: the
		// control fixes it in every draw, and the page says so.
		if note := "Buyers' risk cost on Belarusian potash: every Monte Carlo draw uses your value"; draws > 0 && !slices.ContainsFunc(r.Notes, func(n string) bool { return strings.HasPrefix(n, note) }) {
			t.Errorf("notes %q: want %q", r.Notes, note)
		}
	}
	var names []string
	for _, c := range r.Charts {
		if c.Main {
			names = append(names, c.Name)
		}
	}
	if got := strings.Join(names, " "); got != "price revenue_change volumes shares flows" {
		t.Errorf("main charts %q: want the price path, revenue change, volumes, shares and the trade-flow heat map", got)
	}

	// Downloads.
	if w := do(t, s, "GET", r.Charts[0].PNG, nil); w.Code != 200 || !strings.HasPrefix(w.Body.String(), "\x89PNG") {
		t.Errorf("PNG: %d %.8q", w.Code, w.Body.String())
	}
	if w := do(t, s, "GET", r.Charts[0].SVG, nil); w.Code != 200 || !strings.Contains(w.Body.String(), "<svg") {
		t.Errorf("SVG: %d %.40q", w.Code, w.Body.String())
	}
	w := do(t, s, "GET", r.CSV, nil)
	if w.Code != 200 {
		t.Fatalf("CSV: %d %s", w.Code, w.Body)
	}
	cr := csv.NewReader(w.Body)
	header, err := cr.Read()
	if err != nil || !slices.Equal(header, report.TidyHeader) {
		t.Fatalf("CSV header %v (%v), want %v", header, err, report.TidyHeader)
	}
	rows, stats := 0, map[string]bool{}
	for {
		rec, err := cr.Read()
		if err == io.EOF || (testing.Short() && rows == 10000) {
			break
		}
		if err != nil {
			t.Fatalf("CSV row %d: %v", rows+2, err)
		}
		rows++
		stats[rec[8]] = true // the solver's status
	}
	// results.csv: the central run (its bands are in bands.csv).
	if rows == 0 || !stats["converged"] {
		t.Errorf("CSV: %d rows, statuses %v: want the central run's values", rows, stats)
	}
	if draws == 0 {
		return
	}
	for _, d := range []struct {
		url    string
		header []string
	}{{r.Bands, report.BandsHeader}, {r.DrawsCSV, report.DrawsHeader}} {
		w = do(t, s, "GET", d.url, nil)
		if w.Code != 200 {
			t.Fatalf("%s: %d %s", d.url, w.Code, w.Body)
		}
		recs, err := csv.NewReader(w.Body).ReadAll()
		if err != nil || len(recs) < 2 || !slices.Equal(recs[0], d.header) {
			t.Errorf("%s: %d records (%v), header %v, want %v", d.url, len(recs), err, recs[0], d.header)
		}
	}
}

// TestRealControls checks each control's default comes from the built-in
// and that every control, set to a value inside its range, runs.
func TestRealControls(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the model once per control")
	}
	s := New(realConfig)
	info := decode[scenarioInfo](t, do(t, s, "GET", "/api/scenario?scenario=us-relief-2025", nil))
	values := map[string]string{
		"demand_elasticity": "0.6", "substitution_elasticity": "8", "belarus_discount": "30", "relief": "2027-01",
		"klaipeda": "2026-06", "russian_ports": "12", "jansen_start": "2028-01",
	}
	for _, c := range info.Controls {
		if !c.Available || c.Value == "" {
			t.Errorf("control %s not available in us-relief-2025: %s", c.ID, c.Note)
			continue
		}
		t.Run(c.ID, func(t *testing.T) {
			if raceEnabled && c.ID != "demand_elasticity" && c.ID != "belarus_discount" {
				// Under the race detector one market control and one
				// event control: the same code paths as the others, each
				// run several times slower.
				t.Skip("under the race detector one market and one event control run")
			}
			w := do(t, s, "GET", fmt.Sprintf("/api/run?draws=0&%s=%s", c.ID, values[c.ID]), nil)
			if w.Code != 200 {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			r := decode[runResponse](t, w)
			// Event controls change the scenario only.
			if set := c.setPath(false) + "=" + values[c.ID]; !strings.Contains(r.Command, "--set "+report.ShellQuote(set)) {
				t.Errorf("command %q lacks --set %s", r.Command, set)
			}
			if c.Event != "" && c.CanBoth {
				w := do(t, s, "GET", fmt.Sprintf("/api/run?draws=0&%s=%s&both=%s", c.ID, values[c.ID], c.ID), nil)
				if w.Code != 200 {
					t.Fatalf("both: status %d: %s", w.Code, w.Body)
				}
				if r := decode[runResponse](t, w); !strings.Contains(r.Command, "--set "+report.ShellQuote(c.Path+"="+values[c.ID])) {
					t.Errorf("both runs: command %q lacks --set %s", r.Command, c.Path)
				}
			}
		})
	}
}

// TestRealBuiltins: every built-in scenario has a page (its controls where
// it has the events), and runs.
func TestRealBuiltins(t *testing.T) {
	s := New(realConfig)
	for _, b := range scenarios.Builtins() {
		t.Run(b.Name, func(t *testing.T) {
			w := do(t, s, "GET", "/api/scenario?scenario="+b.Name, nil)
			if w.Code != 200 {
				t.Fatalf("scenario: %d %s", w.Code, w.Body)
			}
			info := decode[scenarioInfo](t, w)
			if len(info.Controls) != len(Controls) || !info.Controls[0].Available {
				t.Errorf("controls %+v", info.Controls)
			}
			if testing.Short() || (raceEnabled && b.Name != scenarios.DefaultScenario) {
				// Under the race detector one built-in's run: the same
				// code paths, each run several times slower.
				return
			}
			w = do(t, s, "GET", "/api/run?draws=0&scenario="+b.Name, nil)
			if w.Code != 200 {
				t.Fatalf("run: %d %s", w.Code, w.Body)
			}
			// Who acts strategically, as the command line's table says it.
			r := decode[runResponse](t, w)
			switch b.Name {
			case "bpc-breakup":
				if !strings.HasPrefix(r.Conduct, "Market conduct: Cournot players Canada (conduct ") {
					t.Errorf("conduct %q: want the Cournot players", r.Conduct)
				}
			case scenarios.DefaultScenario:
				if r.Conduct != "" {
					t.Errorf("conduct %q in a market of price takers", r.Conduct)
				}
			}
		})
	}
	// "never" keeps an event for the whole horizon, also where the
	// built-in ends it.
	for _, q := range []string{"scenario=klaipeda-reopens&klaipeda=never", "scenario=us-relief-2025&relief=never"} {
		if testing.Short() {
			break
		}
		if w := do(t, s, "GET", "/api/run?draws=0&"+q, nil); w.Code != 200 {
			t.Errorf("%s: %d %s", q, w.Code, w.Body)
		}
	}
}

// TestRealOffBandNote: in us-relief-2025 the central run lies outside the
// band of some headline figures by construction (the relief scale's
// central value is the top of its range); the page says so and why, with
// the run pipeline's words (report.OffBand), and says nothing of it
// without draws.
func TestRealOffBandNote(t *testing.T) {
	s := New(realConfig)
	for _, tc := range []struct {
		draws int
		want  bool
	}{
		{0, false},
		{20, true},
	} {
		t.Run(fmt.Sprintf("draws=%d", tc.draws), func(t *testing.T) {
			w := do(t, s, "GET", fmt.Sprintf("/api/run?scenario=us-relief-2025&draws=%d&seed=1", tc.draws), nil)
			if w.Code != 200 {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			r := decode[runResponse](t, w)
			var outside []string
			for _, h := range r.Headline {
				if h.HasBand && (h.Value < h.P5 || h.Value > h.P95) {
					outside = append(outside, h.Metric)
				}
			}
			if (len(outside) > 0) != tc.want {
				t.Fatalf("headline figures outside their band: %q; want some: %v", outside, tc.want)
			}
			i := slices.IndexFunc(r.Notes, func(n string) bool { return strings.Contains(n, "outside the 5–95% range") })
			if (i >= 0) != tc.want {
				t.Fatalf("notes %q: want a note on the central run outside the band: %v", r.Notes, tc.want)
			}
			if tc.want && !strings.Contains(r.Notes[i], "events.discount-relief.scale is 1, at the top of its range") {
				t.Errorf("note %q does not say the relief scale's central value is the top of its range", r.Notes[i])
			}
		})
	}
}

// TestRealMetricLabels: the page names every metric as the command
// line's headline table does (report.MetricLabel): a metric in the
// headline has the same label in the table of all metrics, no two
// metrics share a label, and a supplier's revenues say which revenue
// they are, export (FOB) or netback (mine gate); and the page says, as
// summary.md does, what the percentages are and in which dollars.
func TestRealMetricLabels(t *testing.T) {
	s := New(realConfig)
	w := do(t, s, "GET", "/api/run?scenario=us-relief-2025&draws=0", nil)
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	r := decode[runResponse](t, w)
	labels := map[string]string{}
	seen := map[string]string{}
	for _, h := range r.Metrics {
		if other, dup := seen[h.Label]; dup {
			t.Errorf("%s and %s are both %q", other, h.Metric, h.Label)
		}
		seen[h.Label] = h.Metric
		labels[h.Metric] = h.Label
		if strings.HasPrefix(h.Metric, report.MetricRevenuePrefix) && !strings.HasSuffix(h.Label, " export revenue (FOB), cumulative change") {
			t.Errorf("%s is %q: which revenue?", h.Metric, h.Label)
		}
		if strings.HasPrefix(h.Metric, report.MetricNetbackPrefix) && !strings.HasSuffix(h.Label, " netback revenue (mine gate), cumulative change") {
			t.Errorf("%s is %q: which revenue?", h.Metric, h.Label)
		}
		// A level of the scenario is a number, not a change: no sign
		// ("283.3 $/t", not "+283.3 $/t"); a positive change has one.
		if !report.IsChange(h.Metric) && strings.HasPrefix(h.Text, "+") {
			t.Errorf("%s, a level, is %q: signed as a change", h.Metric, h.Text)
		}
		if num, _, _ := strings.Cut(h.Text, " "); report.IsChange(h.Metric) && !strings.HasPrefix(num, "+") && !strings.HasPrefix(num, "−") && strings.Trim(num, "0.,") != "" {
			t.Errorf("%s, a change, is %q: no sign", h.Metric, h.Text)
		}
	}
	if l := labels["benchmark_price"]; l == "" {
		t.Errorf("no benchmark_price among the metrics: the levels went untested")
	}
	if len(r.Headline) == 0 || len(r.Metrics) < 50 {
		t.Fatalf("%d headline rows, %d metrics", len(r.Headline), len(r.Metrics))
	}
	for _, h := range r.Headline {
		if labels[h.Metric] != h.Label {
			t.Errorf("%s: headline %q, all metrics %q", h.Metric, h.Label, labels[h.Metric])
		}
	}
	// Under the headline, what its figures are, in summary.md's words:
	// the percentages, the two revenues, and which dollars.
	sc, err := scenarios.Load("us-relief-2025", nil)
	if err != nil {
		t.Fatal(err)
	}
	money := fmt.Sprintf("Money in constant %d US dollars", sc.Spec.Market.BaseYear)
	if n := r.HeadlineNote; !strings.Contains(n, "Percentages are relative to the counterfactual") || !strings.Contains(n, "Netback revenue is what the mines earn") || !strings.Contains(n, money) {
		t.Errorf("headline note %q: want the percentages, the revenues and %q", n, money)
	}
}

// TestRealExportsByYear: the page's answer carries the exports by year
// that summary.md and the command line's summary show, from the same
// report code (report.ExportsByYearTable of the run pipeline's summary),
// with summary.md's words on what it shows.
func TestRealExportsByYear(t *testing.T) {
	s := New(realConfig)
	w := do(t, s, "GET", "/api/run?scenario=us-relief-2025&draws=0", nil)
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	r := decode[runResponse](t, w)
	sc, err := scenarios.Load(scenarios.DefaultScenario, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := run.Run(context.Background(), run.Request{Scenario: sc})
	if err != nil {
		t.Fatal(err)
	}
	want := report.ExportsByYearTable(res.Summary)
	if want == nil || len(want.Rows) == 0 {
		t.Fatal("us-relief-2025: the pipeline's summary has no exports by year; the test needs some")
	}
	got := r.ExportsByYear
	if got == nil {
		t.Fatal("the page's answer has no exports by year")
	}
	if !slices.Equal(got.Head, want.Head) || !slices.EqualFunc(got.Rows, want.Rows, slices.Equal) {
		t.Errorf("the page's exports by year\n%q\n%q\nwant summary.md's\n%q\n%q", got.Head, got.Rows, want.Head, want.Rows)
	}
	if got.Note != report.ExportsByYearNote {
		t.Errorf("note %q, want %q", got.Note, report.ExportsByYearNote)
	}
}
