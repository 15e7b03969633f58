package backtest

import (
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"

	"github.com/potash-sim/potash/model"
)

// toyRecord has constant crop prices in 2019 and 2020 (maize 150,
// soybeans 300, wheat 200 $/t) and in 2021-01 maize 300 (×2), soybeans 300
// (×1), wheat 100 (×0.5); gas 3 $/mmBtu in 2019–2020 and 30 in 2021-01.
func toyRecord() *Record {
	r := &Record{}
	start := model.NewMonth(2019, 1)
	for _, s := range []*Series{&r.Maize, &r.Soybeans, &r.Wheat, &r.Gas, &r.Potash} {
		s.Start = start
	}
	for k := 0; k < 24; k++ {
		r.Maize.Values = append(r.Maize.Values, 150)
		r.Soybeans.Values = append(r.Soybeans.Values, 300)
		r.Wheat.Values = append(r.Wheat.Values, 200)
		r.Gas.Values = append(r.Gas.Values, 3)
		r.Potash.Values = append(r.Potash.Values, 241)
	}
	r.Maize.Values = append(r.Maize.Values, 300)
	r.Soybeans.Values = append(r.Soybeans.Values, 300)
	r.Wheat.Values = append(r.Wheat.Values, 100)
	r.Gas.Values = append(r.Gas.Values, 30)
	r.Potash.Values = append(r.Potash.Values, 500)
	return r
}

func TestCropIndex(t *testing.T) {
	r := toyRecord()
	jan21 := model.NewMonth(2021, 1)
	for _, tc := range []struct {
		name string
		w    CropWeights
		want float64 // index in 2021-01, by hand
	}{
		{"equal", DefaultCropWeights, (2 + 1 + 0.5) / 3.0}, // 1.1666…
		{"maize half", CropWeights{Maize: 0.5, Soybeans: 0.25, Wheat: 0.25}, 0.5*2 + 0.25*1 + 0.25*0.5},
		{"wheat only", CropWeights{Wheat: 1}, 0.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			idx, err := CropIndex(r, tc.w, 2020)
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := idx.At(jan21); !scalar.EqualWithinRel(got, tc.want, 1e-14) {
				t.Errorf("I(2021-01) = %.17g, want %.17g", got, tc.want)
			}
			if m, n := idx.Mean(model.NewMonth(2020, 1), model.NewMonth(2020, 12)); n != 12 || !scalar.EqualWithinRel(m, 1, 1e-14) {
				t.Errorf("2020 mean = %g over %d months, want 1", m, n)
			}
		})
	}
	if _, err := CropIndex(r, CropWeights{Maize: 0.5, Soybeans: 0.5, Wheat: 0.5}, 2020); err == nil {
		t.Error("weights summing to 1.5 accepted")
	}
	if _, err := CropIndex(r, DefaultCropWeights, 2018); err == nil {
		t.Error("base year without prices accepted")
	}
}

// TestCropIndexShipped checks the index on the shipped Pink Sheet data: it
// averages 1 over 2020, and in 2022-05 (maize 344.84, soybeans 724.09,
// wheat 522.29 $/t against 2020 averages 165.466, 406.64, 231.565) it is
// (2.0841 + 1.7807 + 2.2555)/3 ≈ 2.040.
func TestCropIndexShipped(t *testing.T) {
	rec, err := LoadRecord()
	if err != nil {
		t.Fatal(err)
	}
	idx, err := CropIndex(rec, DefaultCropWeights, 2020)
	if err != nil {
		t.Fatal(err)
	}
	if m, n := idx.Mean(model.NewMonth(2020, 1), model.NewMonth(2020, 12)); n != 12 || !scalar.EqualWithinRel(m, 1, 1e-12) {
		t.Errorf("2020 mean = %g over %d months, want 1", m, n)
	}
	if v, _ := idx.At(model.NewMonth(2022, 5)); !scalar.EqualWithinAbs(v, 2.040, 1e-3) {
		t.Errorf("I(2022-05) = %.4f, want 2.040", v)
	}
	if idx.Start != model.NewMonth(2005, 1) || idx.End() != model.NewMonth(2025, 10) {
		t.Errorf("index covers %v..%v, want 2005-01..2025-10", idx.Start, idx.End())
	}
}

