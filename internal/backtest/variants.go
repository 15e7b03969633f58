package backtest

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/model"
)

// Variant is an alternative specification of the back-test, run to show
// how much the conclusions depend on choices the method makes.
type Variant struct {
	Name   string
	Doc    string
	Config Config
	// Model, when not nil, derives the variant's model from the
	// published one (a parameter held fixed, an event's timing changed).
	Model func(Model) (Model, error)
}

// Variants returns the published back-test (first) and its alternatives:
// prices only (no export term in the objective), equal crop weights in
// every region (instead of the market's soybean-heavy index for Brazil),
// an earlier cut-off (fit on 2020–2022 only), no precautionary
// stock-building (its size held at 0), and the stock-building run down
// from 2022-07 instead of 2022-03 (the second half of 2022, when Brazil's
// importers slowed their purchases: docs/BACKTEST.md).
func Variants() []Variant {
	base := DefaultConfig()
	pricesOnly := DefaultConfig()
	pricesOnly.Fit.ExportWeight = 0
	equal := DefaultConfig()
	equal.Fit.Weights = DefaultCropWeights
	early := DefaultConfig()
	early.Cut = model.NewMonth(2023, 1)
	noStocks, lateRunDown := DefaultConfig(), DefaultConfig()
	// The rolling origins and the nowcast belong to the published
	// back-test only.
	for _, c := range []*Config{&pricesOnly, &equal, &early, &noStocks, &lateRunDown} {
		c.Rolling = RollingConfig{}
	}
	return []Variant{
		{Name: "published", Doc: "as above", Config: base},
		{Name: "prices only", Doc: "objective without the export term", Config: pricesOnly},
		{Name: "equal crop weights", Doc: "every region's index weighs maize, soybeans and wheat equally", Config: equal},
		{Name: "cut-off 2023-01", Doc: "fit on 2020-01..2022-12, test on 2023-01..2025-10", Config: early},
		{Name: "no stock-building", Doc: "the precautionary stock-building held at 0", Config: noStocks,
			Model: func(m Model) (Model, error) { return FixParam(m, ParamPrecaution, 0) }},
		{Name: "run-down from 2022-07", Doc: "the precautionary stock target held until 2022-06, run down over 12 months from 2022-07", Config: lateRunDown,
			Model: func(m Model) (Model, error) {
				h, ok := m.(*HistoryModel)
				if !ok {
					return nil, fmt.Errorf("backtest: the run-down variant needs the history model")
				}
				return h.WithEvent(PrecautionEventID, func(e *model.Event) { e.End = model.NewMonth(2022, 7) })
			}},
	}
}

// FixParam returns m with parameter name held at v: the returned model
// estimates the other parameters only.
func FixParam(m Model, name string, v float64) (Model, error) {
	ps := m.Params()
	for j, p := range ps {
		if p.Name != name {
			continue
		}
		if !p.Range.Contains(v) {
			return nil, fmt.Errorf("backtest: %s = %g outside [%g, %g]", name, v, p.Range.Lo, p.Range.Hi)
		}
		return &fixedParam{Model: m, j: j, v: v, params: slices.Delete(slices.Clone(ps), j, j+1)}, nil
	}
	return nil, fmt.Errorf("backtest: the model has no parameter %q", name)
}

// fixedParam is a Model with parameter j of another held at v.
type fixedParam struct {
	Model
	j      int
	v      float64
	params []Param
}

func (f *fixedParam) Params() []Param { return slices.Clone(f.params) }

func (f *fixedParam) Simulate(ctx context.Context, theta []float64, d *Drivers, end model.Month, on Factors) (*Sim, error) {
	if len(theta) != len(f.params) {
		return nil, fmt.Errorf("backtest: %d parameter values for %d parameters", len(theta), len(f.params))
	}
	return f.Model.Simulate(ctx, slices.Insert(slices.Clone(theta), f.j, f.v), d, end, on)
}

