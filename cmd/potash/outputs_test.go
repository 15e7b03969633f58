package main

import (
	"bytes"
	"context"
	"errors"
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

// potashEnv runs the app with a prepared env (engine, hooks) and ctx.
func potashEnv(t *testing.T, ctx context.Context, e *env, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	e.stdout, e.stderr = &out, &errb
	if e.outRoot == "" {
		e.outRoot = t.TempDir()
	}
	code := runMain(ctx, e, append([]string{"potash"}, args...))
	return result{out.String(), errb.String(), code}
}

// visible lists the files of dir that are not hidden.
func visible(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	return names
}

// hiddenLeft lists dir's hidden entries other than the manifest.
func hiddenLeft(dir string) []string {
	ents, _ := os.ReadDir(dir)
	var out []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") && e.Name() != report.ManifestName {
			out = append(out, e.Name())
		}
	}
	return out
}

// TestForgedSummaryDeletesNothing: a summary.json (or manifest) in the
// output folder that lists a file the tool did not write never gets it
// deleted.
func TestForgedSummaryDeletesNothing(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "thesis.docx"), []byte("years of work"), 0o644)
	os.WriteFile(filepath.Join(dir, report.FileSummary), []byte(`{"tool":"potash","command":"potash run","files":["thesis.docx"]}`), 0o644)
	os.WriteFile(filepath.Join(dir, report.ManifestName),
		[]byte(`{"tool":"potash","manifest":1,"run_id":"0123456789abcdef0123456789abcdef","files":["thesis.docx"]}`), 0o644)
	r := potash(t, "run", "--no-charts", "--out", dir).want(t, exitOK)
	if b, err := os.ReadFile(filepath.Join(dir, "thesis.docx")); err != nil || string(b) != "years of work" {
		t.Fatalf("thesis.docx: %q %v", b, err)
	}
	if strings.Contains(r.stderr, "removed") {
		t.Errorf("stderr reports a removal: %s", r.stderr)
	}
}

// TestRunThenSweepSameOut: a sweep into a run's folder replaces the run's
// outputs (each removal printed): the folder never mixes two runs.
func TestRunThenSweepSameOut(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
	potash(t, "run", "--no-charts", "--out", dir).want(t, exitOK)
	r := potash(t, "sweep", scenarios.DefaultScenario, "--param", "market.regions.Brazil.demand_elasticity",
		"--range", "0.5:0.6:2", "--no-charts", "--out", dir).want(t, exitOK)
	want := []string{"notes.txt", report.FileSummary, report.FileSweep}
	if got := visible(t, dir); !slices.Equal(got, want) {
		t.Errorf("after run then sweep the folder holds %q, want %q", got, want)
	}
	for _, f := range []string{report.FileResults, report.FileMarkdown, report.FileResolved} {
		if !strings.Contains(r.stderr, "removed "+filepath.Join(dir, f)) {
			t.Errorf("stderr does not name the removed %s:\n%s", f, r.stderr)
		}
	}
	sum := mustRead(t, filepath.Join(dir, report.FileSummary))
	if !bytes.Contains(sum, []byte(`"command": "potash sweep`)) {
		t.Errorf("summary.json is not the sweep's:\n%.300s", sum)
	}
}

// TestInterruptInWritePhase: Ctrl-C (a cancelled context) while the
// outputs are being written stops the run with exit 1; the folder keeps
// the previous run's outputs and no staging folder is left.
func TestInterruptInWritePhase(t *testing.T) {
	dir := t.TempDir()
	potash(t, "run", "--no-charts", "--out", dir).want(t, exitOK)
	before := visible(t, dir)
	old := mustRead(t, filepath.Join(dir, report.FileSummary))
	for _, at := range []string{report.FileResults, report.FileResolved, report.FileSummary, report.FileMarkdown} {
		t.Run(at, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			e := &env{staged: func(name string) {
				if name == at {
					cancel()
				}
			}}
			r := potashEnv(t, ctx, e, "run", "--no-charts", "--seed", "2", "--out", dir).want(t, exitRunFailed)
			if !strings.Contains(r.stderr, "interrupted") {
				t.Errorf("stderr: %s", r.stderr)
			}
			if got := visible(t, dir); !slices.Equal(got, before) {
				t.Errorf("folder holds %q, want %q", got, before)
			}
			if !bytes.Equal(mustRead(t, filepath.Join(dir, report.FileSummary)), old) {
				t.Error("summary.json changed")
			}
			if h := hiddenLeft(dir); len(h) > 0 {
				t.Errorf("left behind: %q", h)
			}
		})
	}
}

