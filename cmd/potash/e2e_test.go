package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/internal/run"
	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/scenarios"
)

// testSet is a what-if used by the tests: every region's demand
// elasticity set to 0.6 (a valid value that differs from the base data's).
const testSet = "market.regions.*.demand_elasticity=0.6"

// chartArgs renders PNG charts in full tests and skips them with -short
// (the race detector makes rendering slow).
func chartArgs() []string {
	if testing.Short() {
		return []string{"--no-charts"}
	}
	return []string{"--charts", "png,svg"}
}

// modelMetrics runs the scenario directly through the packages, as the
// CLI should, and returns its metrics by name.
func modelMetrics(t *testing.T, name string, sets []string) map[string]model.Metric {
	t.Helper()
	s, err := scenarios.Load(name, sets)
	if err != nil {
		t.Fatalf("scenarios.Load(%s): %v", name, err)
	}
	run, err := model.SimulatePair(context.Background(), s.Spec, s.Counterfactual)
	if err != nil {
		t.Fatalf("SimulatePair(%s): %v", name, err)
	}
	out := map[string]model.Metric{}
	for _, m := range model.Metrics(run) {
		out[m.Name] = m
	}
	return out
}

func readSummary(t *testing.T, path string) *report.Summary {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s report.Summary
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		t.Fatalf("%s does not parse: %v", path, err)
	}
	return &s
}

// readCSV parses a CSV file and checks its header.
func readCSV(t *testing.T, path string, header []string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s does not parse: %v", path, err)
	}
	if len(recs) < 2 {
		t.Fatalf("%s has %d records", path, len(recs))
	}
	if strings.Join(recs[0], ",") != strings.Join(header, ",") {
		t.Fatalf("%s header %q, want %q", path, recs[0], header)
	}
	return recs[1:]
}

// checkCells checks that no text cell could be read as a formula and
// every number is finite with '.' decimals.
func checkCells(t *testing.T, path string, recs [][]string, numCols ...int) {
	t.Helper()
	for k, r := range recs {
		for c, cell := range r {
			if slices.Contains(numCols, c) {
				v, err := strconv.ParseFloat(cell, 64)
				if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || strings.Contains(cell, ",") {
					t.Fatalf("%s row %d col %d: %q is not a finite number", path, k+2, c+1, cell)
				}
				continue
			}
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Fatalf("%s row %d col %d: cell %q could run as a formula", path, k+2, c+1, cell)
			}
		}
	}
}

