package basedata

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// K2OPerKCl is the potassium oxide content of standard potassium chloride
// (muriate of potash, 60–62% K2O), tonnes K2O per tonne KCl product. Every
// FAOSTAT and USGS K2O figure is divided by it to get tonnes KCl.
const K2OPerKCl = 0.6

// Year is the base year the flows describe.
const Year = 2020

// Suppliers and Regions are the dataset's names, in dataset order.
var (
	Suppliers = []string{"Canada", "Russia", "Belarus", "China", "Israel", "Jordan", "Germany", "Laos", "Chile", "United States", "Other"}
	Regions   = []string{"Brazil", "United States", "China", "India", "Southeast Asia", "Europe", "Other"}
)

// Reference file names inside the reference directory.
const (
	FileFAOSTAT     = "faostat-potash-k2o.csv"
	FileShares      = "destination-shares-2020.csv"
	FileUSGSSalient = "usgs_mcs2025_us_potash_salient.csv"
	FileUSGSWorld   = "usgs_mcs2025_world_potash.csv"
)

// FAOSTAT measures.
const (
	Production = "Production"
	Exports    = "Export quantity"
	Imports    = "Import quantity"
	AgUse      = "Agricultural Use"
)

type faoKey struct {
	country string
	year    int
	measure string
}

// FAO holds FAOSTAT rows, tonnes K2O.
type FAO map[faoKey]float64

// ReadFAOSTAT reads the FAOSTAT CSV (country,year,measure,unit,value).
func ReadFAOSTAT(r io.Reader) (FAO, error) {
	rows, err := readCSV(r, []string{"country", "year", "measure", "unit", "value"})
	if err != nil {
		return nil, fmt.Errorf("faostat: %w", err)
	}
	f := FAO{}
	for n, row := range rows {
		y, err := strconv.Atoi(row[1])
		if err != nil {
			return nil, fmt.Errorf("faostat: row %d: year %q: %w", n+2, row[1], err)
		}
		if row[3] != "t" {
			return nil, fmt.Errorf("faostat: row %d: unit %q, want t", n+2, row[3])
		}
		v, err := strconv.ParseFloat(row[4], 64)
		if err != nil {
			return nil, fmt.Errorf("faostat: row %d: value %q: %w", n+2, row[4], err)
		}
		f[faoKey{row[0], y, row[2]}] = v
	}
	return f, nil
}

// Get returns the FAOSTAT value for country, year and measure in Mt K2O.
func (f FAO) Get(country string, year int, measure string) (float64, error) {
	v, ok := f[faoKey{country, year, measure}]
	if !ok {
		return 0, fmt.Errorf("faostat: no %s of %s in %d", measure, country, year)
	}
	return v / 1e6, nil
}

// ShareRow is one row of the destination-shares file.
type ShareRow struct {
	Exporter, Region string
	// Kind is reported_mt (Mt product reported by customs, Trade Data
	// Monitor), uncovered_pct (percent of the exports the reported rows do
	// not cover) or share_pct (percent of the supplier's total sales).
	Kind   string
	Value  float64
	Source string
}

// ReadShares reads the destination-shares CSV.
func ReadShares(r io.Reader) ([]ShareRow, error) {
	rows, err := readCSV(r, []string{"exporter", "region", "kind", "value", "source"})
	if err != nil {
		return nil, fmt.Errorf("shares: %w", err)
	}
	var out []ShareRow
	for n, row := range rows {
		v, err := strconv.ParseFloat(row[3], 64)
		if err != nil || v < 0 {
			return nil, fmt.Errorf("shares: row %d: value %q is not a non-negative number", n+2, row[3])
		}
		if index(Suppliers, row[0]) < 0 {
			return nil, fmt.Errorf("shares: row %d: unknown exporter %q", n+2, row[0])
		}
		if index(Regions, row[1]) < 0 {
			return nil, fmt.Errorf("shares: row %d: unknown region %q", n+2, row[1])
		}
		switch row[2] {
		case "reported_mt", "uncovered_pct", "share_pct":
		default:
			return nil, fmt.Errorf("shares: row %d: unknown kind %q", n+2, row[2])
		}
		if strings.TrimSpace(row[4]) == "" {
			return nil, fmt.Errorf("shares: row %d: empty source", n+2)
		}
		out = append(out, ShareRow{row[0], row[1], row[2], v, row[4]})
	}
	return out, nil
}

