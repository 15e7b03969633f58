package scenarios

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/potash-sim/potash/model"
)

// This file builds the market's demand drivers (MarketFile.Drivers): the
// crop-price index of each region from the embedded Pink Sheet, entering
// demand as model.EventDemandDriver events in model.Spec.Drivers, shared by
// a scenario and its counterfactual (docs/SCENARIOS.md, "Drivers";
// docs/MODEL.md, section 7).

// PinkSheetFile is the embedded World Bank Pink Sheet extract.
const PinkSheetFile = "pinksheet-fertilizer-monthly.csv"

// CropDriverID is the id of the crop-price driver's model events:
// "crop_prices.REGION" for each region's recorded index and
// CropDriverID+".projection" for the projection after the record.
const CropDriverID = "crop_prices"

// Pink Sheet columns of the crops in the index.
const (
	colMaize    = "maize_usd_per_t"
	colSoybeans = "soybeans_usd_per_t"
	colWheat    = "wheat_us_hrw_usd_per_t"
)

// CropPrices are monthly crop prices, $/t: Maize[k] is the price in month
// Start+k (NaN: not published).
type CropPrices struct {
	Start                  model.Month
	Maize, Soybeans, Wheat []float64
}

// End returns the last month of p.
func (p *CropPrices) End() model.Month { return p.Start + model.Month(len(p.Maize)) - 1 }

// Before returns a copy of p holding only the months before cut.
func (p *CropPrices) Before(cut model.Month) *CropPrices {
	n := max(0, min(int(cut-p.Start), len(p.Maize)))
	return &CropPrices{Start: p.Start, Maize: append([]float64(nil), p.Maize[:n]...),
		Soybeans: append([]float64(nil), p.Soybeans[:n]...), Wheat: append([]float64(nil), p.Wheat[:n]...)}
}

// CropWeights are the weights of a crop-price index, summing to 1.
type CropWeights struct {
	Maize, Soybeans, Wheat float64
}

// EqualCropWeights weighs the three crops equally: the index of a region
// whose potash use by crop the project's sources do not give, or whose
// main potash crops (rice, oil palm, fruit and vegetables) the embedded
// Pink Sheet extract does not price (docs/SCENARIOS.md, "Drivers").
var EqualCropWeights = CropWeights{Maize: 1.0 / 3, Soybeans: 1.0 / 3, Wheat: 1.0 / 3}

// tolWeightSum is how far from 1 the weights of an index may sum
// (rounding of weights written with a few decimals).
const tolWeightSum = 1e-6

func (w CropWeights) check() error {
	if !(w.Maize >= 0 && w.Soybeans >= 0 && w.Wheat >= 0) || math.Abs(w.Maize+w.Soybeans+w.Wheat-1) > tolWeightSum {
		return fmt.Errorf("crop weights maize %g, soybeans %g, wheat %g: want non-negative weights summing to 1", w.Maize, w.Soybeans, w.Wheat)
	}
	return nil
}

// CropIndex returns the crop-price index with weights w from the month all
// three prices are first published to the month they are last published:
//
//	I_t = Σ_c w_c · p_c,t / p̄_c,base,   c ∈ {maize, soybeans, wheat}
//
// where p̄_c,base is crop c's average over the twelve months of baseYear,
// so that with weights summing to 1 the index averages exactly 1 over
// baseYear. It is an error if the weights are negative or do not sum to 1,
// a crop lacks a price in the base year, or a price is missing inside the
// index's months.
func CropIndex(p *CropPrices, w CropWeights, baseYear int) (model.Month, []float64, error) {
	if err := w.check(); err != nil {
		return 0, nil, fmt.Errorf("crop index: %w", err)
	}
	crops := []struct {
		name string
		v    []float64
		w    float64
	}{{"maize", p.Maize, w.Maize}, {"soybeans", p.Soybeans, w.Soybeans}, {"wheat", p.Wheat, w.Wheat}}
	first, last := 0, len(p.Maize)-1
	base := make([]float64, len(crops))
	for k, c := range crops {
		if len(c.v) != len(p.Maize) {
			return 0, nil, fmt.Errorf("crop index: %s has %d months, maize %d", c.name, len(c.v), len(p.Maize))
		}
		a := 0
		for a < len(c.v) && math.IsNaN(c.v[a]) {
			a++
		}
		b := len(c.v) - 1
		for b >= 0 && math.IsNaN(c.v[b]) {
			b--
		}
		first, last = max(first, a), min(last, b)
		sum, n := 0.0, 0
		for t := model.NewMonth(baseYear, 1); t <= model.NewMonth(baseYear, 12); t++ {
			if j := int(t - p.Start); j >= 0 && j < len(c.v) && !math.IsNaN(c.v[j]) {
				sum += c.v[j]
				n++
			}
		}
		if n != 12 {
			return 0, nil, fmt.Errorf("crop index: %s has %d of 12 monthly prices in %d", c.name, n, baseYear)
		}
		base[k] = sum / 12
	}
	var out []float64
	for j := first; j <= last; j++ {
		v := 0.0
		for k, c := range crops {
			if math.IsNaN(c.v[j]) {
				return 0, nil, fmt.Errorf("crop index: %s price missing in %v", c.name, p.Start+model.Month(j))
			}
			v += c.w * c.v[j] / base[k]
		}
		out = append(out, v)
	}
	return p.Start + model.Month(first), out, nil
}

