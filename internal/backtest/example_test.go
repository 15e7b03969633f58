package backtest_test

import (
	"context"
	"fmt"
	"log"
	"math"
	"testing"

	"github.com/potash-sim/potash/internal/backtest"
	"github.com/potash-sim/potash/model"
)

// The Pink Sheet crop-price index: maize, soybeans and wheat relative to
// their 2020 averages, weighted equally. It averages 1 over 2020 and
// doubled by spring 2022.
func ExampleCropIndex() {
	rec, err := backtest.LoadRecord()
	if err != nil {
		log.Fatal(err)
	}
	idx, err := backtest.CropIndex(rec, backtest.DefaultCropWeights, 2020)
	if err != nil {
		log.Fatal(err)
	}
	m, _ := idx.Mean(model.NewMonth(2020, 1), model.NewMonth(2020, 12))
	v, _ := idx.At(model.NewMonth(2022, 5))
	fmt.Printf("2020 average %.3f, May 2022 %.2f\n", m, v)
	// Output: 2020 average 1.000, May 2022 2.04
}

// FAOSTAT reports potash in tonnes of K2O; standard muriate of potash is
// 60% K2O.
func ExampleK2OToKCl() {
	fmt.Printf("%.2f Mt KCl\n", backtest.K2OToKCl(2596624.12)) // Belarus 2022
	// Output: 4.33 Mt KCl
}

// Fit sees only the data before its cut-off: Record.Before makes that
// view.
func ExampleRecord_Before() {
	rec, err := backtest.LoadRecord()
	if err != nil {
		log.Fatal(err)
	}
	in := rec.Before(model.NewMonth(2024, 1))
	r := in.Record()
	fmt.Println("prices end", r.Potash.End(), "- exports end", r.Exports["Belarus"].Years[len(r.Exports["Belarus"].Years)-1])
	// Output: prices end 2023-12 - exports end 2023
}

// The whole back-test: fit on 2020–2023, test on 2024–2025. (The
// published back-test uses DefaultConfig as it is; this example shortens
// the searches, the fit's and the rolling origins': with the published
// 5,000 simulations each it took over ten minutes under the race
// detector.)
func ExampleRun() {
	h, err := backtest.LoadHistory()
	if err != nil {
		log.Fatal(err)
	}
	rec, err := backtest.LoadRecord()
	if err != nil {
		log.Fatal(err)
	}
	cfg := backtest.DefaultConfig()
	cfg.Fit.MaxEvals, cfg.Fit.ExtraStarts = 60, nil
	cfg.Rolling.MaxEvals = 60
	r, err := backtest.Run(context.Background(), h, rec, cfg)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("fitted on %v..%v, tested on %v..%v\n", r.InSample.From, r.InSample.To, r.OutSample.From, r.OutSample.To)
	fmt.Printf("record peak %v at %.0f $/t\n", r.PeakRecord.Month, r.PeakRecord.Value)
	inside := true
	for j, p := range r.Fit.Params {
		inside = inside && p.Range.Contains(r.Fit.Values[j])
	}
	fmt.Println(len(r.Fit.Params), "parameters, all inside their ranges:", inside)
	// Output:
	// fitted on 2020-01..2023-12, tested on 2024-01..2025-10
	// record peak 2022-04 at 1202 $/t
	// 11 parameters, all inside their ranges: true
}

// BenchmarkRun measures the whole published back-test (three searches of
// at most 5,000 simulations, the intervals, the out-of-sample path, the
// 16 decomposition runs, and the 16 rolling fits and the nowcast).
func BenchmarkRun(b *testing.B) {
	h, err := backtest.LoadHistory()
	if err != nil {
		b.Fatal(err)
	}
	rec, err := backtest.LoadRecord()
	if err != nil {
		b.Fatal(err)
	}
	var r *backtest.Report
	for b.Loop() {
		r, err = backtest.Run(context.Background(), h, rec, backtest.DefaultConfig())
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(r.Fit.Evaluations), "simulations/fit")
}

// BenchmarkSimulate measures one 48-month simulation of the history model,
// the unit of work of the fit.
func BenchmarkSimulate(b *testing.B) {
	h, err := backtest.LoadHistory()
	if err != nil {
		b.Fatal(err)
	}
	rec, err := backtest.LoadRecord()
	if err != nil {
		b.Fatal(err)
	}
	d, err := backtest.NewDrivers(rec, backtest.DefaultCropWeights, 2020)
	if err != nil {
		b.Fatal(err)
	}
	var theta []float64
	for _, p := range h.Params() {
		theta = append(theta, p.Start)
	}
	for b.Loop() {
		sim, err := h.Simulate(context.Background(), theta, d, model.NewMonth(2023, 12), backtest.AllFactors)
		if err != nil || sim.Failed > 0 || math.IsNaN(sim.Price[0]) {
			b.Fatal(err, sim.Failed)
		}
	}
}
