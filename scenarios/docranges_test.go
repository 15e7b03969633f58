package scenarios

import (
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/potash-sim/potash/model"
)

// docBound writes a valid range as docs/SCENARIOS.md's tables do: "[lo,
// hi]" or "(lo, hi]", with a true minus sign.
func docBound(b bound) string {
	s := strings.TrimPrefix(b.String(), "in ")
	return strings.ReplaceAll(s, "-", "−")
}

// docTableRows returns the lines of docs/SCENARIOS.md that start a
// Markdown table row.
func docTableRows(t *testing.T) []string {
	t.Helper()
	doc, err := os.ReadFile("../docs/SCENARIOS.md")
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, l := range strings.Split(string(doc), "\n") {
		if strings.HasPrefix(l, "| ") {
			rows = append(rows, l)
		}
	}
	return rows
}

// TestDocsRangeTables: the valid ranges in docs/SCENARIOS.md's table of
// market fields and its table of event instruments are the validator's
// (the ranges are narrowed or widened in the code as the solver allows;
// the docs must follow, not keep a hand copy of an older range).
func TestDocsRangeTables(t *testing.T) {
	rows := docTableRows(t)
	find := func(prefix string) (string, bool) {
		for _, r := range rows {
			if strings.HasPrefix(r, prefix) {
				return r, true
			}
		}
		return "", false
	}
	groups := []struct {
		name   string
		fields []mfield
	}{
		{"regions", regionFields}, {"suppliers", supplierFields}, {"coalitions", coalitionFields},
		{"corridors", corridorFields}, {"facilities", facilityFields}, {"routes", routeFields},
	}
	for _, g := range groups {
		for _, f := range g.fields {
			t.Run(g.name+"."+f.key, func(t *testing.T) {
				row, ok := find("| " + g.name + ": `" + f.key + "` |")
				if !ok {
					t.Fatalf("docs/SCENARIOS.md has no row for %s: `%s`", g.name, f.key)
				}
				cells := strings.Split(row, " | ")
				if len(cells) < 3 {
					t.Fatalf("row %q has no valid-range column", row)
				}
				if want := docBound(f.valid); math.IsInf(f.valid.hi, 1) {
					if !strings.Contains(cells[2], strings.TrimPrefix(want, "≥ ")) {
						t.Errorf("%s: valid range %q, the validator's is %s", row, cells[2], want)
					}
				} else if !strings.HasPrefix(cells[2], want) {
					t.Errorf("%s: valid range %q, the validator's is %s", row, cells[2], want)
				}
			})
		}
	}
	for _, f := range driverFields {
		t.Run("drivers."+f.key, func(t *testing.T) {
			row, ok := find("| drivers: `crop_prices." + f.key + "` |")
			if !ok {
				t.Fatalf("docs/SCENARIOS.md has no row for drivers: `crop_prices.%s`", f.key)
			}
			if cells := strings.Split(row, " | "); len(cells) < 3 || !strings.HasPrefix(cells[2], docBound(f.valid)) {
				t.Errorf("%s: the validator's range is %s", row, docBound(f.valid))
			}
		})
	}
	for _, in := range instrumentTable {
		t.Run("event "+in.key, func(t *testing.T) {
			row, ok := find("| `" + in.key + "` |")
			if !ok {
				t.Fatalf("docs/SCENARIOS.md has no instrument row for `%s`", in.key)
			}
			for _, f := range in.fields {
				if (f.role != roleNumber && f.role != roleSeries) || f.valid == (bound{}) {
					continue
				}
				if want := docBound(f.valid); !strings.Contains(row, want) {
					t.Errorf("`%s`'s row lacks %s's valid range %s:\n%s", in.key, f.key, want, row)
				}
			}
		})
	}
}

