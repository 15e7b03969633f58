package plots

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/potash-sim/potash/model"
)

// writeLook renders charts (or the constructor's error) with opts into
// dir for a person to look at.
func writeLook(t *testing.T, dir string, charts []*Chart, err error, opts Options) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	files, err := RenderAll(context.Background(), charts, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.Name()), f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

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
	charts, err := RunCharts(run, mc, fixtureMeta(), opts)
	writeLook(t, dir, charts, err, opts)
	tor, err := TornadoChart(fixtureTornado(), fixtureMeta())
	writeLook(t, dir, []*Chart{tor}, err, opts)
	charts, err = SweepCharts(fixtureSweep(1), fixtureMeta())
	writeLook(t, dir+"/s1", charts, err, opts)
	charts, err = SweepCharts(fixtureSweep(2), fixtureMeta())
	writeLook(t, dir+"/s2", charts, err, opts)
	r2 := fixtureRun(fixtureOpts{delay: 0.5})
	r3 := fixtureRun(fixtureOpts{zero: true})
	charts, err = CompareCharts([]*model.Run{run, r2, r3}, []string{"us-relief-2025", "relief-2026", "history"}, "Belarus", fixtureMeta())
	writeLook(t, dir, charts, err, opts)
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
		opts := Options{DPI: 100}
		charts, err := RunCharts(run, fixtureMC(run), fixtureMeta(), opts)
		writeLook(t, dir+"/"+name, charts, err, opts)
	}
}
