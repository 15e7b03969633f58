package scenarios

import (
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
// ("L is 0.35 for Belarus (a rent of 70 $/t), 0.46 for Canada (95 $/t),
// …") and the netbacks m0 ("Belarus netted about 145 $/t … and Canada
// about 170"). They are Calibrate's: a change of the data that moves them
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
	m, err := BaseMarket(DefaultMarket)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := model.Calibrate(m)
	if err != nil {
		t.Fatal(err)
	}
	index := map[string]int{}
	for k, s := range cal.Market.Suppliers {
		index[s.Name] = k
	}
	num := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
	const markupTol, dollarTol = 0.005 + 1e-9, 0.5 + 1e-9
	markups := regexp.MustCompile(`([0-9.]+) for ([A-Z][a-z]+) \((?:a rent of )?([0-9]+) \$/t\)`).FindAllStringSubmatch(sec, -1)
	netbacks := regexp.MustCompile(`([A-Z][a-z]+) netted about ([0-9]+) \$/t.*? and ([A-Z][a-z]+) about ([0-9]+),`).FindStringSubmatch(sec)
	if len(markups) < 3 || netbacks == nil {
		t.Fatalf("docs/MODEL.md §4.1: %d markups and netbacks %q found; the patterns no longer find them", len(markups), netbacks)
	}
	for _, q := range markups {
		k, ok := index[q[2]]
		if !ok {
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
		k, ok := index[p[0]]
		if !ok {
			t.Errorf("docs/MODEL.md §4.1: %q names no supplier", p[0])
			continue
		}
		if math.Abs(num(p[1])-cal.M0[k]) > dollarTol {
			t.Errorf("docs/MODEL.md §4.1: %s netted %s $/t; the calibrated base netback is %.0f", p[0], p[1], cal.M0[k])
		}
	}
}
