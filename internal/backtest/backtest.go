package backtest

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/plots"
)

// Config sets the back-test's windows.
type Config struct {
	// Start is the first compared month (2020-01: the Pink Sheet's Brazil
	// CFR definition starts then). The model path starts at its Spec's
	// Start.
	Start model.Month
	// Cut is the out-of-sample cut-off: the fit sees only data before it
	// (2024-01: fit on 2020-01..2023-12).
	Cut model.Month
	// End is the last simulated month (2025-12); months without a record
	// are simulated but not compared.
	End model.Month
	// PeakYear is the year whose peak is compared (2022).
	PeakYear int
	// RiseFrom..RiseTo is the window whose average price rise over the
	// base year is decomposed (2021-01..2022-12).
	RiseFrom, RiseTo model.Month
	// BaseYear of the driver indexes and of the rise (2020).
	BaseYear int
	// Suppliers whose annual exports are compared.
	Suppliers []string
	// Fit are the estimation options (From is set to Start).
	Fit FitOptions
	// Rolling sets the rolling-origin forecasts and the nowcast (First
	// zero: none).
	Rolling RollingConfig
}

// DefaultMaxSpike and DefaultSpikePenalty constrain the published fit
// (FitOptions.MaxSpike): no month of the fitted path further than 9% from
// the mean of its neighbours (the built-ins must stay within 10% with the
// estimates rounded to three digits), at a cost of 10⁴ per unit of excess
// squared (an excess of 0.5 points costs 0.25, a tenth of the objective).
const (
	DefaultMaxSpike     = 0.09
	DefaultSpikePenalty = 1e4
)

// The published fit (docs/BACKTEST.md, "Fitting"): a MAP estimate with a
// Gaussian prior of weight λ = 1 (FitOptions.PriorWeight), fixed before
// the fit, prior standard deviations a quarter of each documented range,
// weighed against σ² = DefaultPriorSigma2, the residual variance
// SSR/(n − p) = 0.527/(57 − 11) of the converged unpenalised fit. A search
// counts as converged when its best objective fell by less than 1e-7
// over DefaultConvergeIterations Nelder–Mead iterations (the 40 of
// gonum's default let a search that cannot beat its start in 40
// iterations stop there); DefaultMaxEvals bounds each search, the main
// fit's and every rolling origin's (the converged searches need at most
// about 3,000).
const (
	DefaultPriorSigma2        = 0.01146
	DefaultConvergeIterations = 200
	DefaultMaxEvals           = 5000
)

// DefaultConfig returns the back-test of issue 7: fit on 2020-01..2023-12,
// test on 2024-01..2025-10 (the data end), simulate through 2025-12.
func DefaultConfig() Config {
	return Config{
		Start:     model.NewMonth(2020, 1),
		Cut:       model.NewMonth(2024, 1),
		End:       model.NewMonth(2025, 12),
		PeakYear:  2022,
		RiseFrom:  model.NewMonth(2021, 1),
		RiseTo:    model.NewMonth(2022, 12),
		BaseYear:  2020,
		Suppliers: []string{"Canada", "Russia", "Belarus"},
		Fit: FitOptions{MaxEvals: DefaultMaxEvals, BaseYear: 2020,
			ExportSuppliers: []string{"Canada", "Russia", "Belarus"}, ExportWeight: 1,
			ExtraStarts: []float64{0.2, 0.8}, MaxSpike: DefaultMaxSpike, SpikePenalty: DefaultSpikePenalty,
			PriorWeight: 1, PriorSigma2: DefaultPriorSigma2, PriorScale: 0.25, ConvergeIterations: DefaultConvergeIterations},
		Rolling: DefaultRolling(),
	}
}

// ExportFit compares one supplier's exports in one year.
type ExportFit struct {
	Supplier string
	Year     int
	Record   float64 // FAOSTAT, Mt KCl
	Model    float64 // model's average export rate over the year, Mt/yr
	// RelError is Model/Record − 1.
	RelError float64
	// RecordChange and ModelChange are the changes from the base year,
	// fractions (−0.6 = fell by 60%); ChangeError is their difference.
	RecordChange, ModelChange, ChangeError float64
}

// Contribution is one factor's share of the decomposed rise.
type Contribution struct {
	Factor string
	Value  float64 // $/t
}

// Decomposition splits the model's rise of the average benchmark price
// over a window (above its base-year average) into the factors'
// contributions: Shapley values over the 2^n runs with each subset of
// factors switched on, which add up exactly to the rise with all factors
// minus the rise with none (Other: trend growth and the base dynamics).
type Decomposition struct {
	// Name says what is decomposed, e.g. "2021-01..2022-12 average,
	// fitted parameters".
	Name          string
	From, To      model.Month
	RecordBase    float64 // record's base-year average, $/t
	RecordRise    float64 // record's window average minus RecordBase, $/t
	ModelBase     float64 // model's base-year average, $/t
	ModelRise     float64 // model's window average (all factors) minus ModelBase, $/t
	Contributions []Contribution
	Other         float64 // rise with no factor, $/t
	// Failed counts months that did not converge over the 2^n runs
	// (reported; the model goes on from its best point). Decompositions
	// computed from the same runs count them once, on the first.
	Failed int
}