// TestDemandAndGasSeries checks the drivers SpecFor puts into the model on
// the toy record by hand: the crop-price driver's level with equal weights
// is 1 through 2020 and 7/6 from 2021-01 (held after the record), read a
// lag later (0.25 months: 0.75·7/6 + 0.25·1 = 9/8 in 2021-01), with the
// fitted elasticity; the gas cost is 4 mmBtu/t × (30 − 3) $/mmBtu.
func TestDemandAndGasSeries(t *testing.T) {
	r := toyRecord()
	d, err := NewDrivers(r, DefaultCropWeights, 2020)
	if err != nil {
		t.Fatal(err)
	}
	h := historyModel(t)
	jan21 := model.NewMonth(2021, 1)
	theta := h.startValues()
	ie, il := h.idx[ParamCropElasticity], h.idx[ParamCropLag]
	for _, tc := range []struct {
		name string
		lag  float64
		at   model.Month
		want float64
	}{
		{"2020", 0, model.NewMonth(2020, 6), 1},
		{"jump", 0, jan21, 7.0 / 6},
		{"held after the record", 0, jan21 + 5, 7.0 / 6},
		{"lag 1", 1, jan21, 1},
		{"lag 1, a month later", 1, jan21 + 1, 7.0 / 6},
		{"lag 0.25", 0.25, jan21, 9.0 / 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			theta[ie], theta[il] = 0.5, tc.lag
			s, err := h.SpecFor(theta, d, jan21+6, AllFactors)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Drivers) != len(s.Market.Regions)+1 {
				t.Fatalf("%d drivers, want one per region and the projection", len(s.Drivers))
			}
			for _, e := range s.Drivers {
				if e.Aux != [2]float64{tc.lag, 0.5} {
					t.Errorf("%s: lag, elasticity %v", e.ID, e.Aux)
				}
				if e.Region < 0 {
					continue // the projection: level 1 (held)
				}
				if got := e.DriverLevel(tc.at); !scalar.EqualWithinAbs(got, tc.want, 1e-14) {
					t.Errorf("%s: level %.17g in %v, want %.17g", e.ID, got, tc.at, tc.want)
				}
			}
			if s, _ := h.SpecFor(theta, d, jan21+6, FactorSanctions); len(s.Drivers) != 0 {
				t.Errorf("crop demand switched off: %d drivers", len(s.Drivers))
			}
		})
	}
	// Gas: 4 mmBtu/t × (30 − 3) $/mmBtu = 108 $/t in 2021-01, 0 in 2020.
	g := GasCostSeries(d, 4, model.NewMonth(2020, 6), jan21)
	if g[0] != 0 || !scalar.EqualWithinAbs(g[len(g)-1], 108, 1e-12) {
		t.Errorf("gas cost = %v, want 0 … 108", g)
	}
}

func TestK2OToKCl(t *testing.T) {
	for _, tc := range []struct{ tK2O, wantMt float64 }{
		{600000, 1},                     // 0.6 Mt K2O is 1 Mt of 60% MOP
		{2596624.12, 4.327706866666667}, // FAOSTAT Belarus 2022
		{0, 0},
	} {
		if got := K2OToKCl(tc.tK2O); !scalar.EqualWithinRel(got, tc.wantMt, 1e-14) {
			t.Errorf("K2OToKCl(%g) = %.17g, want %.17g", tc.tK2O, got, tc.wantMt)
		}
	}
}

func TestLoadRecord(t *testing.T) {
	rec, err := LoadRecord()
	if err != nil {
		t.Fatal(err)
	}
	// FAOSTAT Belarus 2022: 2,596,624.12 t K2O → 4.33 Mt KCl; Canada 2023
	// 13,705,612.16 t → 22.84 Mt.
	for _, tc := range []struct {
		who  string
		year int
		want float64
	}{
		{"Belarus", 2022, 2596624.12 / 0.6 / 1e6},
		{"Canada", 2023, 13705612.16 / 0.6 / 1e6},
		{"Russia", 2020, 6568932.64 / 0.6 / 1e6},
	} {
		if got, ok := rec.Exports[tc.who].At(tc.year); !ok || !scalar.EqualWithinRel(got, tc.want, 1e-14) {
			t.Errorf("%s %d = %g, want %g", tc.who, tc.year, got, tc.want)
		}
	}
	if v, ok := rec.Potash.At(model.NewMonth(2022, 4)); !ok || v != 1202 {
		t.Errorf("potash 2022-04 = %v", v)
	}
	if _, ok := rec.Potash.At(model.NewMonth(2025, 11)); ok {
		t.Error("potash published after the data end (2025-10)")
	}
}

func TestParseRecordErrors(t *testing.T) {
	good := "country,year,measure,unit,value\nBelarus,2020,Export quantity,t,1\n"
	hdr := "month,potash_kcl_usd_per_t,maize_usd_per_t,soybeans_usd_per_t,wheat_us_hrw_usd_per_t,natural_gas_europe_usd_per_mmbtu\n"
	for _, tc := range []struct {
		name, ps, fa, want string
	}{
		{"missing column", "month,potash_kcl_usd_per_t\n2020M01,1\n", good, `ps.csv:1: missing column "maize_usd_per_t"`},
		{"bad month", hdr + "2020-01,1,1,1,1,1\n", good, "ps.csv:2:1: month"},
		{"gap", hdr + "2020M01,1,1,1,1,1\n2020M03,1,1,1,1,1\n", good, "ps.csv:3:1: month: got 2020-03, want 2020-02"},
		{"negative", hdr + "2020M01,1,1,-3,1,1\n", good, "ps.csv:2:4: soybeans_usd_per_t"},
		{"fao unit", hdr + "2020M01,1,1,1,1,1\n", "country,year,measure,unit,value\nBelarus,2020,Export quantity,kt,1\n", "fa.csv:2:4: unit"},
		{"fao value", hdr + "2020M01,1,1,1,1,1\n", "country,year,measure,unit,value\nBelarus,2020,Export quantity,t,x\n", "fa.csv:2:5: value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseRecord("ps.csv", []byte(tc.ps), "fa.csv", []byte(tc.fa))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}
