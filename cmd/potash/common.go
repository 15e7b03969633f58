package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/internal/run"
	"github.com/potash-sim/potash/plots"
	"github.com/potash-sim/potash/scenarios"
)

// printDiagnostics writes errors, then warnings, one per line, compiler
// style; each warning says "warning:" once. It returns the number of
// warnings written.
func printDiagnostics(w io.Writer, ds scenarios.Diagnostics) (warnings int) {
	errs := ds.Errors()
	for _, d := range errs {
		fmt.Fprintf(w, "%s\n", d.Error())
	}
	for _, d := range ds.Warnings() {
		// A warning about a value that is an error is noise: `--set
		// X=-3` out of range also warned that the draws of X no
		// longer vary it, of a value never used.
		if d.Field != "" && slices.ContainsFunc(errs, func(e scenarios.Diagnostic) bool { return e.File == d.File && e.Field == d.Field }) {
			continue
		}
		msg := d.Error()
		if !strings.Contains(msg, "warning: ") {
			msg = "warning: " + msg
		}
		fmt.Fprintf(w, "%s\n", msg)
		warnings++
	}
	return warnings
}

// setsIn names the scenario name in ds's diagnostics about a --set, for a
// command that applies its --set values to several scenarios (compare,
// validate): "--set (in no-sanctions): events.us-ban.end: unknown event".
func setsIn(ds scenarios.Diagnostics, name string) scenarios.Diagnostics {
	ds = slices.Clone(ds)
	for k := range ds {
		if ds[k].File == "--set" {
			ds[k].File = "--set (in " + name + ")"
		}
	}
	return ds
}

// samePlace reports whether diagnostics a and b are about the same field
// at the same place (their severities may differ: a refusal completes the
// warning its box's corner gave).
func samePlace(a, b scenarios.Diagnostic) bool {
	return a.File == b.File && a.Line == b.Line && a.Col == b.Col && a.Field == b.Field
}

// loadScenario loads a scenario file or built-in with --set overrides.
// Every failure is bad input (exit 2). Warnings go to stderr. With
// draws (a run with --draws, a tornado), a scenario whose box of draws
// the joint rules refuse (Scenario.DrawsRefused) fails here, before any
// run, and the refusal is said once, as the error, not first as the
// warning it completes.
func loadScenario(e *env, nameOrPath string, sets []string, draws bool) (*scenarios.Scenario, error) {
	return loadScenarioOf(e, nameOrPath, sets, draws, false)
}

// loadScenarioOf is loadScenario; with several (compare: one --set for
// every scenario), a diagnostic about a --set names the scenario it is
// about: "--set (in no-sanctions): events.us-ban.end: unknown event".
func loadScenarioOf(e *env, nameOrPath string, sets []string, draws, several bool) (*scenarios.Scenario, error) {
	if fi, err := os.Stat(nameOrPath); err == nil && fi.IsDir() {
		return nil, badInputf("%s is a folder, not a scenario file; give a .yaml file or a built-in name (run 'potash scenarios' for the built-ins)", nameOrPath)
	}
	tag := func(ds scenarios.Diagnostics) scenarios.Diagnostics {
		if !several {
			return ds
		}
		return setsIn(ds, nameOrPath)
	}
	s, err := scenarios.Load(nameOrPath, sets)
	if err != nil {
		var ds scenarios.Diagnostics
		if errors.As(err, &ds) {
			return nil, badInput(tag(ds))
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil, badInputf("%s: no such file or built-in scenario (run 'potash scenarios' for the built-ins)", nameOrPath)
		}
		return nil, badInput(err)
	}
	ws := s.Warnings.Warnings()
	var refused scenarios.Diagnostics
	if draws && len(s.Uncertain) > 0 && errors.As(s.DrawsRefused(), &refused) {
		ws = slices.DeleteFunc(slices.Clone(ws), func(w scenarios.Diagnostic) bool {
			return slices.ContainsFunc(refused, func(r scenarios.Diagnostic) bool {
				return samePlace(r, w) && r.Msg == w.Msg
			})
		})
		printDiagnostics(e.stderr, tag(ws))
		return nil, badInput(tag(refused))
	}
	printDiagnostics(e.stderr, tag(ws))
	return s, nil
}