// Report is the result of a back-test.
type Report struct {
	Config Config
	Fit    *FitResult

	Months []model.Month
	Record []float64 // Pink Sheet KCl price, $/t; NaN where not published or before Start
	Model  []float64 // fitted model's benchmark price with all factors, $/t
	Naive  []float64 // last in-sample record carried forward from Cut, NaN before
	// StockMonths are the fitted model's stocks of importers and
	// distributors, all regions, in months of that month's use (Sim.StockMonths;
	// nil when the model has no stocks).
	StockMonths []float64
	Failed      int // months of the fitted path that did not converge

	// Change is the model's change since the last in-sample record
	// applied to it, from Cut: p(c)·p̂(t)/p̂(c), c the month of that record
	// (the rolling origins' and the nowcast's reading), $/t; NaN before.
	Change []float64

	InSample  Stats // Start..Cut−1
	OutSample Stats // Cut..last published month
	ChangeOut Stats // the model's change reading over the same months
	NaiveOut  Stats // the naive forecast over the same months
	// DMLevel and DMChange test the equal accuracy of the model's level
	// and of its change reading against the naive forecast over the
	// out-of-sample months (DieboldMariano: squared log errors, Bartlett
	// kernel, lag NeweyWestLag(n), h = lag + 1 in the small-sample
	// correction; docs/BACKTEST.md, "Forecast skill").
	DMLevel, DMChange DMTest

	PeakRecord, PeakModel       TurningPoint // highest month of PeakYear
	TurningRecord, TurningModel []TurningPoint
	Exports                     []ExportFit
	// Decomposition is the primary decomposition: the rise of the
	// RiseFrom..RiseTo average with the fitted parameters. Decompositions
	// holds it first, then the record's peak month with the fitted
	// parameters, then the rise with the starting (prior) parameters.
	Decomposition  Decomposition
	Decompositions []Decomposition
	// FactorPaths are the fitted model's benchmark price paths ($/t,
	// months as Months) with each subset of factors switched on: the runs
	// behind the decomposition.
	FactorPaths  map[Factors][]float64
	Markers      []EventMark
	ExportMonths []model.Month
	ExportModel  map[string][]float64 // monthly export rates, Mt/yr
	ExportRecord map[string]Annual    // FAOSTAT, Mt KCl
	Params       []Param
	ParamValues  []float64
	// Rolling is the rolling-origin evaluation and the nowcast (nil when
	// Config.Rolling is off).
	Rolling *Rolling
	// CropWeights describes the crop weights of the market's driver in
	// words (empty when the model does not say).
	CropWeights string
}

