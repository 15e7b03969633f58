package report

import (
	"fmt"
	"io"

	"github.com/potash-sim/potash/model"
)

// TidyHeader is the header of results.csv, written by WriteTidyCSV: one
// row per series, month, entity and variable of the central run.
//
//	scenario     the scenario's name (the same on every row, so files of
//	             several runs can be concatenated)
//	series       "scenario" (its level), "counterfactual" (the
//	             counterfactual's level) or "difference" (scenario −
//	             counterfactual)
//	month        YYYY-MM
//	entity_type  "world", "supplier", "region", "route" or "corridor" (China
//	             the supplier and China the region are told apart by it)
//	entity       "World", a supplier, a region, a route "Canada→Brazil" or
//	             a corridor "Belarus/Klaipeda"
//	variable     a model.Variables() name, e.g. "export_revenue"
//	value        the number, '.' decimals, full precision
//	unit         e.g. "$M/yr", "$/t", "Mt/yr", "fraction"
//	status       the solver's status in that month of that path:
//	             "converged", or e.g. "iteration limit" when it did not
//	             converge (the value is then the solver's best point); a
//	             difference row carries the status of the path that failed
//
// The Monte Carlo bands are in bands.csv (BandsHeader), the draws' totals
// in draws.csv (DrawsHeader).
var TidyHeader = []string{"scenario", "series", "month", "entity_type", "entity", "variable", "value", "unit", "status"}

// BandsHeader is the header of bands.csv, written by WriteBandsCSV: the
// Monte Carlo bands, one row per series, month, entity and variable, with
// the mean and the 5th, 25th, 50th, 75th and 95th percentiles across the
// converged draws side by side (the same rows as results.csv, so that
// neither file outgrows a spreadsheet).
var BandsHeader = []string{"scenario", "series", "month", "entity_type", "entity", "variable", "unit", "mean", "p5", "p25", "p50", "p75", "p95"}

// Series names used in results.csv and bands.csv.
const (
	SeriesScenario       = "scenario"
	SeriesCounterfactual = "counterfactual"
	SeriesDifference     = "difference"
)

// Entity types of results.csv and bands.csv.
const (
	EntityWorld    = "world"
	EntitySupplier = "supplier"
	EntityRegion   = "region"
	EntityRoute    = "route"
	EntityCorridor = "corridor"
)

// EntityType names a model.Entity for the CSV files.
func EntityType(e model.Entity) string {
	switch e {
	case model.EntitySupplier:
		return EntitySupplier
	case model.EntityRegion:
		return EntityRegion
	case model.EntityRoute:
		return EntityRoute
	case model.EntityCorridor:
		return EntityCorridor
	}
	return EntityWorld
}

// Row is one row of results.csv.
type Row struct {
	Series     string
	Month      model.Month
	EntityType string
	Entity     string
	Variable   string
	Value      float64
	Unit       string
	Status     model.Status
}

// checkRun checks that run's two paths have the same months, each with a
// solution.
func checkRun(run *model.Run) error {
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
	if len(model.Variables()) == 0 {
		return fmt.Errorf("report: the model reports no variables")
	}
	return nil
}

// monthStatus returns the solver's status of path p in month k
// (Converged when the path records no results).
func monthStatus(p *model.Path, k int) model.Status {
	if k < len(p.Results) {
		return p.Results[k].Status
	}
	return model.Converged
}