// chartFlags are the chart options shared by run, compare, sweep and
// sensitivity.
type chartFlags struct {
	charts   string
	noCharts bool
	size     string
	dpi      int
}

func (c *chartFlags) flags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "charts", Value: "png", Usage: "chart `FORMATS` to write, comma-separated: png, svg, pdf", Destination: &c.charts},
		&cli.BoolFlag{Name: "no-charts", Usage: "write no charts (faster)", Destination: &c.noCharts},
		&cli.StringFlag{Name: "size", Value: "slide", Usage: "chart size: slide (16:9, 13.33×7.5 in), half (half page, 6.5×4 in) or web (a web page's chart card, 600×375 pt)", Destination: &c.size},
		&cli.IntFlag{Name: "dpi", Value: 150, Usage: "PNG resolution in dots per inch (72–600)", Destination: &c.dpi},
	}
}

// options validates the chart flags; nil with --no-charts. --no-charts
// with --charts (set on the command line, isSet) is a usage error.
func (c *chartFlags) options(isSet func(name string) bool) (*plots.Options, error) {
	if c.noCharts {
		if isSet("charts") || isSet("size") || isSet("dpi") {
			return nil, badInputf("--no-charts writes no charts: drop --charts, --size and --dpi, or --no-charts")
		}
		return nil, nil
	}
	var opts plots.Options
	switch c.size {
	case "slide":
		opts.Size = plots.SizeSlide
	case "half", "half-page", "halfpage":
		opts.Size = plots.SizeHalfPage
	case "web":
		opts.Size = plots.SizeWeb
	default:
		return nil, badInputf("--size %q: want slide, half or web", c.size)
	}
	if c.dpi < 72 || c.dpi > 600 {
		return nil, badInputf("--dpi %d: want 72 to 600", c.dpi)
	}
	opts.DPI = c.dpi
	formats, err := parseFormats(c.charts)
	if err != nil {
		return nil, err
	}
	opts.Formats = formats
	return &opts, nil
}

// parseFormats parses --charts: png, svg and pdf, comma-separated.
func parseFormats(charts string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(charts, ",") {
		f = strings.ToLower(strings.TrimSpace(f))
		switch f {
		case "":
		case "png", "svg", "pdf":
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		default:
			return nil, badInputf("--charts %q: unknown format %q; want png, svg or pdf, comma-separated", charts, f)
		}
	}
	if len(out) == 0 {
		return nil, badInputf("--charts is empty; use --no-charts for no charts")
	}
	return out, nil
}

// formatFlag is --format for stdout.
func formatFlag(dst *string) cli.Flag {
	return &cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table",
		Usage: "what to print on stdout: table, csv, json or markdown", Destination: dst}
}

func checkFormat(f string) error {
	switch f {
	case "table", "csv", "json", "markdown", "md":
		return nil
	}
	return badInputf("--format %q: want table, csv, json or markdown", f)
}

// outDir returns dir, or e.outRoot/name when dir is empty.
func outDir(e *env, dir, name string) string {
	if dir != "" {
		return dir
	}
	return filepath.Join(e.outRoot, safeName(name))
}

// safeName makes name usable as a folder name.
func safeName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	s := strings.Trim(b.String(), ".")
	if s == "" {
		s = "scenario"
	}
	return s
}

