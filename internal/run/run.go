package run

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/plots"
	"github.com/potash-sim/potash/scenarios"
)

// Limits of a request.
const (
	// MaxDraws is the most Monte Carlo draws one run may ask for.
	MaxDraws = 1_000_000
	// MaxFailedDrawShare is the share of failed draws above which a run
	// is not converged (Result.Err).
	MaxFailedDrawShare = 0.05
	// NoticeDraws is the number of draws from which Run announces the
	// memory and time it expects (Request.Notice).
	NoticeDraws = 10_000
)

// MaxWorkers is the most worker goroutines a request may ask for: four
// per CPU.
func MaxWorkers() int { return 4 * runtime.NumCPU() }

// Engine is what the pipeline computes with: the model and plots packages
// by default (the zero Engine). The web page's tests replace parts of it
// to exercise its limits and error paths.
type Engine struct {
	Simulate   func(ctx context.Context, scenario, counterfactual *model.Spec) (*model.Run, error)
	MonteCarlo func(ctx context.Context, scenario, counterfactual *model.Spec, unc []model.Uncertain, o model.MCOptions) (*model.MCResult, error)
	Metrics    func(run *model.Run) []model.Metric
	Charts     func(run *model.Run, mc *model.MCResult, meta plots.Meta, o plots.Options) ([]*plots.Chart, error)
	// Tornado is the one-at-a-time analysis of Sensitivity
	// (model.Sensitivity).
	Tornado func(ctx context.Context, scenario, counterfactual *model.Spec, unc []model.Uncertain, metric string, workers int) (*model.Tornado, error)
}

func (e Engine) withDefaults() Engine {
	if e.Simulate == nil {
		e.Simulate = model.SimulatePair
	}
	if e.MonteCarlo == nil {
		e.MonteCarlo = model.MonteCarlo
	}
	if e.Metrics == nil {
		e.Metrics = model.Metrics
	}
	if e.Charts == nil {
		e.Charts = plots.RunCharts
	}
	if e.Tornado == nil {
		e.Tornado = model.Sensitivity
	}
	return e
}

// Request is one run: a scenario, its draws and how to name it.
type Request struct {
	// Scenario is the validated scenario to run (scenarios.Load,
	// scenarios.ParseWith).
	Scenario *scenarios.Scenario
	// Ref names the scenario on the reproducing command line: the
	// built-in name or the file path as the user gave it (default
	// Scenario.Name).
	Ref string
	// Sets are the --set overrides already applied to Scenario, as given.
	Sets []string
	// Draws is the number of Monte Carlo draws (0 to MaxDraws); a scenario
	// without uncertain parameters runs without draws (with a note).
	Draws int
	Seed  uint64
	// Workers is the number of goroutines of the Monte Carlo (0: one per
	// CPU; at most MaxWorkers). Results do not depend on it.
	Workers int
	// Progress, if not nil, is told of the draws done.
	Progress func(done, total int)
	// Notice, if not nil, is told what a long Monte Carlo will take
	// before it starts (from NoticeDraws draws).
	Notice func(msg string)
	// Reserve, if not nil, is called before the Monte Carlo with the
	// memory it needs (model.MCMemory, bytes); the Monte Carlo waits for
	// it, and calls release when done. The web page admits runs' memory
	// with it.
	Reserve func(ctx context.Context, bytes int64) (release func(), err error)
	// Charts, if not nil, asks for the run's charts with these options.
	Charts *plots.Options
}

// Result is everything a run produced.
type Result struct {
	Scenario *scenarios.Scenario
	Run      *model.Run
	MC       *model.MCResult // nil without draws
	// Summary holds the headline, the metrics, the failures and the
	// provenance, with the reproducing command line. Its RunID and Files
	// are filled in when the outputs are written (Write).
	Summary *report.Summary
	Meta    plots.Meta     // what the charts say about the run
	Charts  []*plots.Chart // in page order; nil unless Request.Charts
	// Notes are remarks for the reader (e.g. a scenario with no uncertain
	// parameters ran without draws).
	Notes []string
}

// Run runs a request with the default Engine.
func Run(ctx context.Context, req Request) (*Result, error) { return Engine{}.Run(ctx, req) }

// Check returns an ErrInput error when the request's numbers are out of
// range.
func (req *Request) Check() error {
	if req.Scenario == nil || req.Scenario.Spec == nil || req.Scenario.Counterfactual == nil {
		return inputErr("no scenario to run")
	}
	if err := CheckDraws(req.Draws); err != nil {
		return err
	}
	return CheckWorkers(req.Workers)
}

// CheckDraws returns an ErrInput error unless 0 ≤ n ≤ MaxDraws.
func CheckDraws(n int) error {
	if n < 0 || n > MaxDraws {
		return inputErr("%d draws: want 0 to %s", n, report.FormatNumber(MaxDraws, 0, false))
	}
	return nil
}

