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
	// Domestic sales inside the export flows, from the base dataset the
	// scenario runs on (none for a market written inline).
	if mf, err := scenarios.BaseMarketFile(sc.Spec.Market.Name); err == nil {
		h.Domestic = map[string]float64{}
		for _, sf := range mf.Suppliers {
			if sf.Domestic.Value > 0 {
				h.Domestic[sf.Name] = sf.Domestic.Value
			}
		}
	}
	return h, nil
}

// LoadRecord parses the embedded reference data: the World Bank Pink Sheet
// monthly prices and FAOSTAT potash exports (scenarios.Reference).
func LoadRecord() (*Record, error) {
	ps, err := scenarios.Reference(PinkSheetFile)
	if err != nil {
		return nil, err
	}
	fa, err := scenarios.Reference(FAOSTATFile)
	if err != nil {
		return nil, err
	}
	return ParseRecord(PinkSheetFile, ps, FAOSTATFile, fa)
}
