package main

import (
	"context"
	"io"
	"testing"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/scenarios"
)

// BenchmarkRunNoCharts is `potash run --no-charts` of the default scenario
// through the app: load, simulate, write every file (fsync included).
func BenchmarkRunNoCharts(b *testing.B) {
	dir := b.TempDir()
	e := &env{stdout: io.Discard, stderr: io.Discard, outRoot: dir}
	for b.Loop() {
		if code := runMain(context.Background(), e, []string{"potash", "run", "--no-charts", "--out", dir}); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}

// BenchmarkWriteTidyCSV writes results.csv and bands.csv of the default
// scenario with 20 Monte Carlo draws (the largest outputs) to io.Discard.
func BenchmarkWriteTidyCSV(b *testing.B) {
	s, err := scenarios.Load(scenarios.DefaultScenario, nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	run, err := model.SimulatePair(ctx, s.Spec, s.Counterfactual)
	if err != nil {
		b.Fatal(err)
	}
	mc, err := model.MonteCarlo(ctx, s.Spec, s.Counterfactual, s.Uncertain, model.MCOptions{Draws: 20, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if err := report.WriteTidyCSV(io.Discard, s.Name, run); err != nil {
			b.Fatal(err)
		}
		if err := report.WriteBandsCSV(io.Discard, s.Name, mc); err != nil {
			b.Fatal(err)
		}
	}
}
