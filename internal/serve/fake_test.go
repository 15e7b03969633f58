package serve

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/plots"
	"github.com/potash-sim/potash/scenarios"
)

// fake is a stand-in for the scenarios, model and plots packages that lets
// the handler tests control timing and failures. Its "model" is a toy with
// known signs: Belarus's revenue change falls with the sanction discount
// and with a later relief month, so tests can check that control values
// reach the computation.
type fake struct {
	block     chan struct{} // if not nil, simulate waits for it (or ctx)
	simulates atomic.Int32
	renders   atomic.Int32
	nan       bool   // metrics return NaN
	panicMsg  string // simulate panics with this
	simErr    error  // simulate returns this

	// csv, if set, writes the CSV instead of the fake's two lines;
	// csvCalls counts CSV writings.
	csv      func(ctx context.Context, w io.Writer) error
	csvCalls atomic.Int32

	mu          sync.Mutex
	lastSets    []string
	lastCompare []string       // the supplier and names of the last comparison
	lastRuns    []plots.RunRef // the runs the last comparison's footer names
	lastMetric  string         // the metric of the last tornado
	lastUnc     []string       // the parameters of the last tornado
}

func newFakeServer(cfg Config, f *fake) *Server {
	return newServer(cfg, f.backend())
}

func (f *fake) backend() backend {
	return backend{
		builtins: func() []scenarios.Info {
			return []scenarios.Info{
				{Name: "history", Title: "What happened"},
				{Name: "us-relief-2025", Title: "US lifts sanctions on Belarusian potash"},
			}
		},
		load: func(name string, sets []string) (*scenarios.Scenario, error) {
			return f.scenario("builtin:"+name, name, sets)
		},
		parse: func(file string, data []byte, sets []string) (*scenarios.Scenario, error) {
			// A file is valid when it has a "title:" line; otherwise every
			// line without a colon is an error at that line.
			var ds scenarios.Diagnostics
			hasTitle := false
			for k, line := range strings.Split(string(data), "\n") {
				if strings.HasPrefix(line, "title:") {
					hasTitle = true
				}
				if strings.TrimSpace(line) != "" && !strings.Contains(line, ":") {
					ds = append(ds, scenarios.Diagnostic{File: file, Line: k + 1, Col: 1, Field: "(top)", Msg: "expected KEY: VALUE"})
				}
			}
			if !hasTitle {
				ds = append(ds, scenarios.Diagnostic{File: file, Line: 1, Col: 1, Field: "title", Msg: "missing title"})
			}
			if len(ds) > 0 {
				return nil, ds
			}
			return f.scenario(file, strings.TrimSuffix(file, filepath.Ext(file)), sets)
		},
		simulate:   f.simulate,
		monteCarlo: f.monteCarlo,
		tornado:    f.tornado,
		metrics:    f.metrics,
		charts: func(run *model.Run, mc *model.MCResult, meta plots.Meta, o plots.Options) ([]*plots.Chart, error) {
			var out []*plots.Chart
			for k, n := range fakeCharts {
				out = append(out, &plots.Chart{Name: n, Title: n, Caption: "Caption of " + n, Main: k < 5})
			}
			return out, nil
		},
		renderChart: f.renderChart,
		compareCharts: func(runs []*model.Run, names []string, supplier string, meta plots.Meta) ([]*plots.Chart, error) {
			if len(runs) != 2 || len(names) != 2 {
				return nil, fmt.Errorf("compare: %d runs, %d names", len(runs), len(names))
			}
			f.mu.Lock()
			f.lastCompare = append([]string{supplier}, names...)
			f.lastRuns = meta.Runs
			f.mu.Unlock()
			out := []*plots.Chart{{Name: "compare_benchmark_price", Title: "Benchmark price", Caption: "Benchmark price by scenario", Main: true}}
			if supplier != "" {
				out = append(out, &plots.Chart{Name: "compare_revenue_change_" + supplier, Caption: supplier + "'s export revenue change by scenario", Main: true})
			}
			return out, nil
		},
		writeCSV:   f.download("scenario,series,statistic,month,entity,variable,value,unit\n%s,scenario,value,2025-12,World,benchmark_price,241.1,$/t\n"),
		writeBands: f.download("scenario,series,statistic,month,entity,variable,p5,p95,unit\n%s,scenario,band,2025-12,World,benchmark_price,230,250,$/t\n"),
		writeDraws: f.download("scenario,draw,metric,value,unit\n%s,1,benchmark_price_change,-2.5,$/t\n"),
		writeSensitivity: func(w io.Writer, e *runEntry) error {
			f.csvCalls.Add(1)
			return report.WriteSensitivityCSV(w, e.tornado)
		},
		common: func(sc *scenarios.Scenario, id string) bool {
			e, ce := findEvent(sc.Spec, id), findEvent(sc.Counterfactual, id)
			return e != nil && ce != nil && reflect.DeepEqual(*e, *ce)
		},
	}
}

