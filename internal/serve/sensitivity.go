package serve

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/internal/run"
	"github.com/potash-sim/potash/plots"
	"github.com/potash-sim/potash/scenarios"
)

// maxMetricName bounds the metric parameter of /api/sensitivity (the
// longest metric name is under 60 characters).
const maxMetricName = 100

// sensitivityParams is a validated /api/sensitivity request: the page's
// settings (the scenario or upload, control values and both=, as
// /api/run takes them, without draws and seed) and the metric.
type sensitivityParams struct {
	*RunParams
	Metric string
}

// parseSensitivityQuery validates the query of /api/sensitivity: the
// parameters of /api/run (parseRunQuery) but draws and seed, which a
// one-at-a-time analysis does not have, and metric (default
// run.DefaultMetric). Whether the metric is one of the scenario's is
// checked against its market (run.CheckMetrics) once the scenario is
// read.
func parseSensitivityQuery(q url.Values, upload bool, builtins []scenarios.Info, lim Limits) (*sensitivityParams, error) {
	metric := ""
	rest := url.Values{}
	for key, vs := range q {
		switch key {
		case "metric":
			if len(vs) != 1 {
				return nil, &inputError{key, fmt.Sprintf("given %d times; give it once", len(vs))}
			}
			metric = strings.TrimSpace(vs[0])
			if len(metric) > maxMetricName {
				return nil, &inputError{key, fmt.Sprintf("%q is not a metric (longer than %d characters)", clip(metric, 40), maxMetricName)}
			}
		case "draws", "seed":
			return nil, &inputError{key, "a sensitivity analysis has no Monte Carlo draws (it sets each uncertain parameter to its 5th and 95th percentile in turn): leave out draws and seed"}
		case "scenario", "file", "both":
			rest[key] = vs
		default:
			if _, ok := controlByID(key); !ok {
				return nil, &inputError{key, "unknown parameter; known: " + strings.Join(sensitivityParamNames(), ", ")}
			}
			rest[key] = vs
		}
	}
	p, err := parseRunQuery(rest, upload, builtins, lim)
	if err != nil {
		return nil, err
	}
	p.Draws, p.Seed = 0, 0
	if metric == "" {
		metric = run.DefaultMetric
	}
	return &sensitivityParams{RunParams: p, Metric: metric}, nil
}

func sensitivityParamNames() []string {
	names := []string{"scenario", "metric", "both"}
	for _, c := range Controls {
		names = append(names, c.ID)
	}
	return names
}

// canonicalQuery is the request's canonical form (sorted keys): the
// settings' (RunParams.canonicalQuery) without draws and seed, and the
// metric.
func (p *sensitivityParams) canonicalQuery() string {
	q, _ := url.ParseQuery(p.RunParams.canonicalQuery()) // canonical: parses
	q.Del("draws")
	q.Del("seed")
	q.Set("metric", p.Metric)
	return q.Encode()
}

// sensitivityResponse is the JSON answer of /api/sensitivity: the
// tornado of one metric over the scenario's uncertain parameters, with
// the request's settings applied (run.Engine.Sensitivity, as `potash
// sensitivity` computes it).
type sensitivityResponse struct {
	ID       string       `json:"id"`
	Query    string       `json:"query"` // canonical settings
	Scenario scenarioInfo `json:"scenario"`
	Metric   string       `json:"metric"`
	Label    string       `json:"label"`     // the metric for people
	Unit     string       `json:"unit"`      // the model's unit of the values
	UnitText string       `json:"unit_text"` // the unit of the texts, e.g. "$ bn"
	Base     float64      `json:"base"`      // the metric at central values
	BaseText string       `json:"base_text"` // e.g. "+0.05"
	Bars     []sensBar    `json:"bars"`      // largest swing first
	Runs     int          `json:"runs"`      // simulations of the pair: 1 + 2 per parameter
	Chart    chartRef     `json:"chart"`     // the tornado chart
	CSV      string       `json:"csv"`       // sensitivity.csv
	Command  string       `json:"command"`   // the same analysis from the command line
	Settings string       `json:"settings"`  // the control values, in words ("" for none)
	Failed   int          `json:"not_converged"`
	Notes    []string     `json:"notes"`
	served
}

// sensBar is one parameter of the tornado (report.TornadoBar) with its
// texts as the page shows them.
type sensBar struct {
	Rank       int     `json:"rank"`
	Param      string  `json:"param"`
	Label      string  `json:"label"` // plots.ParamLabel, as the chart names it
	ParamUnit  string  `json:"param_unit"`
	Low        float64 `json:"low"`
	High       float64 `json:"high"`
	AtLow      float64 `json:"at_low"`
	AtHigh     float64 `json:"at_high"`
	Swing      float64 `json:"swing"`
	LowText    string  `json:"low_text"` // 3 significant digits, as the chart and the table of the command line
	HighText   string  `json:"high_text"`
	AtLowText  string  `json:"at_low_text"`
	AtHighText string  `json:"at_high_text"`
	SwingText  string  `json:"swing_text"`
	StatedLow  float64 `json:"stated_low"`
	StatedHigh float64 `json:"stated_high"`
	LowCutBy   string  `json:"low_cut_by,omitempty"`
	HighCutBy  string  `json:"high_cut_by,omitempty"`
	Cut        string  `json:"cut,omitempty"` // how the joint rules moved the ends, in words (report.EndNotes)
}

