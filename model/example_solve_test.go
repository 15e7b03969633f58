package model_test

import (
	"fmt"

	"github.com/potash-sim/potash/model"
)

// twoSupplierMarket is a toy market: two suppliers selling to one region.
func twoSupplierMarket() *model.Market {
	return &model.Market{
		Name: "toy", BaseYear: 2020, Benchmark: "World",
		Suppliers: []model.Supplier{
			{Name: "North", FOB: 200, Capacity: 12, Eta: 1, Adjust: 0.1,
				Corridors: []model.Corridor{{Name: "Port", Capacity: 8, Cost: 20}, {Name: "Rail", Capacity: 6, Cost: 45}}},
			{Name: "South", FOB: 210, Capacity: 6, Eta: 0.8, Adjust: 0.1,
				Corridors: []model.Corridor{{Name: "Port", Capacity: 6, Cost: 25}}},
		},
		Regions: []model.Region{{Name: "World", Eps: 0.4, Sigma: 4, Adjust: 0.2}},
		Flows:   [][]float64{{10}, {5}},
		Freight: [][]float64{{30}, {35}},
	}
}

func ExampleCalibrate() {
	c, err := model.Calibrate(twoSupplierMarket())
	if err != nil {
		fmt.Println(err)
		return
	}
	// P0 = (230·10 + 245·5)/15; β = (10/15)·(230/235)^4.
	// North sells 10 Mt: 8 through Port, the last tonnes through Rail, so
	// its base netback is 200 − 45.
	fmt.Printf("P0 = %.2f $/t, Q0 = %.1f Mt/yr\n", c.P0[0], c.Q0[0])
	fmt.Printf("North: m0 = %.0f $/t, beta = %.4f\n", c.M0[0], c.Beta[0][0])

	bad := twoSupplierMarket()
	bad.Regions[0].Sigma = 0.8
	_, err = model.Calibrate(bad)
	fmt.Println(err)
	// Output:
	// P0 = 235.00 $/t, Q0 = 15.0 Mt/yr
	// North: m0 = 155 $/t, beta = 0.6117
	// regions[World].sigma: 0.8 must exceed 1
}

func ExampleSolver_Solve() {
	m := twoSupplierMarket()
	c, err := model.Calibrate(m)
	if err != nil {
		fmt.Println(err)
		return
	}
	s := model.NewSolver(c)
	sol := model.NewSolution(c)

	// Close North's Rail corridor: it can now ship only 8 Mt/yr.
	pol := model.NewPolicy(m)
	pol.CorridorCap[0][m.CorridorIndex(0, "Rail")] = 0
	res, err := s.Solve(pol, nil, nil, sol)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Reference values agree with the brute-force solver of brute_test.go;
	// the corridor rent is (261.93 − 20 − MC(8))·8 with MC(8) = 8·155/10.
	fmt.Println(res.Status)
	for i, sp := range m.Suppliers {
		fmt.Printf("%s: FOB %.2f $/t, sales %.2f Mt/yr, revenue %.0f $M/yr, binding %d\n",
			sp.Name, sol.FOB[i], sol.Sales[i], sol.Revenue[i], sol.Binding[i])
	}
	fmt.Printf("benchmark %.2f $/t, North's corridor rent %.0f $M/yr\n", sol.Benchmark, sol.CorridorRent[0])
	// Output:
	// converged
	// North: FOB 261.93 $/t, sales 8.00 Mt/yr, revenue 2095 $M/yr, binding 1
	// South: FOB 248.25 $/t, sales 5.81 Mt/yr, revenue 1443 $M/yr, binding 0
	// benchmark 288.28 $/t, North's corridor rent 943 $M/yr
}