// TestRunEndToEnd runs the README's main command into a temporary folder
// and checks every output against the model run directly.
func TestRunEndToEnd(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	r := potash(t, append([]string{"run", "--out", dir}, chartArgs()...)...).want(t, exitOK)

	// Files present.
	for _, f := range []string{report.FileResults, report.FileSummary, report.FileMarkdown, report.FileResolved} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, report.FileDraws)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("draws.csv written without draws: %v", err)
	}
	pngs, _ := filepath.Glob(filepath.Join(dir, "*.png"))
	svgs, _ := filepath.Glob(filepath.Join(dir, "*.svg"))
	if !testing.Short() && (len(pngs) == 0 || len(svgs) != len(pngs)) {
		t.Errorf("charts: %d PNG and %d SVG", len(pngs), len(svgs))
	}
	for _, p := range pngs {
		b, _ := os.ReadFile(p)
		if !bytes.HasPrefix(b, []byte("\x89PNG")) {
			t.Errorf("%s is not a PNG", p)
		}
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".*"))
	if len(leftovers) != 1 || filepath.Base(leftovers[0]) != report.ManifestName {
		t.Errorf("hidden files: %q, want only the manifest", leftovers)
	}

	// JSON parses, and the headline numbers are the model's.
	sum := readSummary(t, filepath.Join(dir, report.FileSummary))
	want := modelMetrics(t, scenarios.DefaultScenario, nil)
	if sum.Scenario.Name != scenarios.DefaultScenario || sum.ModelVersion != model.Version || len(sum.Scenario.Hash) != 64 {
		t.Errorf("summary names %q model %q hash %q", sum.Scenario.Name, sum.ModelVersion, sum.Scenario.Hash)
	}
	if len(sum.Headline) < 4 {
		t.Fatalf("headline has %d lines, want the price and at least Canada, Russia, Belarus", len(sum.Headline))
	}
	for _, h := range sum.Headline {
		m, ok := want[h.Metric]
		if !ok {
			t.Errorf("headline %s is not a model metric", h.Metric)
			continue
		}
		// Same scenario, same code, same machine: bit-identical.
		if h.Value != m.Value || h.Unit != m.Unit {
			t.Errorf("headline %s = %v %s, model says %v %s", h.Metric, h.Value, h.Unit, m.Value, m.Unit)
		}
		if h.Band != nil {
			t.Errorf("headline %s has a band without draws", h.Metric)
		}
	}
	for _, sup := range []string{"Canada", "Russia", "Belarus"} {
		found := false
		for _, h := range sum.Headline {
			found = found || h.Metric == "revenue_change."+sup
		}
		if !found {
			t.Errorf("headline lacks %s's revenue", sup)
		}
	}
	if len(sum.Metrics) != len(want) {
		t.Errorf("summary has %d metrics, model %d", len(sum.Metrics), len(want))
	}
	for _, m := range sum.Metrics {
		if want[m.Name].Value != m.Value {
			t.Errorf("metric %s = %v, model %v", m.Name, m.Value, want[m.Name].Value)
		}
	}
	for _, f := range sum.Files {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("summary lists %s: %v", f, err)
		}
	}

	// The table on stdout shows the headline, money in $ bn.
	for _, h := range sum.Headline {
		v, _, _ := h.Display()
		if !strings.Contains(r.stdout, h.Label) || !strings.Contains(r.stdout, v) {
			t.Errorf("stdout lacks %q %q:\n%s", h.Label, v, r.stdout)
		}
	}
	if !strings.Contains(r.stdout, "$ bn") {
		t.Errorf("stdout shows no $ bn:\n%s", r.stdout)
	}
	// The README shows this output as it is: not a hand copy of an older
	// model's (regenerate it as the README's "Regenerating the README
	// chart" says).
	readme := string(mustRead(t, filepath.Join("..", "..", "README.md")))
	const intro = "`./potash-out/us-relief-2025/`:\n\n```\n"
	if i := strings.Index(readme, intro); i < 0 {
		t.Error("README: no block of the default run's output")
	} else if block, _, _ := strings.Cut(readme[i+len(intro):], "```\n"); block != r.stdout {
		t.Errorf("README's block of the default run's output is out of date; it prints:\n%s", r.stdout)
	}

	// The tidy CSV parses, has every variable of both paths and their
	// difference in every month, finite full-precision numbers, safe text.
	recs := readCSV(t, filepath.Join(dir, report.FileResults), report.TidyHeader)
	checkCells(t, report.FileResults, recs, 6)
	if len(recs) >= 1_000_000 {
		t.Errorf("results.csv has %d rows: more than a spreadsheet holds", len(recs))
	}
	s, err := scenarios.Load(scenarios.DefaultScenario, nil)
	if err != nil {
		t.Fatal(err)
	}
	months := s.Spec.Months()
	run, err := model.SimulatePair(context.Background(), s.Spec, s.Counterfactual)
	if err != nil {
		t.Fatal(err)
	}
	perPath := 0
	for _, v := range model.Variables() {
		perPath += len(model.EntityNames(run.Scenario.Cal, v.Entity)) * months
	}
	if len(recs) != 3*perPath {
		t.Errorf("results.csv has %d rows, want 3 series × %d", len(recs), perPath)
	}
	type key struct{ series, month, etype, entity, variable string }
	vals := map[key]float64{}
	types := map[string]bool{}
	for _, r := range recs {
		if r[0] != scenarios.DefaultScenario || r[8] != "converged" {
			t.Fatalf("row %q", r)
		}
		if _, err := model.ParseMonth(r[2]); err != nil {
			t.Fatalf("row %q: %v", r, err)
		}
		v, _ := strconv.ParseFloat(r[6], 64)
		k := key{r[1], r[2], r[3], r[4], r[5]}
		if _, dup := vals[k]; dup {
			t.Fatalf("two rows for %v", k)
		}
		vals[k] = v
		types[r[3]] = true
	}
	// Every entity type is there; China the supplier is not China the region.
	for _, et := range []string{"world", "supplier", "region", "route", "corridor"} {
		if !types[et] {
			t.Errorf("results.csv has no entity type %q", et)
		}
	}
	// Spot checks against the model: the benchmark price in the last month,
	// and difference = scenario − counterfactual everywhere.
	last := len(run.Scenario.Months) - 1
	lastM := run.Scenario.Months[last].String()
	if got := vals[key{"scenario", lastM, "world", "World", "benchmark_price"}]; got != run.Scenario.Sol[last].Benchmark {
		t.Errorf("benchmark_price %s = %v, model %v", lastM, got, run.Scenario.Sol[last].Benchmark)
	}
	for k, v := range vals {
		if k.series != "difference" {
			continue
		}
		sc := vals[key{"scenario", k.month, k.etype, k.entity, k.variable}]
		cf := vals[key{"counterfactual", k.month, k.etype, k.entity, k.variable}]
		if v != sc-cf {
			t.Fatalf("difference %v ≠ %v − %v for %v", v, sc, cf, k)
		}
	}

	// The resolved scenario records hash, model version and seed.
	res, _ := os.ReadFile(filepath.Join(dir, report.FileResolved))
	for _, want := range []string{"sha256: " + s.Hash, "model: " + model.Version, "seed: 1"} {
		if !bytes.Contains(res, []byte(want)) {
			t.Errorf("%s lacks %q", report.FileResolved, want)
		}
	}
	if !bytes.HasSuffix(res, s.Resolved) {
		t.Errorf("%s does not end with the resolved scenario", report.FileResolved)
	}
	md, _ := os.ReadFile(filepath.Join(dir, report.FileMarkdown))
	for _, want := range []string{"# ", "## Headline", "| Change |", "## Reproduce", "potash run " + scenarios.DefaultScenario + " --seed 1"} {
		if !bytes.Contains(md, []byte(want)) {
			t.Errorf("summary.md lacks %q", want)
		}
	}

	// A second run into the same folder keeps files the tool did not write,
	// and removes the first run's outputs that the second did not write
	// (here the charts), so the folder never mixes two runs.
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
	potash(t, "run", "--out", dir, "--no-charts").want(t, exitOK)
	if b, _ := os.ReadFile(filepath.Join(dir, "notes.txt")); string(b) != "mine" {
		t.Errorf("notes.txt = %q", b)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*.png")); len(left) > 0 {
		t.Errorf("charts of the first run left next to the second's outputs: %q", left)
	}
	sum2 := readSummary(t, filepath.Join(dir, report.FileSummary))
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		if e.Name() != report.ManifestName {
			names = append(names, e.Name())
		}
	}
	want2 := append(slices.Clone(sum2.Files), "notes.txt")
	slices.Sort(want2)
	if !slices.Equal(names, want2) {
		t.Errorf("folder holds %q, want %q", names, want2)
	}
}

