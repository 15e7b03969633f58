package scenarios

import (
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/potash-sim/potash/model"
)

// docTable returns the rows of the Markdown table of doc whose header
// line starts with head, split into trimmed cells (nil when there is no
// such table).
func docTable(doc, head string) [][]string {
	i := strings.Index(doc, "\n"+head)
	if i < 0 {
		return nil
	}
	var rows [][]string
	for k, l := range strings.Split(doc[i+1:], "\n") {
		if !strings.HasPrefix(l, "|") {
			break
		}
		if k < 2 { // the header and the alignment row
			continue
		}
		var cells []string
		for _, c := range strings.Split(strings.Trim(l, "|"), " | ") {
			cells = append(cells, strings.Trim(strings.TrimSpace(c), "*"))
		}
		rows = append(rows, cells)
	}
	return rows
}

// docNumber parses a table cell's number ("22.34", "−7").
func docNumber(s string) (float64, bool) {
	v, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(s), "−", "-"), 64)
	return v, err == nil
}

// TestDataDocCalibration: docs/DATA.md's tables of corridors and of costs
// quote the calibrated base year (model.Calibrate of the embedded
// dataset): base sales S0 to the hundredth, the marginal cost, the base
// netback m0 and the base rent m0 − MC0 to the dollar. A change of the
// data or of the calibration that moves them fails here, not silently in
// the docs.
func TestDataDocCalibration(t *testing.T) {
	data, err := os.ReadFile("../docs/DATA.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	cal := calibratedBase(t)
	// tol is half the last digit the tables print.
	const salesTol, dollarTol = 0.005 + 1e-9, 0.5 + 1e-9
	check := func(t *testing.T, what, cell string, want, tol float64) {
		t.Helper()
		got, ok := docNumber(cell)
		if !ok || math.Abs(got-want) > tol {
			t.Errorf("docs/DATA.md: %s %q, the calibrated base year's is %.4g", what, cell, want)
		}
	}
	tables := []struct {
		head  string
		check func(t *testing.T, i int, row []string)
	}{
		{"| supplier | corridors", func(t *testing.T, i int, row []string) {
			check(t, "base sales", row[2], cal.S0[i], salesTol)
			check(t, "netback m0", row[4], cal.M0[i], dollarTol)
		}},
		{"| supplier | marginal cost, $/t |", func(t *testing.T, i int, row []string) {
			check(t, "marginal cost", row[1], cal.CostData[i], dollarTol)
			check(t, "base netback m0", row[3], cal.M0[i], dollarTol)
			check(t, "base rent m0 − MC0", row[4], cal.M0[i]-cal.MC0[i], dollarTol)
		}},
	}
	for _, tb := range tables {
		rows := docTable(doc, tb.head)
		if len(rows) < len(cal.Market.Suppliers)-1 {
			t.Fatalf("docs/DATA.md: the table %q has %d rows; the pattern no longer finds it", tb.head, len(rows))
		}
		seen := map[string]bool{}
		for _, row := range rows {
			if len(row) < 5 {
				t.Errorf("docs/DATA.md: row %q has %d cells", row, len(row))
				continue
			}
			for _, name := range strings.Split(row[0], ", ") {
				i := cal.Market.SupplierIndex(name)
				if i < 0 {
					t.Errorf("docs/DATA.md: %q in %q is not a supplier of %s", name, tb.head, DefaultMarket)
					continue
				}
				seen[name] = true
				t.Run(strings.Fields(tb.head)[3]+"/"+name, func(t *testing.T) { tb.check(t, i, row) })
			}
		}
		for _, sp := range cal.Market.Suppliers {
			if !seen[sp.Name] {
				t.Errorf("docs/DATA.md: the table %q has no row for %s", tb.head, sp.Name)
			}
		}
	}
}

// calibratedBase returns the default dataset's market calibrated: the
// base year the doc checks compare a doc's figures with.
func calibratedBase(t *testing.T) *model.Calibrated {
	t.Helper()
	m, err := BaseMarket(DefaultMarket)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := model.Calibrate(m)
	if err != nil {
		t.Fatal(err)
	}
	return cal
}
