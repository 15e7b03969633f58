package model_test

import (
	"context"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/scenarios"
)

// BenchmarkPathPair simulates the 108-month us-relief-2025 pair (2020-01 …
// 2028-12 on the base-2020 dataset: scenario and counterfactual, every
// month's Solution stored), calibration included. Target (issue 14):
// ≤ 3 ms on the 2-core machine (the counterfactual's own months run on a
// second goroutine).
func BenchmarkPathPair(b *testing.B) {
	s := loadBuiltin(b, "us-relief-2025")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := model.SimulatePair(ctx, s.Spec, s.Counterfactual); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPathPairWork is BenchmarkPathPair reporting the solver's work
// per solved month from each month's Result: excess-demand evaluations
// and Newton iterations (months the counterfactual shares with the
// scenario are counted once). A month's cost is about these times an
// evaluation's, plus its fixed set-up and outputs (docs/MODEL.md,
// section 9.2, "Speed", and docs/SPEED.md).
func BenchmarkPathPairWork(b *testing.B) {
	s := loadBuiltin(b, "us-relief-2025")
	ctx := context.Background()
	var evals, iters, months int
	for b.Loop() {
		run, err := model.SimulatePair(ctx, s.Spec, s.Counterfactual)
		if err != nil {
			b.Fatal(err)
		}
		evals, iters, months = 0, 0, 0
		for _, p := range []*model.Path{run.Scenario, run.Counterfactual} {
			for k, r := range p.Results {
				if p == run.Counterfactual && p.Sol[k] == run.Scenario.Sol[k] {
					continue // a shared month, solved once
				}
				evals += r.Evaluations
				iters += r.Iterations
				months++
			}
		}
	}
	b.ReportMetric(float64(months), "months-solved")
	b.ReportMetric(float64(evals)/float64(months), "evals/month")
	b.ReportMetric(float64(iters)/float64(months), "iters/month")
}

// BenchmarkPathPairNoEvents is the same pair on the bare base market with
// no events (every month is the base year): the bookkeeping floor.
func BenchmarkPathPairNoEvents(b *testing.B) {
	m, err := scenarios.BaseMarket("base-2020")
	if err != nil {
		b.Skipf("base market: %v", err)
	}
	spec := &model.Spec{Market: m, Start: model.NewMonth(2020, 1), End: model.NewMonth(2028, 12)}
	cf := spec.Clone()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := model.SimulatePair(context.Background(), spec, cf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMonteCarlo10k runs 10,000 draws of us-relief-2025 over its
// horizon on all GOMAXPROCS cores: run with -cpu 1,2 -benchtime 1x to see
// the speed-up. Target (issue 14): ≤ 15 s on 2 cores.
func BenchmarkMonteCarlo10k(b *testing.B) {
	benchMC(b, 10000)
}

// BenchmarkMonteCarlo100k runs 100,000 draws of us-relief-2025 and
// reports the peak heap in use and the memory obtained from the OS
// (runtime/metrics' equivalents of MemStats.HeapAlloc and Sys −
// HeapReleased, sampled every 20 ms). Target: peak < 500 MB. Run with
// -benchtime 1x; for the process's max RSS run the test binary under
// /usr/bin/time -v.
func BenchmarkMonteCarlo100k(b *testing.B) {
	benchMC(b, 100000)
}

// BenchmarkMonteCarlo100Serial runs 100 draws of us-relief-2025 on one
// worker: the CPU cost of a draw, for instruction counts (callgrind) and
// before/after comparisons on a shared machine.
func BenchmarkMonteCarlo100Serial(b *testing.B) {
	s := loadBuiltin(b, "us-relief-2025")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := model.MonteCarlo(context.Background(), s.Spec, s.Counterfactual, s.Uncertain, model.MCOptions{Draws: 100, Seed: 1, Workers: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMonteCarloConductSerial is BenchmarkMonteCarlo100Serial on
// us-relief-2025 with the conducts of Canada, Russia and Belarus stated
// directly (φ 0.32, 0.69, 0.40: about what bpc-reunion's gap shares
// derive at base-2020's elasticities), so that the conduct rule
// calibrates each candidate of a draw whose ε is drawn: the cost of
// the conduct rule and of the draws' calibration, for instruction
// counts (callgrind).
func BenchmarkMonteCarloConductSerial(b *testing.B) {
	s := loadBuiltin(b, "us-relief-2025")
	scen, cf := s.Spec.Clone(), s.Counterfactual.Clone()
	for _, m := range []*model.Market{scen.Market, cf.Market} {
		for name, phi := range map[string]float64{"Canada": 0.32, "Russia": 0.69, "Belarus": 0.40} {
			i := m.SupplierIndex(name)
			if i < 0 {
				b.Fatalf("no supplier %s", name)
			}
			m.Suppliers[i].Conduct, m.Suppliers[i].ConductGapShare = phi, 0
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := model.MonteCarlo(context.Background(), scen, cf, s.Uncertain, model.MCOptions{Draws: 100, Seed: 1, Workers: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTruncation measures us-relief-2025's pilot: model.Truncation's
// PilotDraws candidates checked against the joint rules (the stock-cycle
// rule's eigenvalues in every region with stocks), as a scenario's load
// pays it when a run's own override or --set moves a correlated group's
// box (scenarios, overrideRise).
func BenchmarkTruncation(b *testing.B) {
	s := loadBuiltin(b, "us-relief-2025")
	b.ReportAllocs()
	for b.Loop() {
		model.Truncation(s.Spec, s.Counterfactual, s.Uncertain)
	}
}

// BenchmarkMonteCarloHistSerial runs 256 draws of us-relief-2025 on one
// worker with exact percentiles only up to one block (64 draws), so that
// the other three blocks go through the histograms as in runs of more
// than MCExactMax draws: the CPU cost of a draw with its share of the
// bands (bandStore.add), for instruction counts (callgrind) and
// before/after comparisons on a shared machine.
func BenchmarkMonteCarloHistSerial(b *testing.B) {
	s := loadBuiltin(b, "us-relief-2025")
	defer model.SetMCExactLimit(64)()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := model.MonteCarlo(context.Background(), s.Spec, s.Counterfactual, s.Uncertain, model.MCOptions{Draws: 256, Seed: 1, Workers: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

func benchMC(b *testing.B, draws int) {
	s := loadBuiltin(b, "us-relief-2025")
	runtime.GC()
	var peakHeap, peakSys atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		// runtime/metrics, not runtime.ReadMemStats: ReadMemStats stops
		// the world, 50 times a second here, and the draws with it (on a
		// loaded host for 13-40 % of the run's wall clock).
		ms := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(ms)
			heap, sys, released := ms[0].Value.Uint64(), ms[1].Value.Uint64(), ms[2].Value.Uint64()
			if heap > peakHeap.Load() {
				peakHeap.Store(heap)
			}
			if s := sys - released; s > peakSys.Load() {
				peakSys.Store(s)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	var failed int
	for b.Loop() {
		res, err := model.MonteCarlo(context.Background(), s.Spec, s.Counterfactual, s.Uncertain, model.MCOptions{Draws: draws, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		failed = res.Failed
	}
	close(stop)
	wg.Wait()
	b.ReportMetric(float64(peakHeap.Load())/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(peakSys.Load())/(1<<20), "peak-sys-MB")
	b.ReportMetric(float64(failed), "failed-draws")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)/float64(draws)*1e6, "µs/draw")
}

// BenchmarkEval times one excess-demand evaluation (workspace.eval) of
// us-relief-2025's scenario at its solution for 2025-06 (stocks, a
// tariff-rate quota, the facility and the segments in force): the unit
// of work of the solves (about 5.5 a month; docs/SPEED.md).
func BenchmarkEval(b *testing.B) {
	s := loadBuiltin(b, "us-relief-2025")
	eval, err := model.PathMonthEval(s.Spec, model.NewMonth(2025, 6))
	if err != nil {
		b.Fatal(err)
	}
	if f := eval(); !(f < 1e-9) {
		b.Fatalf("max |F| = %g at the month's solution", f)
	}
	for b.Loop() {
		eval()
	}
}
