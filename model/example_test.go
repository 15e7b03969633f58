package model_test

import (
	"context"
	"fmt"
	"math"

	"github.com/potash-sim/potash/model"
)

// exampleMarket is a two-supplier, two-region market: North exports
// through one port, West through a cheap rail corridor and a dearer port.
func exampleMarket() *model.Market {
	return &model.Market{
		Name: "example", BaseYear: 2020, Benchmark: "South",
		Suppliers: []model.Supplier{
			{Name: "North", FOB: 200, Capacity: 14, Eta: 1, Adjust: 0.1,
				Corridors: []model.Corridor{{Name: "Port", Capacity: 15, Cost: 30}}},
			{Name: "West", FOB: 190, Capacity: 12, Eta: 1, Adjust: 0.1,
				Corridors: []model.Corridor{{Name: "Rail", Capacity: 8, Cost: 25}, {Name: "Sea", Capacity: 6, Cost: 45}}},
		},
		Regions: []model.Region{
			{Name: "South", Eps: 0.4, Sigma: 4, Adjust: 0.2},
			{Name: "East", Eps: 0.3, Sigma: 4, Adjust: 0.2},
		},
		Flows:   [][]float64{{6, 4}, {5, 5}},
		Freight: [][]float64{{40, 30}, {35, 45}},
	}
}

// Simulate a corridor closure: West's rail corridor closes in March 2022
// and West reroutes by sea, whose capacity ramps from 6 to 10 Mt/yr over a
// year. In the month of the closure the short-run elasticities are small
// (supply λη = 0.1, demand με = 0.08 with λ = 0.1, μ = 0.2 a month), so
// the price more than quadruples; it falls back as the sea route grows
// and supply and demand adjust.
func ExampleSimulate() {
	m := exampleMarket()
	start := model.NewMonth(2022, 1)
	spec := &model.Spec{
		Name: "rail closed", Market: m, Start: start, End: start + 35,
		Events: []model.Event{
			{ID: "rail-closed", Kind: model.EventCorridorCapacity, Supplier: 1, Corridor: 0, Value: 0, Start: start + 2},
			{ID: "sea", Kind: model.EventCorridorCapacity, Supplier: 1, Corridor: 1, Value: 10, Start: start + 2, RampIn: 12},
		},
	}
	path, err := model.Simulate(context.Background(), spec)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("failed months:", path.Failed)
	for _, k := range []int{0, 2, 8, 35} {
		s := path.Sol[k]
		fmt.Printf("%v: South price %.1f $/t, West exports %.2f Mt/yr\n", path.Months[k], s.Benchmark, s.Exports[1])
	}
	// Output:
	// failed months: 0
	// 2022-01: South price 233.2 $/t, West exports 10.00 Mt/yr
	// 2022-03: South price 1006.1 $/t, West exports 6.33 Mt/yr
	// 2022-09: South price 239.1 $/t, West exports 8.24 Mt/yr
	// 2024-12: South price 233.2 $/t, West exports 9.97 Mt/yr
}

// A Monte Carlo of the same closure against no closure, with North's
// supply elasticity uncertain: 200 draws, percentiles of West's
// cumulative revenue change over the report window.
func ExampleMonteCarlo() {
	m := exampleMarket()
	start := model.NewMonth(2022, 1)
	cf := &model.Spec{Name: "no closure", Market: m, Start: start, End: start + 23}
	scen := cf.Clone()
	scen.Name = "rail closed"
	scen.Events = []model.Event{{ID: "rail-closed", Kind: model.EventCorridorCapacity, Supplier: 1, Corridor: 0, Value: 0, Start: start}}
	eta, _ := model.NewTriangular(0.5, 1, 2)
	unc := []model.Uncertain{{
		Name: "market.suppliers.North.supply_elasticity", Dist: eta, Central: 1,
		Apply: func(s *model.Spec, v float64) error { s.Market.Suppliers[0].Eta = v; return nil },
	}}
	res, err := model.MonteCarlo(context.Background(), scen, cf, unc, model.MCOptions{Draws: 200, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	t := res.Total("revenue_change.West")
	fmt.Printf("draws %d, failed %d, exact percentiles %v\n", res.Draws, res.Failed, res.Exact)
	fmt.Printf("West revenue change over 2 years, $M: P5 %.0f, median %.0f, P95 %.0f\n",
		math.Round(t.Band.P5), math.Round(t.Band.P50), math.Round(t.Band.P95))
	// Output:
	// draws 200, failed 0, exact percentiles true
	// West revenue change over 2 years, $M: P5 -274, median 30, P95 518
}
