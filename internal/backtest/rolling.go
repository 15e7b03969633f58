package backtest

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/potash-sim/potash/model"
)

// RollingConfig sets the rolling-origin forecasts (docs/BACKTEST.md,
// "Forecast skill"). An origin is the first month a fit does not see: the
// fit uses only data before it, the forecasts start from the month before
// it (the last recorded month), and h months ahead means the month
// origin + h − 1.
type RollingConfig struct {
	// First and Last are the first and last origins (2024-01, 2025-04);
	// First zero switches the rolling forecasts off.
	First, Last model.Month
	// Horizons are the forecast horizons, months ahead (1, 3, 6, 12).
	Horizons []int
	// MAWindow is the window of the moving-average forecast, months (12).
	MAWindow int
	// MaxEvals bounds each origin's fit: one Nelder–Mead search from the
	// published estimate (the fit at the first origin when it equals the
	// published cut-off), at most this many simulations.
	MaxEvals int
	// Workers fit origins in parallel (0: GOMAXPROCS). The result does
	// not depend on it.
	Workers int
}

// DefaultRolling returns the rolling origins of issue 14: every month
// from 2024-01 to 2025-04, horizons 1, 3, 6 and 12 months, a 12-month
// moving average, at most DefaultMaxEvals simulations per origin.
func DefaultRolling() RollingConfig {
	return RollingConfig{First: model.NewMonth(2024, 1), Last: model.NewMonth(2025, 4),
		Horizons: []int{1, 3, 6, 12}, MAWindow: 12, MaxEvals: DefaultMaxEvals}
}

// Forecast is what a fit on the data before one origin forecasts.
type Forecast struct {
	Origin model.Month // first month not seen
	// Values are the origin's estimates (FitResult.Values); SSR its
	// objective, Evaluations its simulations, Status its search's status
	// (Converged).
	Values      []float64
	SSR         float64
	Evaluations int
	Status      string
	// Last is the last recorded price before the origin (month Origin−1),
	// $/t; ModelLast the model's price in that month.
	Last, ModelLast float64
	// Per horizon (RollingConfig.Horizons): the target month
	// Origin+h−1 and the forecasts, $/t: the model's level; the model's
	// change from Origin−1 applied to Last (Change); the last record
	// carried forward (Naive); the mean of the last MAWindow records
	// (MA). Record is the recorded price in the target month, NaN when
	// not published (filled in after the forecast, from the whole record).
	Target                           []model.Month
	Level, Change, Naive, MA, Record []float64
}

// ErrStats are the errors of one forecast method at one horizon, over
// the origins whose target month has a record: the mean absolute log
// error, the root mean squared log error and the mean log error
// (positive: too high).
type ErrStats struct {
	MAE, RMSE, Bias float64
}

// HorizonStats compares the methods at one horizon.
type HorizonStats struct {
	H int // months ahead
	N int // origins whose target has a record
	// Level is the model's level; Change the model's change applied to
	// the last record; Naive no change; MA the moving average.
	Level, Change, Naive, MA ErrStats
	// DMLevel and DMChange test the equal accuracy of the model's level
	// and of its change against the naive forecast over the N origins
	// (DieboldMariano: squared log errors, uniform kernel with lag
	// H − 1, Bartlett weights when its estimate is not positive).
	DMLevel, DMChange DMTest
}

// Nowcast is the model's reading of the present: fitted on every recorded
// month, it carries the last recorded price forward by the model's own
// change since that month.
type Nowcast struct {
	// Last is the last recorded month and LastPrice its price, $/t; the
	// fit saw every month up to Last.
	Last      model.Month
	LastPrice float64
	// Months are the months after Last through the back-test's End;
	// Change the model's change since Last (fraction) and Price =
	// LastPrice·(1 + Change), $/t.
	Months        []model.Month
	Change, Price []float64
	Values        []float64 // the fit's estimates
	// Evaluations and Status are the fit's simulations and its search's
	// status (Converged).
	Evaluations int
	Status      string
}

// Rolling is the rolling-origin evaluation and the nowcast.
type Rolling struct {
	Config    RollingConfig
	Forecasts []Forecast
	Stats     []HorizonStats
	Nowcast   Nowcast
}

