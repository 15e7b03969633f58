package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/scenarios"
)

// TestNoNaNInOutputs: a NaN anywhere in a run is an error naming where it
// is, never a "NaN" cell or JSON value.
func TestNoNaNInOutputs(t *testing.T) {
	s, err := scenarios.Load(scenarios.DefaultScenario, nil)
	if err != nil {
		t.Fatal(err)
	}
	run, err := model.SimulatePair(context.Background(), s.Spec, s.Counterfactual)
	if err != nil {
		t.Fatal(err)
	}
	// The resolved YAML's hash is what the outputs cite: of the YAML after
	// its comment lines.
	body := string(s.Resolved)
	for strings.HasPrefix(body, "#") {
		_, body, _ = strings.Cut(body, "\n")
	}
	sum := sha256.Sum256([]byte(body))
	if hex.EncodeToString(sum[:]) != s.Hash {
		t.Errorf("sha256 of Resolved = %x, Hash = %s", sum, s.Hash)
	}
	if err := report.WriteTidyCSV(io.Discard, s.Name, run); err != nil {
		t.Fatalf("clean run: %v", err)
	}
	k := len(run.Scenario.Sol) / 2
	run.Scenario.Sol[k].Benchmark = math.NaN()
	err = report.WriteTidyCSV(io.Discard, s.Name, run)
	if err == nil || !strings.Contains(err.Error(), "benchmark_price") || !strings.Contains(err.Error(), run.Scenario.Months[k].String()) {
		t.Errorf("NaN benchmark: err = %v, want one naming benchmark_price in %s", err, run.Scenario.Months[k])
	}

	metrics := report.Metrics([]model.Metric{{Name: "benchmark_price_change", Unit: "$/t", Value: math.Inf(1)}}, nil)
	sm := &report.Summary{Metrics: metrics}
	for name, write := range map[string]func(io.Writer, *report.Summary) error{
		"json":     func(w io.Writer, s *report.Summary) error { return s.WriteJSON(w) },
		"markdown": report.WriteMarkdown,
		"table":    report.WriteTable,
	} {
		if err := write(io.Discard, sm); err == nil || !strings.Contains(err.Error(), "benchmark_price_change") {
			t.Errorf("%s with an infinite metric: err = %v", name, err)
		}
	}
}
