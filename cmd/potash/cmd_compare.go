package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/plots"
	"github.com/potash-sim/potash/scenarios"
)

func init() { registerCommand(newCompareCommand) }

type compareArgs struct {
	scenarios []string
	sets      cli.StringSlice
	format    string
	out       string
	chartFlags
}

const fileCompare = "compare.csv"

func newCompareCommand() *cli.Command {
	a := &compareArgs{}
	return &cli.Command{
		Name:      "compare",
		Usage:     "run several scenarios and show them in one table and on the same charts",
		ArgsUsage: "SCENARIO SCENARIO...",
		UsageText: "potash compare SCENARIO SCENARIO... [flags]",
		Description: "Runs each SCENARIO (file or built-in) against its own counterfactual and prints one table with\n" +
			"a column per scenario: the benchmark price change and each main supplier's export revenue change.\n" +
			"Writes compare.csv (every metric of every scenario), summary.json, summary.md and comparison charts\n" +
			"into --out. --set applies to every scenario.\n\n" +
			"Examples:\n" +
			"  potash compare us-relief-2025 eu-relief klaipeda-reopens\n" +
			"  potash compare us-relief-2025 my-variant.yaml --set market.regions.*.demand_elasticity=0.5",
		Flags: append([]cli.Flag{
			setFlag(&a.sets),
			formatFlag(&a.format),
			outFlag(&a.out, "./potash-out/compare-A-B"),
		}, a.chartFlags.flags()...),
		BashComplete: completeBuiltins,
		Action: func(c *cli.Context) error {
			a.scenarios = c.Args().Slice()
			return compareScenarios(c.Context, envOf(c), a)
		},
	}
}

// compareEntry is one scenario of a comparison.
type compareEntry struct {
	Name           string            `json:"name"`
	Title          string            `json:"title"`
	Hash           string            `json:"sha256"`
	Counterfactual string            `json:"counterfactual"`
	ReportFrom     string            `json:"report_from"`
	End            string            `json:"end"`
	Headline       []report.Headline `json:"headline"`
	Metrics        []report.Metric   `json:"metrics"`

	scen *scenarios.Scenario
	run  *model.Run
}

type compareSummary struct {
	Tool         string         `json:"tool"`
	ModelVersion string         `json:"model_version"`
	Command      string         `json:"command"`
	Sets         []string       `json:"sets,omitempty"`
	Scenarios    []compareEntry `json:"scenarios"`
	Files        []string       `json:"files"`
}

// compareScenarios is `potash compare`.
func compareScenarios(ctx context.Context, e *env, a *compareArgs) error {
	if len(a.scenarios) < 2 {
		return badInputf("compare needs at least two scenarios, got %d (for one, use potash run)", len(a.scenarios))
	}
	if err := checkFormat(a.format); err != nil {
		return err
	}
	chartOpts, charts, err := a.chartFlags.options()
	if err != nil {
		return err
	}
	// Load everything first: a typo in the last scenario fails fast.
	var entries []*compareEntry
	seen := map[string]bool{}
	for _, name := range a.scenarios {
		s, err := loadScenario(e, name, a.sets.Value())
		if err != nil {
			return err
		}
		if seen[s.Name] {
			return badInputf("scenario %q given twice", s.Name)
		}
		seen[s.Name] = true
		entries = append(entries, &compareEntry{scen: s})
	}
	for _, en := range entries {
		s := en.scen
		run, err := model.SimulatePair(ctx, s.Spec, s.Counterfactual)
		if err != nil {
			return modelErr("simulating "+s.Name, err)
		}
		en.run = run
		en.Metrics = report.Metrics(model.Metrics(run), nil)
		if en.Headline, err = report.Headlines(run, en.Metrics); err != nil {
			return runFailed(fmt.Errorf("%s: %w", s.Name, err))
		}
		info := scenarioInfo(s)
		en.Name, en.Title, en.Hash, en.Counterfactual = s.Name, info.Title, s.Hash, s.CounterfactualName
		en.ReportFrom, en.End = info.ReportFrom, info.End
		sum := report.Summary{Headline: en.Headline, Metrics: en.Metrics}
		if err := sum.CheckFinite(); err != nil {
			return runFailed(fmt.Errorf("%s: %w", s.Name, err))
		}
	}
	names := make([]string, len(entries))
	for k, en := range entries {
		names[k] = en.Name
	}
	sum := &compareSummary{Tool: "potash", ModelVersion: model.Version, Sets: a.sets.Value()}
	args := append([]string{"potash", "compare"}, a.scenarios...)
	for _, s := range a.sets.Value() {
		args = append(args, "--set", s)
	}
	sum.Command = commandLine(args)
	for _, en := range entries {
		sum.Scenarios = append(sum.Scenarios, *en)
	}

	dir := outDir(e, a.out, "compare-"+strings.Join(names, "-"))
	stage, err := newStage(dir)
	if err != nil {
		return err
	}
	defer stage.Abort()
	if charts {
		runs := make([]*model.Run, len(entries))
		for k, en := range entries {
			runs[k] = en.run
		}
		meta := chartMeta(entries[0].scen, 0, 0)
		meta.Scenario = strings.Join(names, ", ")
		meta.Title = "Comparison of " + strings.Join(names, ", ")
		meta.Counterfactual = "each scenario's own counterfactual"
		meta.Hash = ""
		meta.Markers = nil
		if _, err := plots.RenderCompare(stage.StagingDir(), runs, names, meta, chartOpts); err != nil {
			return runFailed(fmt.Errorf("charts: %w", err))
		}
	}
	if err := stage.WriteFile(fileCompare, func(w io.Writer) error { return writeCompareCSV(w, sum) }); err != nil {
		return runFailed(fmt.Errorf("%s: %w", fileCompare, err))
	}
	sum.Files = stagedFiles(stage, fileSummary, fileMarkdown)
	if err := stage.WriteFile(fileSummary, func(w io.Writer) error { return writeJSON(w, sum) }); err != nil {
		return runFailed(err)
	}
	if err := stage.WriteFile(fileMarkdown, func(w io.Writer) error { return writeCompareTable(w, sum, true) }); err != nil {
		return runFailed(err)
	}
	files, err := commitStage(stage, dir, "compare")
	if err != nil {
		return err
	}
	switch a.format {
	case "json":
		err = writeJSON(e.stdout, sum)
	case "csv":
		err = writeCompareCSV(e.stdout, sum)
	case "markdown", "md":
		err = writeCompareTable(e.stdout, sum, true)
	default:
		err = writeCompareTable(e.stdout, sum, false)
	}
	if err != nil {
		return runFailed(err)
	}
	fmt.Fprintf(e.stderr, "wrote %d files to %s\n", len(files), dir)
	return nil
}