var (
	cropOnce   sync.Once
	cropPrices *CropPrices
	cropErr    error
)

// RecordedCropPrices returns the crop prices of the embedded Pink Sheet
// (maize, soybeans, US HRW wheat; 2005-01..2025-10), parsed once. Each call
// returns a fresh copy.
func RecordedCropPrices() (*CropPrices, error) {
	cropOnce.Do(func() {
		data, err := Reference(PinkSheetFile)
		if err != nil {
			cropErr = err
			return
		}
		cropPrices, cropErr = ParseCropPrices(PinkSheetFile, data)
	})
	if cropErr != nil {
		return nil, cropErr
	}
	return cropPrices.Before(cropPrices.End() + 1), nil
}

// ParseCropPrices reads the crop columns of a Pink Sheet monthly CSV
// (column "month" as 2020M01, consecutive months; empty cell: not
// published). Errors name the file, line and column.
func ParseCropPrices(file string, data []byte) (*CropPrices, error) {
	cr := csv.NewReader(bytes.NewReader(data))
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: reading header: %w", file, err)
	}
	cols := []string{"month", colMaize, colSoybeans, colWheat}
	idx := make([]int, len(cols))
	for k, c := range cols {
		idx[k] = -1
		for j, h := range header {
			if strings.TrimSpace(h) == c {
				idx[k] = j
			}
		}
		if idx[k] < 0 {
			return nil, fmt.Errorf("%s:1: missing column %q", file, c)
		}
	}
	p := &CropPrices{}
	series := []*[]float64{&p.Maize, &p.Soybeans, &p.Wheat}
	for line := 2; ; line++ {
		row, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		t, err := ParsePinkSheetMonth(row[idx[0]])
		if err != nil {
			return nil, fmt.Errorf("%s:%d:%d: month: %w", file, line, idx[0]+1, err)
		}
		if line == 2 {
			p.Start = t
		} else if want := p.End() + 1; t != want {
			return nil, fmt.Errorf("%s:%d:%d: month: got %v, want %v (months must be consecutive)", file, line, idx[0]+1, t, want)
		}
		for k, s := range series {
			txt := strings.TrimSpace(row[idx[k+1]])
			v := math.NaN()
			if txt != "" {
				v, err = strconv.ParseFloat(txt, 64)
				if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
					return nil, fmt.Errorf("%s:%d:%d: %s: %q is not a positive number", file, line, idx[k+1]+1, cols[k+1], txt)
				}
			}
			*s = append(*s, v)
		}
	}
	if len(p.Maize) == 0 {
		return nil, fmt.Errorf("%s: no rows", file)
	}
	return p, nil
}

// ParsePinkSheetMonth parses the Pink Sheet's month "2020M01".
func ParsePinkSheetMonth(s string) (model.Month, error) {
	y, m, ok := strings.Cut(strings.TrimSpace(s), "M")
	yy, err1 := strconv.Atoi(y)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || mm < 1 || mm > 12 || yy < 1900 || yy > 2200 {
		return 0, fmt.Errorf("month %q: want YYYYMmm, e.g. 2020M01", s)
	}
	return model.NewMonth(yy, mm), nil
}

// CropDriver is a market's crop-price driver with its numbers resolved
// (CropDriverFile in model units).
type CropDriver struct {
	// Elasticity θ of demand at given prices to the index, and the lag
	// L in months (Aux[1] and Aux[0] of the model events).
	Elasticity, LagMonths float64
	// ProjectionPct is the change of every index after the record's last
	// month, percent of its last recorded value, reached linearly over
	// ProjectionRamp months (0: the index is held at its last value).
	ProjectionPct  float64
	ProjectionRamp int
	// Regions are the market's region names and Weights their index
	// weights, in the market's order.
	Regions []string
	Weights []CropWeights
}