// TidyRows calls fn with every row of results.csv for run: for each
// series, variable and entity, the months in order. It stops at fn's
// first error. fn must not keep the Row.
func TidyRows(run *model.Run, fn func(*Row) error) error {
	if err := checkRun(run); err != nil {
		return err
	}
	sc, cf := run.Scenario, run.Counterfactual
	var row Row
	for _, series := range []string{SeriesScenario, SeriesCounterfactual, SeriesDifference} {
		row.Series = series
		for _, v := range model.Variables() {
			row.Variable, row.Unit, row.EntityType = v.Name, v.Unit, EntityType(v.Entity)
			for e, ent := range model.EntityNames(sc.Cal, v.Entity) {
				row.Entity = ent
				for k, m := range sc.Months {
					var x float64
					switch series {
					case SeriesScenario:
						x, row.Status = v.Value(sc.Cal, sc.Sol[k], e), monthStatus(sc, k)
					case SeriesCounterfactual:
						x, row.Status = v.Value(cf.Cal, cf.Sol[k], e), monthStatus(cf, k)
					default:
						x = v.Value(sc.Cal, sc.Sol[k], e) - v.Value(cf.Cal, cf.Sol[k], e)
						row.Status = monthStatus(sc, k)
						if row.Status == model.Converged {
							row.Status = monthStatus(cf, k)
						}
					}
					row.Month, row.Value = m, x
					if err := fn(&row); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// monthNames formats months once.
type monthNames map[model.Month]string

func (mn monthNames) get(m model.Month) string {
	s, ok := mn[m]
	if !ok {
		s = m.String()
		mn[m] = s
	}
	return s
}

// WriteTidyCSV writes results.csv (see TidyHeader): every variable of run
// by month. It streams: memory does not grow with the number of rows. A
// NaN or infinite value is an error naming the row.
func WriteTidyCSV(w io.Writer, scenario string, run *model.Run) error {
	cw, err := NewCSVWriter(w, TidyHeader...)
	if err != nil {
		return err
	}
	months := monthNames{}
	cells := make([]Cell, len(TidyHeader))
	err = TidyRows(run, func(r *Row) error {
		cells[0], cells[1], cells[2], cells[3] = Text(scenario), Text(r.Series), Text(months.get(r.Month)), Text(r.EntityType)
		cells[4], cells[5], cells[6], cells[7], cells[8] = Text(r.Entity), Text(r.Variable), Num(r.Value), Text(r.Unit), Text(r.Status.String())
		if err := cw.Row(cells...); err != nil {
			return fmt.Errorf("%s %s of %s in %s: %w", r.Series, r.Variable, r.Entity, r.Month, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return cw.Flush()
}

// variableEntityType returns the entity type of the model variable named
// name.
func variableEntityType(name string) string {
	for _, v := range model.Variables() {
		if v.Name == name {
			return EntityType(v.Entity)
		}
	}
	return ""
}

// WriteBandsCSV writes bands.csv (see BandsHeader): the Monte Carlo bands
// of mc for every series, variable and entity by month.
func WriteBandsCSV(w io.Writer, scenario string, mc *model.MCResult) error {
	if mc == nil {
		return fmt.Errorf("report: no Monte Carlo result")
	}
	cw, err := NewCSVWriter(w, BandsHeader...)
	if err != nil {
		return err
	}
	months := monthNames{}
	cells := make([]Cell, len(BandsHeader))
	types := map[string]string{}
	for _, series := range []string{SeriesScenario, SeriesCounterfactual, SeriesDifference} {
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
			et, ok := types[s.Variable]
			if !ok {
				et = variableEntityType(s.Variable)
				types[s.Variable] = et
			}
			cells[0], cells[1], cells[3], cells[4], cells[5], cells[6] = Text(scenario), Text(series), Text(et), Text(s.Entity), Text(s.Variable), Text(s.Unit)
			for k, m := range mc.Months {
				b := bands[k]
				cells[2] = Text(months.get(m))
				cells[7], cells[8], cells[9], cells[10], cells[11], cells[12] = Num(b.Mean), Num(b.P5), Num(b.P25), Num(b.P50), Num(b.P75), Num(b.P95)
				if err := cw.Row(cells...); err != nil {
					return fmt.Errorf("%s bands of %s of %s in %s: %w", series, s.Variable, s.Entity, m, err)
				}
			}
		}
	}
	return cw.Flush()
}

// DrawsHeader is the header of draws.csv, written by WriteDrawsCSV: one row
// per Monte Carlo draw and headline metric, and one row per draw that did
// not converge.
//
//	draw     the draw's number d, from 0 (its random numbers come from
//	         rand.NewPCG(seed, d))
//	status   "converged", or "failed" for a draw left out of the bands
//	metric   a model.Metrics name; empty on a failed draw's row
//	value    the metric's value in that draw; empty on a failed draw's row
//	unit     the metric's unit
//	reason   why a failed draw failed; empty otherwise
var DrawsHeader = []string{"scenario", "draw", "status", "metric", "value", "unit", "reason"}

// WriteDrawsCSV writes draws.csv (see DrawsHeader): the full distribution
// of each headline total of mc, and the draws that failed.
func WriteDrawsCSV(w io.Writer, scenario string, mc *model.MCResult) error {
	cw, err := NewCSVWriter(w, DrawsHeader...)
	if err != nil {
		return err
	}
	if len(mc.Failures) != mc.Failed {
		return fmt.Errorf("report: %d failed draws but %d listed", mc.Failed, len(mc.Failures))
	}
	// The converged draws' numbers: every draw not in Failures, in order.
	ok := make([]int, 0, mc.Converged)
	f := 0
	for d := 0; d < mc.Draws; d++ {
		if f < len(mc.Failures) && mc.Failures[f].Draw == d {
			f++
			continue
		}
		ok = append(ok, d)
	}
	for _, t := range mc.Totals {
		if len(t.Values) != len(ok) {
			return fmt.Errorf("report: %s has %d values for %d converged draws", t.Metric, len(t.Values), len(ok))
		}
		for k, v := range t.Values {
			if err := cw.Row(Text(scenario), Num(float64(ok[k])), Text("converged"), Text(t.Metric), Num(v), Text(t.Unit), Text("")); err != nil {
				return fmt.Errorf("draw %d of %s: %w", ok[k], t.Metric, err)
			}
		}
	}
	for _, fd := range mc.Failures {
		if err := cw.Row(Text(scenario), Num(float64(fd.Draw)), Text("failed"), Text(""), Text(""), Text(""), Text(fd.Reason)); err != nil {
			return err
		}
	}
	return cw.Flush()
}