// RunVariants runs m on rec for each variant.
func RunVariants(ctx context.Context, m Model, rec *Record, vs []Variant) ([]*Report, error) {
	out := make([]*Report, len(vs))
	for k, v := range vs {
		mv := m
		if v.Model != nil {
			var err error
			if mv, err = v.Model(m); err != nil {
				return nil, fmt.Errorf("variant %q: %w", v.Name, err)
			}
		}
		r, err := Run(ctx, mv, rec, v.Config)
		if err != nil {
			return nil, fmt.Errorf("variant %q: %w", v.Name, err)
		}
		out[k] = r
	}
	return out, nil
}

// WriteVariantsTable prints one column per variant: estimates, fit in
// and out of sample, the 2022 peak, and the sanctions and crop-demand
// shares of the 2021–22 rise.
func WriteVariantsTable(w io.Writer, vs []Variant, rs []*Report) error {
	if len(vs) != len(rs) || len(rs) == 0 {
		return fmt.Errorf("backtest: %d variants, %d reports", len(vs), len(rs))
	}
	var b strings.Builder
	t := report.Table{Head: []string{""}}
	row := func(name string, cell func(r *Report) string) {
		cells := []string{name}
		for _, r := range rs {
			cells = append(cells, cell(r))
		}
		t.Rows = append(t.Rows, cells)
	}
	for _, v := range vs {
		t.Head = append(t.Head, v.Name)
	}
	for _, p := range rs[0].Fit.Params {
		row(p.Name, func(r *Report) string {
			for k, q := range r.Fit.Params {
				if q.Name == p.Name {
					v := num(r.Fit.Values[k], 3)
					for _, n := range r.Fit.AtBound {
						if n == p.Name {
							v += "*"
						}
					}
					return v
				}
			}
			return "–"
		})
	}
	row("searches converged", func(r *Report) string {
		n := 0
		for _, sr := range r.Fit.Searches {
			if Converged(sr.Status) {
				n++
			}
		}
		return fmt.Sprintf("%d of %d", n, len(r.Fit.Searches))
	})
	row("in-sample RMSE (log)", func(r *Report) string {
		return num(r.InSample.RMSE, 3) + " (" + r.InSample.From.String() + ".." + r.InSample.To.String() + ")"
	})
	row("out-of-sample RMSE (log)", func(r *Report) string {
		return num(r.OutSample.RMSE, 3) + " (" + r.OutSample.From.String() + ".." + r.OutSample.To.String() + ")"
	})
	row("naive RMSE (log)", func(r *Report) string { return num(r.NaiveOut.RMSE, 3) })
	row("2022 peak", func(r *Report) string {
		return fmt.Sprintf("%s $/t %v", num(r.PeakModel.Value, 0), r.PeakModel.Month)
	})
	row("Belarus 2022 exports vs 2020", func(r *Report) string {
		for _, e := range r.Exports {
			if e.Supplier == "Belarus" && e.Year == 2022 {
				return pct(e.ModelChange)
			}
		}
		return "–"
	})
	share := func(factor string) func(r *Report) string {
		return func(r *Report) string {
			d := r.Decomposition
			for _, c := range d.Contributions {
				if c.Factor == factor {
					return fmt.Sprintf("%s $/t (%s)", signed(c.Value, 0), shareOf(c.Value, d.ModelRise))
				}
			}
			return "–"
		}
	}
	row("2021–22 rise: model", func(r *Report) string { return signed(r.Decomposition.ModelRise, 0) + " $/t" })
	row("  of which sanctions", share("sanctions"))
	row("  of which crop demand", share("crop demand"))
	t.WriteText(&b)
	fmt.Fprintf(&b, "(* at a bound of its range. A search that did not converge stopped at its limit of simulations. Record: 2022 peak 1,202 $/t 2022-04; Belarus 2022 exports −64%%; 2021–22 rise %s $/t.)\n",
		signed(rs[0].Decomposition.RecordRise, 0))
	_, err := io.WriteString(w, b.String())
	return err
}
