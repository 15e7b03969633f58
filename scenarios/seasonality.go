package scenarios

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

	"github.com/potash-sim/potash/model"
)

// SeasonalityFile is the embedded reference file of seasonal and stock
// figures (data/reference/README.md).
const SeasonalityFile = "seasonality-2012-2013.csv"

// seasonRow is one row of SeasonalityFile.
type seasonRow struct {
	region, measure string
	from, to        model.Month
	value           float64
}

func parseSeasonality(file string, data []byte) ([]seasonRow, error) {
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	want := []string{"region", "from", "to", "measure", "unit", "value", "source"}
	if len(rows) == 0 || strings.Join(rows[0], ",") != strings.Join(want, ",") {
		return nil, fmt.Errorf("%s:1: header: want %s", file, strings.Join(want, ","))
	}
	var out []seasonRow
	for k, r := range rows[1:] {
		line := k + 2
		from, err1 := model.ParseMonth(r[1])
		to, err2 := model.ParseMonth(r[2])
		v, err3 := strconv.ParseFloat(r[5], 64)
		switch {
		case err1 != nil || err2 != nil || to < from:
			return nil, fmt.Errorf("%s:%d: months %q..%q", file, line, r[1], r[2])
		case err3 != nil || !(v >= 0):
			return nil, fmt.Errorf("%s:%d:6: value %q is not a non-negative number", file, line, r[5])
		}
		out = append(out, seasonRow{region: r[0], measure: r[3], from: from, to: to, value: v})
	}
	return out, nil
}

// SeasonalFactors returns region's monthly demand factors f_m (index 0 =
// January), which average exactly 1 over the year, and whether the
// project's data support them. Only Brazil's are supported, from ANDA's
// 2013 deliveries of K2O to final consumers (SeasonalityFile): the
// cumulative totals for January–February, –June, –July and –August give
// the months by period (a period's months share it equally); FAOSTAT's
// 2013 agricultural use gives September–December, split between
// September–November and December in the proportion of ANDA's deliveries
// of all fertilizer products (K2O is not reported for December alone). For
// other regions the data give no monthly profile (docs/MODEL.md, section
// 10) and the factors are all 1 with ok false.
//
// The factors are prepared for the stocks step (issue 14): without
// stocks, seasonal demand makes seasonal price swings, so no market uses
// them yet.
func SeasonalFactors(region string) (f [12]float64, ok bool, err error) {
	for k := range f {
		f[k] = 1
	}
	if region != "Brazil" {
		return f, false, nil
	}
	data, err := Reference(SeasonalityFile)
	if err != nil {
		return f, false, err
	}
	rows, err := parseSeasonality(SeasonalityFile, data)
	if err != nil {
		return f, false, err
	}
	get := func(measure string, from, to model.Month) (float64, error) {
		for _, r := range rows {
			if r.region == region && r.measure == measure && r.from == from && r.to == to {
				return r.value, nil
			}
		}
		return 0, fmt.Errorf("%s: no row %s %s %v..%v", SeasonalityFile, region, measure, from, to)
	}
	m := func(mo int) model.Month { return model.NewMonth(2013, mo) }
	var cum [5]float64 // K2O through Feb, Jun, Jul, Aug, Dec
	for k, spec := range []struct {
		measure string
		to      int
	}{{"deliveries_k2o", 2}, {"deliveries_k2o", 6}, {"deliveries_k2o", 7}, {"deliveries_k2o", 8}, {"agricultural_use_k2o", 12}} {
		if cum[k], err = get(spec.measure, m(1), m(spec.to)); err != nil {
			return f, false, err
		}
	}
	pAug, err1 := get("deliveries_products", m(1), m(8))
	pDec, err2 := get("deliveries_products", m(12), m(12))
	pYear, err3 := get("deliveries_products", m(1), m(12))
	for _, e := range []error{err1, err2, err3} {
		if e != nil {
			return f, false, e
		}
	}
	if !(pYear > pAug && pAug > 0 && pDec < pYear-pAug) {
		return f, false, fmt.Errorf("%s: Brazil's product deliveries %g (Jan–Aug), %g (Dec), %g (year) are inconsistent", SeasonalityFile, pAug, pDec, pYear)
	}
	sepDec := cum[4] - cum[3]
	dec := sepDec * pDec / (pYear - pAug)
	periods := []struct {
		from, to int // months, 1-based, inclusive
		kt       float64
	}{
		{1, 2, cum[0]}, {3, 6, cum[1] - cum[0]}, {7, 7, cum[2] - cum[1]}, {8, 8, cum[3] - cum[2]},
		{9, 11, sepDec - dec}, {12, 12, dec},
	}
	avg := cum[4] / 12
	for _, p := range periods {
		if !(p.kt > 0) {
			return f, false, fmt.Errorf("%s: Brazil's deliveries in months %d–%d are %g kt", SeasonalityFile, p.from, p.to, p.kt)
		}
		for mo := p.from; mo <= p.to; mo++ {
			f[mo-1] = p.kt / float64(p.to-p.from+1) / avg
		}
	}
	return f, true, nil
}
