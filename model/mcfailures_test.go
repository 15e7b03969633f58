package model

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// TestMonteCarloFailures: every failed draw is listed with its number and
// reason, in draw order, and the converged draws are the others.
func TestMonteCarloFailures(t *testing.T) {
	scen, cf := mcTestSpecs()
	unc := mcTestUncertain()[:1]
	dist := unc[0].Dist
	// Draws whose elasticity is above 0.6 fail.
	apply := unc[0].Apply
	unc[0].Apply = func(s *Spec, v float64) error {
		if v > 0.6 {
			return errors.New("too elastic")
		}
		return apply(s, v)
	}
	const draws, seed = 40, 9
	res, err := MonteCarlo(context.Background(), scen, cf, unc, MCOptions{Draws: draws, Seed: seed, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	var want []int
	for d := 0; d < draws; d++ {
		if dist.Quantile(uniformOpen(rand.New(rand.NewPCG(seed, uint64(d))))) > 0.6 {
			want = append(want, d)
		}
	}
	if len(want) == 0 || len(want) == draws {
		t.Fatalf("the test needs some failed draws, has %d of %d", len(want), draws)
	}
	if res.Failed != len(want) || len(res.Failures) != len(want) || res.Converged != draws-len(want) {
		t.Fatalf("failed %d, listed %d, converged %d; want %d failed", res.Failed, len(res.Failures), res.Converged, len(want))
	}
	for k, f := range res.Failures {
		if f.Draw != want[k] || !strings.Contains(f.Reason, "too elastic") {
			t.Errorf("failure %d = %+v, want draw %d, too elastic", k, f, want[k])
		}
	}
	if !strings.HasPrefix(res.FirstFailure, "draw "+strconv.Itoa(want[0])+":") {
		t.Errorf("FirstFailure %q", res.FirstFailure)
	}
	for _, tot := range res.Totals {
		if len(tot.Values) != res.Converged {
			t.Errorf("%s has %d values for %d converged draws", tot.Metric, len(tot.Values), res.Converged)
		}
	}
}

// TestMCMemory: the estimate grows with the draws, and the exact regime's
// rows are counted.
func TestMCMemory(t *testing.T) {
	scen, _ := mcTestSpecs()
	cal, err := Calibrate(scen.Market)
	if err != nil {
		t.Fatal(err)
	}
	cells := int64(newMCLayout(cal, scen).cells())
	if m := MCMemory(cal, scen, 10, 2); m < 10*2*cells*8 {
		t.Errorf("10 draws: %d bytes, less than their rows (%d)", m, 10*2*cells*8)
	}
	prev := int64(0)
	for _, d := range []int{1, 100, 10_000, 100_000, 1_000_000} {
		m := MCMemory(cal, scen, d, 2)
		if m <= prev {
			t.Errorf("%d draws: %d bytes, not more than %d", d, m, prev)
		}
		prev = m
	}
	if MCMemory(nil, scen, 10, 1) != 0 || MCMemory(cal, scen, 0, 1) != 0 {
		t.Error("no market or no draws: not 0")
	}
}
