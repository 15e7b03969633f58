package model_test

import (
	"context"
	"sync"
	"testing"

	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/scenarios"
)

// TestLimitedWeightsOncePerUser: at every evaluation of every built-in
// pair, the facility users' weights through their limited tied corridors,
// taken from blend weights and flow slopes found once per user
// (limitedSteps), equal bit for bit (sign of zero included) those found
// again for each region (model.CheckLimitedWeights).
func TestLimitedWeightsOncePerUser(t *testing.T) {
	ctx := context.Background()
	total := 0
	for _, info := range scenarios.Builtins() {
		t.Run(info.Name, func(t *testing.T) {
			s := loadBuiltin(t, info.Name)
			var (
				mu    sync.Mutex
				count int
				diffs diffLog
			)
			stop := model.CheckLimitedWeights(diffs.add, func(n int) {
				mu.Lock()
				defer mu.Unlock()
				count += n
			})
			defer stop()
			if _, err := model.SimulatePair(ctx, s.Spec, s.Counterfactual); err != nil {
				t.Fatal(err)
			}
			stop()
			total += count
			if bad, first := diffs.get(); bad > 0 {
				t.Errorf("%d of %d weights differ; the first: %s", bad, count, first)
			}
		})
	}
	if total == 0 {
		t.Fatal("no weight compared: no built-in pair has a facility user with limited tied corridors")
	}
	t.Logf("%d weights compared", total)
}