// TestRunFlagsAfterArgumentAndSet: flags after the scenario, --set changes
// the result exactly as scenarios.Load with the same override does.
func TestRunFlagsAfterArgumentAndSet(t *testing.T) {
	dir := t.TempDir()
	r := potash(t, "run", scenarios.DefaultScenario, "--no-charts", "--set", testSet, "--out", dir, "--format", "json").want(t, exitOK)
	var sum report.Summary
	if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
	}
	if !slices.Equal(sum.Sets, []string{testSet}) {
		t.Errorf("sets = %q", sum.Sets)
	}
	with := modelMetrics(t, scenarios.DefaultScenario, []string{testSet})
	without := modelMetrics(t, scenarios.DefaultScenario, nil)
	changed := false
	for _, h := range sum.Headline {
		if h.Value != with[h.Metric].Value {
			t.Errorf("%s = %v, model with --set %v", h.Metric, h.Value, with[h.Metric].Value)
		}
		changed = changed || h.Value != without[h.Metric].Value
	}
	if !changed {
		t.Error("--set changed no headline number")
	}
	if !strings.Contains(sum.Command, "--set "+report.ShellQuote(testSet)) {
		t.Errorf("reproduce line %q lacks the --set", sum.Command)
	}
	res, _ := os.ReadFile(filepath.Join(dir, report.FileResolved))
	if !bytes.Contains(res, []byte("# --set "+testSet+"\n")) {
		t.Errorf("%s does not record the --set", report.FileResolved)
	}
	// Flags on both sides of the argument, short aliases.
	potash(t, "run", "--no-charts", scenarios.DefaultScenario, "-o", t.TempDir(), "-f", "csv").want(t, exitOK)
}

