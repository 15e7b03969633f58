package serve

import (
	"context"
	"io"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/plots"
	"github.com/potash-sim/potash/scenarios"
)

// backend is what the server computes with: the scenarios, model and plots
// packages in production; tests substitute slow or failing parts to
// exercise limits and error paths.
type backend struct {
	builtins func() []scenarios.Info
	// load loads built-in name (never a file of the server's).
	load func(name string, sets []string) (*scenarios.Scenario, error)
	// parse parses an uploaded file: extends and compare_to may name
	// built-ins only, and no file of the server's is read
	// (scenarios.ParseOptions.NoFiles).
	parse      func(file string, data []byte, sets []string) (*scenarios.Scenario, error)
	simulate   func(ctx context.Context, s, cf *model.Spec) (*model.Run, error)
	monteCarlo func(ctx context.Context, s, cf *model.Spec, unc []model.Uncertain, o model.MCOptions) (*model.MCResult, error)
	// tornado is the one-at-a-time analysis of /api/sensitivity
	// (model.Sensitivity, through run.Engine.Sensitivity).
	tornado func(ctx context.Context, s, cf *model.Spec, unc []model.Uncertain, metric string, workers int) (*model.Tornado, error)
	metrics func(run *model.Run) []model.Metric
	// charts lists a run's charts (plots.RunCharts); renderChart draws one
	// (Chart.Render).
	charts      func(run *model.Run, mc *model.MCResult, meta plots.Meta, o plots.Options) ([]*plots.Chart, error)
	renderChart func(ch *plots.Chart, w io.Writer, format string, o plots.Options) error
	// compareCharts draws runs side by side (plots.CompareCharts).
	compareCharts func(runs []*model.Run, names []string, supplier string, meta plots.Meta) ([]*plots.Chart, error)
	// writeCSV, writeBands and writeDraws write a run's results.csv,
	// bands.csv and draws.csv (the last two only for a run with draws).
	writeCSV   func(w io.Writer, e *runEntry) error
	writeBands func(w io.Writer, e *runEntry) error
	writeDraws func(w io.Writer, e *runEntry) error
	// writeSensitivity writes a sensitivity analysis' sensitivity.csv.
	writeSensitivity func(w io.Writer, e *runEntry) error
	// common reports whether the scenario's event id is also, unchanged,
	// its counterfactual's (scenarios.Scenario.CommonEvent): a control on
	// it may change both runs.
	common func(sc *scenarios.Scenario, id string) bool
}

func realBackend() backend {
	return backend{
		builtins:   scenarios.Builtins,
		load:       loadBuiltin,
		parse:      parseUpload,
		simulate:   model.SimulatePair,
		monteCarlo: model.MonteCarlo,
		tornado:    model.Sensitivity,
		metrics:    model.Metrics,
		charts:     plots.RunCharts,
		renderChart: func(ch *plots.Chart, w io.Writer, format string, o plots.Options) error {
			return ch.Render(w, format, o)
		},
		compareCharts: plots.CompareCharts,
		writeCSV: func(w io.Writer, e *runEntry) error {
			return report.WriteTidyCSV(w, e.sc.Name, e.run)
		},
		writeBands: func(w io.Writer, e *runEntry) error {
			return report.WriteBandsCSV(w, e.sc.Name, e.mc)
		},
		writeDraws: func(w io.Writer, e *runEntry) error {
			return report.WriteDrawsCSV(w, e.sc.Name, e.mc)
		},
		writeSensitivity: func(w io.Writer, e *runEntry) error {
			return report.WriteSensitivityCSV(w, e.tornado)
		},
		common: (*scenarios.Scenario).CommonEvent,
	}
}

// loadBuiltin loads built-in scenario name with sets; unlike scenarios.Load
// it never looks for a file of that name on the server's disk.
func loadBuiltin(name string, sets []string) (*scenarios.Scenario, error) {
	src, err := scenarios.BuiltinSource(name)
	if err != nil {
		return nil, err
	}
	return scenarios.ParseWith("builtin:"+name, src, sets, scenarios.ParseOptions{NoFiles: true})
}

// parseUpload parses an uploaded scenario: this is the only way an upload
// is read, and it reads no file of the server's, whatever the YAML says
// (merge keys, aliases and all).
func parseUpload(file string, data []byte, sets []string) (*scenarios.Scenario, error) {
	return scenarios.ParseWith(file, data, sets, scenarios.ParseOptions{NoFiles: true})
}
