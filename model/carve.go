package model

// carveSolution points every float field of s into fl, in solFields'
// order, and its matrices' rows into hd, in a template's shape: n floats
// a per-supplier vector, r a per-region one, f a per-facility one, cor[i]
// and route[i] the lengths of a corridor matrix's and a route matrix's
// rows; it returns what is left of fl and hd. It is solFields written
// out, without two closure calls a field (solutionSlab carves 145
// Solutions a pair); TestCarveSolution checks it against solFields.
func carveSolution(s *Solution, fl []float64, hd [][]float64, n, r, f int, cor, route []int) ([]float64, [][]float64) {
	s.FOB, fl = fl[:n:n], fl[n:]
	s.FOBReceived, fl = fl[:n:n], fl[n:]
	s.Netback, fl = fl[:n:n], fl[n:]
	s.MarginalCost, fl = fl[:n:n], fl[n:]
	s.Sales, fl = fl[:n:n], fl[n:]
	s.Exports, fl = fl[:n:n], fl[n:]
	s.DomesticSales, fl = fl[:n:n], fl[n:]
	s.Revenue, fl = fl[:n:n], fl[n:]
	s.ExportRev, fl = fl[:n:n], fl[n:]
	s.NetbackRevenue, fl = fl[:n:n], fl[n:]
	s.LogisticsCost, fl = fl[:n:n], fl[n:]
	s.ExportTax, fl = fl[:n:n], fl[n:]
	s.ConcessionPaid, fl = fl[:n:n], fl[n:]
	s.CapacityUse, fl = fl[:n:n], fl[n:]
	s.MarkupRent, fl = fl[:n:n], fl[n:]
	s.CorridorRent, fl = fl[:n:n], fl[n:]
	s.CapacityRent, fl = fl[:n:n], fl[n:]
	s.QuotaRent, fl = fl[:n:n], fl[n:]
	s.AdjustmentRent, fl = fl[:n:n], fl[n:]
	s.MineRent, fl = fl[:n:n], fl[n:]
	s.RouteRent, fl = fl[:n:n], fl[n:]
	s.ProducerSurplus, fl = fl[:n:n], fl[n:]
	s.Tonnes, fl = fl[:r:r], fl[r:]
	s.Imports, fl = fl[:r:r], fl[r:]
	s.CFRPrice, fl = fl[:r:r], fl[r:]
	s.PricePaid, fl = fl[:r:r], fl[r:]
	s.PriceIndex, fl = fl[:r:r], fl[r:]
	s.Demand, fl = fl[:r:r], fl[r:]
	s.Consumption, fl = fl[:r:r], fl[r:]
	s.Stocks, fl = fl[:r:r], fl[r:]
	s.ImportBill, fl = fl[:r:r], fl[r:]
	s.TariffRevenue, fl = fl[:r:r], fl[r:]
	s.TRQRent, fl = fl[:r:r], fl[r:]
	s.RiskCost, fl = fl[:r:r], fl[r:]
	s.ConcessionReceived, fl = fl[:r:r], fl[r:]
	s.ConsumerSurplus, fl = fl[:r:r], fl[r:]
	s.CorridorFlow, hd = hd[:len(cor):len(cor)], hd[len(cor):]
	for i, l := range cor {
		s.CorridorFlow[i], fl = fl[:l:l], fl[l:]
	}
	s.CorridorUse, hd = hd[:len(cor):len(cor)], hd[len(cor):]
	for i, l := range cor {
		s.CorridorUse[i], fl = fl[:l:l], fl[l:]
	}
	s.Flow, hd = hd[:len(route):len(route)], hd[len(route):]
	for i, l := range route {
		s.Flow[i], fl = fl[:l:l], fl[l:]
	}
	s.CFR, hd = hd[:len(route):len(route)], hd[len(route):]
	for i, l := range route {
		s.CFR[i], fl = fl[:l:l], fl[l:]
	}
	s.Delivered, hd = hd[:len(route):len(route)], hd[len(route):]
	for i, l := range route {
		s.Delivered[i], fl = fl[:l:l], fl[l:]
	}
	s.CorridorCap, hd = hd[:len(cor):len(cor)], hd[len(cor):]
	for i, l := range cor {
		s.CorridorCap[i], fl = fl[:l:l], fl[l:]
	}
	s.ConductMarkup, fl = fl[:n:n], fl[n:]
	s.FacilityRent, fl = fl[:n:n], fl[n:]
	s.FacilityValue, fl = fl[:f:f], fl[f:]
	s.FacilityUse, fl = fl[:f:f], fl[f:]
	return fl, hd
}