// Events returns the driver's model events on prices p with index base
// year baseYear, for model.Spec.Drivers: one per region (id
// "crop_prices.REGION") whose Series is the region's index from January
// of the year before baseYear (so a path from the base year can read up
// to twelve months back) to the last month p publishes, held after; then
// the projection (id "crop_prices.projection", all regions): level 1 +
// ProjectionPct/100 from the month after the record, ramped over
// ProjectionRamp months (1 when the projection is 0: it changes nothing).
func (d *CropDriver) Events(p *CropPrices, baseYear int) ([]model.Event, error) {
	from := model.NewMonth(baseYear-1, 1)
	aux := [2]float64{d.LagMonths, d.Elasticity}
	var out []model.Event
	var end model.Month
	for r, name := range d.Regions {
		start, idx, err := CropIndex(p, d.Weights[r], baseYear)
		if err != nil {
			return nil, fmt.Errorf("region %s: %w", name, err)
		}
		if start > from {
			return nil, fmt.Errorf("region %s: the crop prices start in %v, after %v (a year before the base year)", name, start, from)
		}
		idx = idx[int(from-start):]
		end = from + model.Month(len(idx)) - 1
		out = append(out, model.Event{ID: CropDriverID + "." + name, Label: "crop prices", Kind: model.EventDemandDriver,
			Supplier: -1, Region: r, Corridor: -1, Start: from, Value: idx[len(idx)-1], Series: idx, Aux: aux})
	}
	out = append(out, model.Event{ID: CropDriverID + projectionSuffix, Label: "crop-price projection", Kind: model.EventDemandDriver,
		Supplier: -1, Region: -1, Corridor: -1, Start: end + 1, RampIn: max(1, d.ProjectionRamp), Value: 1 + d.ProjectionPct/100, Aux: aux})
	return out, nil
}

const projectionSuffix = ".projection"

// DefaultProjectionRamp is the months over which a projection_pct is
// reached when projection_ramp_months is not given.
const DefaultProjectionRamp = 12

// SetCropDriverParams sets the elasticity θ and the lag L, months, of every
// demand-driver event of s (its drivers and its shocks to them, the
// crop_prices events).
func SetCropDriverParams(s *model.Spec, elasticity, lag float64) {
	for _, evs := range [][]model.Event{s.Drivers, s.Events} {
		for k := range evs {
			if evs[k].Kind == model.EventDemandDriver {
				evs[k].Aux = [2]float64{lag, elasticity}
			}
		}
	}
}

// dfield is a number of the crop-price driver, addressable as
// market.drivers.crop_prices.KEY: its unit and valid range (file units),
// its Num in the file, and how it reads and sets a built model.Spec (get
// reports false when the spec has no driver).
type dfield struct {
	key   string
	unit  string
	valid bound
	num   func(c *CropDriverFile) *Num
	get   func(s *model.Spec) (float64, bool)
	set   func(s *model.Spec, v float64)
}

// Valid ranges of the crop-price driver's numbers: an elasticity from 0
// (crop prices do not matter) to 1.5 (the back-test's documented range;
// with its estimates of the dynamics, 2.8 prices Belarus beyond 20 times
// its base in the 2022 boom even at a demand elasticity of 0.8), and at
// most model.MaxCropEpsRatio times every region's demand elasticity; a lag
// from 0 to 12 months (a season ahead of planting at most), a projection
// between a 90% fall and a fivefold rise, reached within ten years.
var (
	driverElasticityBound = bound{lo: 0, hi: 1.5}
	driverLagBound        = bound{lo: 0, hi: 12}
	projectionBound       = bound{lo: -90, hi: 400}
	projectionRampBound   = bound{lo: 1, hi: 120}
)

// CropElasticityRange returns the valid range of the crop-price driver's
// elasticity θ (market.drivers.crop_prices.elasticity); every region's
// demand elasticity must also be at least model.MinEpsForCrop(θ).
func CropElasticityRange() model.Range {
	return model.Range{Lo: driverElasticityBound.lo, Hi: driverElasticityBound.hi}
}