// failMonths is an engine whose central run reports months of the
// scenario path as not converged (the model's own Status), to test what
// the command does with them.
func failMonths(months ...int) run.Engine {
	return run.Engine{Simulate: func(ctx context.Context, s, cf *model.Spec) (*model.Run, error) {
		r, err := model.SimulatePair(ctx, s, cf)
		if err != nil {
			return nil, err
		}
		for _, k := range months {
			r.Scenario.Results[k].Status = model.IterationLimit
			r.Scenario.Failed++
		}
		return r, nil
	}}
}

// TestNotConvergedExit3: a run with central months that did not converge
// writes its outputs, marks the months in results.csv and summary.json,
// names them on stderr and exits 3.
func TestNotConvergedExit3(t *testing.T) {
	dir := t.TempDir()
	s, err := scenarios.Load(scenarios.DefaultScenario, nil)
	if err != nil {
		t.Fatal(err)
	}
	k1, k2 := 3, 40
	m1, m2 := (s.Spec.Start + model.Month(k1)).String(), (s.Spec.Start + model.Month(k2)).String()
	r := potashEnv(t, context.Background(), &env{engine: failMonths(k1, k2)}, "run", "--no-charts", "--out", dir).want(t, exitNotConverged)
	for _, want := range []string{"did not converge in 2 months", "scenario " + m1 + " (iteration limit)", "scenario " + m2} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if !strings.Contains(r.stdout, "did not converge") {
		t.Errorf("the table has no warning:\n%s", r.stdout)
	}
	recs := readCSV(t, filepath.Join(dir, report.FileResults), report.TidyHeader)
	for _, rec := range recs {
		failed := rec[2] == m1 || rec[2] == m2
		wantStatus := "converged"
		if failed && rec[1] != "counterfactual" {
			wantStatus = "iteration limit"
		}
		if rec[8] != wantStatus {
			t.Fatalf("row %q: status %q, want %q", rec, rec[8], wantStatus)
		}
	}
	sum := readSummary(t, filepath.Join(dir, report.FileSummary))
	if sum.FailedMonths.Scenario != 2 || len(sum.FailedMonths.Months) != 2 || sum.FailedMonths.Months[1].Month != m2 {
		t.Errorf("summary failed_months %+v", sum.FailedMonths)
	}
}

// TestFailedDrawsExit3: more than 5% of draws failing exits 3 after
// writing; draws.csv lists every failed draw with its reason.
func TestFailedDrawsExit3(t *testing.T) {
	fail := func(n int) run.Engine {
		return run.Engine{MonteCarlo: func(ctx context.Context, s, cf *model.Spec, unc []model.Uncertain, o model.MCOptions) (*model.MCResult, error) {
			mc, err := model.MonteCarlo(ctx, s, cf, unc, o)
			if err != nil {
				return nil, err
			}
			// The last n draws "failed": out of the totals, into Failures.
			for d := o.Draws - n; d < o.Draws; d++ {
				mc.Failures = append(mc.Failures, model.DrawFailure{Draw: d, Reason: "scenario, month 2024-0" + strconv.Itoa(1+d%9) + ": stalled"})
			}
			for k := range mc.Totals {
				mc.Totals[k].Values = mc.Totals[k].Values[:o.Draws-n]
			}
			mc.Converged, mc.Failed = o.Draws-n, n
			return mc, nil
		}}
	}
	for _, tc := range []struct{ failed, code int }{{1, exitOK}, {2, exitNotConverged}} {
		dir := t.TempDir()
		r := potashEnv(t, context.Background(), &env{engine: fail(tc.failed)}, "run", "--draws", "20", "--no-charts", "--out", dir).want(t, tc.code)
		if tc.code == exitNotConverged && !strings.Contains(r.stderr, "2 of 20 Monte Carlo draws (10.0%) did not converge") {
			t.Errorf("stderr: %s", r.stderr)
		}
		recs := readCSV(t, filepath.Join(dir, report.FileDraws), report.DrawsHeader)
		var failed []string
		for _, rec := range recs {
			if rec[2] == "failed" {
				failed = append(failed, rec[1])
				if rec[3] != "" || rec[4] != "" || !strings.Contains(rec[6], "stalled") {
					t.Errorf("failed draw row %q", rec)
				}
			}
		}
		if len(failed) != tc.failed || failed[0] != strconv.Itoa(20-tc.failed) {
			t.Errorf("draws.csv failed draws %q, want the last %d", failed, tc.failed)
		}
	}
}