// CheckWorkers returns an ErrInput error unless 0 ≤ n ≤ MaxWorkers().
func CheckWorkers(n int) error {
	if mw := MaxWorkers(); n < 0 || n > mw {
		return inputErr("%d workers: want 0 (one per CPU) to %d (four per CPU)", n, mw)
	}
	return nil
}

// Run simulates the request's scenario and counterfactual and, with
// draws, its Monte Carlo; builds the metrics, the headline and the summary;
// and lists the charts. A run whose central months or draws did not all
// converge is still a result: see Result.Err.
func (e Engine) Run(ctx context.Context, req Request) (*Result, error) {
	e = e.withDefaults()
	if err := req.Check(); err != nil {
		return nil, err
	}
	s := req.Scenario
	t0 := time.Now()
	run, err := e.Simulate(ctx, s.Spec, s.Counterfactual)
	if err != nil {
		// Non-convergence is a Status, not an error: an error here means
		// the scenario cannot be simulated (e.g. its market cannot be
		// calibrated) or the run was cancelled.
		return nil, wrapKind(ErrInput, "simulating "+s.Name, err)
	}
	if run == nil || run.Scenario == nil || run.Counterfactual == nil {
		return nil, &Error{Kind: ErrModel, Err: fmt.Errorf("simulating %s: no paths returned", s.Name)}
	}
	central := time.Since(t0)
	res := &Result{Scenario: s, Run: run}
	draws := req.Draws
	if draws > 0 && len(s.Uncertain) == 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("%s declares no uncertain parameters (no uncertainty: section), so it ran without draws and there are no bands", s.Name))
		draws = 0
	}
	if draws > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		// The joint rules cut away most of the box of draws: what is
		// left is not the stated prior (scenarios.MaxRejectedShare).
		if err := s.DrawsRefused(); err != nil {
			return nil, &Error{Kind: ErrInput, Err: fmt.Errorf("the Monte Carlo of %s is refused: %w", s.Name, err)}
		}
		if draws >= NoticeDraws && req.Notice != nil {
			req.Notice(Estimate(run, s.Spec, draws, req.Workers, central))
		}
		release := func() {}
		if req.Reserve != nil {
			if release, err = req.Reserve(ctx, model.MCMemory(run.Scenario.Cal, s.Spec, draws, req.Workers)); err != nil {
				return nil, err
			}
		}
		res.MC, err = e.MonteCarlo(ctx, s.Spec, s.Counterfactual, s.Uncertain, model.MCOptions{
			Draws: draws, Seed: req.Seed, Workers: req.Workers, Progress: req.Progress,
		})
		release()
		if err != nil {
			return nil, wrapKind(ErrModel, "Monte Carlo of "+s.Name, err)
		}
		if res.MC == nil {
			return nil, &Error{Kind: ErrModel, Err: fmt.Errorf("the Monte Carlo of %s returned no result", s.Name)}
		}
		if res.MC.Converged == 0 {
			msg := fmt.Sprintf("none of the %d Monte Carlo draws of %s converged", draws, s.Name)
			if res.MC.FirstFailure != "" {
				msg += " (the first: " + res.MC.FirstFailure + ")"
			}
			return nil, &Error{Kind: ErrModel, Err: errors.New(msg)}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ms := e.Metrics(run)
	if err := model.CheckMetrics(ms); err != nil {
		return nil, &Error{Kind: ErrModel, Err: fmt.Errorf("%s: %w", s.Name, err)}
	}
	metrics := report.Metrics(ms, res.MC)
	heads, err := report.Headlines(run, metrics)
	if err != nil {
		return nil, &Error{Kind: ErrModel, Err: fmt.Errorf("%s: %w", s.Name, err)}
	}
	sum := &report.Summary{
		Provenance:    report.NewProvenance(Command(commandRef(req.Ref, s.Name), req.Sets, draws, req.Seed), req.Sets, report.Input{Name: s.Name, SHA256: s.Hash}),
		Scenario:      ScenarioInfo(s),
		Seed:          req.Seed,
		Draws:         draws,
		Workers:       req.Workers,
		FailedMonths:  failedMonths(run),
		Headline:      heads,
		OffBand:       report.FindOffBand(heads, s.Uncertain),
		ExportsByYear: report.ExportsByYear(run),
		Metrics:       metrics,
	}
	if res.MC != nil {
		sum.Converged, sum.FailedDraws, sum.RejectedDraws = res.MC.Converged, res.MC.Failed, res.MC.Rejected
		for k, f := range res.MC.Failures {
			if k == report.MaxListedFailures {
				break
			}
			sum.DrawFailures = append(sum.DrawFailures, report.DrawFailure{Draw: f.Draw, Reason: f.Reason})
		}
	}
	for _, w := range s.Warnings.Warnings() {
		w.File = OutputPath(w.File)
		sum.Warnings = append(sum.Warnings, w.Error())
	}
	sum.Warnings = append(sum.Warnings, run.Warnings()...) // regions left with no supplier
	sum.Warnings = append(sum.Warnings, res.Notes...)
	if err := sum.CheckFinite(); err != nil {
		return nil, &Error{Kind: ErrModel, Err: fmt.Errorf("%s: %w", s.Name, err)}
	}
	res.Summary = sum
	res.Meta = ChartMeta(s, req.Seed, draws)
	res.Meta.OffBand = OffBandNote(sum.OffBand, res.Meta.EventLabels)
	if req.Charts != nil {
		charts, err := e.Charts(run, res.MC, res.Meta, *req.Charts)
		if err != nil {
			return nil, &Error{Kind: ErrModel, Err: fmt.Errorf("charts of %s: %w", s.Name, err)}
		}
		if len(charts) == 0 {
			return nil, &Error{Kind: ErrModel, Err: fmt.Errorf("charts of %s: no charts were drawn", s.Name)}
		}
		res.Charts = pageOrder(charts)
	}
	return res, nil
}