// download is a fake CSV writer: format with the scenario's name, or f.csv
// when set; it counts its calls in f.csvCalls.
func (f *fake) download(format string) func(io.Writer, *runEntry) error {
	return func(w io.Writer, e *runEntry) error {
		f.csvCalls.Add(1)
		if f.csv != nil {
			return f.csv(context.Background(), w)
		}
		_, err := fmt.Fprintf(w, format, e.sc.Name)
		return err
	}
}

func fakeMarket() *model.Market {
	return &model.Market{
		Name: "fake", Version: "0", BaseYear: 2020, Benchmark: "Brazil",
		Suppliers: []model.Supplier{
			{Name: "Canada", FOB: 230, Capacity: 25, Eta: 1, Adjust: 0.1},
			{Name: "Russia", FOB: 220, Capacity: 20, Eta: 1, Adjust: 0.1},
			{Name: "Belarus", FOB: 210, Capacity: 14, Eta: 1, Adjust: 0.1},
		},
		Regions: []model.Region{
			{Name: "Brazil", Eps: 0.3, Sigma: 4, Adjust: 0.1},
			{Name: "Other", Eps: 0.5, Sigma: 4, Adjust: 0.1},
		},
		Flows: [][]float64{{6, 14}, {5, 10}, {3, 8}},
	}
}

// scenario builds a fake scenario and applies sets (the paths of Controls).
func (f *fake) scenario(file, name string, sets []string) (*scenarios.Scenario, error) {
	f.mu.Lock()
	f.lastSets = append([]string(nil), sets...)
	f.mu.Unlock()
	m := fakeMarket()
	spec := &model.Spec{
		Name: name, Market: m,
		Start: model.NewMonth(2020, 1), End: model.NewMonth(2028, 12), ReportStart: model.NewMonth(2025, 12),
		Events: []model.Event{
			{ID: "us-ban", Label: "US sanctions", Kind: model.EventBan, Supplier: 2, Region: 1, Start: model.NewMonth(2021, 12), End: model.NewMonth(2025, 12)},
			{ID: "belarus-discount", Label: "Sanction discount", Kind: model.EventWedge, Supplier: 2, Region: -1, Value: 0.15, Start: model.NewMonth(2022, 2)},
			{ID: "klaipeda-closed", Label: "Klaipėda closed", Kind: model.EventCorridorCapacity, Supplier: 2, Start: model.NewMonth(2022, 2)},
			{ID: "russian-ports", Label: "Russian ports", Kind: model.EventCorridorCapacity, Supplier: 2, Value: 8.4, Start: model.NewMonth(2022, 3)},
			{ID: "jansen", Label: "Jansen", Kind: model.EventCapacity, Supplier: 0, Value: 4.15, Start: model.NewMonth(2027, 7)},
		},
	}
	// The counterfactual: sanctions stay (the US ban never ends); the
	// other events are inherited, common to both runs.
	cf := spec.Clone()
	cf.Events = cf.Events[1:]
	cf.Events = append(cf.Events, model.Event{ID: "us-ban", Kind: model.EventBan, Supplier: 2, Region: 1, Start: model.NewMonth(2021, 12)})
	var ds scenarios.Diagnostics
	for _, s := range sets {
		path, val, _ := strings.Cut(s, "=")
		bad := func(msg string) {
			ds = append(ds, scenarios.Diagnostic{File: "--set", Field: path, Msg: msg})
		}
		num := func() float64 {
			x, err := strconv.ParseFloat(val, 64)
			if err != nil {
				bad("not a number")
			}
			return x
		}
		month := func() model.Month {
			t, err := model.ParseMonth(val)
			if err != nil {
				bad(err.Error())
			}
			return t
		}
		// As scenarios' --set: market paths change both runs; events.ID.F
		// the scenario's event, and the counterfactual's when identical;
		// scenario.events.ID.F the scenario's only.
		p, only := strings.CutPrefix(path, scenarios.ScenarioOnly+".")
		event := func(id string, set func(e *model.Event)) {
			e, ce := findEvent(spec, id), findEvent(cf, id)
			if ce != nil && !only && reflect.DeepEqual(*e, *ce) {
				set(ce)
			}
			set(e)
		}
		switch p {
		case "market.regions.*.demand_elasticity":
			x := num()
			for r := range m.Regions {
				m.Regions[r].Eps = x
			}
		case "market.regions.*.substitution_elasticity":
			x := num()
			for r := range m.Regions {
				m.Regions[r].Sigma = x
			}
		case "events.belarus-discount.pct":
			x := num() / 100
			event("belarus-discount", func(e *model.Event) { e.Value = x })
		case "events.us-ban.end":
			x := month()
			event("us-ban", func(e *model.Event) { e.End = x })
		case "events.klaipeda-closed.end":
			x := month()
			event("klaipeda-closed", func(e *model.Event) { e.End = x })
		case "events.russian-ports.capacity_mt":
			x := num()
			event("russian-ports", func(e *model.Event) { e.Value = x })
		case "events.jansen.start":
			x := month()
			event("jansen", func(e *model.Event) { e.Start = x })
		default:
			bad("unknown path")
		}
	}
	if len(ds) > 0 {
		return nil, ds
	}
	cf.Market = m.Clone()
	return &scenarios.Scenario{
		Name: name, Title: "Fake " + name, Description: "a fake scenario", Hash: strings.Repeat("ab", 32),
		Spec: spec, Counterfactual: cf, CounterfactualName: name + " (sanctions stay)",
		Uncertain: []model.Uncertain{
			{Name: "events.belarus-discount.pct", Unit: "%", Central: 15},
			{Name: "market.regions.*.demand_elasticity", Unit: "1", Central: 0.4},
		},
	}, nil
}