// TestRunScenarioOnlySet: --set scenario.events.ID.FIELD changes the
// scenario's event only, so the headline moves by the effect of that one
// change, where the same path without "scenario." moves the common event
// in both runs; both equal the model's numbers for the same overrides, and
// the reproduce line and the resolved scenario keep the path as given.
func TestRunScenarioOnlySet(t *testing.T) {
	const name = "us-relief-2025"
	only, both := "scenario.events.klaipeda-closed.end=2026-07", "events.klaipeda-closed.end=2026-07"
	got := map[string]*report.Summary{}
	for _, set := range []string{only, both} {
		dir := t.TempDir()
		potash(t, "run", name, "--no-charts", "--set", set, "--out", dir).want(t, exitOK)
		sum := readSummary(t, filepath.Join(dir, report.FileSummary))
		want := modelMetrics(t, name, []string{set})
		for _, h := range sum.Headline {
			if h.Value != want[h.Metric].Value {
				t.Errorf("--set %s: %s = %v, model %v", set, h.Metric, h.Value, want[h.Metric].Value)
			}
		}
		if !strings.HasSuffix(sum.Command, " --set "+set) {
			t.Errorf("reproduce line %q", sum.Command)
		}
		res, _ := os.ReadFile(filepath.Join(dir, report.FileResolved))
		if !bytes.Contains(res, []byte("# --set "+set+"\n")) {
			t.Errorf("%s does not record --set %s", report.FileResolved, set)
		}
		got[set] = sum
	}
	// Reopening Klaipėda in the scenario only lowers the benchmark price
	// against the counterfactual's closed port; reopened in both runs, it
	// moves the headline far less.
	base := modelMetrics(t, name, nil)
	price := func(s *report.Summary) float64 {
		for _, h := range s.Headline {
			if h.Metric == report.MetricBenchmarkPrice {
				return h.Value
			}
		}
		t.Fatalf("no %s in the headline", report.MetricBenchmarkPrice)
		return 0
	}
	b0 := base[report.MetricBenchmarkPrice].Value
	dOnly, dBoth := price(got[only])-b0, price(got[both])-b0
	if !(dOnly < -1) || math.Abs(dBoth) >= math.Abs(dOnly)/2 {
		t.Errorf("benchmark price change moves by %+.2f $/t with the scenario-only reopening and by %+.2f $/t with the common one: want a fall of over 1 $/t, and less than half of it", dOnly, dBoth)
	}
}

func TestRunFormats(t *testing.T) {
	dir := t.TempDir()
	r := potash(t, "run", "--no-charts", "--out", dir, "--format", "csv").want(t, exitOK)
	recs, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil || len(recs) < 5 || recs[0][1] != "metric" {
		t.Errorf("--format csv: %v\n%s", err, r.stdout)
	}
	r = potash(t, "run", "--no-charts", "--out", dir, "--format", "markdown").want(t, exitOK)
	if !strings.HasPrefix(r.stdout, "# ") || !strings.Contains(r.stdout, "|---|") {
		t.Errorf("--format markdown:\n%s", r.stdout)
	}
	r = potash(t, "run", "--no-charts", "--out", dir, "--format", "json").want(t, exitOK)
	if !json.Valid([]byte(r.stdout)) {
		t.Errorf("--format json:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "wrote") || strings.Contains(r.stdout, "wrote") {
		t.Errorf("the file note belongs on stderr only: stdout %q stderr %q", r.stdout, r.stderr)
	}
}

// TestRunMonteCarlo: bands, draws.csv, and identical results whatever the
// number of workers.
func TestRunMonteCarlo(t *testing.T) {
	dir1, dir2 := t.TempDir(), t.TempDir()
	draws := "40"
	if testing.Short() {
		draws = "5" // the race detector makes every draw ~20 times slower
	}
	r := potash(t, "run", "--draws", draws, "--seed", "7", "--workers", "1", "--no-charts", "--out", dir1).want(t, exitOK)
	if strings.Contains(r.stderr, "[#") {
		t.Errorf("progress bar written to a non-terminal: %q", r.stderr)
	}
	potash(t, "run", "--draws", draws, "--seed", "7", "--workers", "2", "--no-charts", "--out", dir2).want(t, exitOK)
	for _, f := range []string{report.FileSummary, report.FileResults, report.FileBands, report.FileDraws} {
		a, _ := os.ReadFile(filepath.Join(dir1, f))
		b, _ := os.ReadFile(filepath.Join(dir2, f))
		if f == report.FileSummary {
			// Only the recorded worker count and the run id may differ.
			for _, re := range []*regexp.Regexp{regexp.MustCompile(`"workers": \d+,`), regexp.MustCompile(`"run_id": "[0-9a-f]+",`)} {
				a, b = re.ReplaceAll(a, nil), re.ReplaceAll(b, nil)
			}
		}
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s differs between 1 and 2 workers (or is empty)", f)
		}
	}
	sum := readSummary(t, filepath.Join(dir1, report.FileSummary))
	if n, _ := strconv.Atoi(draws); sum.Draws != n || sum.Converged+sum.FailedDraws != n || sum.Seed != 7 {
		t.Errorf("draws %d converged %d failed %d seed %d", sum.Draws, sum.Converged, sum.FailedDraws, sum.Seed)
	}
	for _, h := range sum.Headline {
		if h.Band == nil {
			t.Errorf("%s: no band with draws", h.Metric)
			continue
		}
		if !(h.Band.P5 <= h.Band.P50 && h.Band.P50 <= h.Band.P95) {
			t.Errorf("%s: band %+v not ordered", h.Metric, *h.Band)
		}
	}
	// results.csv and bands.csv have the same rows: one per series, month,
	// entity and variable; bands.csv the statistics side by side.
	recs := readCSV(t, filepath.Join(dir1, report.FileResults), report.TidyHeader)
	brecs := readCSV(t, filepath.Join(dir1, report.FileBands), report.BandsHeader)
	checkCells(t, report.FileBands, brecs, 7, 8, 9, 10, 11, 12)
	if len(recs) != len(brecs) {
		t.Errorf("results.csv has %d rows, bands.csv %d", len(recs), len(brecs))
	}
	for _, r := range brecs {
		if p5, p50, p95 := r[8], r[10], r[12]; !(atof(p5) <= atof(p50) && atof(p50) <= atof(p95)) {
			t.Fatalf("bands.csv row %q: percentiles out of order", r)
		}
	}
	drecs := readCSV(t, filepath.Join(dir1, report.FileDraws), report.DrawsHeader)
	var conv [][]string // a failed draw's row has no metric value
	for _, r := range drecs {
		if r[2] == "converged" {
			conv = append(conv, r)
		}
	}
	checkCells(t, report.FileDraws, conv, 1, 4)
	if len(drecs) != sum.Converged*len(sum.Metrics)+sum.FailedDraws {
		t.Errorf("draws.csv has %d rows, want %d converged draws × %d metrics + %d failed", len(drecs), sum.Converged, len(sum.Metrics), sum.FailedDraws)
	}
	md := mustRead(t, filepath.Join(dir1, report.FileMarkdown))
	if !bytes.Contains(md, []byte("5–95%")) {
		t.Errorf("summary.md with draws has no range column:\n%s", md)
	}
}