// Err returns an ErrNotConverged error naming the failures when some
// month of the central run did not converge, or more than
// MaxFailedDrawShare of the draws failed; nil otherwise. The result is
// complete either way.
func (r *Result) Err() error {
	var msgs []string
	fm := r.Summary.FailedMonths
	if n := fm.Scenario + fm.Counterfactual; n > 0 {
		msgs = append(msgs, fmt.Sprintf("the solver did not converge in %d months of the central run: %s", n, report.ListFailedMonths(fm)))
	}
	if s := r.Summary; s.FailedDraws > 0 && float64(s.FailedDraws) > MaxFailedDrawShare*float64(s.Draws) {
		m := fmt.Sprintf("%d of %d Monte Carlo draws (%s%%) did not converge, more than the %g%% allowed",
			s.FailedDraws, s.Draws, report.FormatNumber(100*float64(s.FailedDraws)/float64(s.Draws), 1, false), 100*MaxFailedDrawShare)
		if len(s.DrawFailures) > 0 {
			m += fmt.Sprintf(" (the first, draw %d: %s)", s.DrawFailures[0].Draw, s.DrawFailures[0].Reason)
		}
		msgs = append(msgs, m)
	}
	if len(msgs) == 0 {
		return nil
	}
	return &Error{Kind: ErrNotConverged, Err: fmt.Errorf("%s: %s", r.Scenario.Name, strings.Join(msgs, "; "))}
}

// failedMonths counts and lists the non-converged months of run's paths.
func failedMonths(run *model.Run) report.FailedMonths {
	fm := report.FailedMonths{Scenario: run.Scenario.Failed, Counterfactual: run.Counterfactual.Failed}
	for _, p := range []struct {
		name string
		path *model.Path
	}{{report.SeriesScenario, run.Scenario}, {report.SeriesCounterfactual, run.Counterfactual}} {
		for k, r := range p.path.Results {
			if r.Status != model.Converged && len(fm.Months) < report.MaxListedFailures && k < len(p.path.Months) {
				fm.Months = append(fm.Months, report.FailedMonth{Path: p.name, Month: p.path.Months[k].String(), Status: r.Status.String()})
			}
		}
	}
	return fm
}

// OutputPath is how outputs name a file the user gave by path p: as
// given when relative; an absolute path relative to the working folder
// when it lies under it, else its base name (the summary's SHA-256 of the
// scenario identifies the file). No output carries the folders of the
// user's machine (issue 16 item 5).
func OutputPath(p string) string {
	if p == "" || !filepath.IsAbs(p) {
		return p
	}
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, p); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return rel
		}
	}
	return filepath.Base(p)
}

// commandRef is how a command line names the scenario ref (default: the
// scenario's name), by OutputPath.
func commandRef(ref, name string) string {
	if ref == "" {
		return name
	}
	return OutputPath(ref)
}

// Command is the command line that reproduces a run of ref (a built-in
// name or a file path, as OutputPath gives it) with sets, draws and seed.
func Command(ref string, sets []string, draws int, seed uint64) string {
	args := []string{"potash", "run", ref, "--seed", strconv.FormatUint(seed, 10)}
	if draws > 0 {
		args = append(args, "--draws", strconv.Itoa(draws))
	}
	for _, s := range sets {
		args = append(args, "--set", s)
	}
	return report.CommandLine(args)
}