// Run fits m on the part of rec before cfg.Cut, simulates the fitted model
// through cfg.End with the drivers of the whole record (the recorded crop
// and gas prices are known inputs, as the scenario's events are: the
// out-of-sample test is a conditional forecast), and compares it with the
// record.
func Run(ctx context.Context, m Model, rec *Record, cfg Config) (*Report, error) {
	if !(cfg.Start < cfg.Cut && cfg.Cut <= cfg.End) {
		return nil, fmt.Errorf("backtest: want start %v < cut %v ≤ end %v", cfg.Start, cfg.Cut, cfg.End)
	}
	cfg.Fit.From = cfg.Start
	fit, err := Fit(ctx, m, rec.Before(cfg.Cut), cfg.Fit)
	if err != nil {
		return nil, err
	}
	fo := cfg.Fit
	fo.defaults()
	d, err := NewDrivers(rec, fo.Weights, cfg.BaseYear)
	if err != nil {
		return nil, err
	}
	sim, err := m.Simulate(ctx, fit.Values, d, cfg.End, AllFactors)
	if err != nil {
		return nil, fmt.Errorf("backtest: simulating the fitted model: %w", err)
	}
	r := &Report{Config: cfg, Fit: fit, Failed: sim.Failed, Params: fit.Params, ParamValues: fit.Values}
	for k, t := range sim.Months {
		if t < cfg.Start || t > cfg.End {
			continue
		}
		r.Months = append(r.Months, t)
		r.Model = append(r.Model, sim.Price[k])
		if len(sim.StockMonths) == len(sim.Months) {
			r.StockMonths = append(r.StockMonths, sim.StockMonths[k])
		}
		v, _ := rec.Potash.At(t)
		r.Record = append(r.Record, v)
	}
	if len(r.Months) == 0 {
		return nil, fmt.Errorf("backtest: the model path does not cover %v..%v", cfg.Start, cfg.End)
	}
	last := cfg.Start
	lastIn, modelIn := math.NaN(), math.NaN()
	for k, t := range r.Months {
		if !math.IsNaN(r.Record[k]) {
			last = max(last, t)
			if t < cfg.Cut {
				lastIn, modelIn = r.Record[k], r.Model[k]
			}
		}
	}
	r.Naive = make([]float64, len(r.Months))
	r.Change = make([]float64, len(r.Months))
	for k, t := range r.Months {
		r.Naive[k], r.Change[k] = math.NaN(), math.NaN()
		if t >= cfg.Cut {
			r.Naive[k] = lastIn
			r.Change[k] = lastIn * r.Model[k] / modelIn
		}
	}
	r.InSample = Compare(r.Months, r.Model, r.Record, cfg.Start, cfg.Cut-1)
	r.OutSample = Compare(r.Months, r.Model, r.Record, cfg.Cut, last)
	r.ChangeOut = Compare(r.Months, r.Change, r.Record, cfg.Cut, last)
	r.NaiveOut = Compare(r.Months, r.Naive, r.Record, cfg.Cut, last)
	r.DMLevel, r.DMChange = outOfSampleDM(r.Months, r.Model, r.Change, r.Naive, r.Record, cfg.Cut, last)
	r.PeakRecord, _ = PeakIn(r.Months, r.Record, cfg.PeakYear)
	r.PeakModel, _ = PeakIn(r.Months, r.Model, cfg.PeakYear)
	r.TurningRecord = TurningPoints(r.Months, r.Record, 6, 0.10)
	r.TurningModel = TurningPoints(r.Months, r.Model, 6, 0.10)

	// Exports.
	r.ExportMonths = r.Months
	r.ExportModel = map[string][]float64{}
	r.ExportRecord = map[string]Annual{}
	for _, name := range cfg.Suppliers {
		x, ok := sim.Exports[name]
		if !ok {
			return nil, fmt.Errorf("backtest: the model has no supplier %q", name)
		}
		var xs []float64
		for k, t := range sim.Months {
			if t >= cfg.Start && t <= cfg.End {
				xs = append(xs, x[k])
			}
		}
		r.ExportModel[name] = xs
		ann := AnnualMean(r.Months, xs)
		recA := rec.Exports[name]
		r.ExportRecord[name] = recA.clone()
		mb, okm := ann.At(cfg.BaseYear)
		rb, okr := recA.At(cfg.BaseYear)
		for k, y := range ann.Years {
			rv, ok := recA.At(y)
			if !ok {
				continue
			}
			mv := ann.Values[k]
			if y == cfg.End.Year() && cfg.End.MonthOfYear() != 12 {
				continue // an incomplete model year
			}
			e := ExportFit{Supplier: name, Year: y, Record: rv, Model: mv, RelError: mv/rv - 1}
			e.RecordChange, e.ModelChange, e.ChangeError = math.NaN(), math.NaN(), math.NaN()
			if okm && okr && mb > 0 && rb > 0 {
				e.RecordChange = rv/rb - 1
				e.ModelChange = mv/mb - 1
				e.ChangeError = e.ModelChange - e.RecordChange
			}
			r.Exports = append(r.Exports, e)
		}
	}

	if mk, ok := m.(interface {
		Markers(from, to model.Month) []EventMark
	}); ok {
		r.Markers = mk.Markers(cfg.Start, cfg.End)
	}
	r.CropWeights = "equal weights"
	if cw, ok := m.(interface{ CropWeightsText() string }); ok {
		r.CropWeights = cw.CropWeightsText()
	}

	ws := []decompWindow{
		{fmt.Sprintf("%d–%d avg, fitted", cfg.RiseFrom.Year(), cfg.RiseTo.Year()), cfg.RiseFrom, cfg.RiseTo},
		{fmt.Sprintf("%s, fitted", plots.MonthLabel(r.PeakRecord.Month)), r.PeakRecord.Month, r.PeakRecord.Month},
	}
	r.FactorPaths = map[Factors][]float64{}
	fitted, err := decompose(ctx, m, fit.Values, d, rec, cfg, ws, r.FactorPaths)
	if err != nil {
		return nil, err
	}
	prior, err := decompose(ctx, m, fit.Start, d, rec, cfg, []decompWindow{
		{fmt.Sprintf("%d–%d avg, prior", cfg.RiseFrom.Year(), cfg.RiseTo.Year()), cfg.RiseFrom, cfg.RiseTo}}, nil)
	if err != nil {
		return nil, err
	}
	r.Decompositions = append(fitted, prior...)
	r.Decomposition = r.Decompositions[0]
	if cfg.Rolling.First != 0 {
		if r.Rolling, err = RunRolling(ctx, m, rec, cfg.Rolling, cfg.Fit, fit.Values, cfg.End); err != nil {
			return nil, fmt.Errorf("backtest: rolling origins: %w", err)
		}
	}
	return r, nil
}

