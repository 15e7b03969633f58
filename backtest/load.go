package backtest

import (
	"fmt"

	"github.com/potash-sim/potash/scenarios"
)

// LoadHistory loads the built-in history scenario and returns its
// back-test model.
func LoadHistory() (*HistoryModel, error) {
	sc, err := scenarios.Load(HistoryScenario, nil)
	if err != nil {
		return nil, fmt.Errorf("backtest: loading scenario %q: %w", HistoryScenario, err)
	}
	return NewHistoryModel(sc.Spec)
}