// forecastAt fits m on in (only) and forecasts from its cut-off: it never
// sees data at or after in.Cut() (TestRollingUsesNoLaterData). start is
// where the fit's single search starts; fo the fit's options.
func forecastAt(ctx context.Context, m Model, in *InSample, start []float64, fo FitOptions, horizons []int, maWindow int) (Forecast, *FitResult, error) {
	o := in.Cut()
	fo.Start = start
	fo.ExtraStarts = nil
	fo.NoIntervals = true
	fit, err := Fit(ctx, m, in, fo)
	if err != nil {
		return Forecast{}, nil, fmt.Errorf("origin %v: %w", o, err)
	}
	rec := in.Record()
	fo.defaults()
	d, err := NewDrivers(rec, fo.Weights, fo.BaseYear)
	if err != nil {
		return Forecast{}, nil, err
	}
	maxH := 0
	for _, h := range horizons {
		maxH = max(maxH, h)
	}
	sim, err := m.Simulate(ctx, fit.Values, d, o-1+model.Month(maxH), AllFactors)
	if err != nil {
		return Forecast{}, nil, fmt.Errorf("origin %v: %w", o, err)
	}
	ps := Series{Start: sim.Months[0], Values: sim.Price}
	f := Forecast{Origin: o, Values: fit.Values, SSR: fit.SSR, Evaluations: fit.Evaluations, Status: fit.Status}
	f.Last, _ = rec.Potash.At(o - 1)
	f.ModelLast, _ = ps.At(o - 1)
	ma, _ := rec.Potash.Mean(o-model.Month(maWindow), o-1)
	for _, h := range horizons {
		t := o - 1 + model.Month(h)
		lv, _ := ps.At(t)
		f.Target = append(f.Target, t)
		f.Level = append(f.Level, lv)
		f.Change = append(f.Change, f.Last*lv/f.ModelLast)
		f.Naive = append(f.Naive, f.Last)
		f.MA = append(f.MA, ma)
	}
	return f, fit, nil
}

// RunRolling fits m at every origin of cfg on the data before it and
// forecasts each horizon; start is where each origin's search starts (the
// published estimate). It then compares the forecasts with the record and
// makes the nowcast, fitted on every recorded month, through end.
func RunRolling(ctx context.Context, m Model, rec *Record, cfg RollingConfig, fo FitOptions, start []float64, end model.Month) (*Rolling, error) {
	if cfg.First == 0 || cfg.Last < cfg.First || len(cfg.Horizons) == 0 || cfg.MAWindow <= 0 {
		return nil, fmt.Errorf("backtest: rolling origins %v..%v, horizons %v, window %d", cfg.First, cfg.Last, cfg.Horizons, cfg.MAWindow)
	}
	fo.MaxEvals = cfg.MaxEvals
	lastRec := rec.Potash.End()
	for lastRec >= rec.Potash.Start {
		if _, ok := rec.Potash.At(lastRec); ok {
			break
		}
		lastRec--
	}
	// The origins, then the nowcast's (the month after the last record).
	origins := []model.Month{}
	for o := cfg.First; o <= cfg.Last; o++ {
		origins = append(origins, o)
	}
	origins = append(origins, lastRec+1)
	out := make([]Forecast, len(origins))
	fits := make([]*FitResult, len(origins))
	errs := make([]error, len(origins))
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(workers, len(origins)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				hs := cfg.Horizons
				if k == len(origins)-1 {
					hs = nil
					for t := lastRec + 1; t <= end; t++ {
						hs = append(hs, int(t-lastRec))
					}
				}
				out[k], fits[k], errs[k] = forecastAt(ctx, m, rec.Before(origins[k]), start, fo, hs, cfg.MAWindow)
			}
		}()
	}
	for k := range origins {
		if ctx.Err() != nil {
			break
		}
		next <- k
	}
	close(next)
	wg.Wait()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	r := &Rolling{Config: cfg, Forecasts: out[:len(out)-1]}
	for k := range r.Forecasts {
		f := &r.Forecasts[k]
		for _, t := range f.Target {
			v, _ := rec.Potash.At(t)
			f.Record = append(f.Record, v)
		}
	}
	for j, h := range cfg.Horizons {
		hs := HorizonStats{H: h}
		var rl, rc, rn, rm []float64
		for _, f := range r.Forecasts {
			if math.IsNaN(f.Record[j]) {
				continue
			}
			lr := math.Log(f.Record[j])
			rl = append(rl, math.Log(f.Level[j])-lr)
			rc = append(rc, math.Log(f.Change[j])-lr)
			rn = append(rn, math.Log(f.Naive[j])-lr)
			rm = append(rm, math.Log(f.MA[j])-lr)
		}
		hs.N = len(rl)
		hs.Level, hs.Change, hs.Naive, hs.MA = errStats(rl), errStats(rc), errStats(rn), errStats(rm)
		hs.DMLevel = dieboldMarianoOver("origin", rl, rn, h, h-1, Uniform)
		hs.DMChange = dieboldMarianoOver("origin", rc, rn, h, h-1, Uniform)
		r.Stats = append(r.Stats, hs)
	}
	nf := out[len(out)-1]
	r.Nowcast = Nowcast{Last: lastRec, LastPrice: nf.Last, Months: nf.Target, Values: fits[len(fits)-1].Values,
		Evaluations: nf.Evaluations, Status: nf.Status}
	for j := range nf.Target {
		r.Nowcast.Change = append(r.Nowcast.Change, nf.Level[j]/nf.ModelLast-1)
		r.Nowcast.Price = append(r.Nowcast.Price, nf.Change[j])
	}
	return r, nil
}

// errStats returns the mean absolute, root mean squared and mean of the
// errors e (NaN when e is empty).
func errStats(e []float64) ErrStats {
	if len(e) == 0 {
		return ErrStats{math.NaN(), math.NaN(), math.NaN()}
	}
	var a, s, b float64
	for _, x := range e {
		a += math.Abs(x)
		s += x * x
		b += x
	}
	n := float64(len(e))
	return ErrStats{MAE: a / n, RMSE: math.Sqrt(s / n), Bias: b / n}
}
