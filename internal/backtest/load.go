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
	h, err := NewHistoryModel(sc.Spec)
	if err != nil {
		return nil, err
	}
	h.Hash = sc.Hash
	if cd := sc.CropDriver(); cd != nil {
		h.Crop = cd
	}
	return h, nil
}

// LoadRecord parses the embedded reference data: the World Bank Pink Sheet
// monthly prices, FAOSTAT potash exports and the US CPI-U
// (scenarios.Reference, scenarios.RecordedPriceLevel).
func LoadRecord() (*Record, error) {
	ps, err := scenarios.Reference(PinkSheetFile)
	if err != nil {
		return nil, err
	}
	fa, err := scenarios.Reference(FAOSTATFile)
	if err != nil {
		return nil, err
	}
	r, err := ParseRecord(PinkSheetFile, ps, FAOSTATFile, fa)
	if err != nil {
		return nil, err
	}
	if r.CPI, err = scenarios.RecordedPriceLevel(); err != nil {
		return nil, err
	}
	return r, nil
}