// ScenarioInfo describes s for the summaries.
func ScenarioInfo(s *scenarios.Scenario) report.ScenarioInfo {
	info := report.ScenarioInfo{
		Name: s.Name, Title: s.Title, Description: s.Description, Sources: s.Sources,
		Hash: s.Hash, Counterfactual: s.CounterfactualName,
	}
	if info.Title == "" {
		info.Title = s.Name
	}
	sp := s.Spec
	if sp == nil {
		return info
	}
	info.Start, info.End, info.ReportFrom = sp.Start.String(), sp.End.String(), sp.Start.String()
	if sp.ReportStart != 0 {
		info.ReportFrom = sp.ReportStart.String()
	}
	if sp.Market != nil {
		info.Dataset = sp.Market.Name
		if sp.Market.Version != "" {
			info.Dataset += " v" + sp.Market.Version
		}
		info.Data = strings.TrimPrefix(ChartMeta(s, 0, 0).DataSource, "Data: ")
		info.DollarsOf = sp.Market.BaseYear
	}
	info.Correlations = report.Correlations(s.Uncertain)
	for _, ev := range sp.Events {
		ei := report.EventInfo{ID: ev.ID, Label: ev.Label, Start: ev.Start.String()}
		if ev.End != 0 {
			ei.End = ev.End.String()
		}
		info.Events = append(info.Events, ei)
	}
	info.Conduct = conductInfo(sp)
	return info
}

// conductInfo describes the market conduct of spec: its strategic
// suppliers with their base conduct markups (from the calibration) and
// its coalitions with the events that move them; nil when every supplier
// takes prices throughout.
func conductInfo(sp *model.Spec) *report.ConductInfo {
	m := sp.Market
	if m == nil {
		return nil
	}
	acts := false
	for _, s := range m.Suppliers {
		acts = acts || s.Conduct > 0 || s.ConductGapShare > 0
	}
	for _, ev := range sp.Events {
		acts = acts || (ev.Kind == model.EventConduct && ev.Value > 0)
	}
	if !acts {
		return nil
	}
	c, err := model.Calibrate(m)
	if err != nil {
		return nil
	}
	ci := &report.ConductInfo{}
	for i, s := range c.Market.Suppliers { // the conduct in force: one stated as a gap share is derived
		if s.Conduct > 0 {
			ci.Players = append(ci.Players, report.PlayerInfo{Supplier: s.Name, Conduct: s.Conduct,
				GapShare: c.ConductGapShare[i], Derived: m.Suppliers[i].ConductGapShare > 0,
				Markup: c.ConductMarkup[i], MarginalCost: c.MC0[i], PublishedCost: c.CostData[i]})
		}
	}
	for g, co := range m.Coalitions {
		info := report.CoalitionInfo{Name: co.Name, Members: co.Members, Weight: co.Weight}
		for _, ev := range sp.Events {
			if ev.Kind != model.EventCoalition || ev.Coalition != g {
				continue
			}
			ch := fmt.Sprintf("%.3g from %v", ev.Value, ev.Start)
			if ev.RampIn > 1 {
				ch += fmt.Sprintf(" over %d months", ev.RampIn)
			}
			if ev.End != 0 {
				ch += fmt.Sprintf(" until %v", ev.End)
			}
			info.Changes = append(info.Changes, ch)
		}
		if co.Weight > 0 || len(info.Changes) > 0 {
			ci.Coalitions = append(ci.Coalitions, info)
		}
	}
	return ci
}

// Estimate says what draws Monte Carlo draws of spec will take: the
// memory (model.MCMemory, with the runtime's headroom) and a rough time
// from the central run's (took central) and the workers.
func Estimate(run *model.Run, spec *model.Spec, draws, workers int, central time.Duration) string {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, runtime.NumCPU())
	// The resident set measured with /usr/bin/time on us-relief-2025 is
	// about 1.25 times the live data plus the program's ~60 MB.
	mem := 1.25*float64(model.MCMemory(run.Scenario.Cal, spec, draws, workers)) + 60<<20
	secs := central.Seconds() * float64(draws) / float64(max(workers, 1))
	cores := "cores"
	if workers == 1 {
		cores = "core"
	}
	return fmt.Sprintf("Monte Carlo of %s draws: about %s of memory and very roughly %s on %d %s (Ctrl-C stops it)",
		report.FormatNumber(float64(draws), 0, false), formatBytes(mem), formatDuration(secs), workers, cores)
}

func formatBytes(b float64) string {
	switch {
	case b >= 1<<30:
		return report.FormatNumber(b/(1<<30), 1, false) + " GB"
	default:
		return report.FormatNumber(max(1, b/(1<<20)), 0, false) + " MB"
	}
}

func formatDuration(secs float64) string {
	switch {
	case secs >= 3600:
		return report.FormatNumber(secs/3600, 1, false) + " h"
	case secs >= 90:
		return report.FormatNumber(secs/60, 0, false) + " min"
	}
	return report.FormatNumber(max(1, secs), 0, false) + " s"
}