// path is a toy path: Belarus sells to "Other" when the US ban is not in
// force, at a price lowered by the discount.
func fakePath(spec *model.Spec) *model.Path {
	m := spec.Market
	cal := &model.Calibrated{Market: m, Bench: 0}
	p := &model.Path{Spec: spec, Cal: cal}
	disc, ban := 0.0, model.Event{}
	for _, e := range spec.Events {
		switch e.ID {
		case "belarus-discount":
			disc = e.Value
		case "us-ban":
			ban = e
		}
	}
	for t := spec.Start; t <= spec.End; t++ {
		banned := t >= ban.Start && (ban.End == 0 || t < ban.End)
		rev := []float64{2000, 1800, 1000 * (1 - disc)}
		if !banned {
			rev[2] += 500 * (1 - disc)
		}
		p.Months = append(p.Months, t)
		traded := make([]bool, len(spec.Market.Regions)) // every region has a supplier
		for r := range traded {
			traded[r] = true
		}
		nb := make([]float64, len(rev))
		exp := make([]float64, len(rev))
		for i, v := range rev {
			nb[i] = 0.8 * v
			exp[i] = v / 200
		}
		p.Sol = append(p.Sol, &model.Solution{Benchmark: 241.1 + 10*disc, ExportRev: rev, NetbackRevenue: nb, Exports: exp, Traded: traded})
		p.Results = append(p.Results, model.Result{Status: model.Converged})
	}
	return p
}