// TestPanicExit70: a crash is a short message and exit 70, never the 2 of
// bad input.
func TestPanicExit70(t *testing.T) {
	e := &env{engine: run.Engine{Simulate: func(context.Context, *model.Spec, *model.Spec) (*model.Run, error) {
		panic("index out of range [7] with length 7")
	}}}
	r := potashEnv(t, context.Background(), e, "run", "--no-charts", "--out", t.TempDir()).want(t, exitInternal)
	if !strings.Contains(r.stderr, "internal error: index out of range") || strings.Contains(r.stderr, "goroutine") {
		t.Errorf("stderr: %s", r.stderr)
	}
}

// TestExitCodesAgree: the same kind of mistake gets the same exit code,
// from --set, from a sweep, and for --out.
func TestExitCodesAgree(t *testing.T) {
	file := filepath.Join(t.TempDir(), "afile")
	os.WriteFile(file, nil, 0o644)
	const ela = "market.regions.Brazil.demand_elasticity"
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"run", "--set", ela + "=24"}, "valid range"},
		{[]string{"sweep", scenarios.DefaultScenario, "--param", ela, "--range", "0.5:24:2"}, "valid range"},
		{[]string{"run", "--set", "market.suppliers.Canada.capacity_mt=0"}, "capacity"},
		{[]string{"run", "--out", file}, "not a folder"},
		{[]string{"run", "--out", filepath.Join(file, "sub")}, "not a folder"},
		{[]string{"sweep", scenarios.DefaultScenario, "--param", ela, "--range", "2025-01:2025-03:3"}, "not a month"},
		{[]string{"run", filepath.Dir(file) + "/"}, "is a folder, not a scenario file"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			args := append(slices.Clone(tc.args), "--no-charts")
			if !slices.Contains(args, "--out") {
				args = append(args, "--out", filepath.Join(t.TempDir(), "out"))
			}
			r := potash(t, args...).want(t, exitBadInput)
			if !strings.Contains(r.stderr, tc.msg) {
				t.Errorf("stderr lacks %q: %s", tc.msg, r.stderr)
			}
		})
	}
}

