package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/potash-sim/potash/internal/report"
)

// headlineOf reads a run's summary.json and returns its headline values
// by metric.
func headlineOf(t *testing.T, dir string) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for _, h := range readSummary(t, filepath.Join(dir, report.FileSummary)).Headline {
		out[h.Metric] = h.Value
	}
	return out
}

// TestResolvedRerunsEndToEnd: the scenario.resolved.yaml a run writes
// runs again with `potash run` to the same hash and the same numbers
// (issue 16 item 1: it exited 2 on extends_chain and counterfactual).
func TestResolvedRerunsEndToEnd(t *testing.T) {
	const set = "events.us-ban.end=2026-06"
	dir1, dir2 := t.TempDir(), t.TempDir()
	potash(t, "run", "us-relief-2025", "--set", set, "--no-charts", "--out", dir1).want(t, exitOK)
	resolved := filepath.Join(dir1, report.FileResolved)
	potash(t, "run", resolved, "--no-charts", "--out", dir2).want(t, exitOK)
	s1, s2 := readSummary(t, filepath.Join(dir1, report.FileSummary)), readSummary(t, filepath.Join(dir2, report.FileSummary))
	if s1.Scenario.Hash != s2.Scenario.Hash || s1.Scenario.Name != s2.Scenario.Name {
		t.Errorf("rerun: scenario %s hash %s, want %s hash %s", s2.Scenario.Name, s2.Scenario.Hash, s1.Scenario.Name, s1.Scenario.Hash)
	}
	h1, h2 := headlineOf(t, dir1), headlineOf(t, dir2)
	for m, v := range h1 {
		if h2[m] != v {
			t.Errorf("rerun: %s = %v, the first run %v", m, h2[m], v)
		}
	}
}

// TestDocsWhatIfEndToEnd: the first file of docs/SCENARIOS.md and the
// --set the docs call the same what-if give the same headline through
// the command (issue 16 item 2).
func TestDocsWhatIfEndToEnd(t *testing.T) {
	doc := string(mustRead(t, filepath.Join("..", "..", "docs", "SCENARIOS.md")))
	m := regexp.MustCompile("(?s)## A first file\n\n```yaml\n(.*?)```").FindStringSubmatch(doc)
	if m == nil {
		t.Fatal("no YAML block under \"## A first file\" in docs/SCENARIOS.md")
	}
	file := writeScenario(t, "my-relief.yaml", m[1])
	dir1, dir2 := t.TempDir(), t.TempDir()
	potash(t, "run", file, "--no-charts", "--out", dir1).want(t, exitOK)
	potash(t, "run", "us-relief-2025", "--set", "events.us-ban.end=2026-06", "--no-charts", "--out", dir2).want(t, exitOK)
	h1, h2 := headlineOf(t, dir1), headlineOf(t, dir2)
	if len(h1) == 0 || len(h1) != len(h2) {
		t.Fatalf("headlines %v and %v", h1, h2)
	}
	for k, v := range h1 {
		if h2[k] != v {
			t.Errorf("%s: the docs' file gives %v, the --set %v", k, v, h2[k])
		}
	}
}

// TestMessagesEndToEnd: the messages of issue 16 items 3 and 10 as a
// user sees them on stderr: a warning has its prefix once; a tab is named
// on its own line; a misspelt id of an inherited event and a misspelt
// built-in name get a did-you-mean; each with the exit code of bad input.
func TestMessagesEndToEnd(t *testing.T) {
	late := writeScenario(t, "late.yaml", "title: late\nextends: us-relief-2025\nevents:\n"+
		"  - {id: late, label: Late, ban: {supplier: Belarus, region: Brazil}, start: 2035-01}\n")
	r := potash(t, "run", late, "--no-charts", "--out", t.TempDir()).want(t, exitOK)
	r2 := potash(t, "validate", late).want(t, exitOK)
	for _, stderr := range []string{r.stderr, r2.stderr} {
		n := 0
		for _, line := range strings.Split(stderr, "\n") {
			if strings.Contains(line, "lies entirely outside the horizon") {
				n++
				if !strings.HasPrefix(line, late+":4:") || strings.Count(line, "warning:") != 1 {
					t.Errorf("warning line %q: want %s:4:col: warning: … with one prefix", line, late)
				}
			}
		}
		if n != 1 {
			t.Errorf("the warning is printed %d times, want once:\n%s", n, stderr)
		}
	}

	for _, tc := range []struct {
		name, src, want string
	}{
		{"tab.yaml", "title: tab\nhorizon:\n\tend: 2028-12\n", "tab.yaml:3:1: YAML syntax: a tab character indents this line"},
		{"bam.yaml", "title: misspelt\nextends: history\nevents:\n  - {id: eu-bam, label: EU ban, ban: {supplier: Belarus, region: Europe}, start: 2022-03}\n",
			"event 'eu-bam' overlaps event 'eu-ban': both set the ban on Belarus → Europe from 2022-03; did you mean id 'eu-ban'?"},
		{"twice.yaml", "title: twice\nextends: history\nevents:\n" +
			"  - {id: b1, label: one, ban: {supplier: Belarus, region: Brazil}, start: 2023-01}\n" +
			"  - {id: b2, label: two, ban: {supplier: Belarus, region: Brazil}, start: 2023-06}\n",
			"event 'b2' overlaps event 'b1': both set the ban on Belarus → Brazil from 2023-06"},
		{"ext.yaml", "title: x\nextends: us_relief\n", "ext.yaml:2:10: extends: unknown built-in scenario 'us_relief'; did you mean 'us-relief-2025'?"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := writeScenario(t, tc.name, tc.src)
			out := filepath.Join(t.TempDir(), "out")
			for _, args := range [][]string{{"validate", file}, {"run", file, "--no-charts", "--out", out}} {
				r := potash(t, args...).want(t, exitBadInput)
				if !strings.Contains(r.stderr, tc.want) || !strings.Contains(r.stderr, file+":") {
					t.Errorf("%s: stderr lacks %q:\n%s", args[0], tc.want, r.stderr)
				}
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("run wrote %s for a bad scenario", out)
			}
		})
	}
}

