package backtest

import (
	"math"
	"strings"
	"testing"
)

// FuzzParseRecord: the CSV parsers never panic, and a record they accept
// holds only positive finite prices and non-negative finite exports.
func FuzzParseRecord(f *testing.F) {
	hdr := "month,potash_kcl_usd_per_t,maize_usd_per_t,soybeans_usd_per_t,wheat_us_hrw_usd_per_t,natural_gas_europe_usd_per_mmbtu\n"
	fao := "country,year,measure,unit,value\n"
	f.Add(hdr+"2020M01,268.7,171.8,387.2,224.5,3.63\n2020M02,,168.7,375.6,215.3,2.9\n", fao+"Belarus,2020,Export quantity,t,7205003.97\n")
	f.Add(hdr+"2020M12,1,1,1,1,1\n", fao+"Canada,2020,Production,t,1\nCanada,2020,Export quantity,t,0\n")
	f.Add("month\n2020M01\n", "country\n")
	f.Add(hdr+"2020M01,1e309,1,1,1,1\n", fao+"X,99999,Export quantity,t,NaN\n")
	f.Fuzz(func(t *testing.T, ps, fa string) {
		r, err := ParseRecord("ps.csv", []byte(ps), "fa.csv", []byte(fa))
		if err != nil {
			if !strings.Contains(err.Error(), ".csv") {
				t.Errorf("error does not name the file: %v", err)
			}
			return
		}
		for _, s := range []Series{r.Potash, r.Maize, r.Soybeans, r.Wheat, r.Gas} {
			for _, v := range s.Values {
				if !math.IsNaN(v) && (v <= 0 || math.IsInf(v, 0)) {
					t.Fatalf("accepted price %v", v)
				}
			}
		}
		for name, a := range r.Exports {
			if len(a.Years) != len(a.Values) {
				t.Fatalf("%s: %d years, %d values", name, len(a.Years), len(a.Values))
			}
			for k, v := range a.Values {
				if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) || (k > 0 && a.Years[k] <= a.Years[k-1]) {
					t.Fatalf("%s: accepted %v in %d", name, v, a.Years[k])
				}
			}
		}
	})
}