// TestMetricListGrouped: an unknown metric suggests names and lists the
// metrics grouped on short lines, not 98 names on one.
func TestMetricListGrouped(t *testing.T) {
	r := potash(t, "sensitivity", scenarios.DefaultScenario, "--metric", "price", "--no-charts", "--out", t.TempDir()).want(t, exitBadInput)
	for _, want := range []string{"benchmark_price", "price_change.REGION", "where SUPPLIER is", "Belarus"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	for _, line := range strings.Split(r.stderr, "\n") {
		if n := len([]rune(line)); n > 120 && !strings.HasPrefix(line, "potash: unknown metric") {
			t.Errorf("a %d-character line: %s", n, line)
		}
		if strings.HasSuffix(line, " ") {
			t.Errorf("trailing space: %q", line)
		}
	}
}

// TestHelpExamplesWork: init writes the name its help promises, and the
// validate help's glob matches the built-ins in a checkout.
func TestHelpExamplesWork(t *testing.T) {
	file := filepath.Join(t.TempDir(), "my-relief.yaml")
	potash(t, "init", scenarios.DefaultScenario, file).want(t, exitOK)
	if b := mustRead(t, file); !bytes.HasPrefix(b, []byte("name: my-relief\n")) {
		t.Errorf("init wrote %.80q", b)
	}
	dir := t.TempDir()
	potash(t, "run", file, "--no-charts", "--out", dir).want(t, exitOK)
	if sum := readSummary(t, filepath.Join(dir, report.FileSummary)); sum.Scenario.Name != "my-relief" {
		t.Errorf("the copy runs as %q", sum.Scenario.Name)
	}
	help := potash(t, "validate", "--help").want(t, exitOK).stdout
	m := regexp.MustCompile(`potash validate (scenarios/\S+\*\.yaml)`).FindStringSubmatch(help)
	if m == nil {
		t.Fatalf("no glob example in:\n%s", help)
	}
	files, _ := filepath.Glob(filepath.Join("..", "..", m[1]))
	if len(files) < 5 {
		t.Fatalf("the example %s matches %q", m[1], files)
	}
	potash(t, append([]string{"validate"}, files...)...).want(t, exitOK)
}

// TestInlineMarketSummary: a scenario with its own market data says so in
// summary.md, with no empty data set name, as its charts do.
func TestInlineMarketSummary(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "scenarios", "testdata", "valid", "inline-basic.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// Without the data set's name and version.
	src = regexp.MustCompile(`(?m)^    (name|version): .*\n`).ReplaceAll(src, nil)
	file := writeScenario(t, "own.yaml", string(src))
	dir := t.TempDir()
	potash(t, "run", file, "--no-charts", "--out", dir).want(t, exitOK)
	md := mustRead(t, filepath.Join(dir, report.FileMarkdown))
	if bytes.Contains(md, []byte("market data ;")) || !bytes.Contains(md, []byte("data: own market (no sources cited)")) {
		t.Errorf("summary.md:\n%s", md)
	}
}

// TestExitCodesInREADME: the README's table of exit codes is the
// command's.
func TestExitCodesInREADME(t *testing.T) {
	readme := string(mustRead(t, filepath.Join("..", "..", "README.md")))
	for _, c := range exitCodes {
		re := regexp.MustCompile(`(?m)^\| ` + strconv.Itoa(c.code) + ` \| (.+) \|$`)
		m := re.FindStringSubmatch(readme)
		if m == nil {
			t.Errorf("README has no row for exit code %d", c.code)
			continue
		}
		if m[1] != c.meaning {
			t.Errorf("README: exit code %d: %q\ncommand: %q", c.code, m[1], c.meaning)
		}
	}
	help := potash(t, "--help").want(t, exitOK).stdout
	for _, c := range exitCodes {
		if !strings.Contains(help, strconv.Itoa(c.code)) {
			t.Errorf("--help lacks exit code %d", c.code)
		}
	}
}

// TestHeadlineCommentsInREADME: a README example commented with its
// headline ("potash run NAME  # benchmark +19.5 $/t (+7.1%) over
// 2026-06..2028-12") quotes what the command prints today, not a hand
// copy of an older run.
func TestHeadlineCommentsInREADME(t *testing.T) {
	readme := string(mustRead(t, filepath.Join("..", "..", "README.md")))
	re := regexp.MustCompile(`(?m)^potash run ([a-z0-9-]+) +# benchmark (\S+) \$/t \((\S+)%\) over ([0-9-]+)\.\.([0-9-]+)$`)
	ms := re.FindAllStringSubmatch(readme, -1)
	if len(ms) == 0 {
		t.Fatal("README: no example commented with its headline; the pattern no longer finds them")
	}
	for _, m := range ms {
		t.Run(m[1], func(t *testing.T) {
			out := potash(t, "run", m[1], "--no-charts", "--out", filepath.Join(t.TempDir(), "out")).want(t, exitOK).stdout
			line := regexp.MustCompile(`(?m)^Benchmark potash price \(Brazil CFR\), mean change ` + regexp.QuoteMeta(m[4]+" to "+m[5]) + ` +` +
				regexp.QuoteMeta(m[2]+" ("+m[3]+"%)") + `  \$/t$`)
			if !line.MatchString(out) {
				t.Errorf("README: potash run %s # benchmark %s $/t (%s%%) over %s..%s; it prints:\n%s", m[1], m[2], m[3], m[4], m[5], out)
			}
		})
	}
}

// TestREADMEListsCharts: the README's list of the charts every run draws
// names each chart the default run writes (a new chart, such as the
// stocks chart, once went unlisted).
func TestREADMEListsCharts(t *testing.T) {
	readme := strings.Join(strings.Fields(string(mustRead(t, filepath.Join("..", "..", "README.md")))), " ")
	_, para, ok := strings.Cut(readme, "Every run draws,")
	if !ok {
		t.Fatal("README: no paragraph 'Every run draws, ...'")
	}
	para, _, _ = strings.Cut(para, "For slides and documents")
	phrases := map[string]string{ // chart file name (without a supplier) → its words in the README
		"price": "the benchmark price", "price_regions": "each region's price", "revenue": "export revenue by supplier",
		"revenue_change": "change in netback revenue", "volumes": "export volumes", "shares": "market shares",
		"flows": "change in bilateral flows", "stocks": "stocks by market", "corridors": "corridors against capacity",
	}
	dir := t.TempDir()
	potash(t, "run", "--out", dir).want(t, exitOK)
	for _, f := range visible(t, dir) {
		name, ok := strings.CutSuffix(f, ".png")
		if !ok {
			continue
		}
		name, _, _ = strings.Cut(name, "_") // corridors_Belarus → corridors
		if f == "price_regions.png" || f == "revenue_change.png" {
			name = strings.TrimSuffix(f, ".png")
		}
		p, known := phrases[name]
		if !known {
			t.Errorf("chart %s: the README's list of charts has no entry for it (and this test no phrase)", f)
		} else if !strings.Contains(para, p) {
			t.Errorf("chart %s: the README's list of charts lacks %q", f, p)
		}
	}
}

// TestOutCheckedFirst: every command that takes --out refuses a folder
// that cannot be made (under /proc) with exit 2, before any solving: its
// engine fails the test if it is called.
func TestOutCheckedFirst(t *testing.T) {
	if fi, err := os.Stat("/proc/self"); err != nil || !fi.IsDir() {
		t.Skip("no /proc")
	}
	solved := func() { t.Error("the model ran before --out was checked") }
	eng := run.Engine{
		Simulate: func(context.Context, *model.Spec, *model.Spec) (*model.Run, error) {
			solved()
			return nil, errors.New("solved")
		},
		Tornado: func(context.Context, *model.Spec, *model.Spec, []model.Uncertain, string, int) (*model.Tornado, error) {
			solved()
			return nil, errors.New("solved")
		},
	}
	const out = "/proc/potash-nope/out"
	for _, args := range [][]string{
		{"run"},
		{"run", "us-relief-2025", "--draws", "10"},
		{"sweep", "us-relief-2025", "--param", "market.regions.Brazil.demand_elasticity", "--range", "0.3:0.5:2"},
		{"compare", "us-relief-2025", "eu-relief"},
		{"sensitivity", "us-relief-2025"},
		{"backtest", "--max-evals", "10"},
	} {
		t.Run(args[0], func(t *testing.T) {
			r := potashEnv(t, context.Background(), &env{engine: eng}, append(args, "--no-charts", "--out", out)...).want(t, exitBadInput)
			if want := "--out " + out + ": cannot create /proc/potash-nope: "; !strings.Contains(r.stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
			}
		})
	}
	// The default folder (no --out) says it is the default.
	r := potashEnv(t, context.Background(), &env{engine: eng, outRoot: "/proc/potash-nope"}, "run", "--no-charts").want(t, exitBadInput)
	if want := "the default output folder /proc/potash-nope/us-relief-2025: cannot create /proc/potash-nope: "; !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "--out DIR") {
		t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
	}
}

