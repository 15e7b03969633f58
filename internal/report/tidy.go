package report

import (
	"fmt"
	"io"

	"github.com/potash-sim/potash/model"
)

// TidyHeader is the header of the tidy CSV written by WriteTidyCSV.
//
//	scenario   the scenario's name (the same on every row, so files of
//	           several runs can be concatenated)
//	series     "scenario" (its level), "counterfactual" (the counterfactual's
//	           level) or "difference" (scenario − counterfactual)
//	statistic  "value" for the run at the central parameter values; with
//	           Monte Carlo draws also "mean", "p5", "p25", "p50", "p75", "p95"
//	           across the converged draws
//	month      YYYY-MM
//	entity     "World", a supplier, a region, a route "Canada→Brazil" or a
//	           corridor "Belarus/Klaipeda"
//	variable   a model.Variables name, e.g. "export_revenue"
//	value      the number, '.' decimals, full precision
//	unit       e.g. "$M/yr", "$/t", "Mt/yr", "fraction"
var TidyHeader = []string{"scenario", "series", "statistic", "month", "entity", "variable", "value", "unit"}

// Series names used in the tidy CSV.
const (
	SeriesScenario       = "scenario"
	SeriesCounterfactual = "counterfactual"
	SeriesDifference     = "difference"
)

// Statistics of the Monte Carlo bands, in output order.
var BandStatistics = []string{"mean", "p5", "p25", "p50", "p75", "p95"}

// BandValues returns b's values in the order of BandStatistics.
func BandValues(b model.Band) []float64 {
	return []float64{b.Mean, b.P5, b.P25, b.P50, b.P75, b.P95}
}

// Row is one row of the tidy CSV.
type Row struct {
	Series    string
	Statistic string
	Month     model.Month
	Entity    string
	Variable  string
	Value     float64
	Unit      string
}

// TidyRows calls fn with every row of run (the central run; required) and
// of mc (Monte Carlo bands; may be nil): for each series, statistic,
// variable and entity, the months in order. It stops at fn's first error.
// fn must not keep the Row.
func TidyRows(run *model.Run, mc *model.MCResult, fn func(*Row) error) error {
	if run == nil || run.Scenario == nil || run.Counterfactual == nil {
		return fmt.Errorf("report: incomplete run")
	}
	sc, cf := run.Scenario, run.Counterfactual
	if len(sc.Sol) != len(sc.Months) || len(cf.Sol) != len(cf.Months) || len(sc.Months) != len(cf.Months) {
		return fmt.Errorf("report: scenario has %d months and %d solutions, counterfactual %d and %d",
			len(sc.Months), len(sc.Sol), len(cf.Months), len(cf.Sol))
	}
	for k := range sc.Months {
		if sc.Months[k] != cf.Months[k] {
			return fmt.Errorf("report: scenario and counterfactual months differ at %d: %s and %s", k, sc.Months[k], cf.Months[k])
		}
	}
	if len(model.Variables) == 0 {
		return fmt.Errorf("report: the model reports no variables")
	}
	var row Row
	for _, series := range []string{SeriesScenario, SeriesCounterfactual, SeriesDifference} {
		row.Series = series
		row.Statistic = "value"
		for _, v := range model.Variables {
			row.Variable, row.Unit = v.Name, v.Unit
			names := model.EntityNames(sc.Cal, v.Entity)
			for e, ent := range names {
				row.Entity = ent
				for k, m := range sc.Months {
					var x float64
					switch series {
					case SeriesScenario:
						x = v.Value(sc.Cal, sc.Sol[k], e)
					case SeriesCounterfactual:
						x = v.Value(cf.Cal, cf.Sol[k], e)
					default:
						x = v.Value(sc.Cal, sc.Sol[k], e) - v.Value(cf.Cal, cf.Sol[k], e)
					}
					row.Month, row.Value = m, x
					if err := fn(&row); err != nil {
						return err
					}
				}
			}
		}
		if mc == nil {
			continue
		}
		for si, stat := range BandStatistics {
			row.Statistic = stat
			for _, s := range mc.Series {
				bands := s.Level
				switch series {
				case SeriesCounterfactual:
					bands = s.CfLevel
				case SeriesDifference:
					bands = s.Diff
				}
				if len(bands) != len(mc.Months) {
					return fmt.Errorf("report: Monte Carlo series %s/%s has %d months, want %d", s.Variable, s.Entity, len(bands), len(mc.Months))
				}
				row.Variable, row.Entity, row.Unit = s.Variable, s.Entity, s.Unit
				for k, m := range mc.Months {
					row.Month, row.Value = m, bandValue(bands[k], si)
					if err := fn(&row); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// bandValue returns statistic k of BandStatistics from b.
func bandValue(b model.Band, k int) float64 {
	switch k {
	case 0:
		return b.Mean
	case 1:
		return b.P5
	case 2:
		return b.P25
	case 3:
		return b.P50
	case 4:
		return b.P75
	}
	return b.P95
}

// WriteTidyCSV writes every variable of run (and the bands of mc, if not
// nil) by month as a tidy CSV (see TidyHeader) to w. It streams: memory
// does not grow with the number of rows. A NaN or infinite value is an
// error naming the row.
func WriteTidyCSV(w io.Writer, scenario string, run *model.Run, mc *model.MCResult) error {
	cw, err := NewCSVWriter(w, TidyHeader...)
	if err != nil {
		return err
	}
	months := map[model.Month]string{} // formatted once
	cells := make([]Cell, len(TidyHeader))
	err = TidyRows(run, mc, func(r *Row) error {
		ms, ok := months[r.Month]
		if !ok {
			ms = r.Month.String()
			months[r.Month] = ms
		}
		cells[0], cells[1], cells[2], cells[3] = Text(scenario), Text(r.Series), Text(r.Statistic), Text(ms)
		cells[4], cells[5], cells[6], cells[7] = Text(r.Entity), Text(r.Variable), Num(r.Value), Text(r.Unit)
		if err := cw.Row(cells...); err != nil {
			return fmt.Errorf("%s %s %s of %s in %s: %w", r.Series, r.Statistic, r.Variable, r.Entity, r.Month, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return cw.Flush()
}

// DrawsHeader is the header of the CSV written by WriteDrawsCSV: one row per
// converged Monte Carlo draw and headline metric. draw numbers the
// converged draws 1, 2, … in draw order.
var DrawsHeader = []string{"scenario", "draw", "metric", "value", "unit"}

// WriteDrawsCSV writes the full distribution of each headline total of mc.
func WriteDrawsCSV(w io.Writer, scenario string, mc *model.MCResult) error {
	cw, err := NewCSVWriter(w, DrawsHeader...)
	if err != nil {
		return err
	}
	for _, t := range mc.Totals {
		for d, v := range t.Values {
			if err := cw.Row(Text(scenario), Num(float64(d+1)), Text(t.Metric), Num(v), Text(t.Unit)); err != nil {
				return fmt.Errorf("draw %d of %s: %w", d+1, t.Metric, err)
			}
		}
	}
	return cw.Flush()
}
