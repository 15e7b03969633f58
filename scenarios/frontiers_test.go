package scenarios

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/model"
)

// The valid-range frontiers of docs/SCENARIOS.md ("Valid ranges") are a
// block the slow sweep (TestValidRangeFrontiers with -frontiers -update)
// writes, headed by a fingerprint of the sweep's inputs.
// TestValidRangeFrontiersDoc, which runs in every go test, recomputes the
// fingerprint and fails when the block was swept on other inputs.
const (
	scenariosDoc      = "../docs/SCENARIOS.md"
	frontierBlockName = "valid-range frontiers"
	frontierCmd       = "go test ./scenarios -run TestValidRangeFrontiers -v -args -frontiers -update"
)

// frontiersFile holds the sweep's results, from which the block is
// written: the block's layout can change without a new sweep.
const frontiersFile = "testdata/frontiers.json"

// frontierEnd is the result of one probe of the sweep: from the middle of
// parameter Param's valid range toward Extreme (below it when Below), the
// last value that Works on every built-in and the first that Fails (with
// Why), or AtExtreme when the extreme itself works.
type frontierEnd struct {
	Param     string  `json:"param"`
	Valid     string  `json:"valid"` // the valid range at the sweep (fmtValid)
	Below     bool    `json:"below"`
	Extreme   float64 `json:"extreme"`
	Works     float64 `json:"works"`
	Fails     float64 `json:"fails,omitempty"`
	AtExtreme bool    `json:"at_extreme,omitempty"`
	Why       string  `json:"why,omitempty"`
}

// frontierSweep is a sweep's results and the inputs line
// (frontierInputs) of what it ran on.
type frontierSweep struct {
	Inputs string        `json:"inputs"`
	Ends   []frontierEnd `json:"ends"`
}

// readFrontiers reads frontiersFile.
func readFrontiers() (*frontierSweep, error) {
	data, err := os.ReadFile(frontiersFile)
	if err != nil {
		return nil, err
	}
	var sw frontierSweep
	if err := json.Unmarshal(data, &sw); err != nil {
		return nil, fmt.Errorf("%s: %w", frontiersFile, err)
	}
	return &sw, nil
}

// writeFrontiers writes sw to frontiersFile.
func writeFrontiers(sw *frontierSweep) error {
	data, err := json.MarshalIndent(sw, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(frontiersFile, append(data, '\n'), 0o644)
}

// sweepInputs are the inputs the sweep's result depends on besides the
// model's code.
type sweepInputs struct {
	files    [][2]string // path and contents, in a fixed order
	cases    []rangeCase
	extremes map[string][2]float64
	version  string
}

// currentSweepInputs returns today's: the embedded base datasets,
// reference series and built-in scenarios (byte for byte), the range
// cases with their valid ranges, the sweep's extremes and model.Version.
func currentSweepInputs() (sweepInputs, error) {
	in := sweepInputs{cases: rangeCases(), extremes: frontierExtremes(), version: model.Version}
	for _, src := range []struct {
		fsys fs.FS
		dir  string
		ext  string
	}{
		{datasetFS, "data", ".yaml"},
		{referenceFS, "data/reference", ".csv"},
		{builtinFS, "builtin", ".yaml"},
	} {
		err := fs.WalkDir(src.fsys, src.dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, src.ext) {
				return err
			}
			data, err := fs.ReadFile(src.fsys, p)
			in.files = append(in.files, [2]string{p, string(data)})
			return err
		})
		if err != nil {
			return sweepInputs{}, err
		}
	}
	return in, nil
}

// fingerprint returns the first 16 hex digits of a SHA-256 of in. A
// change to the solver that keeps model.Version is not seen: re-sweep
// after one that can move a frontier.
func (in sweepInputs) fingerprint() string {
	h := sha256.New()
	for _, f := range in.files {
		fmt.Fprintf(h, "file %s %d\n%s", f[0], len(f[1]), f[1])
	}
	for _, c := range in.cases {
		fmt.Fprintf(h, "case %#v\n", c)
	}
	keys := make([]string, 0, len(in.extremes))
	for k := range in.extremes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "extreme %q %v\n", k, in.extremes[k])
	}
	fmt.Fprintf(h, "model %s\n", in.version)
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// frontierInputs is the block's first line: what the sweep ran on, and
// the fingerprint.
func frontierInputs() (string, error) {
	in, err := currentSweepInputs()
	if err != nil {
		return "", err
	}
	f, err := BaseMarketFile(DefaultMarket)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("Swept on %s %s, %d built-ins, potash %s; inputs fingerprint %s.",
		DefaultMarket, f.Version, len(builtinNames()), model.Version, in.fingerprint()), nil
}