func (f *fake) simulate(ctx context.Context, s, cf *model.Spec) (*model.Run, error) {
	f.simulates.Add(1)
	if f.panicMsg != "" {
		panic(f.panicMsg)
	}
	if f.simErr != nil {
		return nil, f.simErr
	}
	if f.block != nil {
		select {
		case <-f.block:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return &model.Run{Scenario: fakePath(s), Counterfactual: fakePath(cf)}, nil
}

func (f *fake) monteCarlo(ctx context.Context, s, cf *model.Spec, unc []model.Uncertain, o model.MCOptions) (*model.MCResult, error) {
	run, _ := f.simulate(ctx, s, cf)
	if run == nil {
		return nil, ctx.Err()
	}
	ms := f.metrics(run)
	res := &model.MCResult{Draws: o.Draws, Converged: o.Draws, Seed: o.Seed, Months: run.Scenario.Months}
	for _, m := range ms {
		res.Totals = append(res.Totals, model.TotalDist{Metric: m.Name, Unit: m.Unit,
			Band: model.Band{Mean: m.Value, P5: m.Value - 100, P25: m.Value - 50, P50: m.Value, P75: m.Value + 50, P95: m.Value + 100}})
	}
	return res, nil
}

// metrics: cumulative revenue change over the report window ($M) and the
// mean benchmark price change ($/t).
func (f *fake) metrics(run *model.Run) []model.Metric {
	sc, cf := run.Scenario, run.Counterfactual
	var out []model.Metric
	dp, n := 0.0, 0
	rev := make([]float64, len(sc.Cal.Market.Suppliers))
	nb := make([]float64, len(rev))
	for k, t := range sc.Months {
		if t < sc.Spec.ReportStart {
			continue
		}
		n++
		dp += sc.Sol[k].Benchmark - cf.Sol[k].Benchmark
		for i := range rev {
			rev[i] += (sc.Sol[k].ExportRev[i] - cf.Sol[k].ExportRev[i]) / 12
			nb[i] += (sc.Sol[k].NetbackRevenue[i] - cf.Sol[k].NetbackRevenue[i]) / 12
		}
	}
	bench := dp / float64(n)
	if f.nan {
		bench = nanValue()
	}
	out = append(out, model.Metric{Name: "benchmark_price_change", Unit: "$/t", Value: bench})
	for i, s := range sc.Cal.Market.Suppliers {
		out = append(out, model.Metric{Name: "netback_revenue_change." + s.Name, Unit: "$M", Value: nb[i]},
			model.Metric{Name: "revenue_change." + s.Name, Unit: "$M", Value: rev[i]})
	}
	return out
}

func nanValue() float64 { z := 0.0; return z / z }

// fakeCharts are a run's charts in plots' order; the first five are its
// main charts.
var fakeCharts = []string{"price", "revenue_change", "volumes", "shares", "flows", "corridors_Belarus"}

func (f *fake) renderChart(ch *plots.Chart, w io.Writer, format string, o plots.Options) error {
	f.renders.Add(1)
	switch format {
	case "png":
		img := image.NewRGBA(image.Rect(0, 0, 4, 3))
		img.Set(1, 1, color.RGBA{200, 0, 0, 255})
		return png.Encode(w, img)
	case "svg":
		_, err := io.WriteString(w, `<svg xmlns="http://www.w3.org/2000/svg" width="4" height="3"><text>`+ch.Name+`</text></svg>`)
		return err
	}
	return fmt.Errorf("format %q", format)
}

// tornado is the fake's one-at-a-time analysis: the metric of the central
// run (simulate: it blocks, fails and panics as simulate does), and
// parameter k of unc moving it by −(k+1) at its low end and +2(k+1) at
// its high end, so the last parameter has the largest swing. It records
// the metric and the parameters it was asked for.
func (f *fake) tornado(ctx context.Context, s, cf *model.Spec, unc []model.Uncertain, metric string, workers int) (*model.Tornado, error) {
	f.mu.Lock()
	f.lastMetric = metric
	f.lastUnc = f.lastUnc[:0]
	for _, u := range unc {
		f.lastUnc = append(f.lastUnc, u.Name)
	}
	f.mu.Unlock()
	run, err := f.simulate(ctx, s, cf)
	if err != nil {
		return nil, err
	}
	t := &model.Tornado{Metric: metric}
	found := false
	for _, m := range f.metrics(run) {
		if m.Name == metric {
			t.Unit, t.Base, found = m.Unit, m.Value, true
		}
	}
	if !found {
		return nil, fmt.Errorf("sensitivity: unknown metric %q", metric)
	}
	for k := len(unc) - 1; k >= 0; k-- {
		u, d := unc[k], float64(k+1)
		t.Bars = append(t.Bars, model.TornadoBar{Param: u.Name, Low: u.Central * 0.5, High: u.Central * 1.5,
			AtLow: t.Base - d, AtHigh: t.Base + 2*d, StatedLow: u.Central * 0.5, StatedHigh: u.Central * 1.5})
	}
	return t, nil
}
