package model

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"testing"
	"time"
)

// mcPipeUncertain is mcTestUncertain with Brazil's Armington elasticity
// drawn below its domain in about one draw in six, so that failed draws
// interleave with converged ones.
func mcPipeUncertain() []Uncertain {
	return append(mcTestUncertain(), Uncertain{
		Name: "market.regions.Brazil.armington", Dist: mustDist(NewUniform(0.6, 6)), Central: 4,
		Apply: func(s *Spec, v float64) error { s.Market.Regions[0].Sigma = v; return nil },
	})
}

// mcRegimes are the exact and the histogram regime of a 300-draw run
// (five blocks, the last short).
var mcRegimes = []struct {
	name string
	lim  int
}{{"exact", MCExactMax}, {"histogram", mcBlock}}

// A slow merge (Progress sleeps after each block) lets the draws run
// ahead until they wait for a free block buffer (mcPipe): the result is
// the same, bit for bit, as one worker's with nothing slowed down, and
// the failed draws are listed in draw order.
func TestMonteCarloSlowMerge(t *testing.T) {
	scen, cf := mcTestSpecs()
	for _, rg := range mcRegimes {
		t.Run(rg.name, func(t *testing.T) {
			defer func(v int) { mcExactLimit = v }(mcExactLimit)
			mcExactLimit = rg.lim
			const draws = 300
			ref, err := MonteCarlo(context.Background(), scen, cf, mcPipeUncertain(), MCOptions{Draws: draws, Seed: 7, Workers: 1})
			if err != nil {
				t.Fatal(err)
			}
			if ref.Failed == 0 || ref.Converged == 0 {
				t.Fatalf("failed %d, converged %d: want both", ref.Failed, ref.Converged)
			}
			for _, w := range []int{2, 3} {
				res, err := MonteCarlo(context.Background(), scen, cf, mcPipeUncertain(), MCOptions{
					Draws: draws, Seed: 7, Workers: w,
					Progress: func(done, total int) { time.Sleep(20 * time.Millisecond) },
				})
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(ref, res) {
					t.Errorf("workers %d, slow merge: result differs from one worker's", w)
				}
				for k := 1; k < len(res.Failures); k++ {
					if res.Failures[k].Draw <= res.Failures[k-1].Draw {
						t.Errorf("failures out of draw order: %d after %d", res.Failures[k].Draw, res.Failures[k-1].Draw)
					}
				}
			}
		})
	}
}

// Cancelling the context after some blocks (from Progress) ends the run
// with the context's error, no further Progress, and every worker
// stopped.
func TestMonteCarloCancel(t *testing.T) {
	scen, cf := mcTestSpecs()
	for _, rg := range mcRegimes {
		for _, w := range []int{1, 2, 3} {
			t.Run(fmt.Sprintf("%s/workers%d", rg.name, w), func(t *testing.T) {
				defer func(v int) { mcExactLimit = v }(mcExactLimit)
				mcExactLimit = rg.lim
				before := runtime.NumGoroutine()
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				var calls, after int
				res, err := MonteCarlo(ctx, scen, cf, mcPipeUncertain(), MCOptions{
					Draws: 300, Seed: 7, Workers: w,
					Progress: func(done, total int) {
						calls++
						if ctx.Err() != nil {
							after++
						}
						if done >= 2*mcBlock {
							cancel()
						}
					},
				})
				if !errors.Is(err, context.Canceled) || res != nil {
					t.Errorf("workers %d: got %v, %v; want nil, context.Canceled", w, res, err)
				}
				if calls != 2 || after != 0 {
					t.Errorf("workers %d: Progress called %d times, %d after the cancellation; want 2, 0", w, calls, after)
				}
				// A worker's goroutine may still be exiting (after
				// its WaitGroup.Done): wait for the count to settle.
				deadline := time.Now().Add(5 * time.Second)
				for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
					time.Sleep(time.Millisecond)
				}
				if n := runtime.NumGoroutine(); n > before {
					t.Errorf("workers %d: %d goroutines after the run, %d before", w, n, before)
				}
			})
		}
	}
}
