package backtest

// Study fit19 (session 19): penalised (MAP) fits with converged searches,
// behind docs/BACKTEST.md's "How λ was chosen" (the full note:
// docs/notes/fit19.md). Not a regression test: skipped unless FIT19 (or
// FIT19_THETA, FIT19_CV) is set. Each case runs the whole back-test (fit,
// decompositions, rolling origins and nowcast) with the budgets and prior
// of the environment; unset variables keep the 0.5.x values (800 and 300
// simulations, λ = 0, the 40-iteration rule), not DefaultConfig's.
//
//	FIT19=1 FIT19_EVALS=3000 FIT19_ROLL=3000 FIT19_LAMBDA=1 FIT19_SIGMA2=0.01146 \
//	  go test ./internal/backtest -run TestFit19Study -v -timeout 60m

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/potash-sim/potash/model"
)

func envFloat(t *testing.T, k string, def float64) float64 {
	v := os.Getenv(k)
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		t.Fatalf("%s: %v", k, err)
	}
	return f
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

func TestFit19Study(t *testing.T) {
	if os.Getenv("FIT19") == "" {
		t.Skip("study: set FIT19=1")
	}
	h := historyModel(t)
	rec, err := LoadRecord()
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Fit.MaxEvals = int(envFloat(t, "FIT19_EVALS", 800))
	cfg.Rolling.MaxEvals = int(envFloat(t, "FIT19_ROLL", 300))
	cfg.Fit.PriorWeight = envFloat(t, "FIT19_LAMBDA", 0)
	cfg.Fit.PriorSigma2 = envFloat(t, "FIT19_SIGMA2", 0.01146)
	cfg.Fit.PriorScale = envFloat(t, "FIT19_SCALE", 0.25)
	cfg.Fit.ConvergeIterations = int(envFloat(t, "FIT19_ITERS", 40))
	if os.Getenv("FIT19_NOROLL") != "" {
		cfg.Rolling.First = 0
	}
	cpu0, w0 := cpuSeconds(), time.Now()
	r, err := Run(context.Background(), h, rec, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cpu, wall := cpuSeconds()-cpu0, time.Since(w0).Seconds()
	f := r.Fit
	out := map[string]any{}
	fmt.Printf("CASE evals=%d roll=%d lambda=%g sigma2=%g scale=%g iters=%d\n", cfg.Fit.MaxEvals, cfg.Rolling.MaxEvals, cfg.Fit.PriorWeight, cfg.Fit.PriorSigma2, cfg.Fit.PriorScale, cfg.Fit.ConvergeIterations)
	fmt.Printf("time: wall %.1f s, cpu %.1f s\n", wall, cpu)
	fmt.Printf("objective %.5f (prices %.5f, exports %.5f, prior %.5f, spike %.5f); start %.4f; sims %d\n",
		f.SSR, f.PriceSSR, f.ExportSSR, f.PriorSSR, f.SSR-f.PriceSSR-f.ExportSSR-f.PriorSSR, f.StartSSR, f.Evaluations)
	for k, s := range f.Searches {
		fmt.Printf("  search %d: obj %.5f sims %d status %s converged %v\n", k, s.SSR, s.Evaluations, s.Status, Converged(s.Status))
	}
	for j, p := range f.Params {
		w := p.Range.Hi - p.Range.Lo
		pos := (f.Values[j] - p.Range.Lo) / w
		fmt.Printf("  %-34s %10.4f  CI [%.4f, %.4f]  start %.4f  range [%g, %g]  pos %.3f\n", p.Name, f.Values[j], f.CI[j][0], f.CI[j][1], p.Start, p.Range.Lo, p.Range.Hi, pos)
	}
	fmt.Printf("at bound: %v\n", f.AtBound)
	// Out-of-sample 12-month-average forecast: mean of 2023 carried forward.
	ma, _ := rec.Potash.Mean(cfg.Cut-12, cfg.Cut-1)
	var maPath []float64
	for _, t := range r.Months {
		if t >= cfg.Cut {
			maPath = append(maPath, ma)
		} else {
			maPath = append(maPath, math.NaN())
		}
	}
	last := r.Months[0]
	for k, t := range r.Months {
		if !math.IsNaN(r.Record[k]) {
			last = t
		}
	}
	maOut := Compare(r.Months, maPath, r.Record, cfg.Cut, last)
	fmt.Printf("in-sample RMSE %.4f bias %.4f; out-of-sample RMSE %.4f (naive %.4f, 12-month avg %.4f)\n",
		r.InSample.RMSE, r.InSample.MeanError, r.OutSample.RMSE, r.NaiveOut.RMSE, maOut.RMSE)
	fmt.Printf("peak: record %v %.0f, model %v %.0f (%+.1f%%)\n", r.PeakRecord.Month, r.PeakRecord.Value, r.PeakModel.Month, r.PeakModel.Value, 100*(r.PeakModel.Value/r.PeakRecord.Value-1))
	for _, e := range r.Exports {
		if e.Supplier == "Belarus" && e.Year == 2022 {
			fmt.Printf("Belarus 2022 vs 2020: model %+.1f%% record %+.1f%%\n", 100*e.ModelChange, 100*e.RecordChange)
		}
	}
	// Lag-1 autocorrelation of the in-sample log price residuals.
	var res []float64
	for k, t := range r.Months {
		if t < cfg.Cut && !math.IsNaN(r.Record[k]) {
			res = append(res, math.Log(r.Model[k]/r.Record[k]))
		}
	}
	fmt.Printf("residual lag-1 autocorrelation %.3f (n %d)\n", acf1(res), len(res))
	if r.Rolling != nil {
		conv, sims, maxSims := 0, 0, 0
		var st []string
		for _, fc := range r.Rolling.Forecasts {
			if Converged(fc.Status) {
				conv++
			}
			sims += fc.Evaluations
			maxSims = max(maxSims, fc.Evaluations)
			st = append(st, fmt.Sprintf("%v:%d", fc.Origin, fc.Evaluations))
		}
		fmt.Printf("rolling: %d of %d converged, sims %d (max %d); nowcast %d sims %s\n  %v\n", conv, len(r.Rolling.Forecasts), sims, maxSims,
			r.Rolling.Nowcast.Evaluations, r.Rolling.Nowcast.Status, st)
		for _, s := range r.Rolling.Stats {
			fmt.Printf("  h=%2d n=%2d  MAE level %.3f change %.3f naive %.3f MA %.3f | RMSE level %.3f change %.3f naive %.3f MA %.3f\n",
				s.H, s.N, s.Level.MAE, s.Change.MAE, s.Naive.MAE, s.MA.MAE, s.Level.RMSE, s.Change.RMSE, s.Naive.RMSE, s.MA.RMSE)
		}
		out["rolling"] = r.Rolling.Stats
		var vals [][]float64
		for _, fc := range r.Rolling.Forecasts {
			vals = append(vals, fc.Values)
		}
		out["rollingValues"] = vals
	}
	out["values"] = f.Values
	out["searches"] = f.Searches
	out["ci"] = f.CI
	if p := os.Getenv("FIT19_JSON"); p != "" {
		b, _ := json.MarshalIndent(out, "", " ")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func acf1(x []float64) float64 {
	var m float64
	for _, v := range x {
		m += v
	}
	m /= float64(len(x))
	var num, den float64
	for k := range x {
		den += (x[k] - m) * (x[k] - m)
		if k > 0 {
			num += (x[k] - m) * (x[k-1] - m)
		}
	}
	return num / den
}

// TestFit19Hessian prints the eigen-decomposition of the Gauss–Newton
// Hessian JᵀJ of the fit's residuals at FIT19_THETA (comma-separated),
// each parameter scaled by its range (a unit is the whole range), and the
// objective along the flattest direction.
func TestFit19Hessian(t *testing.T) {
	s := os.Getenv("FIT19_THETA")
	if s == "" {
		t.Skip("study: set FIT19_THETA")
	}
	var theta []float64
	for _, f := range splitComma(s) {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			t.Fatal(err)
		}
		theta = append(theta, v)
	}
	h := historyModel(t)
	rec, err := LoadRecord()
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	opts := cfg.Fit
	opts.From = cfg.Start
	opts.defaults()
	in := rec.Before(cfg.Cut)
	d, err := NewDrivers(in.Record(), opts.Weights, opts.BaseYear)
	if err != nil {
		t.Fatal(err)
	}
	end := cfg.Cut - 1
	ctx := context.Background()
	params := h.Params()
	resid := func(th []float64) []float64 {
		sim, err := h.Simulate(ctx, th, d, end, AllFactors)
		if err != nil || sim.Failed > 0 {
			t.Fatalf("simulate at %v: %v", th, err)
		}
		r := residuals(sim, in.Record(), opts, end)
		return r
	}
	r0 := resid(theta)
	n, p := len(r0), len(params)
	J := mat.NewDense(n, p, nil)
	for j, pr := range params {
		w := pr.Range.Hi - pr.Range.Lo
		hs := 1e-3 * w
		lo, hi := math.Max(theta[j]-hs, pr.Range.Lo), math.Min(theta[j]+hs, pr.Range.Hi)
		th := append([]float64(nil), theta...)
		th[j] = hi
		rp := resid(th)
		th[j] = lo
		rm := resid(th)
		for i := range n {
			J.Set(i, j, (rp[i]-rm[i])/(hi-lo)*w) // per whole range
		}
	}
	var ss float64
	for _, v := range r0 {
		ss += v * v
	}
	var jtj mat.SymDense
	jtj.SymOuterK(1, J.T())
	var eig mat.EigenSym
	if !eig.Factorize(&jtj, true) {
		t.Fatal("eigen")
	}
	ev := eig.Values(nil)
	var vec mat.Dense
	eig.VectorsTo(&vec)
	idx := make([]int, p)
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return ev[idx[a]] < ev[idx[b]] })
	fmt.Printf("SSR (no spike term) %.5f n %d; s2 %.5f\n", ss, n, ss/float64(n-p))
	fmt.Printf("eigenvalues of JᵀJ (range units): ")
	for _, i := range idx {
		fmt.Printf("%.3g ", ev[i])
	}
	fmt.Printf("\ncondition number %.3g\n", ev[idx[p-1]]/ev[idx[0]])
	for _, i := range idx[:4] {
		fmt.Printf("eigenvalue %.3g: SSR rises %.2g per (0.1 range)² along:", ev[i], ev[i]*0.01)
		for j, pr := range params {
			if c := vec.At(j, i); math.Abs(c) > 0.15 {
				fmt.Printf(" %s %+.2f", pr.Name, c)
			}
		}
		fmt.Println()
	}
	// Diagonal: SSR rise per 10% of range of one parameter alone, and the
	// correlation matrix of the estimates' covariance (JᵀJ)⁻¹.
	fmt.Printf("one at a time, SSR rise for 10%% of range (Gauss–Newton):")
	for j, pr := range params {
		fmt.Printf(" %s %.3g;", pr.Name, jtj.At(j, j)*0.01)
	}
	fmt.Println()
	var chol mat.Cholesky
	if chol.Factorize(&jtj) {
		var cov mat.SymDense
		_ = chol.InverseTo(&cov)
		fmt.Println("largest correlations of the estimates:")
		type pair struct {
			a, b int
			c    float64
		}
		var ps []pair
		for a := range p {
			for b := a + 1; b < p; b++ {
				ps = append(ps, pair{a, b, cov.At(a, b) / math.Sqrt(cov.At(a, a)*cov.At(b, b))})
			}
		}
		sort.Slice(ps, func(x, y int) bool { return math.Abs(ps[x].c) > math.Abs(ps[y].c) })
		for _, q := range ps[:8] {
			fmt.Printf("  %s – %s %+.3f\n", params[q.a].Name, params[q.b].Name, q.c)
		}
		fmt.Printf("VIF-like: se in range units with s2 (iid):")
		s2 := ss / float64(n-p)
		for j, pr := range params {
			fmt.Printf(" %s %.3f;", pr.Name, math.Sqrt(s2*cov.At(j, j)))
		}
		fmt.Println()
	}
	// Slices: the objective (prices + exports, no spike term) with one
	// parameter moved over its range, the others fixed.
	for j, pr := range params {
		fmt.Printf("slice %-34s", pr.Name)
		for _, u := range []float64{0, 0.1, 0.25, 0.5, 0.75, 0.9, 1} {
			th := append([]float64(nil), theta...)
			th[j] = pr.Range.Lo + u*(pr.Range.Hi-pr.Range.Lo)
			sim, err := h.Simulate(ctx, th, d, end, AllFactors)
			if err != nil || sim.Failed > 0 {
				fmt.Printf("  %.3g: fail", th[j])
				continue
			}
			var s float64
			for _, v := range residuals(sim, in.Record(), opts, end) {
				s += v * v
			}
			fmt.Printf("  %.3g: %.4f", th[j], s)
		}
		fmt.Println()
	}
	_ = model.NewMonth
}

