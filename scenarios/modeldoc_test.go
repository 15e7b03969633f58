package scenarios

import (
	"fmt"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/potash-sim/potash/model"
)

// TestModelDocBaseMarkups: docs/MODEL.md §4.1 quotes base-2020's
// calibrated base markups L = (m0 − MC0)/p0 with their rents m0 − MC0
// ("L is 0.35 for Belarus (a rent of 70 $/t), 0.44 for Canada (90 $/t),
// …") and the netbacks m0 ("Belarus netted about 145 $/t … and Canada
// about 165"). They are Calibrate's: a change of the data that moves them
// fails here rather than leaving a hand copy behind.
func TestModelDocBaseMarkups(t *testing.T) {
	data, err := os.ReadFile("../docs/MODEL.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	i := strings.Index(doc, "### 4.1 ")
	if i < 0 {
		t.Fatal("docs/MODEL.md has no §4.1")
	}
	sec := doc[i:]
	if j := strings.Index(sec[1:], "\n#"); j > 0 {
		sec = sec[:j+1]
	}
	sec = strings.Join(strings.Fields(sec), " ")
	cal := calibratedBase(t)
	num := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
	const markupTol, dollarTol = 0.005 + 1e-9, 0.5 + 1e-9
	markups := regexp.MustCompile(`([0-9.]+) for ([A-Z][a-z]+) \((?:a rent of )?([0-9]+) \$/t\)`).FindAllStringSubmatch(sec, -1)
	netbacks := regexp.MustCompile(`([A-Z][a-z]+) netted about ([0-9]+) \$/t.*? and ([A-Z][a-z]+) about ([0-9]+),`).FindStringSubmatch(sec)
	if len(markups) < 3 || netbacks == nil {
		t.Fatalf("docs/MODEL.md §4.1: %d markups and netbacks %q found; the patterns no longer find them", len(markups), netbacks)
	}
	for _, q := range markups {
		k := cal.Market.SupplierIndex(q[2])
		if k < 0 {
			t.Errorf("docs/MODEL.md §4.1: %q names no supplier", q[0])
			continue
		}
		if L := cal.Markup[k] + cal.ConductMarkup[k]; math.Abs(num(q[1])-L) > markupTol {
			t.Errorf("docs/MODEL.md §4.1: %q: L is %.2f in the calibrated base year", q[0], L)
		}
		if rent := cal.M0[k] - cal.MC0[k]; math.Abs(num(q[3])-rent) > dollarTol {
			t.Errorf("docs/MODEL.md §4.1: %q: the rent is %.0f $/t in the calibrated base year", q[0], rent)
		}
	}
	for _, p := range [][2]string{{netbacks[1], netbacks[2]}, {netbacks[3], netbacks[4]}} {
		k := cal.Market.SupplierIndex(p[0])
		if k < 0 {
			t.Errorf("docs/MODEL.md §4.1: %q names no supplier", p[0])
			continue
		}
		if math.Abs(num(p[1])-cal.M0[k]) > dollarTol {
			t.Errorf("docs/MODEL.md §4.1: %s netted %s $/t; the calibrated base netback is %.0f", p[0], p[1], cal.M0[k])
		}
	}
}

// TestConductDocFitted: docs/SCENARIOS.md ("Market conduct") and
// docs/DATA.md quote the conducts the conduct built-ins derive from
// their gap share 1 at base-2020's elasticities ("— Canada 0.32, Russia
// 0.69, Belarus 0.40 when each acts alone; Canada 0.32, Russia 0.41,
// Belarus 0.25 with BPC in force", to two decimals) and the gaps they
// are derived from ("Canada 90, Russia 110, Belarus 70 $/t"), and so do
// the built-ins table (bpc-reunion's and bpc-breakup's rows) and the
// built-ins' own sources ("about 0.32, 0.69 and 0.40 at base-2020's").
// They are the conducts Calibrate derives for bpc-reunion and
// bpc-breakup, and Calibrate's m0 − MC0: a re-fit that moves them fails
// here rather than leaving a hand copy behind.
func TestConductDocFitted(t *testing.T) {
	srcs := map[string]string{}
	conducts := func(name string) map[string]string {
		s := mustLoad(t, name)
		srcs[name] = strings.Join(strings.Fields(strings.Join(s.Sources, " ")), " ")
		c, err := model.Calibrate(s.Spec.Market)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, sp := range c.Market.Suppliers {
			out[sp.Name] = fmt.Sprintf("%.2f", sp.Conduct)
		}
		return out
	}
	alone, joint := conducts("bpc-reunion"), conducts("bpc-breakup")
	cal := calibratedBase(t)
	gap := func(name string) float64 {
		i := cal.Market.SupplierIndex(name)
		return cal.M0[i] - cal.MC0[i]
	}
	read := func(file string) string {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(strings.Fields(string(data)), " ")
	}
	triple := `Canada ([0-9.]+), Russia ([0-9.]+),? Belarus ([0-9.]+)`
	names := []string{"Canada", "Russia", "Belarus"}
	scen := read("../docs/SCENARIOS.md")
	data := read("../docs/DATA.md")
	for _, tc := range []struct {
		file, doc, pattern string
		want               []map[string]string
	}{
		{"docs/SCENARIOS.md", scen, "— " + triple + " when each acts alone; " + triple + " with BPC in force", []map[string]string{alone, joint}},
		{"docs/DATA.md", data, `\(` + triple + " when each acts alone", []map[string]string{alone}},
		// The built-ins table: bpc-reunion's and bpc-breakup's rows.
		{"docs/SCENARIOS.md (built-ins table, bpc-reunion)", scen, `Canada, Russia and Belarus are Cournot players whose conduct markup is their whole 2020 gap \(conduct ([0-9.]+), ([0-9.]+), ([0-9.]+)\)`, []map[string]string{alone}},
		{"docs/SCENARIOS.md (built-ins table, bpc-breakup)", scen, `BPC in force at the base \(conduct ([0-9.]+), ([0-9.]+), ([0-9.]+)\)`, []map[string]string{joint}},
		{"bpc-reunion's sources", srcs["bpc-reunion"], `about ([0-9.]+), ([0-9.]+) and ([0-9.]+) at base-2020's`, []map[string]string{alone}},
		{"bpc-breakup's sources", srcs["bpc-breakup"], `about ([0-9.]+), ([0-9.]+) and ([0-9.]+) at base-2020's`, []map[string]string{joint}},
	} {
		q := regexp.MustCompile(tc.pattern).FindStringSubmatch(tc.doc)
		if q == nil {
			t.Errorf("%s: no fitted conducts %q; the pattern no longer finds them", tc.file, tc.pattern)
			continue
		}
		for k, want := range tc.want {
			for j, name := range names {
				if got := q[1+3*k+j]; got != want[name] {
					t.Errorf("%s: %q quotes %s's conduct %s; the built-in has %s", tc.file, q[0], name, got, want[name])
				}
			}
		}
	}
	q := regexp.MustCompile(`whole 2020 gap \(` + triple + ` \$/t\)`).FindStringSubmatch(scen)
	if q == nil {
		t.Fatal("docs/SCENARIOS.md: no gaps the conducts are fitted to; the pattern no longer finds them")
	}
	for j, name := range names {
		if v, _ := strconv.ParseFloat(q[1+j], 64); math.Abs(v-gap(name)) > 0.5+1e-9 {
			t.Errorf("docs/SCENARIOS.md: %q: %s's gap m0 − MC0 is %.0f $/t in the calibrated base year", q[0], name, gap(name))
		}
	}
}