// fmtFrontier formats a frontier value with 4 significant digits.
func fmtFrontier(v float64) string { return fmtDigits(v, 4) }

// fmtPast formats fails, the first failing value past the frontier works,
// with the fewest significant digits, at least 4, that tell it from works.
func fmtPast(works, fails float64) string {
	for d := 4; d < 8; d++ {
		if f := fmtDigits(fails, d); f != fmtDigits(works, d) {
			return f
		}
	}
	return fmtDigits(fails, 8)
}

// fmtDigits formats v with d significant digits, a minus sign and no
// exponent.
func fmtDigits(v float64, d int) string {
	s := strconv.FormatFloat(v, 'g', d, 64)
	if strings.Contains(s, "e+") {
		s = strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strings.Replace(s, "-", "−", 1)
}

// fmtValid formats a valid range.
func fmtValid(b bound) string {
	g := func(v float64) string { return fmtDigits(v, 4) }
	open := "["
	if b.loStrict {
		open = "("
	}
	if math.IsInf(b.hi, 1) {
		if b.loStrict {
			return "> " + g(b.lo)
		}
		return "≥ " + g(b.lo)
	}
	return open + g(b.lo) + ", " + g(b.hi) + "]"
}

// frontierBlock is the generated block: the inputs line, a table of each
// swept parameter's valid range and frontiers, and what fails first past
// each frontier.
func frontierBlock(sw *frontierSweep) (string, error) {
	var b strings.Builder
	b.WriteString(sw.Inputs + "\n\n")
	type row struct {
		name, valid string
		lo, hi      *frontierEnd
	}
	var rows []*row
	byName := map[string]*row{}
	for k := range sw.Ends {
		e := &sw.Ends[k]
		r, ok := byName[e.Param]
		if !ok {
			r = &row{name: e.Param, valid: e.Valid}
			byName[e.Param] = r
			rows = append(rows, r)
		}
		if e.Below {
			r.lo = e
		} else {
			r.hi = e
		}
	}
	cell := func(e *frontierEnd) string {
		switch {
		case e == nil:
			return "–"
		case e.AtExtreme:
			return fmtFrontier(e.Works) + "*"
		}
		return fmtFrontier(e.Works)
	}
	tab := report.Table{Head: []string{"parameter", "valid range", "works down to", "works up to"}}
	for _, r := range rows {
		tab.Rows = append(tab.Rows, []string{r.name, r.valid, cell(r.lo), cell(r.hi)})
	}
	if err := tab.WriteText(&b); err != nil {
		return "", err
	}
	b.WriteString("(* works at the extreme swept: no frontier found there.)\n\nWhat fails first past each frontier (the built-in, and why):\n")
	for _, r := range rows {
		for _, e := range []*frontierEnd{r.lo, r.hi} {
			if e == nil || e.AtExtreme {
				continue
			}
			dir := "above"
			if e.Below {
				dir = "below"
			}
			fmt.Fprintf(&b, "- %s %s %s (at %s): %s\n", r.name, dir, fmtFrontier(e.Works), fmtPast(e.Works, e.Fails), shortWhy(e.Why))
		}
	}
	return b.String(), nil
}

// shortWhy is the gist of a failure the sweep logs, for the block: the
// built-in's name once, and the message up to its advice or detail
// (", outside the plausible …", "; a conduct of at most …", ": its
// marginal cost would be …", " (FOB … less corridor …"), at most 200
// characters.
func shortWhy(why string) string {
	why = strings.TrimSpace(why)
	if name, rest, ok := strings.Cut(why, ": "); ok && strings.HasPrefix(rest, name+": ") {
		why = name + ": " + strings.TrimPrefix(rest, name+": ")
	}
	for _, cut := range []string{", outside the plausible", "; ", ": its marginal cost would be", " (FOB "} {
		if i := strings.Index(why, cut); i > 0 {
			why = why[:i]
		}
	}
	if r := []rune(why); len(r) > 200 {
		why = string(r[:199]) + "…"
	}
	return why
}

// TestValidRangeFrontiersDoc checks, without the sweep, that the
// frontier block of docs/SCENARIOS.md is the sweep's results
// (frontiersFile) and that they were swept on today's inputs: their
// inputs line carries the fingerprint of the datasets, built-ins, ranges
// and model version (sweepInputs). With -update (and without -frontiers)
// it rewrites the block from frontiersFile.
func TestValidRangeFrontiersDoc(t *testing.T) {
	if *frontiers {
		t.Skip("the sweep writes the block")
	}
	want, err := frontierInputs()
	if err != nil {
		t.Fatal(err)
	}
	sw, err := readFrontiers()
	if err != nil {
		t.Fatalf("%v: run %s", err, frontierCmd)
	}
	if sw.Inputs != want {
		t.Fatalf("the %s of %s were swept on other inputs (the datasets, built-ins, valid ranges or model version changed):\n  swept: %s\n  today: %s\nre-run %s (about 8 minutes)",
			frontierBlockName, scenariosDoc, sw.Inputs, want, frontierCmd)
	}
	block, err := frontierBlock(sw)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		checkDocBlock(t, scenariosDoc, frontierBlockName, frontierCmd, block)
		return
	}
	doc, err := os.ReadFile(scenariosDoc)
	if err != nil {
		t.Fatal(err)
	}
	begin := docBlockBegin(frontierBlockName, frontierCmd) + "```text\n"
	i := strings.Index(string(doc), begin)
	if i < 0 {
		t.Fatalf("%s: no block %q", scenariosDoc, begin)
	}
	if got, _, _ := strings.Cut(string(doc)[i+len(begin):], "```\n"); got != block {
		t.Errorf("%s: the %s block is not %s's results: go test ./scenarios -run TestValidRangeFrontiersDoc -update rewrites it\n%s",
			scenariosDoc, frontierBlockName, frontiersFile, block)
	}
}

