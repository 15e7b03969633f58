package plots

import (
	"strings"
	"testing"
)

// TestSweepWarningNote: every chart of a sweep, 1-D line and 2-D heat
// map, at every size, carries the pipeline's warnings (Meta.Warnings) as
// notes; without one it carries none.
func TestSweepWarningNote(t *testing.T) {
	const warn = "Both runs move with events.x.end (cf shares the event), so its own effect cancels in the changes; scenario.events.x.end moves the scenario only."
	for _, dims := range []int{1, 2} {
		for _, w := range []string{warn, ""} {
			meta := fixtureMeta()
			if w != "" {
				meta.Warnings = []string{w}
			}
			charts, err := SweepCharts(fixtureSweep(dims), meta)
			if err != nil {
				t.Fatal(err)
			}
			for _, ch := range charts {
				for _, size := range []Size{SizeSlide, SizeHalfPage, SizeWeb} {
					texts, _ := svgTexts(t, ch, Options{Size: size})
					all := strings.Join(texts, " ")
					if got := strings.Contains(all, "Both runs move") && strings.Contains(all, "moves the scenario only."); got != (w != "") {
						t.Errorf("%d-D %s, size %d, warning %q: the chart carries it: %v\n%q", dims, ch.Name, size, w, got, texts)
					}
				}
			}
		}
	}
}
