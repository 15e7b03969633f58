package plots

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"gonum.org/v1/plot/cmpimg"

	"github.com/potash-sim/potash/model"
)

var update = flag.Bool("update", false, "regenerate the golden images in testdata/")

// goldenDelta is the tolerance of the approximate PNG comparison
// (cmpimg.EqualApprox: 0 exact, 1 anything): small enough to catch a moved
// line or label, large enough to absorb anti-aliasing differences.
const goldenDelta = 0.05

// goldenOpts renders small PNGs so the golden files stay small.
var goldenOpts = Options{Size: SizeSlide, DPI: 48}

// checkGolden renders ch as PNG and compares it with
// testdata/<name>_golden.png, or rewrites that file with -update.
func checkGolden(t *testing.T, name string, ch *Chart) {
	t.Helper()
	checkGoldenOpts(t, name, ch, goldenOpts)
}

// checkGoldenOpts is checkGolden at opts.
func checkGoldenOpts(t *testing.T, name string, ch *Chart, opts Options) {
	t.Helper()
	var buf bytes.Buffer
	if err := ch.Render(&buf, "png", opts); err != nil {
		t.Fatalf("render %s: %v", name, err)
	}
	golden := filepath.Join("testdata", name+"_golden.png")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./plots -run Golden -update to create it)", err)
	}
	ok, err := cmpimg.EqualApprox("png", buf.Bytes(), want, goldenDelta)
	if err != nil {
		t.Fatalf("compare %s: %v", name, err)
	}
	if !ok {
		got := filepath.Join(t.TempDir(), name+".png")
		_ = os.WriteFile(got, buf.Bytes(), 0o644)
		t.Errorf("%s differs from %s; got %s (inspect, then -update if intended)", name, golden, got)
		if dir := os.Getenv("PLOTS_FAILED_DIR"); dir != "" {
			_ = os.WriteFile(filepath.Join(dir, name+".png"), buf.Bytes(), 0o644)
		}
	}
}

// TestGolden renders every chart type from fixed results and compares it
// with its golden image.
func TestGolden(t *testing.T) {
	run, meta, charts := fixtureCharts(t)
	for _, ch := range charts {
		t.Run(ch.Name, func(t *testing.T) { checkGolden(t, ch.Name, ch) })
	}
	// Without Monte Carlo: no bands, no error bars.
	plain, err := RunCharts(run, nil, meta, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range plain[:4] {
		t.Run(ch.Name+"_nomc", func(t *testing.T) { checkGolden(t, ch.Name+"_nomc", ch) })
	}
	// A one-month spike is left off the scale and marked.
	srun, smc := fixtureSpike()
	spike, err := PricePathChart(srun, smc, meta)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("price_spike", func(t *testing.T) { checkGolden(t, "price_spike", spike) })
	tor, err := TornadoChart(fixtureTornado(), meta)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("tornado", func(t *testing.T) { checkGolden(t, "tornado", tor) })
	torCut, err := TornadoChart(fixtureTornadoCut(), meta)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("tornado_cut", func(t *testing.T) { checkGolden(t, "tornado_cut", torCut) })
	torSame, err := TornadoChart(fixtureTornadoSameSide(), meta)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("tornado_sameside", func(t *testing.T) { checkGolden(t, "tornado_sameside", torSame) })
	for _, dims := range []int{1, 2} {
		sw, err := SweepCharts(fixtureSweep(dims), meta)
		if err != nil {
			t.Fatal(err)
		}
		for _, ch := range sw {
			name := ch.Name + []string{"", "_1d", "_2d"}[dims]
			t.Run(name, func(t *testing.T) { checkGolden(t, name, ch) })
		}
	}
	runs := []*model.Run{run, fixtureRun(fixtureOpts{delay: 0.5}), fixtureRun(fixtureOpts{zero: true})}
	cmp, err := CompareCharts(runs, []string{"us-relief-2025", "relief-2026", "history"}, "Belarus", meta)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range cmp {
		t.Run(ch.Name, func(t *testing.T) { checkGolden(t, ch.Name, ch) })
	}
	// The web size: larger type, the legend below, three event labels.
	web := Options{Size: SizeWeb, DPI: 96}
	for _, k := range []int{0, 2} {
		ch := charts[k]
		t.Run(ch.Name+"_web", func(t *testing.T) { checkGoldenOpts(t, ch.Name+"_web", ch, web) })
	}
	// Small multiples at the web size: every panel labels the same years.
	for _, ch := range charts {
		if ch.Name == "price_regions" {
			t.Run(ch.Name+"_web", func(t *testing.T) { checkGoldenOpts(t, ch.Name+"_web", ch, web) })
		}
	}
	// Scenario and counterfactual identical: the price chart notes it on
	// the plot, the market panels in the legend.
	zrun := fixtureRun(fixtureOpts{zero: true})
	for name, mk := range map[string]func() (*Chart, error){
		"price_identical":         func() (*Chart, error) { return PricePathChart(zrun, nil, meta) },
		"price_regions_identical": func() (*Chart, error) { return RegionPriceChart(zrun, nil, meta) },
	} {
		ch, err := mk()
		if err != nil {
			t.Fatal(err)
		}
		t.Run(name, func(t *testing.T) { checkGolden(t, name, ch) })
	}
	half := Options{Size: SizeHalfPage, DPI: 96}
	var buf bytes.Buffer
	if err := charts[0].Render(&buf, "png", half); err != nil {
		t.Fatal(err)
	}
}