func atof(s string) float64 {
	v, _ := strconv.ParseFloat(s, 64)
	return v
}

// writeScenario writes text to a file in a temporary folder.
func writeScenario(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRunBadScenario: exit 2, file:line:col on stderr, nothing written.
func TestRunBadScenario(t *testing.T) {
	bad := writeScenario(t, "bad.yaml", "title: bad\nextends: "+scenarios.DefaultScenario+"\nhorizon:\n  strat: 2020-01\n")
	out := filepath.Join(t.TempDir(), "out")
	r := potash(t, "run", bad, "--out", out).want(t, exitBadInput)
	if !regexp.MustCompile(regexp.QuoteMeta(bad) + `:4:\d+: `).MatchString(r.stderr) {
		t.Errorf("stderr does not point at %s:4:col:\n%s", bad, r.stderr)
	}
	if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("output folder created for a bad scenario: %v", err)
	}
	r = potash(t, "run", "no-such-scenario").want(t, exitBadInput)
	if !strings.Contains(r.stderr, "no-such-scenario") {
		t.Errorf("stderr: %s", r.stderr)
	}
	potash(t, "run", "--set", "market.regions.Atlantis.demand_elasticity=1", "--out", out).want(t, exitBadInput)
	potash(t, "run", "--set", "nonsense", "--out", out).want(t, exitBadInput)
	r = potash(t, "run", "--no-charts", "--out", bad).want(t, exitBadInput) // a file, not a folder
	if !strings.Contains(r.stderr, "not a folder") {
		t.Errorf("stderr: %s", r.stderr)
	}
	// A --set value is never split at commas.
	r = potash(t, "run", "--set", "market.regions.Brazil.demand_elasticity=1,2", "--out", out).want(t, exitBadInput)
	if !strings.Contains(r.stderr, "1,2") {
		t.Errorf("stderr: %s", r.stderr)
	}
}

// TestRunNothingHalfWritten: when an output cannot be written, the run
// fails with exit 1 and no output of it appears.
func TestRunNothingHalfWritten(t *testing.T) {
	out := t.TempDir()
	os.WriteFile(filepath.Join(out, "notes.txt"), []byte("mine"), 0o644)
	os.Mkdir(filepath.Join(out, report.FileSummary), 0o755) // a folder where summary.json goes
	r := potash(t, "run", "--no-charts", "--out", out).want(t, exitRunFailed)
	if !strings.Contains(r.stderr, report.FileSummary) {
		t.Errorf("stderr: %s", r.stderr)
	}
	ents, _ := os.ReadDir(out)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "notes.txt,summary.json" {
		t.Errorf("after a failed run the folder holds %q", names)
	}
	if r.stdout != "" {
		t.Errorf("stdout after a failed run: %q", r.stdout)
	}
}

