package model_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"math"
	"reflect"
	"runtime"
	"testing"

	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/scenarios"
)

// runDigest is a SHA-256 over every value of every month of run's two
// paths (floatsOf) and their statuses.
func runDigest(run *model.Run) [32]byte {
	h := sha256.New()
	var b [8]byte
	for _, p := range []*model.Path{run.Scenario, run.Counterfactual} {
		for k, sol := range p.Sol {
			for _, v := range floatsOf(reflect.ValueOf(sol), nil) {
				binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
				h.Write(b[:])
			}
			binary.LittleEndian.PutUint64(b[:], uint64(p.Results[k].Status))
			h.Write(b[:])
		}
	}
	var d [32]byte
	h.Sum(d[:0])
	return d
}

// TestPairPoolReuse checks SimulatePair's reuse of the last pair's
// simulators (pairPool): pairs of built-ins of other events, drivers and
// markets, one after another, each taking its predecessor's storage,
// give the bits of the same pair run first, and no pair writes into a
// Run returned before it (a simulator pooled holding a stored month
// would).
func TestPairPoolReuse(t *testing.T) {
	ctx := context.Background()
	names := []string{"us-relief-2025", "bpc-breakup", "eu-relief", "history", "us-relief-2025", "klaipeda-reopens", "bpc-breakup"}
	first := map[string][32]byte{}
	var runs []*model.Run
	var sums [][32]byte
	specs := make([]*scenarios.Scenario, len(names))
	for i, name := range names {
		specs[i] = loadBuiltin(t, name)
	}
	// One P, so that the pair is pooled where the next Get looks
	// (sync.Pool's per-P slot).
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	pooled := 0
	for i, name := range names {
		s := specs[i]
		if i > 0 && model.PairPooled() {
			pooled++
		}
		run, err := model.SimulatePair(ctx, s.Spec, s.Counterfactual)
		if err != nil {
			t.Fatal(err)
		}
		d := runDigest(run)
		if f, ok := first[name]; ok && f != d {
			t.Errorf("%s after %s differs from its first run", name, names[i-1])
		}
		first[name] = d
		runs, sums = append(runs, run), append(sums, d)
	}
	// The race detector has sync.Pool drop a quarter of what it is given.
	if pooled == 0 {
		t.Errorf("no pair pooled for the next of %d pairs", len(names))
	}
	for i, run := range runs {
		if runDigest(run) != sums[i] {
			t.Errorf("%s (pair %d) changed after the pairs that followed it", names[i], i)
		}
	}
}
