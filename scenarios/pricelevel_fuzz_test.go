package scenarios

import (
	"math"
	"regexp"
	"strings"
	"testing"

	"github.com/potash-sim/potash/model"
)

// FuzzParsePriceLevel feeds arbitrary bytes to the CPI parser
// (ParsePriceLevel): it must never panic; an error names the file and
// where it is (line, and for a bad cell its column and field); a price
// level it returns has consecutive years in the parser's span and
// positive finite values, and its monthly level is finite or an error.
//
//	go test ./scenarios -run XXX -fuzz FuzzParsePriceLevel -fuzztime 2m -parallel 1
//
// The corpus found so far is kept in testdata/fuzz/FuzzParsePriceLevel.
func FuzzParsePriceLevel(f *testing.F) {
	if data, err := Reference(PriceLevelFile); err == nil {
		f.Add(data)
	}
	for _, s := range []string{
		"year,cpi_u_annual_average\n2020,258.811\n",
		"cpi_u_annual_average,year,source\n100,2019,x\n101,2020,\"a, b\"\n",
		"year,cpi_u_annual_average\n2020,258\n2022,260\n",
		"year,cpi_u_annual_average\n2020,-1\n",
		"year,cpi_u_annual_average\n2020,NaN\n",
		"year,cpi_u_annual_average\n1899,1\n",
		"year,cpi_u_annual_average\n2020,1e308\n2021,1e-308\n",
		"year,cpi_u_annual_average\n2020\n",
		"year,cpi\n2020,1\n",
		"year,cpi_u_annual_average\n",
		"",
		"\"year,cpi_u_annual_average\n",
	} {
		f.Add([]byte(s))
	}
	const file = "cpi.csv"
	// where: "cpi.csv:LINE:COL: FIELD: ...", "cpi.csv:1: ...", the csv
	// reader's "record on line N" / "parse error on line N", or a file
	// without a header or rows.
	where := regexp.MustCompile(`^cpi\.csv(:\d+:\d+: (year|cpi_u_annual_average): |:1: |: .*line \d+|: no header$|: no rows$)`)
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := ParsePriceLevel(file, data)
		if err != nil {
			if l != nil {
				t.Fatalf("a price level and an error: %v", err)
			}
			if !where.MatchString(err.Error()) {
				t.Fatalf("error does not say where: %q", err)
			}
			return
		}
		if l == nil || len(l.Values) == 0 {
			t.Fatal("no price level and no error")
		}
		if l.First < 1900 || l.Last() > 2200 {
			t.Fatalf("years %d..%d outside 1900..2200", l.First, l.Last())
		}
		for k, v := range l.Values {
			if !(v > 0) || math.IsInf(v, 0) {
				t.Fatalf("year %d: value %v is not positive and finite", l.First+k, v)
			}
		}
		if n := strings.Count(string(data), "\n"); len(l.Values) > n+1 {
			t.Fatalf("%d years from %d lines", len(l.Values), n+1)
		}
		for _, y := range []int{l.First - 1, l.First, l.Last()} {
			for _, t0 := range []model.Month{model.NewMonth(l.First-1, 1), model.NewMonth(l.First, 7), model.NewMonth(l.Last(), 12), model.NewMonth(l.Last()+3, 2)} {
				v, err := l.Monthly(t0, y)
				if err == nil && (math.IsNaN(v) || math.IsInf(v, 0) || v <= 0) {
					t.Fatalf("Monthly(%v, %d) = %v: not a positive finite level", t0, y, v)
				}
			}
		}
	})
}