func splitComma(s string) []string {
	var out []string
	cur := ""
	for _, c := range s {
		if c == ',' {
			out = append(out, cur)
			cur = ""
			continue
		}
		cur += string(c)
	}
	return append(out, cur)
}

// TestFit19CV chooses the prior's weight λ by time-series cross-validation
// inside 2020-01..2023-12 only: at each origin o of 2023-01, 2023-04,
// 2023-07 the penalised fit (3 searches, FIT19_EVALS each) sees the data
// before o, and forecasts 1..6 months ahead with the crop and gas drivers
// held at their last values (as RunRolling does); the score is the mean
// squared log error of the model's change over the origins and horizons
// (targets all before 2024-01).
func TestFit19CV(t *testing.T) {
	ls := os.Getenv("FIT19_CV")
	if ls == "" {
		t.Skip("study: set FIT19_CV=λ1,λ2,…")
	}
	h := historyModel(t)
	rec, err := LoadRecord()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, lsv := range splitComma(ls) {
		lambda, _ := strconv.ParseFloat(lsv, 64)
		var sc, sl, sn float64
		n := 0
		conv, searches, sims := 0, 0, 0
		for _, o := range []model.Month{model.NewMonth(2023, 1), model.NewMonth(2023, 4), model.NewMonth(2023, 7)} {
			cfg := DefaultConfig()
			fo := cfg.Fit
			fo.From = cfg.Start
			fo.MaxEvals = int(envFloat(t, "FIT19_EVALS", 3000))
			fo.PriorWeight = lambda
			fo.PriorSigma2 = envFloat(t, "FIT19_SIGMA2", 0.01146)
			fo.NoIntervals = true
			in := rec.Before(o)
			fit, err := Fit(ctx, h, in, fo)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range fit.Searches {
				searches++
				if Converged(s.Status) {
					conv++
				}
			}
			sims += fit.Evaluations
			fo.defaults()
			d, err := NewDrivers(in.Record(), fo.Weights, fo.BaseYear)
			if err != nil {
				t.Fatal(err)
			}
			sim, err := h.Simulate(ctx, fit.Values, d, o+5, AllFactors)
			if err != nil {
				t.Fatal(err)
			}
			ps := Series{Start: sim.Months[0], Values: sim.Price}
			last, _ := rec.Potash.At(o - 1)
			ml, _ := ps.At(o - 1)
			var line string
			for hh := 1; hh <= 6; hh++ {
				tm := o - 1 + model.Month(hh)
				lv, _ := ps.At(tm)
				r, _ := rec.Potash.At(tm)
				ec := math.Log(last*lv/ml) - math.Log(r)
				el := math.Log(lv) - math.Log(r)
				en := math.Log(last) - math.Log(r)
				sc += ec * ec
				sl += el * el
				sn += en * en
				n++
				line += fmt.Sprintf(" h%d %+.3f", hh, ec)
			}
			fmt.Printf("λ=%g origin %v obj %.4f sims %d values %v\n   change errors:%s\n", lambda, o, fit.SSR, fit.Evaluations, fmtVals(fit.Values), line)
		}
		fmt.Printf("CV λ=%g: RMSE change %.4f level %.4f naive %.4f over %d forecasts; searches converged %d of %d, sims %d\n",
			lambda, math.Sqrt(sc/float64(n)), math.Sqrt(sl/float64(n)), math.Sqrt(sn/float64(n)), n, conv, searches, sims)
	}
}

func fmtVals(v []float64) string {
	s := "["
	for k, x := range v {
		if k > 0 {
			s += " "
		}
		s += fmt.Sprintf("%.3g", x)
	}
	return s + "]"
}
