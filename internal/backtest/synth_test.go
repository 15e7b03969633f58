package backtest

import (
	"context"
	"math"
	"sync/atomic"

	"github.com/potash-sim/potash/model"
)

// synthModel is a small closed-form stand-in for the potash model, used to
// test the fitting machinery: the log price adjusts at speed mu towards a
// target that moves with the crop index (elasticity a), steps up by b when
// the sanctions switch on in 2022-02, and rises by 0.01 per $/mmBtu of gas
// above its base:
//
//	L*_t = ln 240 + a·ln I_t + b·1[t ≥ 2022-02] + 0.01·(g_t − ḡ)
//	L_t  = L_{t−1} + mu·(L*_t − L_{t−1}),  L_{2019-12} = ln 240
//
// Belarus's exports fall from 12 Mt/yr by the factor e^(−b) with the
// sanctions; Canada's (21) and Russia's (11) stay.
type synthModel struct{ evals atomic.Int64 } // simulations, counted safely across goroutines

var synthSanction = model.NewMonth(2022, 2)

func (*synthModel) Params() []Param {
	return []Param{
		{Name: "a", Unit: "1", Range: model.Range{Lo: 0, Hi: 3}, Start: 1},
		{Name: "mu", Unit: "per month", Range: model.Range{Lo: 0.02, Hi: 1}, Start: 0.3},
		{Name: "b", Unit: "1", Range: model.Range{Lo: 0, Hi: 2}, Start: 0.5},
	}
}

func (s *synthModel) Simulate(ctx context.Context, theta []float64, d *Drivers, end model.Month, on Factors) (*Sim, error) {
	s.evals.Add(1)
	a, mu, b := theta[0], theta[1], theta[2]
	start := model.NewMonth(2020, 1)
	sim := &Sim{Exports: map[string][]float64{}}
	L := math.Log(240)
	for t := start; t <= end; t++ {
		target := math.Log(240)
		if on&FactorDemand != 0 {
			target += a * math.Log(d.Crop.clampedAt(t))
		}
		sanc := 0.0
		if on&FactorSanctions != 0 && t >= synthSanction {
			sanc = 1
		}
		target += b * sanc
		if on&FactorGas != 0 {
			target += 0.01 * (d.Gas.clampedAt(t) - d.GasBase)
		}
		L += mu * (target - L)
		sim.Months = append(sim.Months, t)
		sim.Price = append(sim.Price, math.Exp(L))
		sim.Exports["Belarus"] = append(sim.Exports["Belarus"], 12*math.Exp(-b*sanc))
		sim.Exports["Canada"] = append(sim.Exports["Canada"], 21)
		sim.Exports["Russia"] = append(sim.Exports["Russia"], 11)
	}
	return sim, nil
}

// synthRecord returns the shipped record with the potash price replaced by
// the synthetic model's path at theta (so a fit should recover theta).
func synthRecord(theta []float64) (*Record, error) {
	rec, err := LoadRecord()
	if err != nil {
		return nil, err
	}
	d, err := NewDrivers(rec, DefaultCropWeights, 2020)
	if err != nil {
		return nil, err
	}
	sim, err := (&synthModel{}).Simulate(context.Background(), theta, d, rec.Potash.End(), AllFactors)
	if err != nil {
		return nil, err
	}
	for k, t := range sim.Months {
		rec.Potash.Values[int(t-rec.Potash.Start)] = sim.Price[k]
	}
	return rec, nil
}
