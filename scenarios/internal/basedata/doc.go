// Package basedata rebuilds the base-year (2020) bilateral flow matrix of
// the potash base dataset from the reference data shipped in
// scenarios/data/reference: FAOSTAT nutrient totals (t K2O), the USGS
// salient statistics and the destination shares (Trade Data Monitor for
// Canada, Russia and Belarus; estimates for the others). It builds a prior
// matrix from the shares, supplier (row) and region (column) totals from
// the FAOSTAT and USGS figures converted to KCl (÷ K2OPerKCl), and balances
// the prior to the totals by RAS (biproportional scaling), so the estimate
// in scenarios/data/base-2020.yaml is reproducible:
//
//	go generate ./scenarios/
//
// runs cmd/rasgen, which rewrites the flow_mt entries of the dataset's
// routes. docs/DATA.md explains every step.
package basedata
