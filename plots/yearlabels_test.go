package plots

import (
	"regexp"
	"testing"
)

// yearLabel is a year tick label.
var yearLabel = regexp.MustCompile(`^\d{4}$`)

// TestYearLabels: at every size, a chart with a time axis of several
// years labels at least two years on it. Small multiples whose legend
// column is wide (the market panels of a run whose lines coincide, at the
// web size) showed "2020" alone: a 10-year step on a 2020–2028 axis.
func TestYearLabels(t *testing.T) {
	for _, meta := range []Meta{fixtureMeta(), briefingMeta()} {
		charts := allCharts(t, meta)
		zrun := fixtureRun(fixtureOpts{zero: true})
		for _, mc := range []bool{false, true} {
			var ch *Chart
			var err error
			if mc {
				ch, err = RegionPriceChart(zrun, fixtureMC(zrun), meta)
			} else {
				ch, err = RegionPriceChart(zrun, nil, meta)
			}
			if err != nil {
				t.Fatal(err)
			}
			charts = append(charts, ch)
		}
		for _, ch := range charts {
			for _, sz := range []Size{SizeSlide, SizeHalfPage, SizeWeb} {
				st, _ := styleFor(sz)
				years := map[string]bool{}
				for _, b := range textBoxes(t, ch, st) {
					if yearLabel.MatchString(b.text) {
						years[b.text] = true
					}
				}
				if len(years) == 1 {
					t.Errorf("%s at size %d: one year labelled on its time axis: %v", ch.Name, sz, years)
				}
			}
		}
	}
}
