package plots

import (
	"os"
	"strings"
	"testing"

	"github.com/potash-sim/potash/model"
)

// TestLook renders every chart to $PLOTS_LOOK_DIR for a person to look at.
func TestLook(t *testing.T) {
	dir := os.Getenv("PLOTS_LOOK_DIR")
	if dir == "" {
		t.Skip("set PLOTS_LOOK_DIR to render charts for inspection")
	}
	run := fixtureRun(fixtureOpts{})
	mc := fixtureMC(run)
	opts := Options{DPI: 100}
	if f := os.Getenv("PLOTS_LOOK_FORMATS"); f != "" {
		opts.Formats = strings.Split(f, ",")
	}
	if os.Getenv("PLOTS_LOOK_HALF") != "" {
		opts.Size = SizeHalfPage
		opts.DPI = 200
	}
	if os.Getenv("PLOTS_LOOK_WEB") != "" {
		opts.Size = SizeWeb
		opts.DPI = 96 // 800 pixels wide: as a 800 CSS px card shows it
	}
	if _, err := RenderRun(dir, run, mc, fixtureMeta(), opts); err != nil {
		t.Fatal(err)
	}
	if _, err := RenderTornado(dir, fixtureTornado(), fixtureMeta(), opts); err != nil {
		t.Fatal(err)
	}
	if _, err := RenderSweep(dir+"/s1", fixtureSweep(1), fixtureMeta(), opts); err != nil {
		t.Fatal(err)
	}
	if _, err := RenderSweep(dir+"/s2", fixtureSweep(2), fixtureMeta(), opts); err != nil {
		t.Fatal(err)
	}
	r2 := fixtureRun(fixtureOpts{delay: 0.5})
	r3 := fixtureRun(fixtureOpts{zero: true})
	if _, err := RenderCompare(dir, []*model.Run{run, r2, r3}, []string{"us-relief-2025", "relief-2026", "history"}, fixtureMeta(), opts); err != nil {
		t.Fatal(err)
	}
}

// TestLookVariants renders edge cases to $PLOTS_LOOK_DIR for inspection.
func TestLookVariants(t *testing.T) {
	dir := os.Getenv("PLOTS_LOOK_DIR")
	if dir == "" {
		t.Skip("set PLOTS_LOOK_DIR to render charts for inspection")
	}
	for name, o := range map[string]fixtureOpts{
		"one":   {suppliers: 1},
		"zero":  {zero: true},
		"short": {months: 14},
	} {
		run := fixtureRun(o)
		if _, err := RenderRun(dir+"/"+name, run, fixtureMC(run), fixtureMeta(), Options{DPI: 100}); err != nil {
			t.Fatal(err)
		}
	}
}