// TestFrontierFingerprint checks that the fingerprint moves with each
// kind of input it covers (a test that could not fail would not guard the
// block), and the block's layout.
func TestFrontierFingerprint(t *testing.T) {
	in, err := currentSweepInputs()
	if err != nil {
		t.Fatal(err)
	}
	base := in.fingerprint()
	if len(base) != 16 || in.fingerprint() != base {
		t.Fatalf("fingerprint %q: want 16 hex digits, the same each time", base)
	}
	if len(in.files) < 3 || len(in.cases) == 0 || len(in.extremes) == 0 {
		t.Fatalf("inputs: %d files, %d cases, %d extremes", len(in.files), len(in.cases), len(in.extremes))
	}
	for _, tc := range []struct {
		name   string
		change func(*sweepInputs)
	}{
		{"a dataset byte", func(s *sweepInputs) { s.files[0][1] += " " }},
		{"a built-in", func(s *sweepInputs) { s.files[len(s.files)-1][1] = "" }},
		{"a valid range", func(s *sweepInputs) { s.cases[0].valid.hi *= 1.01 }},
		{"a case", func(s *sweepInputs) { s.cases = s.cases[1:] }},
		{"an extreme", func(s *sweepInputs) { s.extremes["freight"] = [2]float64{0, 1} }},
		{"the model version", func(s *sweepInputs) { s.version += "+" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := currentSweepInputs()
			if err != nil {
				t.Fatal(err)
			}
			tc.change(&c)
			if c.fingerprint() == base {
				t.Errorf("the fingerprint did not move")
			}
		})
	}
	sw := &frontierSweep{Inputs: "Swept on " + base + ".", Ends: []frontierEnd{
		{Param: "x", Valid: fmtValid(bound{lo: 0.5, hi: 2}), Below: true, Extreme: 0, Works: 0.1234567, Fails: 0.1234, Why: "bpc-reunion: 1 months failed"},
		{Param: "x", Valid: fmtValid(bound{lo: 0.5, hi: 2}), Extreme: 10, Works: 10, AtExtreme: true},
	}}
	block, err := frontierBlock(sw)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{base, "[0.5, 2]", "0.1235", "10*", "- x below 0.1235 (at 0.1234): bpc-reunion: 1 months failed"} {
		if !strings.Contains(block, s) {
			t.Errorf("block lacks %q:\n%s", s, block)
		}
	}
	for why, want := range map[string]string{
		"no-sanctions: 1 month failed, first scenario 2023-01: Canada: FOB price 4100 $/t is 20 times its base-year 205 $/t, outside the plausible 0.05–20 times: the shock is too large": "no-sanctions: 1 month failed, first scenario 2023-01: Canada: FOB price 4100 $/t is 20 times its base-year 205 $/t",
		"bpc-reunion: bpc-reunion: suppliers[Russia].conduct: 0.75 gives a markup; a conduct of at most 0.75 calibrates":                                                                  "bpc-reunion: suppliers[Russia].conduct: 0.75 gives a markup",
		"bpc-reunion: 2 months failed, first scenario 2026-11: facility X: residual 0.0778 after 2100 iterations (iteration limit)":                                                       "bpc-reunion: 2 months failed, first scenario 2026-11: facility X: residual 0.0778 after 2100 iterations (iteration limit)",
	} {
		if got := shortWhy(why); got != want {
			t.Errorf("shortWhy(%q) = %q, want %q", why, got, want)
		}
	}
}