// TestReliefDiscountEndToEnd: with no sanction discount to relieve
// (--set events.belarus-discount.pct=0) the relief gains Belarus less
// than with the scenario's discount, not more (issue 16 item 4: the
// relief subtracted a fixed 5 points and left a premium). Both runs cut
// the risk cost by a third with relief (the built-in's central case keeps
// it: how much it shrinks is not published).
func TestReliefDiscountEndToEnd(t *testing.T) {
	dir0, dir := t.TempDir(), t.TempDir()
	cut := "events.discount-relief.scale=0.6667"
	potash(t, "run", "us-relief-2025", "--set", "events.belarus-discount.pct=0", "--set", cut, "--no-charts", "--out", dir0).want(t, exitOK)
	potash(t, "run", "us-relief-2025", "--set", cut, "--no-charts", "--out", dir).want(t, exitOK)
	h0, h := headlineOf(t, dir0), headlineOf(t, dir)
	for _, m := range []string{"revenue_change.Belarus", "netback_revenue_change.Belarus"} {
		if _, ok := h[m]; !ok {
			t.Fatalf("no %s in the headline %v", m, h)
		}
		if !(h0[m] < h[m]) {
			t.Errorf("%s: %+.3f with no discount, %+.3f with the scenario's: want less", m, h0[m], h[m])
		}
	}
}

// TestValidateRejectsWhatRunRejects: a market the model cannot calibrate
// is an error of validate as of run, both exit 2 with the --set named
// (issue 16 item 6: validate passed it with a warning, run failed).
func TestValidateRejectsWhatRunRejects(t *testing.T) {
	const set = "market.suppliers.Canada.capacity_mt=0"
	for _, args := range [][]string{
		{"validate", "us-relief-2025", "--set", set},
		{"run", "us-relief-2025", "--set", set, "--no-charts", "--out", filepath.Join(t.TempDir(), "out")},
	} {
		r := potash(t, args...).want(t, exitBadInput)
		if !strings.Contains(r.stderr, "--set: market.suppliers.Canada.capacity_mt: the model cannot calibrate the market with this value") {
			t.Errorf("%s: stderr %s", args[0], r.stderr)
		}
	}
}

// TestHashIndependentOfPathEndToEnd: one scenario file (with a market
// override) run by three paths from two working folders gives one hash
// and one resolved scenario, and no output names the folder it is in
// (issue 16 item 5).
func TestHashIndependentOfPathEndToEnd(t *testing.T) {
	root := t.TempDir()
	sub := filepath.Join(root, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	src := "title: mine\nextends: us-relief-2025\nmarket:\n  overrides:\n    regions.Brazil.demand_elasticity: 0.4\n"
	if err := os.WriteFile(filepath.Join(sub, "my.yaml"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var hashes []string
	var resolved []string
	for k, c := range []struct{ wd, path string }{
		{root, "sub/my.yaml"}, {root, "./sub/../sub/my.yaml"}, {sub, filepath.Join(sub, "my.yaml")},
	} {
		t.Chdir(c.wd)
		out := filepath.Join(t.TempDir(), "out")
		potash(t, "run", c.path, "--no-charts", "--out", out).want(t, exitOK)
		hashes = append(hashes, readSummary(t, filepath.Join(out, report.FileSummary)).Scenario.Hash)
		res := string(mustRead(t, filepath.Join(out, report.FileResolved)))
		resolved = append(resolved, res[strings.Index(res, "\nname: "):])
		for _, f := range []string{report.FileSummary, report.FileMarkdown, report.FileResolved, report.FileResults} {
			if b := mustRead(t, filepath.Join(out, f)); strings.Contains(string(b), root) {
				t.Errorf("run %d (%s from %s): %s names the folder %s", k, c.path, c.wd, f, root)
			}
		}
	}
	for k := range hashes {
		if hashes[k] != hashes[0] || resolved[k] != resolved[0] {
			t.Errorf("run %d: hash %s, run 0 %s", k, hashes[k], hashes[0])
		}
	}
}

// TestPDFSameBytesEndToEnd: the same run twice writes byte-identical PDF
// charts (issue 12 and 16 item 12: a PDF carried its creation date).
func TestPDFSameBytesEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("renders charts")
	}
	dir1, dir2 := t.TempDir(), t.TempDir()
	potash(t, "run", "klaipeda-reopens", "--charts", "pdf", "--out", dir1).want(t, exitOK)
	potash(t, "run", "klaipeda-reopens", "--charts", "pdf", "--out", dir2).want(t, exitOK)
	pdfs, _ := filepath.Glob(filepath.Join(dir1, "*.pdf"))
	if len(pdfs) < 5 {
		t.Fatalf("%d PDF charts", len(pdfs))
	}
	for _, p := range pdfs {
		a, b := mustRead(t, p), mustRead(t, filepath.Join(dir2, filepath.Base(p)))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two runs", filepath.Base(p))
		}
		if bytes.Contains(a, []byte("CreationDate")) {
			t.Errorf("%s carries a creation date", filepath.Base(p))
		}
	}
}