func TestCompare(t *testing.T) {
	dir := t.TempDir()
	r := potash(t, append([]string{"compare", scenarios.DefaultScenario, "history", "--out", dir}, chartArgs()...)...).want(t, exitOK)
	for _, want := range []string{scenarios.DefaultScenario, "history", "Benchmark potash price", "Belarus"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("compare table lacks %q:\n%s", want, r.stdout)
		}
	}
	recs := readCSV(t, filepath.Join(dir, report.FileCompare), []string{"scenario", "counterfactual", "report_from", "end", "metric", "value", "unit"})
	checkCells(t, report.FileCompare, recs, 5)
	want := modelMetrics(t, "history", nil)
	n := 0
	for _, r := range recs {
		if r[0] == "history" {
			n++
			if v, _ := strconv.ParseFloat(r[5], 64); v != want[r[4]].Value {
				t.Errorf("history %s = %v, model %v", r[4], v, want[r[4]].Value)
			}
		}
	}
	if n != len(want) {
		t.Errorf("compare.csv has %d history metrics, want %d", n, len(want))
	}
	if !json.Valid(mustRead(t, filepath.Join(dir, report.FileSummary))) {
		t.Error("summary.json is not JSON")
	}
	potash(t, "compare", "history", "history").want(t, exitBadInput)
}

func TestSweep(t *testing.T) {
	dir := t.TempDir()
	r := potash(t, append([]string{"sweep", scenarios.DefaultScenario, "--param", "market.regions.Brazil.demand_elasticity",
		"--range", "0.4:0.8:3", "--metric", "benchmark_price_change", "--metric", "revenue_change.Belarus", "--out", dir}, chartArgs()...)...).want(t, exitOK)
	// The table words the metrics as the headline does (report.WindowLabel).
	if !strings.Contains(r.stdout, "Benchmark potash price (Brazil CFR), mean change 20") || !strings.Contains(r.stdout, "0.6") {
		t.Errorf("sweep table:\n%s", r.stdout)
	}
	head := []string{"scenario", "param1", "value1", "metric", "value", "unit", "converged", "status"}
	recs := readCSV(t, filepath.Join(dir, report.FileSweep), head)
	checkCells(t, report.FileSweep, recs, 2, 4)
	if len(recs) != 6 {
		t.Errorf("sweep.csv has %d rows, want 3 points × 2 metrics", len(recs))
	}
	// The middle point equals a run with the same --set.
	at06 := modelMetrics(t, scenarios.DefaultScenario, []string{"market.regions.Brazil.demand_elasticity=0.6"})
	for _, r := range recs {
		if r[2] == "0.6" {
			v, _ := strconv.ParseFloat(r[4], 64)
			if w := at06[r[3]].Value; math.Abs(v-w) > 1e-9*math.Max(1, math.Abs(w)) {
				t.Errorf("sweep at 0.6: %s = %v, run with --set %v", r[3], v, w)
			}
		}
	}
	// 2-D, flags after the argument, months.
	r = potash(t, "sweep", scenarios.DefaultScenario, "--no-charts", "--out", t.TempDir(), "--param", "events.us-ban.end",
		"--range", "2025-12:2026-12:3", "--param2", "market.regions.*.demand_elasticity", "--range2", "0.5:0.7:2", "--format", "json").want(t, exitOK)
	var sum report.SweepSummary
	if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil || len(sum.Points) != 6 || sum.Axes[0].Months[1] != "2026-06" {
		t.Errorf("2-D sweep: %v %+v", err, sum)
	}
	r = potash(t, "sweep", scenarios.DefaultScenario, "--param", "market.regions.Brazil.demand_elasticity", "--range", "0.4:0.8:3",
		"--metric", "revenue_chnage.Belarus", "--no-charts", "--out", t.TempDir()).want(t, exitBadInput)
	if !strings.Contains(r.stderr, `did you mean "revenue_change.Belarus"`) {
		t.Errorf("stderr: %s", r.stderr)
	}
	potash(t, "sweep", scenarios.DefaultScenario, "--param", "market.nosuch", "--range", "0:1:2", "--no-charts", "--out", t.TempDir()).want(t, exitBadInput)
}

