package scenarios

import "github.com/potash-sim/potash/model"

// DefaultMarket is the embedded base dataset scenarios use by default.
const DefaultMarket = "base-2020"

// BaseMarket returns the embedded base dataset called name (e.g.
// "base-2020") converted to a model.Market.
func BaseMarket(name string) (*model.Market, error) { return nil, errNotImplemented }

// BaseMarketFile returns the embedded base dataset called name as parsed
// from its YAML (with every number's source).
func BaseMarketFile(name string) (*MarketFile, error) { return nil, errNotImplemented }

// BaseDatasets lists the embedded dataset names.
func BaseDatasets() []string { return nil }