// cropEpsMessage says why region's demand elasticity eps is too low for
// the crop-price elasticity theta.
func cropEpsMessage(region string, eps, theta float64) string {
	return fmt.Sprintf("region %s demand_elasticity %.4g is too low for the crop-price elasticity %.4g (drivers.crop_prices.elasticity): "+
		"their ratio may be at most %g, so demand_elasticity must be at least %.4g or the crop-price elasticity at most %.4g "+
		"(beyond, the recorded crop boom of 2021-22 prices the region beyond the plausible band of the model; docs/SCENARIOS.md, \"Valid ranges\")",
		region, eps, theta, model.MaxCropEpsRatio(), model.MinEpsForCrop(theta), model.MaxCropEpsRatio()*eps)
}

// CropLagRange returns the valid range of the crop-price driver's lag,
// months (market.drivers.crop_prices.lag_months).
func CropLagRange() model.Range { return model.Range{Lo: driverLagBound.lo, Hi: driverLagBound.hi} }

// driverEvents returns the demand-driver events of s's drivers (and,
// with shocks, of its events).
func driverEvents(s *model.Spec, shocks bool) []*model.Event {
	var out []*model.Event
	lists := [][]model.Event{s.Drivers}
	if shocks {
		lists = append(lists, s.Events)
	}
	for _, evs := range lists {
		for k := range evs {
			if evs[k].Kind == model.EventDemandDriver {
				out = append(out, &evs[k])
			}
		}
	}
	return out
}

// eachDriverEvent calls f on each demand-driver event of s's drivers
// (and, with shocks, of its events), in driverEvents' order, without
// building their list: the setters run for every candidate of a draw.
func eachDriverEvent(s *model.Spec, shocks bool, f func(e *model.Event)) {
	for k := range s.Drivers {
		if e := &s.Drivers[k]; e.Kind == model.EventDemandDriver {
			f(e)
		}
	}
	if !shocks {
		return
	}
	for k := range s.Events {
		if e := &s.Events[k]; e.Kind == model.EventDemandDriver {
			f(e)
		}
	}
}

// projectionEvent returns the projection event of s's crop driver.
func projectionEvent(s *model.Spec) *model.Event {
	for k := range s.Drivers {
		if s.Drivers[k].ID == CropDriverID+projectionSuffix {
			return &s.Drivers[k]
		}
	}
	return nil
}

var driverFields = []dfield{
	{key: "elasticity", unit: "", valid: driverElasticityBound,
		num: func(c *CropDriverFile) *Num { return &c.Elasticity },
		get: func(s *model.Spec) (float64, bool) {
			for _, e := range driverEvents(s, false) {
				return e.Aux[1], true
			}
			return 0, false
		},
		set: func(s *model.Spec, v float64) {
			eachDriverEvent(s, true, func(e *model.Event) { e.Aux[1] = v })
		}},
	{key: "lag_months", unit: "months", valid: driverLagBound,
		num: func(c *CropDriverFile) *Num { return &c.LagMonths },
		get: func(s *model.Spec) (float64, bool) {
			for _, e := range driverEvents(s, false) {
				return e.Aux[0], true
			}
			return 0, false
		},
		set: func(s *model.Spec, v float64) {
			eachDriverEvent(s, true, func(e *model.Event) { e.Aux[0] = v })
		}},
	{key: "projection_pct", unit: "%", valid: projectionBound,
		num: func(c *CropDriverFile) *Num { return &c.ProjectionPct },
		get: func(s *model.Spec) (float64, bool) {
			if e := projectionEvent(s); e != nil {
				return 100 * (e.Value - 1), true
			}
			return 0, false
		},
		set: func(s *model.Spec, v float64) {
			if e := projectionEvent(s); e != nil {
				e.Value = 1 + v/100
			}
		}},
	{key: "projection_ramp_months", unit: "months", valid: projectionRampBound,
		num: func(c *CropDriverFile) *Num { return &c.ProjectionRampMonths },
		get: func(s *model.Spec) (float64, bool) {
			if e := projectionEvent(s); e != nil {
				return float64(e.RampIn), true
			}
			return 0, false
		},
		set: func(s *model.Spec, v float64) {
			if e := projectionEvent(s); e != nil {
				e.RampIn = max(1, int(math.Round(v)))
			}
		}},
}

func findDriverField(key string) (dfield, bool) {
	for _, f := range driverFields {
		if f.key == key {
			return f, true
		}
	}
	return dfield{}, false
}

func driverFieldKeys() []string {
	ks := make([]string, len(driverFields))
	for i, f := range driverFields {
		ks[i] = f.key
	}
	return ks
}

