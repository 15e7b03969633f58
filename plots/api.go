package plots

import (
	"errors"

	"github.com/potash-sim/potash/model"
)

var errNotImplemented = errors.New("plots: not implemented")

// Marker is a vertical event marker on time axes.
type Marker struct {
	Month model.Month
	Label string // short, e.g. "Klaipėda closed"
}

// Meta is what every chart says about where it came from.
type Meta struct {
	Scenario       string // scenario name (subtitle)
	Title          string // scenario title
	Counterfactual string // counterfactual name (subtitle)
	Hash           string // scenario hash (footer; first 12 hex digits shown)
	ModelVersion   string // model.Version (footer)
	DataSource     string // footer, e.g. "Data: base-2020 v1.0.0 (FAOSTAT, World Bank Pink Sheet)"
	Markers        []Marker
	Seed           uint64
	Draws          int
}

// Size is a chart size preset.
type Size int

const (
	SizeSlide    Size = iota // 16:9 slide, 13.33 × 7.5 in
	SizeHalfPage             // half an A4/Letter page, 6.5 × 4 in
)

// Options control output.
type Options struct {
	Size    Size
	DPI     int      // PNG resolution; 0 means 150
	Formats []string // any of "png", "svg", "pdf"; empty means png
}

// RenderRun writes every chart of one run (price path with bands, export
// revenue path and cumulative change bars, volumes and shares, trade-flow
// heat map at the last month, corridors of every supplier with more than one
// corridor) into dir, and returns the files written. mc may be nil.
func RenderRun(dir string, run *model.Run, mc *model.MCResult, meta Meta, opts Options) ([]string, error) {
	return nil, errNotImplemented
}

// RenderCompare writes one chart per variable comparing several runs
// (the benchmark price, and each run's Belarus export revenue change).
func RenderCompare(dir string, runs []*model.Run, names []string, meta Meta, opts Options) ([]string, error) {
	return nil, errNotImplemented
}

// RenderSweep writes the sweep chart(s) for each metric: a line for a 1-D
// sweep, a heat map with a colour bar for a 2-D sweep.
func RenderSweep(dir string, res *model.SweepResult, meta Meta, opts Options) ([]string, error) {
	return nil, errNotImplemented
}

// RenderTornado writes the tornado chart.
func RenderTornado(dir string, t *model.Tornado, meta Meta, opts Options) ([]string, error) {
	return nil, errNotImplemented
}