func TestSensitivity(t *testing.T) {
	dir := t.TempDir()
	r := potash(t, append([]string{"sensitivity", scenarios.DefaultScenario, "--out", dir}, chartArgs()...)...).want(t, exitOK)
	if !strings.Contains(r.stdout, run.DefaultMetric) || !strings.Contains(r.stdout, "swing") {
		t.Errorf("sensitivity table:\n%s", r.stdout)
	}
	head := []string{"scenario", "metric", "unit", "base", "rank", "param", "low", "high", "at_low", "at_high", "swing",
		"stated_low", "stated_high", "low_cut_by", "high_cut_by"}
	recs := readCSV(t, filepath.Join(dir, report.FileSensitivity), head)
	checkCells(t, report.FileSensitivity, recs, 3, 4, 6, 7, 8, 9, 10, 11, 12)
	prev := math.Inf(1)
	for _, r := range recs {
		sw, _ := strconv.ParseFloat(r[10], 64)
		if sw > prev {
			t.Errorf("bars not sorted by swing: %v after %v", sw, prev)
		}
		prev = sw
	}
	if base, _ := strconv.ParseFloat(recs[0][3], 64); base != modelMetrics(t, scenarios.DefaultScenario, nil)[run.DefaultMetric].Value {
		t.Errorf("base %v is not the central run's metric", base)
	}
	potash(t, "sensitivity", scenarios.DefaultScenario, "--metric", "nosuch", "--no-charts", "--out", t.TempDir()).want(t, exitBadInput)
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestScenariosListShowInitValidate(t *testing.T) {
	r := potash(t, "scenarios").want(t, exitOK)
	for _, want := range []string{scenarios.DefaultScenario + " ", "history", "(default)"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("scenarios lacks %q:\n%s", want, r.stdout)
		}
	}
	r = potash(t, "scenarios", "--format", "json").want(t, exitOK)
	if !json.Valid([]byte(r.stdout)) {
		t.Errorf("scenarios --format json:\n%s", r.stdout)
	}
	r = potash(t, "scenarios", "show", scenarios.DefaultScenario).want(t, exitOK)
	src, _ := scenarios.BuiltinSource(scenarios.DefaultScenario)
	if r.stdout != string(src) {
		t.Errorf("scenarios show differs from the built-in source")
	}
	r = potash(t, "scenarios", "show", "histroy").want(t, exitBadInput)
	if !strings.Contains(r.stderr, `no built-in scenario 'histroy'; did you mean 'history'`) {
		t.Errorf("stderr: %s", r.stderr)
	}

	// init writes a copy under the new name, which validates and runs, and
	// refuses to overwrite.
	dir := t.TempDir()
	file := filepath.Join(dir, "my-relief.yaml")
	potash(t, "init", scenarios.DefaultScenario, file).want(t, exitOK)
	b := mustRead(t, file)
	if bytes.Contains(b, []byte("name: "+scenarios.DefaultScenario+"\n")) {
		t.Errorf("init kept the built-in's name")
	}
	r = potash(t, "validate", file).want(t, exitOK)
	if !strings.Contains(r.stdout, file+": ok") {
		t.Errorf("validate: %q", r.stdout)
	}
	r = potash(t, "run", file, "--no-charts", "--out", filepath.Join(dir, "out"), "--format", "json").want(t, exitOK)
	var sum report.Summary
	if err := json.Unmarshal([]byte(r.stdout), &sum); err != nil || sum.Scenario.Name != "my-relief" {
		t.Errorf("run of the init copy: %v, name %q", err, sum.Scenario.Name)
	}
	edited := filepath.Join(dir, "edited.yaml")
	os.WriteFile(edited, []byte("# edited\n"), 0o644)
	r = potash(t, "init", scenarios.DefaultScenario, edited).want(t, exitBadInput)
	if !strings.Contains(r.stderr, "already exists") || string(mustRead(t, edited)) != "# edited\n" {
		t.Errorf("init overwrote, or said %q", r.stderr)
	}
	potash(t, "init", "no-such-builtin", filepath.Join(dir, "x.yaml")).want(t, exitBadInput)
	// A folder FILE gets NAME.yaml in it, as cp does (it said "already
	// exists; not overwriting it").
	potash(t, "init", "history", dir).want(t, exitOK)
	if b := mustRead(t, filepath.Join(dir, "history.yaml")); !bytes.Contains(b, []byte("name: history\n")) {
		t.Errorf("init into a folder wrote %.80q", b)
	}

	// validate reports every error with file:line:col, and all files.
	bad := writeScenario(t, "bad.yaml", "title: t\nextends: "+scenarios.DefaultScenario+"\nhorizon:\n  strat: 2020-01\nevents:\n  - id: x\n    ban: {supplier: Belarussia, region: all}\n    start: 2022-13\n")
	r = potash(t, "validate", file, bad).want(t, exitBadInput)
	lines := regexp.MustCompile(`(?m)^`+regexp.QuoteMeta(bad)+`:\d+:\d+: `).FindAllString(r.stderr, -1)
	if len(lines) < 2 {
		t.Errorf("validate found %d located errors in %s, want every one:\n%s", len(lines), bad, r.stderr)
	}
	if !strings.Contains(r.stdout, file+": ok") || strings.Contains(r.stdout, bad+": ok") {
		t.Errorf("validate stdout: %q", r.stdout)
	}
	if !strings.Contains(r.stderr, "1 of 2 files have errors") {
		t.Errorf("validate stderr: %s", r.stderr)
	}
	// One file: its name, not "1 of 1 files have errors".
	r = potash(t, "validate", bad).want(t, exitBadInput)
	if !strings.Contains(r.stderr, "potash: "+bad+" has errors (") || strings.Contains(r.stderr, " of 1 files") {
		t.Errorf("validate of one bad file, stderr: %s", r.stderr)
	}
}

