package run

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/plots"
	"github.com/potash-sim/potash/scenarios"
)

func load(t testing.TB, name string, sets ...string) *scenarios.Scenario {
	t.Helper()
	s, err := scenarios.Load(name, sets)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRunIsTheModel: the pipeline's numbers are the model's, its summary
// carries the provenance and the command line that reproduces it.
func TestRunIsTheModel(t *testing.T) {
	ctx := context.Background()
	set := "market.regions.*.demand_elasticity=0.6"
	s := load(t, scenarios.DefaultScenario, set)
	res, err := Run(ctx, Request{Scenario: s, Sets: []string{set}, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	mr, err := model.SimulatePair(ctx, s.Spec, s.Counterfactual)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{}
	for _, m := range model.Metrics(mr) {
		want[m.Name] = m.Value
	}
	for _, m := range res.Summary.Metrics {
		if m.Value != want[m.Name] {
			t.Errorf("%s = %v, model %v", m.Name, m.Value, want[m.Name])
		}
	}
	sum := res.Summary
	if sum.Tool != "potash" || sum.ModelVersion != model.Version || len(sum.Inputs) != 1 || sum.Inputs[0].SHA256 != s.Hash {
		t.Errorf("provenance %+v", sum.Provenance)
	}
	if wantCmd := "potash run " + scenarios.DefaultScenario + " --seed 3 --set 'market.regions.*.demand_elasticity=0.6'"; sum.Command != wantCmd {
		t.Errorf("command %q, want %q", sum.Command, wantCmd)
	}
	if res.Charts != nil || res.MC != nil || res.Err() != nil {
		t.Errorf("charts %v, MC %v, Err %v", res.Charts, res.MC, res.Err())
	}
}

// TestRunInputErrors: requests and scenarios that cannot run are ErrInput.
func TestRunInputErrors(t *testing.T) {
	ctx := context.Background()
	s := load(t, "history")
	for name, req := range map[string]Request{
		"too many draws":   {Scenario: s, Draws: MaxDraws + 1},
		"negative draws":   {Scenario: s, Draws: -1},
		"too many workers": {Scenario: s, Workers: MaxWorkers() + 1},
		"no scenario":      {},
		"uncalibratable":   {Scenario: uncalibratable(t)},
	} {
		if _, err := Run(ctx, req); !errors.Is(err, ErrInput) {
			t.Errorf("%s: %v, want ErrInput", name, err)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Run(cctx, Request{Scenario: s}); !errors.Is(err, context.Canceled) || errors.Is(err, ErrInput) {
		t.Errorf("cancelled: %v", err)
	}
}

// uncalibratable is history with Canada's capacity below its base sales,
// set on the Specs past the validator (which rejects it).
func uncalibratable(t *testing.T) *scenarios.Scenario {
	s := load(t, "history")
	for _, sp := range []*model.Spec{s.Spec, s.Counterfactual} {
		sp.Market.Suppliers[sp.Market.SupplierIndex("Canada")].Capacity = 0
	}
	return s
}

// TestRunNotConverged: failed central months and too many failed draws
// are ErrNotConverged, naming them; the result is complete.
func TestRunNotConverged(t *testing.T) {
	ctx := context.Background()
	s := load(t, scenarios.DefaultScenario)
	e := Engine{
		Simulate: func(ctx context.Context, a, b *model.Spec) (*model.Run, error) {
			r, err := model.SimulatePair(ctx, a, b)
			if err == nil {
				r.Counterfactual.Results[5].Status = model.Stalled
				r.Counterfactual.Failed = 1
			}
			return r, err
		},
	}
	res, err := e.Run(ctx, Request{Scenario: s})
	if err != nil {
		t.Fatal(err)
	}
	err = res.Err()
	month := (s.Spec.Start + 5).String()
	if !errors.Is(err, ErrNotConverged) || !strings.Contains(err.Error(), "counterfactual "+month+" (stalled)") {
		t.Errorf("Err() = %v", err)
	}
	fm := res.Summary.FailedMonths
	if fm.Counterfactual != 1 || len(fm.Months) != 1 || fm.Months[0] != (report.FailedMonth{Path: "counterfactual", Month: month, Status: "stalled"}) {
		t.Errorf("failed months %+v", fm)
	}
}

// TestRunDrawsAndNotice: a long Monte Carlo is announced with its memory;
// a scenario without uncertain parameters runs without draws, with a note.
func TestRunDrawsAndNotice(t *testing.T) {
	ctx := context.Background()
	s := load(t, scenarios.DefaultScenario)
	var asked int
	e := Engine{MonteCarlo: func(ctx context.Context, a, b *model.Spec, unc []model.Uncertain, o model.MCOptions) (*model.MCResult, error) {
		asked = o.Draws
		o.Draws = 3 // what the test can afford
		return model.MonteCarlo(ctx, a, b, unc, o)
	}}
	var notice string
	res, err := e.Run(ctx, Request{Scenario: s, Draws: NoticeDraws, Seed: 1, Notice: func(m string) { notice = m }})
	if err != nil {
		t.Fatal(err)
	}
	if asked != NoticeDraws || !strings.Contains(notice, "10,000 draws") || !strings.Contains(notice, "MB of memory") {
		t.Errorf("asked %d draws; notice %q", asked, notice)
	}
	if res.MC == nil || res.Summary.Headline[0].Band == nil {
		t.Error("no bands with draws")
	}
	file := filepath.Join(t.TempDir(), "flat.yaml")
	os.WriteFile(file, []byte("title: flat\nhorizon: {start: 2020-01, end: 2020-06}\n"), 0o644)
	res, err = Run(ctx, Request{Scenario: load(t, file), Draws: 10})
	if err != nil {
		t.Fatal(err)
	}
	if res.MC != nil || res.Summary.Draws != 0 || len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "no uncertain parameters") {
		t.Errorf("MC %v draws %d notes %q", res.MC, res.Summary.Draws, res.Notes)
	}
}

// TestMCMemoryEstimate: the estimate grows with the draws and matches the
// exact regime's rows.
func TestMCMemoryEstimate(t *testing.T) {
	s := load(t, scenarios.DefaultScenario)
	r, err := model.SimulatePair(context.Background(), s.Spec, s.Counterfactual)
	if err != nil {
		t.Fatal(err)
	}
	prev := int64(0)
	for _, d := range []int{1, 100, 10_000, 100_000, MaxDraws} {
		m := model.MCMemory(r.Scenario.Cal, s.Spec, d, 2)
		if m <= prev {
			t.Errorf("%d draws: %d bytes, not more than %d", d, m, prev)
		}
		prev = m
	}
	// docs/MODEL.md §9.2: about 58,000 level cells; 100,000 draws hold
	// 45 + 90 MB of counters, 89 MB of rows and 142 MB of totals.
	if m := model.MCMemory(r.Scenario.Cal, s.Spec, 100_000, 2); m < 150<<20 || m > 500<<20 {
		t.Errorf("100,000 draws: %d MB", m>>20)
	}
}

// TestEveryBuiltinOutput: for every built-in, results.csv (and so
// bands.csv, which has the same rows, whatever the draws) stays far under
// a spreadsheet's 1,048,576 rows, draws.csv stays under a million rows
// with --draws 1000, and every chart is named as the output folder's
// patterns expect (report.IsOutputName), so its removal works.
func TestEveryBuiltinOutput(t *testing.T) {
	ctx := context.Background()
	most := 0 // the most rows of any built-in's results.csv
	for _, b := range scenarios.Builtins() {
		t.Run(b.Name, func(t *testing.T) {
			s := load(t, b.Name)
			res, err := Run(ctx, Request{Scenario: s, Charts: &plots.Options{}})
			if err != nil {
				t.Fatal(err)
			}
			rows := 0
			if err := report.TidyRows(res.Run, func(*report.Row) error { rows++; return nil }); err != nil {
				t.Fatal(err)
			}
			if rows >= 300_000 { // about a third of a spreadsheet's 1,048,576 rows
				t.Errorf("results.csv would have %d rows", rows)
			}
			most = max(most, rows)
			// draws.csv: a row per metric and converged draw, so with
			// --draws 1000 under the million rows too (issue 16 item 9).
			if n := 1000 * len(model.Metrics(res.Run)); n >= 1_000_000 {
				t.Errorf("draws.csv would have %d rows with --draws 1000", n)
			}
			for _, ch := range res.Charts {
				for _, f := range plots.Formats() {
					if n := ch.Name + "." + f; !report.IsOutputName(n) {
						t.Errorf("chart file %s is not an output name", n)
					}
				}
				if ch.Caption == "" {
					t.Errorf("chart %s has no caption", ch.Name)
				}
			}
			if !res.Charts[0].Main || res.Charts[0].Name != "price" {
				t.Errorf("first chart %s (main %v)", res.Charts[0].Name, res.Charts[0].Main)
			}
		})
	}
	// The README states the most rows a built-in writes: "No built-in
	// writes more than about 213,000 rows"; it holds, within 5%.
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`No built-in writes more than about ([0-9,]+) rows`).FindSubmatch(readme)
	if m == nil {
		t.Fatal("README: no sentence 'No built-in writes more than about N rows'")
	}
	stated, err := strconv.Atoi(strings.ReplaceAll(string(m[1]), ",", ""))
	if err != nil {
		t.Fatal(err)
	}
	if most > stated || float64(most) < 0.95*float64(stated) {
		t.Errorf("README says no built-in writes more than about %s rows; the most is %d", m[1], most)
	}
}

// TestBandsSameRowsAsResults: bands.csv has a row for every row of
// results.csv.
func TestBandsSameRowsAsResults(t *testing.T) {
	ctx := context.Background()
	s := load(t, "history")
	res, err := Run(ctx, Request{Scenario: s, Draws: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	if err := report.WriteTidyCSV(&a, s.Name, res.Run); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteBandsCSV(&b, s.Name, res.MC); err != nil {
		t.Fatal(err)
	}
	if na, nb := bytes.Count(a.Bytes(), []byte("\n")), bytes.Count(b.Bytes(), []byte("\n")); na != nb {
		t.Errorf("results.csv %d lines, bands.csv %d", na, nb)
	}
}

// TestWriteCancelled: a write stopped by its context leaves the folder as
// it was.
func TestWriteCancelled(t *testing.T) {
	dir := t.TempDir()
	o := func(content string) *Output {
		prov := report.Provenance{Tool: "potash"}
		return &Output{Command: "test", Prov: &prov,
			Files: []File{{report.FileResults, func(w io.Writer) error { _, err := io.WriteString(w, content); return err }}},
			Summary: func([]report.ChartInfo) []File {
				return []File{{report.FileSummary, func(w io.Writer) error { return report.WriteJSON(w, prov) }}}
			}}
	}
	if _, err := Write(context.Background(), dir, o("one"), WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	_, err := Write(ctx, dir, o("two"), WriteOptions{Staged: func(string) { cancel() }})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Write: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, report.FileResults)); string(b) != "one" {
		t.Errorf("results.csv = %q", b)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 3 { // results.csv, summary.json, the manifest
		t.Errorf("folder holds %d entries", len(ents))
	}
}

// TestPageOrder: main charts first, each group in plots' order.
func TestPageOrder(t *testing.T) {
	in := []*plots.Chart{{Name: "a"}, {Name: "b", Main: true}, {Name: "c"}, {Name: "d", Main: true}}
	var got []string
	for _, ch := range pageOrder(in) {
		got = append(got, ch.Name)
	}
	if strings.Join(got, " ") != "b d a c" {
		t.Errorf("page order %q", got)
	}
}

func TestCheckMetrics(t *testing.T) {
	m := load(t, "history").Spec.Market
	if err := CheckMetrics(m, []string{"benchmark_price_change", "revenue_change.Belarus"}); err != nil {
		t.Error(err)
	}
	for bad, want := range map[string]string{
		"revenue_chnage.Belarus": `did you mean "revenue_change.Belarus"`,
		"price":                  "price_change.REGION",
		// A family, not a metric: not "did you mean revenue_change.Laos".
		"revenue_change": `metric "revenue_change" needs a supplier: revenue_change.SUPPLIER, e.g. revenue_change.Belarus`,
		"price_change":   `metric "price_change" needs a region: price_change.REGION, e.g. price_change.`,
	} {
		err := CheckMetrics(m, []string{bad})
		if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "where SUPPLIER is") {
			t.Errorf("CheckMetrics(%s): %v", bad, err)
		}
	}
}

// TestNoAbsolutePaths: a scenario named by an absolute path is named in
// the outputs (the reproducing command line of summary.json, summary.md
// and scenario.resolved.yaml, the warnings) relative to the working
// folder, or by its base name when it lies outside it; and the resolved
// scenario lists the --set values once (issue 16 item 5).
func TestNoAbsolutePaths(t *testing.T) {
	dir := t.TempDir()
	parent := filepath.Join(dir, "parent.yaml")
	child := filepath.Join(dir, "sub", "child.yaml")
	if err := os.MkdirAll(filepath.Dir(child), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(p, text string) {
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(parent, "title: parent\nextends: us-relief-2025\ncompare_to: sanctions-stay\n")
	// An event after the horizon: a warning naming the file. A market
	// override: its source in the resolved market names the file.
	write(child, "title: child\nextends: "+parent+"\ncompare_to: sanctions-stay\nmarket:\n  overrides:\n    regions.Brazil.demand_elasticity: 0.4\nevents:\n  - {id: late, label: Late, ban: {supplier: Belarus, region: Brazil}, start: 2035-01}\n")
	set := "events.us-ban.end=2026-06"
	s := load(t, child, set)
	for _, tc := range []struct {
		wd, ref string
	}{
		{dir, filepath.Join("sub", "child.yaml")},           // under the working folder: relative
		{filepath.Join(dir, "sub"), "child.yaml"},           // the folder itself
		{t.TempDir(), "child.yaml"},                         // elsewhere: the base name
		{filepath.Join(dir, "sub", "deeper"), "child.yaml"}, // above the working folder: the base name
	} {
		t.Run(tc.wd, func(t *testing.T) {
			if err := os.MkdirAll(tc.wd, 0o755); err != nil {
				t.Fatal(err)
			}
			t.Chdir(tc.wd)
			res, err := Run(context.Background(), Request{Scenario: s, Ref: child, Sets: []string{set}, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			want := "potash run " + tc.ref + " --seed 1 --set " + set
			if res.Summary.Command != want {
				t.Errorf("command %q, want %q", res.Summary.Command, want)
			}
			var all bytes.Buffer
			if err := res.Summary.WriteJSON(&all); err != nil {
				t.Fatal(err)
			}
			if err := report.WriteMarkdown(&all, res.Summary); err != nil {
				t.Fatal(err)
			}
			var resolved bytes.Buffer
			if err := res.WriteResolved(&resolved); err != nil {
				t.Fatal(err)
			}
			all.Write(resolved.Bytes())
			if strings.Contains(all.String(), dir) {
				for _, l := range strings.Split(all.String(), "\n") {
					if strings.Contains(l, dir) {
						t.Errorf("an output names the user's folder: %s", l)
					}
				}
			}
			if !strings.Contains(strings.Join(res.Summary.Warnings, "\n"), "child.yaml:") {
				t.Errorf("warnings %q: want the late event's, naming child.yaml", res.Summary.Warnings)
			}
			if n := strings.Count(resolved.String(), set+"\n"); n != 2 {
				t.Errorf("scenario.resolved.yaml lists %s %d times besides the command line, want once:\n%s", set, n-1, head(resolved.String(), 12))
			}
		})
	}
}

func head(s string, lines int) string {
	ls := strings.SplitN(s, "\n", lines+1)
	return strings.Join(ls[:min(lines, len(ls))], "\n")
}

// TestChartMetaDollars: every run chart's footer says which year's
// constant dollars its money is in, the market's base year, as the
// report's table and summary do (report.ScenarioInfo.DollarsOf).
func TestChartMetaDollars(t *testing.T) {
	for _, name := range []string{"us-relief-2025", "sanctions-cost"} {
		t.Run(name, func(t *testing.T) {
			s := load(t, name)
			m := ChartMeta(s, 0, 0)
			if want := s.Spec.Market.BaseYear; m.DollarsOf != want || want == 0 {
				t.Fatalf("ChartMeta DollarsOf = %d, want the base year %d", m.DollarsOf, want)
			}
		})
	}
}

// TestMetricGroupsWrap: the list of metrics an unknown one is answered
// with (MetricGroups, wrapped by report.Wrap) keeps its lines within
// metricsWidth columns, breaks only after a comma (a region called
// "Southeast Asia" stays whole) and names every metric family.
func TestMetricGroupsWrap(t *testing.T) {
	m := load(t, "history").Spec.Market
	var list []string
	for _, mt := range model.MetricList(m) {
		list = append(list, mt.Name)
	}
	text := MetricGroups(list)
	for k, line := range strings.Split(text, "\n") {
		if n := len([]rune(line)); n > metricsWidth {
			t.Errorf("line %d is %d characters wide, over %d: %q", k+1, n, metricsWidth, line)
		}
		if k > 0 && !strings.HasPrefix(line, "  ") {
			t.Errorf("line %d is not indented: %q", k+1, line)
		}
		if strings.HasSuffix(line, "Southeast") || strings.HasSuffix(line, "United") {
			t.Errorf("line %d breaks a name: %q", k+1, line)
		}
	}
	flat := strings.Join(strings.Fields(text), " ")
	for _, want := range []string{"benchmark_price_change,", "revenue_change.SUPPLIER,", "where SUPPLIER is", "where REGION is", "Southeast Asia", "United States"} {
		if !strings.Contains(flat, want) {
			t.Errorf("MetricGroups lacks %q:\n%s", want, text)
		}
	}
}

// TestCompareChartsTraceBothRuns: the comparison charts' footers name
// every scenario compared with its hash (12 hex digits), as a run's charts
// name their one scenario's.
func TestCompareChartsTraceBothRuns(t *testing.T) {
	a, b := load(t, "us-relief-2025"), load(t, "eu-relief")
	res, err := Compare(context.Background(), CompareRequest{Scenarios: []*scenarios.Scenario{a, b}, Charts: &plots.Options{}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Charts) == 0 {
		t.Fatal("no comparison charts")
	}
	for _, ch := range res.Charts {
		for _, s := range []*scenarios.Scenario{a, b} {
			if want := s.Name + " " + s.Hash[:12]; !strings.Contains(ch.Footer, want) {
				t.Errorf("%s: footer %q does not name %q", ch.Name, ch.Footer, want)
			}
		}
		if !strings.Contains(ch.Footer, "potash model "+model.Version) {
			t.Errorf("%s: footer %q lacks the model version", ch.Name, ch.Footer)
		}
	}
}

// TestCompareSaysDollars: each scenario of a comparison carries the year
// whose dollars its money is in (its market's base year), so that the
// comparison's table and summary.md say it as a run's do.
func TestCompareSaysDollars(t *testing.T) {
	a, b := load(t, "us-relief-2025"), load(t, "eu-relief")
	res, err := Compare(context.Background(), CompareRequest{Scenarios: []*scenarios.Scenario{a, b}})
	if err != nil {
		t.Fatal(err)
	}
	for k, en := range res.Summary.Scenarios {
		if want := []*scenarios.Scenario{a, b}[k].Spec.Market.BaseYear; en.DollarsOf != want || want == 0 {
			t.Errorf("%s: dollars of %d, want the base year %d", en.Name, en.DollarsOf, want)
		}
	}
}

// TestOffBandNoteForCharts: a run whose central value lies outside its
// band (us-relief-2025 does, by construction) gives its charts the
// reason (plots.Meta.OffBand), and the charts with bands carry it; the
// reason names what the report found.
func TestOffBandNoteForCharts(t *testing.T) {
	s := load(t, scenarios.DefaultScenario)
	res, err := Run(context.Background(), Request{Scenario: s, Draws: 40, Seed: 7, Charts: &plots.Options{}})
	if err != nil {
		t.Fatal(err)
	}
	o := res.Summary.OffBand
	if o == nil {
		t.Fatal("us-relief-2025 with draws: no headline figure outside its band; the test needs one")
	}
	if res.Meta.OffBand == "" || res.Meta.OffBand != OffBandNote(o, res.Meta.EventLabels) {
		t.Fatalf("chart meta OffBand = %q, want %q", res.Meta.OffBand, OffBandNote(o, res.Meta.EventLabels))
	}
	found := false
	for _, ch := range res.Charts {
		if ch.Name != "revenue_change" {
			continue
		}
		var buf bytes.Buffer
		if err := ch.Render(&buf, "svg", plots.Options{}); err != nil {
			t.Fatal(err)
		}
		found = strings.Contains(buf.String(), "construction") // the note wraps
	}
	if !found {
		t.Errorf("the revenue_change chart does not say why its central values lie outside their error bars")
	}
	for _, tc := range []struct {
		o    *report.OffBand
		want string
	}{
		{nil, ""},
		{&report.OffBand{Lines: []string{"x"}}, "by construction, not an error (the results respond unevenly to the parameters)"},
		{&report.OffBand{Lines: []string{"x"}, Params: []report.EdgeParam{{Param: "events.discount-relief.scale", Top: true, AtEdge: true}}},
			"by construction, not an error (Discount relief: scale at the top of its range)"},
		{&report.OffBand{Lines: []string{"x"}, Params: make([]report.EdgeParam, 6)}, "by construction, not an error (6 parameters sit at an edge)"},
	} {
		if got := OffBandNote(tc.o, nil); got != tc.want {
			t.Errorf("OffBandNote(%+v) = %q, want %q", tc.o, got, tc.want)
		}
	}
}

// TestSummaryCreditsDataAsCharts: summary.md credits the market data in
// the charts' footer's words (ChartMeta's DataSource, one wording from
// one place): for the embedded data, "FAOSTAT and World Bank Pink
// Sheet".
func TestSummaryCreditsDataAsCharts(t *testing.T) {
	s := load(t, scenarios.DefaultScenario)
	res, err := Run(context.Background(), Request{Scenario: s})
	if err != nil {
		t.Fatal(err)
	}
	credit, ok := strings.CutPrefix(res.Meta.DataSource, "Data: ")
	if !ok || !strings.Contains(credit, "(FAOSTAT and World Bank Pink Sheet") {
		t.Fatalf("chart footer's data line %q", res.Meta.DataSource)
	}
	var md bytes.Buffer
	if err := report.WriteMarkdown(&md, res.Summary); err != nil {
		t.Fatal(err)
	}
	if res.Summary.Scenario.Data != credit || !strings.Contains(md.String(), "data: "+credit+";") {
		t.Errorf("summary credits %q, the charts %q", res.Summary.Scenario.Data, credit)
	}
}
