package plots

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/potash-sim/potash/model"
)

// svgTextAt is a text element of vgsvg: its x, its font size and its text.
var svgTextAt = regexp.MustCompile(`<text x="([-0-9.e]+)" y="[-0-9.e]+"[^>]*font-size:([0-9.]+)px[^>]*>([^<]*)</text>`)

// TestLegendHang: an event label of the numbered key too long for the
// legend column wraps with its continuation lines indented one em, so
// that they do not read as further events of the same line (which are
// listed unnumbered, flush with the first).
func TestLegendHang(t *testing.T) {
	meta := fixtureMeta()
	long := "Buyers stock up well ahead of the closures of the Baltic ports"
	meta.Markers = append(meta.Markers, Marker{Month: model.NewMonth(2021, 1), Label: long},
		Marker{Month: model.NewMonth(2021, 6), Label: "EU sanctions (June 2021)"},
		Marker{Month: model.NewMonth(2021, 9), Label: "Rerouting via Russian ports"},
		Marker{Month: model.NewMonth(2022, 1), Label: "Rail to China grows"})
	ch, err := PricePathChart(fixtureRun(fixtureOpts{}), nil, meta)
	if err != nil {
		t.Fatal(err)
	}
	_, doc := svgTexts(t, ch, Options{Size: SizeHalfPage})
	ms := svgTextAt.FindAllStringSubmatch(doc, -1)
	num := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for k, m := range ms {
		if m[3] == "Demand boom" && k+1 < len(ms) && strings.HasPrefix(long, ms[k+1][3]) {
			// The key's entries of line 1: "Demand boom", then the
			// long label (unnumbered, flush), then its continuation.
			first, flush := ms[k+1], num(m[1])
			if x := num(first[1]); x != flush {
				t.Errorf("second event of line 1 at x=%g, the first at %g", x, flush)
			}
			got := first[3]
			for j := k + 2; j < len(ms) && len(got) < len(long); j++ {
				if x, em := num(ms[j][1]), num(ms[j][2]); x < flush+0.9*em || x > flush+1.1*em {
					t.Errorf("continuation %q at x=%g, want %g+1 em (%g)", ms[j][3], x, flush, em)
				}
				got += " " + ms[j][3]
			}
			if got != long {
				t.Errorf("the key reads %q, want %q", got, long)
			}
			return
		}
	}
	t.Fatalf("no numbered key with the long label; texts:\n%s", strings.Join(func() []string {
		var s []string
		for _, m := range ms {
			s = append(s, m[3])
		}
		return s
	}(), "\n"))
}