// writeCompareCSV writes every metric of every scenario, one per row.
func writeCompareCSV(w io.Writer, s *compareSummary) error {
	cw, err := report.NewCSVWriter(w, "scenario", "counterfactual", "report_from", "end", "metric", "value", "unit")
	if err != nil {
		return err
	}
	for _, en := range s.Scenarios {
		for _, m := range en.Metrics {
			if err := cw.Row(report.Text(en.Name), report.Text(en.Counterfactual), report.Text(en.ReportFrom),
				report.Text(en.End), report.Text(m.Name), report.Num(m.Value), report.Text(m.Unit)); err != nil {
				return fmt.Errorf("%s %s: %w", en.Name, m.Name, err)
			}
		}
	}
	return cw.Flush()
}

// compareRow is one headline metric across scenarios.
type compareRow struct {
	metric, label string
	cells         []string
}

func compareRows(s *compareSummary) []compareRow {
	var rows []compareRow
	index := map[string]int{}
	for k, en := range s.Scenarios {
		for _, h := range en.Headline {
			i, ok := index[h.Metric]
			if !ok {
				label := h.Label
				if j := strings.LastIndex(label, ", "); j > 0 {
					label = label[:j] // drop the window: it differs per scenario
				}
				_, _, unit := h.Display()
				i = len(rows)
				index[h.Metric] = i
				rows = append(rows, compareRow{metric: h.Metric, label: label + " (" + unit + ")", cells: make([]string, len(s.Scenarios))})
			}
			v, _, _ := h.Display()
			rows[i].cells[k] = v
		}
	}
	for k := range rows {
		for j := range rows[k].cells {
			if rows[k].cells[j] == "" {
				rows[k].cells[j] = "–"
			}
		}
	}
	return rows
}

// writeCompareTable prints the comparison as plain text or Markdown.
func writeCompareTable(w io.Writer, s *compareSummary, markdown bool) error {
	rows := compareRows(s)
	head := []string{""}
	window := []string{"Headline window"}
	cfs := []string{"Compared with"}
	for _, en := range s.Scenarios {
		head = append(head, en.Name)
		window = append(window, en.ReportFrom+" to "+en.End)
		cfs = append(cfs, en.Counterfactual)
	}
	all := [][]string{cfs, window}
	for _, r := range rows {
		all = append(all, append([]string{r.label}, r.cells...))
	}
	if markdown {
		fmt.Fprintf(w, "# Scenario comparison\n\n")
		fmt.Fprintf(w, "|%s|\n|---%s|\n", strings.Join(head, " | "), strings.Repeat("|---:", len(s.Scenarios)))
		for _, r := range all {
			for k := range r {
				r[k] = strings.ReplaceAll(r[k], "|", `\|`)
			}
			fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
		}
		fmt.Fprintf(w, "\nPrices: mean change over each scenario's headline window; revenue: cumulative change over it. "+
			"Model %s. Reproduce: `%s`\n", s.ModelVersion, s.Command)
		return nil
	}
	report.WriteAligned(w, append([][]string{head}, all...), func(c int) bool { return c > 0 })
	return nil
}

// stagedFiles lists the base names in the stage plus extra, sorted.
func stagedFiles(stage *report.Stage, extra ...string) []string {
	names, _ := filepathGlob(stage.StagingDir())
	return sortedUnique(append(names, extra...))
}
