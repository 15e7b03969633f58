package model

import (
	"math"
	"math/rand/v2"
)

// testMarket returns a base-like 11-supplier × 7-region market for tests and
// benchmarks. Its numbers are rounded 2020-like magnitudes (Mt KCl/yr, $/t)
// chosen for realism of scale only; the shipped dataset lives in
// scenarios/data. Belarus ships through Klaipeda (11 Mt/yr, full at base),
// RussianPorts and ChinaRail; Canada through Vancouver and Portland.
func testMarket() *Market {
	sup := func(name, home string, fob, capa, eta float64, cs ...Corridor) Supplier {
		return Supplier{Name: name, Home: home, FOB: fob, Capacity: capa, Eta: eta, Adjust: 0.1, Corridors: cs}
	}
	reg := func(name string, eps, sigma float64) Region {
		return Region{Name: name, Eps: eps, Sigma: sigma, Adjust: 0.2, Growth: 0.02}
	}
	port := func(capa, cost float64) Corridor { return Corridor{Name: "Port", Capacity: capa, Cost: cost} }
	m := &Market{
		Name: "test-11x7", Version: "0", BaseYear: 2020, Benchmark: "Brazil",
		Suppliers: []Supplier{
			sup("Canada", "", 200, 24, 1.2, Corridor{Name: "Vancouver", Capacity: 16, Cost: 30}, Corridor{Name: "Portland", Capacity: 10, Cost: 35}),
			sup("Russia", "", 195, 15, 1.0, Corridor{Name: "FarEast", Capacity: 4, Cost: 40}, Corridor{Name: "Baltic", Capacity: 12, Cost: 20},
				Corridor{Name: "Arctic", Capacity: 0, Cost: 30}), // closed in the base year
			sup("Belarus", "", 190, 12.5, 1.0,
				Corridor{Name: "Klaipeda", Label: "Klaipėda", Capacity: 11, Cost: 25},
				Corridor{Name: "RussianPorts", Capacity: 2, Cost: 45},
				Corridor{Name: "ChinaRail", Capacity: 1.5, Cost: 60}),
			sup("China", "China", 230, 10, 0.8, port(12, 15)),
			sup("Israel", "", 200, 4, 0.7, port(4.5, 20)),
			sup("Jordan", "", 205, 3, 0.7, port(3, 20)), // corridor full at base
			sup("Germany", "Europe", 215, 5, 0.6, port(6, 25)),
			sup("Laos", "", 210, 1, 1.5, port(1, 40)),
			sup("Chile", "", 200, 1.8, 0.8, port(2, 25)),
			sup("United States", "United States", 260, 0.8, 0.5, port(1, 10)), // capacity full at base
			sup("Other", "", 205, 2, 1.0, port(2.5, 25)),
		},
		Regions: []Region{
			reg("Brazil", 0.4, 4), reg("United States", 0.3, 5), reg("China", 0.3, 3), reg("India", 0.5, 4),
			reg("Southeast Asia", 0.4, 4), reg("Europe", 0.3, 5), reg("Other", 0.4, 4),
		},
		Flows: [][]float64{
			{3.5, 8.5, 2.5, 0.8, 3.0, 0.2, 3.5},
			{3.5, 0.4, 2.5, 1.0, 1.5, 2.0, 2.1},
			{3.0, 0.6, 2.3, 0.8, 1.8, 1.5, 2.0},
			{0, 0, 9.0, 0, 0, 0, 0},
			{0.7, 0, 0.8, 0.5, 0.3, 0.8, 0.4},
			{0.2, 0, 0.6, 0.6, 0.5, 0.1, 1.0},
			{1.0, 0, 0.1, 0.1, 0.3, 2.5, 0.5},
			{0, 0, 0.4, 0, 0.2, 0, 0},
			{0.7, 0.4, 0, 0, 0, 0, 0.4},
			{0, 0.8, 0, 0, 0, 0, 0},
			{0.3, 0, 0, 0.2, 0.2, 0.5, 0.3},
		},
		Freight: [][]float64{
			{45, 25, 35, 40, 35, 45, 40},
			{40, 45, 50, 30, 35, 20, 35},
			{40, 45, 55, 30, 35, 20, 35},
			{60, 60, 0, 40, 30, 60, 50},
			{40, 45, 35, 25, 30, 20, 30},
			{40, 45, 35, 20, 25, 25, 30},
			{40, 40, 50, 40, 40, 10, 35},
			{60, 60, 25, 40, 15, 60, 50},
			{30, 35, 50, 50, 50, 45, 40},
			{60, 0, 60, 60, 60, 50, 50},
			{40, 40, 40, 30, 30, 20, 30},
		},
	}
	m.Wedge = make([][]float64, len(m.Suppliers))
	for i := range m.Wedge {
		m.Wedge[i] = make([]float64, len(m.Regions))
	}
	m.Wedge[0][2] = 0.02 // a small base tariff
	return m
}

