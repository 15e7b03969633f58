package scenarios

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestReferenceFiles(t *testing.T) {
	want := []string{
		"FACTS.md",
		"README.md",
		"bls-cpi-u-annual.csv",
		"destination-shares-2020.csv",
		"faostat-potash-k2o.csv",
		"pinksheet-fertilizer-monthly.csv",
		"seasonality-2012-2013.csv",
		"usgs_mcs2025_us_potash_salient.csv",
		"usgs_mcs2025_world_potash.csv",
	}
	if got := ReferenceFiles(); !reflect.DeepEqual(got, want) {
		t.Fatalf("ReferenceFiles() = %v, want %v", got, want)
	}
	readme, err := Reference("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range want {
		if name != "README.md" && !bytes.Contains(readme, []byte("`"+name+"`")) {
			t.Errorf("README.md does not describe %s", name)
		}
	}
}

func TestReferenceContents(t *testing.T) {
	for _, tc := range []struct {
		file   string
		header string
		row    string // a row that must be present
	}{
		{"pinksheet-fertilizer-monthly.csv", "month,potash_kcl_usd_per_t,", "2022M04,1202"},
		{"faostat-potash-k2o.csv", "country,year,measure,unit,value", "Belarus,2020,Export quantity,t,7205003.97"},
		{"usgs_mcs2025_us_potash_salient.csv", "DataSource,Commodity,Year,", "MCS2025,Potash,2020,460,500,5370,147,5700"},
		{"usgs_mcs2025_world_potash.csv", "SOURCE,COMMODITY,COUNTRY,", "MCS2025,Potash,Other Countries,"},
		{"destination-shares-2020.csv", "exporter,region,kind,value,source", "Belarus,Brazil,reported_mt,2.45,"},
		{"seasonality-2012-2013.csv", "region,from,to,measure,unit,value,source", "Brazil,2013-01,2013-08,deliveries_k2o,kt,2992,"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := Reference(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(data, []byte(tc.header)) {
				t.Errorf("header: %q", strings.SplitN(string(data), "\n", 2)[0])
			}
			if !bytes.Contains(data, []byte(tc.row)) {
				t.Errorf("no row %q", tc.row)
			}
			rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
			if err != nil {
				t.Fatalf("not valid CSV: %v", err)
			}
			if len(rows) < 2 {
				t.Errorf("%d rows", len(rows))
			}
		})
	}
	// The Pink Sheet is shipped as published: 2005M01 to 2025M10.
	ps, _ := Reference("pinksheet-fertilizer-monthly.csv")
	rows, _ := csv.NewReader(bytes.NewReader(ps)).ReadAll()
	if first, last := rows[1][0], rows[len(rows)-1][0]; first != "2005M01" || last != "2025M10" {
		t.Errorf("Pink Sheet covers %s–%s, want 2005M01–2025M10", first, last)
	}
	// A copy: changing it does not change the embedded file.
	ps[0] = 'X'
	again, _ := Reference("pinksheet-fertilizer-monthly.csv")
	if again[0] == 'X' {
		t.Error("Reference returns shared bytes")
	}
}

func TestReferenceErrors(t *testing.T) {
	for _, name := range []string{"", "nope.csv", "../base-2020.yaml", "reference/README.md", `a\b`} {
		if _, err := Reference(name); err == nil {
			t.Errorf("Reference(%q): no error", name)
		}
	}
}

func ExampleReference() {
	data, err := Reference("pinksheet-fertilizer-monthly.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "2020M01,") {
			fmt.Println(strings.Split(line, ",")[:2])
		}
	}
	// Output: [2020M01 268.7]
}
