package plots

import (
	"os"
	"testing"
)

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
