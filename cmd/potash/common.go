package main

import (
	"context"
	"encoding/json"
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
	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/plots"
	"github.com/potash-sim/potash/scenarios"
)

// printDiagnostics writes errors, then warnings, one per line, compiler
// style.
func printDiagnostics(w io.Writer, ds scenarios.Diagnostics) {
	for _, d := range ds.Errors() {
		fmt.Fprintf(w, "%s\n", d.Error())
	}
	for _, d := range ds.Warnings() {
		fmt.Fprintf(w, "warning: %s\n", d.Error())
	}
}

// loadScenario loads a scenario file or built-in with --set overrides.
// Every failure is bad input (exit 2). Warnings go to stderr.
func loadScenario(e *env, nameOrPath string, sets []string) (*scenarios.Scenario, error) {
	s, err := scenarios.Load(nameOrPath, sets)
	if err != nil {
		var ds scenarios.Diagnostics
		if errors.As(err, &ds) {
			return nil, badInput(ds)
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil, badInputf("%s: no such file or built-in scenario (run 'potash scenarios' for the built-ins)", nameOrPath)
		}
		return nil, badInput(err)
	}
	for _, w := range s.Warnings.Warnings() {
		fmt.Fprintf(e.stderr, "warning: %s\n", w.Error())
	}
	return s, nil
}

// modelErr classifies an error from the model: an interrupted run or a
// failed solve is a failed run (exit 1).
func modelErr(what string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) {
		return runFailed(fmt.Errorf("%s: interrupted", what))
	}
	return runFailed(fmt.Errorf("%s: %w", what, err))
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
		&cli.StringFlag{Name: "size", Value: "slide", Usage: "chart size: slide (16:9, 13.33×7.5 in) or half (half page, 6.5×4 in)", Destination: &c.size},
		&cli.IntFlag{Name: "dpi", Value: 150, Usage: "PNG resolution in dots per inch (72–600)", Destination: &c.dpi},
	}
}

// options validates the chart flags; ok is false with --no-charts.
func (c *chartFlags) options() (opts plots.Options, ok bool, err error) {
	if c.noCharts {
		return opts, false, nil
	}
	switch c.size {
	case "slide":
		opts.Size = plots.SizeSlide
	case "half", "half-page", "halfpage":
		opts.Size = plots.SizeHalfPage
	default:
		return opts, false, badInputf("--size %q: want slide or half", c.size)
	}
	if c.dpi < 72 || c.dpi > 600 {
		return opts, false, badInputf("--dpi %d: want 72 to 600", c.dpi)
	}
	opts.DPI = c.dpi
	for _, f := range strings.Split(c.charts, ",") {
		f = strings.ToLower(strings.TrimSpace(f))
		switch f {
		case "":
		case "png", "svg", "pdf":
			if !slices.Contains(opts.Formats, f) {
				opts.Formats = append(opts.Formats, f)
			}
		default:
			return opts, false, badInputf("--charts %q: unknown format %q; want png, svg or pdf, comma-separated", c.charts, f)
		}
	}
	if len(opts.Formats) == 0 {
		return opts, false, badInputf("--charts is empty; use --no-charts for no charts")
	}
	return opts, true, nil
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

// chartMeta is what charts print about their run.
func chartMeta(s *scenarios.Scenario, seed uint64, draws int) plots.Meta {
	m := plots.Meta{
		Scenario:       s.Name,
		Title:          s.Title,
		Counterfactual: s.CounterfactualName,
		Hash:           s.Hash,
		ModelVersion:   model.Version,
		Seed:           seed,
		Draws:          draws,
	}
	if s.Spec != nil && s.Spec.Market != nil {
		embedded, cites := s.MarketSources()
		m.DataSource = plots.DataSourceLine(s.Spec.Market, embedded, cites)
	}
	if s.Spec != nil {
		m.Markers = plots.EventMarkers(s.Spec.Events, s.Spec.Start, s.Spec.End)
		m.EventLabels = plots.EventLabels(s.Spec.Events)
	}
	return m
}

// commandLine quotes args for a shell.
func commandLine(args []string) string {
	out := make([]string, len(args))
	for k, a := range args {
		if k == 0 {
			a = "potash"
		}
		if a == "" || strings.ContainsAny(a, " \t\n'\"$`\\|&;<>()*?[]#~{}!") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out[k] = a
	}
	return strings.Join(out, " ")
}

// filepathGlob lists the base names of the visible files in dir.
func filepathGlob(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if !e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// newStage opens the output folder dir for writing: a path that exists and
// is not a folder is bad input (exit 2), any other failure a failed run.
func newStage(dir string) (*report.Stage, error) {
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return nil, badInputf("--out %s: exists and is not a folder", dir)
	}
	st, err := report.NewStage(dir)
	if err != nil {
		return nil, runFailed(fmt.Errorf("output folder: %w", err))
	}
	return st, nil
}

// commitStage moves the staged outputs of `potash command` into dir, then
// removes the files an earlier run of the same command wrote there that
// this run did not rewrite (e.g. draws.csv of an earlier run with --draws).
// Files the tool did not write are never touched.
func commitStage(stage *report.Stage, dir, command string) ([]string, error) {
	prev := previousFiles(dir, command)
	files, err := stage.Commit()
	if err != nil {
		return nil, runFailed(fmt.Errorf("writing %s: %w", dir, err))
	}
	stage.RemoveStale(prev, files)
	return files, nil
}

// previousFiles returns the files a previous `potash command` wrote into
// dir, from its summary.json, or nil. Outputs of other commands or tools
// are never listed.
func previousFiles(dir, command string) []string {
	b, err := os.ReadFile(filepath.Join(dir, fileSummary))
	if err != nil {
		return nil
	}
	var prev struct {
		Tool    string   `json:"tool"`
		Command string   `json:"command"`
		Files   []string `json:"files"`
	}
	if json.Unmarshal(b, &prev) != nil || prev.Tool != "potash" {
		return nil
	}
	if c := "potash " + command; prev.Command != c && !strings.HasPrefix(prev.Command, c+" ") {
		return nil
	}
	return prev.Files
}