// randomMarket draws a valid random market with n suppliers and R regions
// from rng. Every supplier sells to at least one region and every region
// buys from at least one supplier; some routes are zero.
func randomMarket(rng *rand.Rand, n, R int) *Market {
	m := &Market{Name: "random", BaseYear: 2020}
	for r := 0; r < R; r++ {
		m.Regions = append(m.Regions, Region{
			Name:   "R" + itoa(r),
			Eps:    rng.Float64() * 1.5,
			Sigma:  1.2 + rng.Float64()*8,
			Adjust: 0.05 + 0.9*rng.Float64(),
		})
	}
	m.Flows = make([][]float64, n)
	m.Freight = make([][]float64, n)
	m.Wedge = make([][]float64, n)
	for i := 0; i < n; i++ {
		m.Flows[i] = make([]float64, R)
		m.Freight[i] = make([]float64, R)
		m.Wedge[i] = make([]float64, R)
		for r := 0; r < R; r++ {
			if rng.Float64() < 0.7 {
				m.Flows[i][r] = 0.05 + rng.ExpFloat64()*2
			}
			m.Freight[i][r] = rng.Float64() * 60
			if rng.Float64() < 0.2 {
				m.Wedge[i][r] = rng.Float64() * 0.3
			}
		}
	}
	for i := 0; i < n; i++ {
		m.Flows[i][rng.IntN(R)] += 0.1 + rng.Float64()
	}
	for r := 0; r < R; r++ {
		m.Flows[rng.IntN(n)][r] += 0.1 + rng.Float64()
	}
	for i := 0; i < n; i++ {
		var s0 float64
		for r := 0; r < R; r++ {
			s0 += m.Flows[i][r]
		}
		fob := 120 + rng.Float64()*200
		nk := 1 + rng.IntN(3)
		var cs []Corridor
		left := s0 * (1 + rng.Float64()*0.6)
		for k := 0; k < nk; k++ {
			capk := left / float64(nk-k)
			if k < nk-1 {
				capk *= 0.3 + rng.Float64()
			}
			if k == nk-1 {
				capk = math.Max(left, 0)
			}
			left -= capk
			cs = append(cs, Corridor{Name: "C" + itoa(k), Capacity: capk, Cost: rng.Float64() * 0.5 * fob})
		}
		// Make sure the corridors carry base sales and the netback is positive.
		var tot float64
		for _, c := range cs {
			tot += c.Capacity
		}
		if tot < s0 {
			cs[len(cs)-1].Capacity += s0 - tot + 0.01
		}
		m.Suppliers = append(m.Suppliers, Supplier{
			Name:      "S" + itoa(i),
			FOB:       fob,
			Capacity:  s0 * (1 + rng.Float64()*0.5),
			Eta:       0.2 + rng.Float64()*2.5,
			Adjust:    0.05 + 0.9*rng.Float64(),
			Corridors: cs,
		})
	}
	return m
}

func itoa(k int) string {
	if k == 0 {
		return "0"
	}
	var b []byte
	for k > 0 {
		b = append([]byte{byte('0' + k%10)}, b...)
		k /= 10
	}
	return string(b)
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 99)) }