// TestSweepSharedEventWarns: a sweep of an event the counterfactual
// holds too warns on stderr and in summary.json, naming the
// scenario.events path; that path sweeps without the warning.
func TestSweepSharedEventWarns(t *testing.T) {
	for _, path := range []string{"events.klaipeda-closed.end", "scenario.events.klaipeda-closed.end"} {
		dir := t.TempDir()
		r := potash(t, "sweep", "us-relief-2025", "--param", path, "--range", "2026-01:2027-01:2", "--no-charts", "--out", dir).want(t, exitOK)
		sum := string(mustRead(t, filepath.Join(dir, report.FileSummary)))
		want := "to change the scenario's event only, sweep scenario." + path
		if path == "events.klaipeda-closed.end" {
			if !strings.Contains(r.stderr, "warning: "+path+" changes event klaipeda-closed in the scenario and its counterfactual") || !strings.Contains(r.stderr, want) {
				t.Errorf("stderr lacks the warning:\n%s", r.stderr)
			}
			if !strings.Contains(sum, `"warnings": [`) || !strings.Contains(sum, want) {
				t.Errorf("summary.json lacks the warning:\n%s", sum)
			}
		} else if strings.Contains(r.stderr, "warning") || strings.Contains(sum, "warnings") {
			t.Errorf("%s warns:\n%s", path, r.stderr)
		}
	}
}