// cropDriver resolves mf's crop driver (nil when mf has none): the
// weights of every region in the market's order, equal for regions the
// file does not list.
func cropDriver(mf *MarketFile) *CropDriver {
	if mf == nil || mf.Drivers == nil || mf.Drivers.CropPrices == nil {
		return nil
	}
	c := mf.Drivers.CropPrices
	d := &CropDriver{Elasticity: c.Elasticity.Value, LagMonths: c.LagMonths.Value,
		ProjectionPct: c.ProjectionPct.Value, ProjectionRamp: int(math.Round(c.ProjectionRampMonths.Value))}
	if d.ProjectionRamp <= 0 {
		d.ProjectionRamp = DefaultProjectionRamp
	}
	for _, g := range mf.Regions {
		w := EqualCropWeights
		for _, cw := range c.Weights {
			if cw.Region == g.Name {
				w = CropWeights{Maize: cw.Maize.Value, Soybeans: cw.Soybeans.Value, Wheat: cw.Wheat.Value}
			}
		}
		d.Regions = append(d.Regions, g.Name)
		d.Weights = append(d.Weights, w)
	}
	return d
}

// CropDriver returns the scenario's crop-price driver as resolved (nil
// when its market has none). The back-test rebuilds the driver's events
// from the data before a cut-off with it.
func (s *Scenario) CropDriver() *CropDriver {
	if s == nil {
		return nil
	}
	return cropDriver(s.mf)
}

// validateDrivers checks the market's drivers section: every number in its
// valid range, weights of known regions (each once) that are non-negative
// and sum to 1, and recorded crop prices covering the year before the
// base year. at maps a field path to where it is reported.
func (l *loader) validateDrivers(mf *MarketFile, d *doc, at func(string) string) {
	if mf.Drivers == nil || mf.Drivers.CropPrices == nil {
		return
	}
	c := mf.Drivers.CropPrices
	fp := "drivers.crop_prices"
	for _, f := range driverFields {
		n := f.num(c)
		if f.key == "projection_ramp_months" && n.Value == 0 {
			continue // not written: DefaultProjectionRamp
		}
		if !f.valid.ok(n.Value) {
			l.errAt(d, at(fp+"."+f.key), "%s", outOfRange(f.key, n.Value, f.valid))
		}
	}
	if theta := c.Elasticity.Value; driverElasticityBound.ok(theta) {
		// The joint rule: θ/ε ≤ model.MaxCropEpsRatio in every region,
		// reported at the override that broke it (the region's demand
		// elasticity, else the crop-price elasticity), once per override.
		reported := map[string]bool{}
		for r, g := range mf.Regions {
			eps := g.Eps.Value
			if !(eps > 0) || eps >= model.MinEpsForCrop(theta) {
				continue
			}
			msg := cropEpsMessage(g.Name, eps, theta)
			o, ok := l.overriddenBy["market.regions."+g.Name+".demand_elasticity"]
			if !ok {
				o, ok = l.overriddenBy["market.drivers.crop_prices.elasticity"]
			}
			l.reportJointRule(RuleCrop, SeverityError, reported, o, ok, d, at(fmt.Sprintf("regions[%d].demand_elasticity", r)), msg)
		}
	}
	seen := map[string]bool{}
	for k, w := range c.Weights {
		wp := fmt.Sprintf("%s.weights[%d]", fp, k)
		switch {
		case regionIndexOf(mf, w.Region) < 0:
			l.errAt(d, at(wp+".region"), "unknown region '%s'%s", w.Region, didYouMean(w.Region, regionNamesOf(mf)))
		case seen[w.Region]:
			l.errAt(d, at(wp+".region"), "weights for region '%s' are given twice", w.Region)
		}
		seen[w.Region] = true
		cw := CropWeights{Maize: w.Maize.Value, Soybeans: w.Soybeans.Value, Wheat: w.Wheat.Value}
		if err := cw.check(); err != nil {
			l.errAt(d, at(wp), "region %s: %v", w.Region, err)
		}
	}
	if l.hasErrors() {
		return
	}
	p, err := recordedRealCropPrices(mf.BaseYear)
	if err == nil {
		_, err = cropDriver(mf).Events(p, mf.BaseYear)
	}
	if err != nil {
		l.errAt(d, at(fp), "the crop-price driver cannot be built for base year %d: %v", mf.BaseYear, err)
	}
}

func regionIndexOf(mf *MarketFile, name string) int {
	for r, g := range mf.Regions {
		if g.Name == name {
			return r
		}
	}
	return -1
}
