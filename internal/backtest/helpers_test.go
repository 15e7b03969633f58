package backtest

import "testing"

// historyModel returns the built-in history scenario's back-test model.
func historyModel(t *testing.T) *HistoryModel {
	t.Helper()
	h, err := LoadHistory()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// smallConfig is DefaultConfig with the budgets of the synthetic tests:
// 400 simulations per search and per rolling origin and gonum's 40-iteration
// convergence rule (the published 5,000 and 200 cost the synthetic model
// about 15 s of CPU per Run under the race detector for nothing the tests
// check).
func smallConfig() Config {
	cfg := DefaultConfig()
	cfg.Fit.MaxEvals, cfg.Fit.ConvergeIterations = 400, 40
	cfg.Rolling.MaxEvals = 400
	return cfg
}