// writeOutputs writes o into dir (run.Write), printing every file it
// removes and, last, how many files it wrote, on stderr.
func writeOutputs(ctx context.Context, e *env, dir string, o *run.Output, charts *plots.Options) error {
	files, err := run.Write(ctx, dir, o, run.WriteOptions{
		Charts: charts,
		Log:    func(msg string) { fmt.Fprintf(e.stderr, "%s\n", msg) },
		Staged: e.staged,
	})
	if err != nil {
		if errors.Is(err, report.ErrNotFolder) {
			return badInputf("--out %v", err)
		}
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %d files to %s\n", len(files), dir)
	return nil
}

// printNotes prints a result's notes as warnings on stderr.
func printNotes(e *env, notes []string) {
	for _, n := range notes {
		fmt.Fprintf(e.stderr, "warning: %s\n", n)
	}
}

// simFlags are the flags every simulating command (run, compare, sweep,
// sensitivity) shares: --set, --workers, --format, --out and the chart
// flags.
type simFlags struct {
	sets    cli.StringSlice
	workers int
	format  string
	out     string
	chartFlags
}

// list returns the shared flags, with --workers when withWorkers, and
// outDefault describing the default --out.
func (f *simFlags) list(outDefault string, withWorkers bool) []cli.Flag {
	fl := []cli.Flag{setFlag(&f.sets)}
	if withWorkers {
		fl = append(fl, workersFlag(&f.workers))
	}
	fl = append(fl, formatFlag(&f.format), outFlag(&f.out, outDefault))
	return append(fl, f.chartFlags.flags()...)
}

// check validates the shared flags and returns the chart options (nil
// with --no-charts).
func (f *simFlags) check(isSet func(string) bool) (*plots.Options, error) {
	if err := checkFormat(f.format); err != nil {
		return nil, err
	}
	if err := run.CheckWorkers(f.workers); err != nil {
		return nil, badInputf("--workers: %v", err)
	}
	return f.chartFlags.options(isSet)
}

// outFolder returns the output folder (--out, or e.outRoot/name), failing
// before any work when it cannot be one (run.CheckOut).
func (f *simFlags) outFolder(e *env, name string) (string, error) {
	return checkOut(e, f.out, name)
}

// checkOut returns the output folder (dir, or e.outRoot/name), or a
// usage error (exit 2) when it cannot be one (run.CheckOut): every
// command that writes a folder calls it before any solving.
func checkOut(e *env, dir, name string) (string, error) {
	out := outDir(e, dir, name)
	if err := run.CheckOut(out); err != nil {
		if dir == "" {
			// Not typed: say where it comes from and how to change it.
			return "", badInputf("the default output folder %v; give another with --out DIR", err)
		}
		return "", badInputf("--out %v", err)
	}
	return out, nil
}

// printers print a result on stdout in each --format.
type printers struct {
	json  func(w io.Writer) error
	csv   func(w io.Writer) error
	table func(w io.Writer, markdown bool) error
}

// finish writes o into dir, prints the result in --format, and returns
// notConverged (the result's Err: exit code 3 after everything is
// written and printed).
func (f *simFlags) finish(ctx context.Context, e *env, dir string, o *run.Output, charts *plots.Options, p printers, notConverged error) error {
	if err := writeOutputs(ctx, e, dir, o, charts); err != nil {
		return err
	}
	var err error
	e.results = true
	switch f.format {
	case "json":
		err = p.json(e.stdout)
	case "csv":
		err = p.csv(e.stdout)
	default:
		err = p.table(e.stdout, f.format != "table")
	}
	if err != nil {
		return runFailed(err)
	}
	return notConverged
}

// oneScenarioError is the error of command cmd (sweep, sensitivity),
// which takes one SCENARIO, given args instead: how many and which, and
// where a word after the scenario that looks like a grid (FROM:TO:STEPS,
// with grid) or a --set value (PATH=VALUE) belongs, as a word whose flag
// was left out reads as a second scenario.
func oneScenarioError(cmd string, args []string, grid bool) error {
	if len(args) == 0 {
		return badInputf("%s needs one SCENARIO, got none (a built-in name or a file; run 'potash scenarios' for the names)", cmd)
	}
	msg := fmt.Sprintf("%s needs one SCENARIO, got %d (%s)", cmd, len(args), strings.Join(args, " "))
	for _, a := range args[1:] {
		switch {
		case grid && strings.Count(a, ":") == 2 && !strings.Contains(a, "="):
			msg += fmt.Sprintf("; %s looks like a grid FROM:TO:STEPS: give it after --range (or --range2)", a)
		case strings.Contains(a, "="):
			msg += fmt.Sprintf("; %s looks like a parameter's value: give it after --set", a)
		}
	}
	return badInput(errors.New(msg))
}