func TestSchemaAndVersion(t *testing.T) {
	r := potash(t, "schema").want(t, exitOK)
	var schema map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &schema); err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	r = potash(t, "version").want(t, exitOK)
	if !strings.Contains(r.stdout, "potash "+model.Version) || !strings.Contains(r.stdout, "data ") {
		t.Errorf("version: %q", r.stdout)
	}
	r = potash(t, "--version").want(t, exitOK)
	if !strings.Contains(r.stdout, model.Version) {
		t.Errorf("--version: %q", r.stdout)
	}
}

// TestDefaultOutputFolder: without --out the files go to
// potash-out/<scenario> (under the test's temporary root).
func TestDefaultOutputFolder(t *testing.T) {
	var out, errb bytes.Buffer
	root := t.TempDir()
	e := &env{stdout: &out, stderr: &errb, outRoot: filepath.Join(root, "potash-out")}
	if code := runMain(context.Background(), e, []string{"potash", "run", "--no-charts"}); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if _, err := os.Stat(filepath.Join(root, "potash-out", scenarios.DefaultScenario, report.FileSummary)); err != nil {
		t.Error(err)
	}
}

// TestRunOwnScenario runs a small scenario file written from scratch; with
// --draws but no uncertainty: section it warns and runs once.
func TestRunOwnScenario(t *testing.T) {
	file := writeScenario(t, "boom.yaml", `title: A demand boom
horizon:
  start: 2020-01
  end: 2021-06
events:
  - {id: boom, label: Boom, demand: {region: all, pct: 5}, start: 2021-01}
`)
	dir := t.TempDir()
	r := potash(t, "run", file, "--draws", "10", "--no-charts", "--out", dir).want(t, exitOK)
	if !strings.Contains(r.stderr, "no uncertain parameters") {
		t.Errorf("no warning about draws without uncertainty: %q", r.stderr)
	}
	sum := readSummary(t, filepath.Join(dir, report.FileSummary))
	if sum.Scenario.Name != "boom" || sum.Draws != 0 || sum.Scenario.End != "2021-06" {
		t.Errorf("summary: name %q draws %d end %s", sum.Scenario.Name, sum.Draws, sum.Scenario.End)
	}
	// More demand everywhere: the price rises (a sign any economist expects).
	if sum.Headline[0].Metric != "benchmark_price_change" || sum.Headline[0].Value <= 0 {
		t.Errorf("a 5%% demand boom gives price change %+v", sum.Headline[0])
	}
	if _, err := os.Stat(filepath.Join(dir, report.FileDraws)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("draws.csv written without draws")
	}
}

// TestRunWindow: --window report draws the time charts over the report
// window only (no 2021 on the price chart's axis, no shaded window);
// the default draws the whole run with the window shaded (issue 16 item
// 14); --window with --no-charts, or a bad value, is a usage error.
func TestRunWindow(t *testing.T) {
	if testing.Short() {
		t.Skip("renders charts")
	}
	for _, tc := range []struct {
		args       []string
		want, lack []string
	}{
		{nil, []string{">2021<", ">Report window<"}, nil},
		{[]string{"--window", "report"}, []string{">2027<"}, []string{">2021<", ">Report window<"}},
	} {
		dir := t.TempDir()
		potash(t, append([]string{"run", "--charts", "svg", "--out", dir}, tc.args...)...).want(t, exitOK)
		svg := string(mustRead(t, filepath.Join(dir, "price.svg")))
		for _, w := range tc.want {
			if !strings.Contains(svg, w) {
				t.Errorf("%q: price.svg lacks %s", tc.args, w)
			}
		}
		for _, w := range tc.lack {
			if strings.Contains(svg, w) {
				t.Errorf("%q: price.svg has %s", tc.args, w)
			}
		}
	}
	potash(t, "run", "--window", "headline", "--out", t.TempDir()).want(t, exitBadInput)
	r := potash(t, "run", "--no-charts", "--window", "report", "--out", t.TempDir()).want(t, exitBadInput)
	if !strings.Contains(r.stderr, "--no-charts writes no charts") {
		t.Errorf("stderr: %s", r.stderr)
	}
}