// handleSensitivity runs the tornado of the request's metric with the
// page's settings (computeSensitivity), as serveJob does, after checking
// the metric against the scenario's market.
func (s *Server) handleSensitivity(w http.ResponseWriter, r *http.Request) {
	s.serveJob(w, r, func(q url.Values, upload bool) (*job, error) {
		p, err := parseSensitivityQuery(q, upload, s.be.builtins(), s.limits())
		if err != nil {
			return nil, err
		}
		return &job{
			params: p.RunParams, kind: "sensitivity", query: p.canonicalQuery(),
			// The metric, against the scenario's market (the controls
			// change no supplier or region): a mistake in it is the
			// request's.
			check: func(base *scenarios.Scenario) error {
				if base.Spec.Market == nil {
					return &scenarioError{errors.New("the scenario has no market")}
				}
				if err := run.CheckMetrics(base.Spec.Market, []string{p.Metric}); err != nil {
					return &inputError{"metric", err.Error()}
				}
				return nil
			},
			compute: func(ctx context.Context, key string, sets []string) (*runEntry, error) {
				return s.computeSensitivity(ctx, key, p, sets)
			},
		}, nil
	})
}

// computeSensitivity loads the scenario with sets and runs the tornado of
// p's metric through the run pipeline (run.Engine.Sensitivity), and
// draws its chart as PNG.
func (s *Server) computeSensitivity(ctx context.Context, key string, p *sensitivityParams, sets []string) (*runEntry, error) {
	sc, err := s.loadScenario(p.RunParams, sets)
	if err != nil {
		return nil, err
	}
	eng := run.Engine{Tornado: s.be.tornado}
	opts := chartOptions
	res, err := eng.Sensitivity(ctx, run.SensitivityRequest{
		Scenario: sc, Ref: p.ref(), Sets: sets, Metric: p.Metric,
		Workers: min(s.cfg.Workers, run.MaxWorkers()), Charts: &opts,
	})
	if err != nil {
		return nil, err
	}
	if len(res.Charts) != 1 {
		return nil, &stageError{"charts", fmt.Errorf("the analysis has %d charts, want its tornado", len(res.Charts))}
	}
	meta := run.ChartMeta(sc, 0, 0)
	e := &runEntry{id: key, sc: sc, meta: meta, charts: res.Charts, params: p.RunParams, tornado: res.Summary, files: map[string][]byte{}}
	if err := e.renderAll(ctx, s, res.Charts, "png"); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sum := res.Summary
	info := describe(sc, nil)
	info.File = p.File
	// A change prints with its sign, a level (market_value, …) without.
	signed := report.IsChange(sum.Metric)
	base, unit := report.FormatQuantity(sum.Base, sum.Unit, signed)
	resp := &sensitivityResponse{
		ID: key, Query: p.canonicalQuery(), Scenario: info,
		Metric: sum.Metric, Label: report.MetricText(sc.Spec.Market, sum.Metric), Unit: sum.Unit, UnitText: unit,
		Base: sum.Base, BaseText: base, Bars: []sensBar{}, Runs: 1 + 2*len(sum.Bars),
		Chart: newChartRef(res.Charts[0], "/api/chart/"+key+"/"+res.Charts[0].Name),
		CSV:   "/api/csv/" + key, Command: sum.Provenance.Command, Settings: p.describe(),
		Failed: sum.NotConverged, Notes: []string{},
	}
	units := map[string]string{}
	for _, u := range sc.Uncertain {
		units[u.Name] = u.Unit
	}
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', 3, 64) }
	for k, b := range sum.Bars {
		lo, _ := report.FormatQuantity(b.AtLow, sum.Unit, signed)
		hi, _ := report.FormatQuantity(b.AtHigh, sum.Unit, signed)
		sw, _ := report.FormatQuantity(b.Swing, sum.Unit, false)
		resp.Bars = append(resp.Bars, sensBar{
			Rank: k + 1, Param: b.Param, Label: plots.ParamLabel(b.Param, meta.EventLabels), ParamUnit: units[b.Param],
			Low: b.Low, High: b.High, AtLow: b.AtLow, AtHigh: b.AtHigh, Swing: b.Swing,
			LowText: g(b.Low), HighText: g(b.High), AtLowText: lo, AtHighText: hi, SwingText: sw,
			StatedLow: b.StatedLow, StatedHigh: b.StatedHigh, LowCutBy: b.LowCutBy, HighCutBy: b.HighCutBy,
			Cut: strings.Join(report.EndNotes(b), "; "),
		})
	}
	for _, w := range sc.Warnings.Warnings() {
		if w.File == "--set" { // a control that fixes what the analysis varies
			resp.Notes = append(resp.Notes, sensitivityNote(w))
		}
	}
	if err := res.Err(); err != nil {
		resp.Notes = append(resp.Notes, "Treat these numbers with care: "+err.Error()+".")
	}
	e.sens = resp
	return e, nil
}

// sensitivityNote words a warning about a --set for the sensitivity
// view: a control that fixes an uncertain parameter takes it out of the
// parameters ranked.
func sensitivityNote(w scenarios.Diagnostic) string {
	if !strings.Contains(w.Msg, "no longer vary it") {
		return setNote(w)
	}
	for _, c := range Controls {
		if w.Field == c.Path || w.Field == c.setPath(false) {
			return c.Label + ": held at your value, so it is not among the parameters ranked (the scenario's uncertainty section would vary it)."
		}
	}
	return w.Field + ": held at your value, so it is not among the parameters ranked (the scenario's uncertainty section would vary it)."
}
