package run

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/plots"
	"github.com/potash-sim/potash/scenarios"
)

// CompareRequest is a comparison of several scenarios, each run against
// its own counterfactual without draws.
type CompareRequest struct {
	Scenarios []*scenarios.Scenario
	Refs      []string // how each was named (default its Name)
	Sets      []string // --set overrides applied to every scenario, as given
	Charts    *plots.Options
}

// CompareResult is a comparison.
type CompareResult struct {
	Runs    []*Result // one per scenario, without charts
	Summary *report.CompareSummary
	Charts  []*plots.Chart
}

// Compare runs each scenario of req (through Run) and builds the
// comparison's summary and charts.
func (e Engine) Compare(ctx context.Context, req CompareRequest) (*CompareResult, error) {
	e = e.withDefaults()
	if len(req.Scenarios) < 2 {
		return nil, inputErr("compare needs at least two scenarios, got %d (for one, use run)", len(req.Scenarios))
	}
	seen := map[string]bool{}
	var names, refs []string
	for k, s := range req.Scenarios {
		if seen[s.Name] {
			return nil, inputErr("scenario %q given twice", s.Name)
		}
		seen[s.Name] = true
		names = append(names, s.Name)
		ref := ""
		if k < len(req.Refs) {
			ref = req.Refs[k]
		}
		refs = append(refs, commandRef(ref, s.Name))
	}
	args := append([]string{"potash", "compare"}, refs...)
	for _, s := range req.Sets {
		args = append(args, "--set", s)
	}
	res := &CompareResult{Summary: &report.CompareSummary{}}
	var inputs []report.Input
	for k, s := range req.Scenarios {
		r, err := e.Run(ctx, Request{Scenario: s, Ref: refs[k], Sets: req.Sets})
		if err != nil {
			return nil, err
		}
		res.Runs = append(res.Runs, r)
		info := r.Summary.Scenario
		res.Summary.Scenarios = append(res.Summary.Scenarios, report.CompareEntry{
			Name: s.Name, Title: info.Title, Hash: s.Hash, Counterfactual: s.CounterfactualName,
			ReportFrom: info.ReportFrom, End: info.End, FailedMonths: r.Summary.FailedMonths, DollarsOf: info.DollarsOf,
			Headline: r.Summary.Headline, Metrics: r.Summary.Metrics,
		})
		inputs = append(inputs, report.Input{Name: s.Name, SHA256: s.Hash})
	}
	res.Summary.Provenance = report.NewProvenance(report.CommandLine(args), req.Sets, inputs...)
	if req.Charts != nil {
		runs := make([]*model.Run, len(res.Runs))
		for k, r := range res.Runs {
			runs[k] = r.Run
		}
		meta := ChartMeta(req.Scenarios[0], 0, 0)
		meta.Scenario = strings.Join(names, ", ")
		meta.Title = "Comparison of " + strings.Join(names, ", ")
		meta.Counterfactual = "each scenario's own counterfactual"
		meta.Hash = ""
		for _, s := range req.Scenarios {
			meta.Runs = append(meta.Runs, plots.RunRef{Name: s.Name, Hash: s.Hash})
		}
		meta.Markers = nil
		charts, err := plots.CompareCharts(runs, names, "Belarus", meta)
		if err != nil {
			return nil, &Error{Kind: ErrModel, Err: fmt.Errorf("comparison charts: %w", err)}
		}
		res.Charts = pageOrder(charts)
	}
	return res, nil
}

// Compare runs a comparison with the default Engine.
func Compare(ctx context.Context, req CompareRequest) (*CompareResult, error) {
	return Engine{}.Compare(ctx, req)
}

// Err returns an ErrNotConverged error naming every scenario with a
// central month that did not converge, or nil.
func (c *CompareResult) Err() error {
	var msgs []string
	for _, r := range c.Runs {
		if err := r.Err(); err != nil {
			msgs = append(msgs, err.Error())
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	return &Error{Kind: ErrNotConverged, Err: fmt.Errorf("%s", strings.Join(msgs, "; "))}
}

// Output returns the comparison's outputs: compare.csv, the charts,
// summary.json and summary.md (the comparison table).
func (c *CompareResult) Output() *Output {
	s := c.Summary
	return &Output{
		Command: "compare", Prov: &s.Provenance, Charts: c.Charts,
		Files: []File{{report.FileCompare, func(w io.Writer) error { return report.WriteCompareCSV(w, s) }}},
		Summary: func([]report.ChartInfo) []File {
			return []File{
				{report.FileSummary, s.WriteJSON},
				{report.FileMarkdown, func(w io.Writer) error { return report.WriteCompareTable(w, s, true) }},
			}
		},
	}
}