// outOfSampleDM tests the model's level and change readings against the
// naive forecast over the months from..to where all four prices are
// positive and finite. The errors are a path of 1..n-step forecasts from
// one origin, so the long-run variance uses the Bartlett kernel with
// Newey and West's (1994) lag for n, and the small-sample correction the
// horizon lag + 1 whose MA(lag) errors that window is built for.
func outOfSampleDM(months []model.Month, level, change, naive, record []float64, from, to model.Month) (dl, dc DMTest) {
	var el, ec, en []float64
	for k, t := range months {
		if t < from || t > to || !ok(level[k]) || !ok(change[k]) || !ok(naive[k]) || !ok(record[k]) {
			continue
		}
		lr := math.Log(record[k])
		el = append(el, math.Log(level[k])-lr)
		ec = append(ec, math.Log(change[k])-lr)
		en = append(en, math.Log(naive[k])-lr)
	}
	lag := NeweyWestLag(len(el))
	return DieboldMariano(el, en, lag+1, lag, Bartlett), DieboldMariano(ec, en, lag+1, lag, Bartlett)
}

// decompWindow is a window whose average price rise is decomposed.
type decompWindow struct {
	name     string
	from, to model.Month
}

// decompose computes the Shapley decomposition of the rise over each
// window from the same 2^n runs with parameters theta.
//
// When paths is not nil, the runs go on to cfg.End and the benchmark price
// path of every factor subset is stored in paths[S] (months from cfg.Start).
func decompose(ctx context.Context, m Model, theta []float64, d *Drivers, rec *Record, cfg Config, ws []decompWindow, paths map[Factors][]float64) ([]Decomposition, error) {
	b0, b1 := model.NewMonth(cfg.BaseYear, 1), model.NewMonth(cfg.BaseYear, 12)
	end := cfg.Start
	for _, w := range ws {
		end = max(end, w.to)
	}
	if paths != nil {
		end = max(end, cfg.End)
	}
	nf := len(factorNames)
	decs := make([]Decomposition, len(ws))
	v := make([][]float64, len(ws)) // window average with factor subset S on
	for k, w := range ws {
		decs[k] = Decomposition{Name: w.name, From: w.from, To: w.to}
		decs[k].RecordBase, _ = rec.Potash.Mean(b0, b1)
		rw, _ := rec.Potash.Mean(w.from, w.to)
		decs[k].RecordRise = rw - decs[k].RecordBase
		v[k] = make([]float64, 1<<nf)
	}
	failed := 0
	for S := 0; S < 1<<nf; S++ {
		sim, err := m.Simulate(ctx, theta, d, end, Factors(S))
		if err != nil {
			return nil, fmt.Errorf("backtest: decomposition run %s: %w", factorSet(Factors(S)), err)
		}
		failed += sim.Failed
		ps := Series{Start: sim.Months[0], Values: sim.Price}
		if paths != nil {
			var p []float64
			for t := cfg.Start; t <= cfg.End; t++ {
				v, _ := ps.At(t)
				p = append(p, v)
			}
			paths[Factors(S)] = p
		}
		for k, w := range ws {
			v[k][S], _ = ps.Mean(w.from, w.to)
			if S == int(AllFactors) {
				decs[k].ModelBase, _ = ps.Mean(b0, b1)
			}
		}
	}
	// Shapley value of factor f: Σ over subsets S without f of
	// |S|!(n−|S|−1)!/n! · (v(S∪f) − v(S)).
	fact := func(k int) float64 {
		r := 1.0
		for j := 2; j <= k; j++ {
			r *= float64(j)
		}
		return r
	}
	decs[0].Failed = failed
	for k := range decs {
		dec := &decs[k]
		dec.ModelRise = v[k][AllFactors] - dec.ModelBase
		dec.Other = v[k][0] - dec.ModelBase
		for f := 0; f < nf; f++ {
			bit := 1 << f
			phi := 0.0
			for S := 0; S < 1<<nf; S++ {
				if S&bit != 0 {
					continue
				}
				n := popcount(S)
				phi += fact(n) * fact(nf-n-1) / fact(nf) * (v[k][S|bit] - v[k][S])
			}
			dec.Contributions = append(dec.Contributions, Contribution{Factor: factorNames[f], Value: phi})
		}
	}
	return decs, nil
}

func popcount(x int) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

func factorSet(f Factors) string {
	var s []string
	for k, n := range factorNames {
		if f&(1<<k) != 0 {
			s = append(s, n)
		}
	}
	if len(s) == 0 {
		return "{none}"
	}
	sort.Strings(s)
	return fmt.Sprint(s)
}