// TestDatasetRangesInsideValid: every documented range of a number in the
// base dataset (its `range: [lo, hi]`, the plausible values a reader may
// try) lies inside the field's valid range, so that no value the dataset
// documents is one the validator refuses. (μ's was once the fit's 95 %
// interval [0.03, 0.5] below the valid lower end 0.08.)
func TestDatasetRangesInsideValid(t *testing.T) {
	f := baseFile(t)
	var paths []string
	for _, g := range []struct {
		pattern string
		fields  []mfield
	}{
		{"regions.*.", regionFields}, {"suppliers.*.", supplierFields}, {"suppliers.*.corridors.*.", corridorFields},
		{"facilities.*.", facilityFields}, {"coalitions.*.", coalitionFields}, {"routes.*.*.", routeFields},
	} {
		for _, fd := range g.fields {
			paths = append(paths, g.pattern+fd.key)
		}
	}
	for _, fd := range driverFields {
		paths = append(paths, "drivers.crop_prices."+fd.key)
	}
	checked := 0
	for _, p := range paths {
		ts, err := expandMarketPath(f, p)
		if err != nil {
			continue // a collection the dataset does not have
		}
		for _, tg := range ts {
			n := tg.fileNumPtr
			if n == nil || n.Range == nil {
				continue
			}
			checked++
			t.Run(tg.path, func(t *testing.T) {
				if v := tg.field.valid; !v.ok(n.Range[0]) || !v.ok(n.Range[1]) {
					t.Errorf("documented range [%g, %g] reaches outside the valid range %s", n.Range[0], n.Range[1], v)
				}
			})
		}
	}
	if checked < 50 {
		t.Errorf("checked %d documented ranges; the walk no longer finds them", checked)
	}
}

// TestDocsDocumentedColumn: where every region (supplier) of base-2020
// documents the same range for a field, docs/SCENARIOS.md's table of
// market fields gives that range in its "documented (base-2020)" column
// (φ's once read [0.1, 1] after the dataset had moved it to [0.06, 1]).
func TestDocsDocumentedColumn(t *testing.T) {
	f := baseFile(t)
	rows := docTableRows(t)
	checked := 0
	for _, g := range []struct {
		name   string
		fields []mfield
	}{{"regions", regionFields}, {"suppliers", supplierFields}} {
		for _, fd := range g.fields {
			ts, err := expandMarketPath(f, g.name+".*."+fd.key)
			if err != nil || len(ts) == 0 {
				continue
			}
			var r *[2]float64
			same := true
			for _, tg := range ts {
				n := tg.fileNumPtr
				if n == nil || n.Range == nil {
					same = false
					break
				}
				if r == nil {
					r = &[2]float64{n.Range[0], n.Range[1]}
				} else if *r != [2]float64{n.Range[0], n.Range[1]} {
					same = false
				}
			}
			if !same || r == nil {
				continue
			}
			prefix := "| " + g.name + ": `" + fd.key + "` |"
			i := slices.IndexFunc(rows, func(l string) bool { return strings.HasPrefix(l, prefix) })
			if i < 0 {
				continue // TestDocsRangeTables reports a missing row
			}
			checked++
			t.Run(g.name+"."+fd.key, func(t *testing.T) {
				cells := strings.Split(rows[i], " | ")
				want := strings.ReplaceAll(fmt.Sprintf("[%g, %g]", r[0], r[1]), "-", "−")
				if len(cells) < 4 || !strings.HasPrefix(cells[3], want) {
					t.Errorf("%s: documented range %q, base-2020's is %s", prefix, cells[min(3, len(cells)-1)], want)
				}
			})
		}
	}
	if checked < 10 {
		t.Errorf("checked %d rows; the walk no longer finds them", checked)
	}
	// ε's row quotes the crop rule's bound at base-2020's θ.
	q := regexp.MustCompile(`at least θ/3 \(base-2020: from ([0-9.]+)\)`).FindStringSubmatch(strings.Join(rows, "\n"))
	if q == nil {
		t.Fatal("docs/SCENARIOS.md: ε's row gives no \"at least θ/3 (base-2020: from X)\"")
	}
	if v, _ := strconv.ParseFloat(q[1], 64); !printedNear(q[1], model.MinEpsForCrop(f.Drivers.CropPrices.Elasticity.Value)) {
		t.Errorf("docs/SCENARIOS.md: ε's row gives the crop rule's bound %v; at base-2020's θ it is %.4g", v, model.MinEpsForCrop(f.Drivers.CropPrices.Elasticity.Value))
	}
}