// USGS holds the figures used from the USGS Mineral Commodity Summaries.
type USGS struct {
	// USSales and USConsumption are US marketable potash sales and apparent
	// consumption in the base year, Mt K2O.
	USSales, USConsumption float64
	// OtherCountries2023 is mine production of "Other Countries" in 2023,
	// Mt K2O (the World Data Release's residual line).
	OtherCountries2023 float64
}

// ReadUSGS reads the two USGS files.
func ReadUSGS(salient, world io.Reader) (USGS, error) {
	var u USGS
	rows, err := readCSV(salient, nil)
	if err != nil {
		return u, fmt.Errorf("usgs salient: %w", err)
	}
	found := false
	for _, row := range rows {
		if len(row) < 8 || row[2] != strconv.Itoa(Year) {
			continue
		}
		if u.USSales, err = strconv.ParseFloat(row[4], 64); err != nil {
			return u, fmt.Errorf("usgs salient: sales %q: %w", row[4], err)
		}
		if u.USConsumption, err = strconv.ParseFloat(row[7], 64); err != nil {
			return u, fmt.Errorf("usgs salient: consumption %q: %w", row[7], err)
		}
		u.USSales /= 1e3
		u.USConsumption /= 1e3
		found = true
	}
	if !found {
		return u, fmt.Errorf("usgs salient: no row for %d", Year)
	}
	rows, err = readCSV(world, nil)
	if err != nil {
		return u, fmt.Errorf("usgs world: %w", err)
	}
	for _, row := range rows {
		if len(row) > 5 && row[2] == "Other Countries" && strings.HasPrefix(row[3], "Mine production") {
			v, err := strconv.ParseFloat(row[5], 64)
			if err != nil {
				return u, fmt.Errorf("usgs world: %q: %w", row[5], err)
			}
			u.OtherCountries2023 = v / 1e3
			return u, nil
		}
	}
	return u, errors.New("usgs world: no Other Countries mine production row")
}

// Inputs is everything the flow estimate is built from.
type Inputs struct {
	FAO    FAO
	Shares []ShareRow
	USGS   USGS
}

// LoadInputs reads the reference files from dir.
func LoadInputs(dir string) (*Inputs, error) {
	open := func(name string) (*os.File, error) { return os.Open(filepath.Join(dir, name)) }
	var in Inputs
	f, err := open(FileFAOSTAT)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if in.FAO, err = ReadFAOSTAT(f); err != nil {
		return nil, err
	}
	s, err := open(FileShares)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	if in.Shares, err = ReadShares(s); err != nil {
		return nil, err
	}
	us, err := open(FileUSGSSalient)
	if err != nil {
		return nil, err
	}
	defer us.Close()
	uw, err := open(FileUSGSWorld)
	if err != nil {
		return nil, err
	}
	defer uw.Close()
	if in.USGS, err = ReadUSGS(us, uw); err != nil {
		return nil, err
	}
	return &in, nil
}

// readCSV reads all records, checking the header when want is not nil, and
// returns the rows after the header.
func readCSV(r io.Reader, want []string) ([][]string, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	all, err := cr.ReadAll()
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, errors.New("empty file")
	}
	if want != nil {
		if len(all[0]) != len(want) {
			return nil, fmt.Errorf("header %v, want %v", all[0], want)
		}
		for k := range want {
			if all[0][k] != want[k] {
				return nil, fmt.Errorf("header %v, want %v", all[0], want)
			}
		}
		for n, row := range all[1:] {
			if len(row) != len(want) {
				return nil, fmt.Errorf("row %d: %d fields, want %d", n+2, len(row), len(want))
			}
		}
	}
	return all[1:], nil
}

func index(names []string, name string) int {
	for k, n := range names {
		if n == name {
			return k
		}
	}
	return -1
}

// round rounds v to d decimals.
func round(v float64, d int) float64 {
	p := math.Pow(10, float64(d))
	return math.Round(v*p) / p
}
