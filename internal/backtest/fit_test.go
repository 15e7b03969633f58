package backtest

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"

	"github.com/potash-sim/potash/model"
)

// TestFitRecoversSynthetic fits the synthetic model to a record it
// generated itself: least squares must find the generating parameters
// (the objective is zero there) from a start away from them.
func TestFitRecoversSynthetic(t *testing.T) {
	truth := []float64{0.8, 0.25, 0.6}
	rec, err := synthRecord(truth)
	if err != nil {
		t.Fatal(err)
	}
	m := &synthModel{}
	res, err := Fit(context.Background(), m, rec.Before(model.NewMonth(2024, 1)), FitOptions{MaxEvals: 400})
	if err != nil {
		t.Fatal(err)
	}
	const tol = 2e-3 // absolute, on parameters of order 1
	for j, p := range res.Params {
		if !scalar.EqualWithinAbs(res.Values[j], truth[j], tol) {
			t.Errorf("%s = %.6f, want %.6f ± %g (status %s, %d evaluations, SSR %.3g)",
				p.Name, res.Values[j], truth[j], tol, res.Status, res.Evaluations, res.SSR)
		}
	}
	if res.Evaluations > 400 {
		t.Errorf("evaluations = %d, want ≤ 400 (MaxEvals)", res.Evaluations)
	}
	for _, sr := range res.Searches {
		if sr.Evaluations > 400 {
			t.Errorf("a search used %d simulations, want ≤ 400 (MaxEvals)", sr.Evaluations)
		}
	}
	if n := int(m.evals.Load()); n != res.Evaluations+res.IntervalEvaluations+1 { // +1: the final simulation for N
		t.Errorf("model simulated %d times, FitResult says %d + %d for the intervals (+1)", n, res.Evaluations, res.IntervalEvaluations)
	}
	// Objective months: 2020-01..2023-12.
	if res.N != 48 || res.From != model.NewMonth(2020, 1) || res.To != model.NewMonth(2023, 12) {
		t.Errorf("objective over %v..%v, %d months; want 2020-01..2023-12, 48", res.From, res.To, res.N)
	}
	if !(res.SSR <= res.StartSSR) {
		t.Errorf("SSR %g > start SSR %g", res.SSR, res.StartSSR)
	}
}

// TestFitStaysInRange: when the data want a parameter beyond its range
// (here b = 3 > 2), the estimate stops inside the range, at the bound,
// and is named in AtBound.
func TestFitStaysInRange(t *testing.T) {
	rec, err := synthRecord([]float64{0.8, 0.25, 3})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Fit(context.Background(), &synthModel{}, rec.Before(model.NewMonth(2024, 1)), FitOptions{MaxEvals: 300})
	if err != nil {
		t.Fatal(err)
	}
	for j, p := range res.Params {
		if !p.Range.Contains(res.Values[j]) {
			t.Errorf("%s = %g outside [%g, %g]", p.Name, res.Values[j], p.Range.Lo, p.Range.Hi)
		}
	}
	if !reflect.DeepEqual(res.AtBound, []string{"b"}) {
		t.Errorf("AtBound = %v, want [b] (values %v)", res.AtBound, res.Values)
	}
}

// TestCutoffEnforced proves that the fit never sees data from the cut-off
// on: changing every post-cut-off observation (prices, crop and gas
// drivers, exports, the price level's averages of years not complete
// before it) leaves the fitted parameters bit-identical, while
// changing one pre-cut-off price does change them (so the test can fail).
func TestCutoffEnforced(t *testing.T) {
	cut := model.NewMonth(2024, 1)
	for _, tc := range []struct {
		name  string
		model func(t *testing.T) Model
	}{
		{"synthetic", func(*testing.T) Model { return &synthModel{} }},
		{"history", func(t *testing.T) Model { return historyModel(t) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if testing.Short() && tc.name == "history" {
				t.Skip("three fits of the history model run without -short")
			}
			rec, err := LoadRecord()
			if err != nil {
				t.Fatal(err)
			}
			// Exports are fitted too, so that post-cut-off export years
			// would matter if the fit could see them.
			opts := FitOptions{MaxEvals: 60, ExportSuppliers: []string{"Canada", "Russia", "Belarus"}, ExportWeight: 1}
			base, err := Fit(context.Background(), tc.model(t), rec.Before(cut), opts)
			if err != nil {
				t.Fatal(err)
			}

			after := perturbFrom(rec, cut)
			got, err := Fit(context.Background(), tc.model(t), after.Before(cut), opts)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Values, base.Values) || got.SSR != base.SSR {
				t.Errorf("post-cut-off data changed the fit: %v (SSR %v) → %v (SSR %v)", base.Values, base.SSR, got.Values, got.SSR)
			}

			before := rec.Clone()
			k := int(model.NewMonth(2022, 6) - before.Potash.Start)
			before.Potash.Values[k] *= 1.5
			moved, err := Fit(context.Background(), tc.model(t), before.Before(cut), opts)
			if err != nil {
				t.Fatal(err)
			}
			if reflect.DeepEqual(moved.Values, base.Values) {
				t.Errorf("a pre-cut-off change left the fit unchanged (%v): the check above cannot fail", base.Values)
			}
		})
	}
}

// TestInSampleHoldsNothingAfterCut checks the InSample view directly.
func TestInSampleHoldsNothingAfterCut(t *testing.T) {
	rec, err := LoadRecord()
	if err != nil {
		t.Fatal(err)
	}
	cut := model.NewMonth(2023, 7)
	in := rec.Before(cut)
	r := in.Record()
	for name, s := range map[string]Series{"potash": r.Potash, "maize": r.Maize, "soybeans": r.Soybeans, "wheat": r.Wheat, "gas": r.Gas} {
		if s.End() != cut-1 {
			t.Errorf("%s ends %v, want %v", name, s.End(), cut-1)
		}
	}
	for _, name := range []string{"Canada", "Russia", "Belarus"} {
		// 2023 is not complete before 2023-07: the last year is 2022.
		a := r.Exports[name]
		if n := len(a.Years); n == 0 || a.Years[n-1] != 2022 {
			t.Errorf("%s exports years %v, want to end in 2022", name, a.Years)
		}
	}
	for name, a := range r.Exports {
		for _, y := range a.Years {
			if y > 2022 {
				t.Errorf("%s exports hold %d", name, y)
			}
		}
	}
	// The copy shares no memory with the record.
	r.Potash.Values[0] = -1
	if in.Record().Potash.Values[0] == -1 || rec.Potash.Values[0] == -1 {
		t.Error("InSample.Record shares memory")
	}
	if in.Cut() != cut {
		t.Errorf("Cut = %v, want %v", in.Cut(), cut)
	}
}

func TestTransform(t *testing.T) {
	r := model.Range{Lo: 0.02, Hi: 0.6}
	for _, v := range []float64{0.021, 0.1, 0.3, 0.59} {
		if got := fromZ(toZ(v, r), r); !scalar.EqualWithinAbs(got, v, 1e-12) {
			t.Errorf("fromZ(toZ(%g)) = %g", v, got)
		}
	}
	for _, z := range []float64{-1e300, -50, 0, 50, 1e300, math.Inf(1), math.Inf(-1)} {
		if v := fromZ(z, r); !r.Contains(v) {
			t.Errorf("fromZ(%g) = %g outside %v", z, v, r)
		}
	}
}

// TestFitEvaluationBound: each search stops within MaxEvals simulations,
// and every starting point is searched.
func TestFitEvaluationBound(t *testing.T) {
	rec, err := synthRecord([]float64{0.8, 0.25, 0.6})
	if err != nil {
		t.Fatal(err)
	}
	for _, maxEvals := range []int{12, 30, 75} {
		res, err := Fit(context.Background(), &synthModel{}, rec.Before(model.NewMonth(2024, 1)),
			FitOptions{MaxEvals: maxEvals, ExtraStarts: []float64{0.2, 0.8}})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Searches) != 3 {
			t.Fatalf("%d searches, want 3", len(res.Searches))
		}
		total := 0
		for _, sr := range res.Searches {
			total += sr.Evaluations
			if sr.Evaluations > maxEvals {
				t.Errorf("MaxEvals %d: a search used %d simulations", maxEvals, sr.Evaluations)
			}
			if sr.SSR < res.SSR {
				t.Errorf("MaxEvals %d: kept SSR %g but a search found %g", maxEvals, res.SSR, sr.SSR)
			}
		}
		if total+1 != res.Evaluations { // +1: the start objective
			t.Errorf("MaxEvals %d: searches used %d simulations, FitResult says %d (+1)", maxEvals, total, res.Evaluations)
		}
	}
	if _, err := Fit(context.Background(), &synthModel{}, rec.Before(model.NewMonth(2024, 1)), FitOptions{ExtraStarts: []float64{1.5}}); err == nil {
		t.Error("an extra start outside (0, 1) was accepted")
	}
}

// TestFitPrior: the penalised fit (FitOptions.PriorWeight) reports the
// prior's part of the objective, moves the estimate from the least-squares
// one towards the starting values as the weight grows, and at a weight that
// dwarfs the data stays at them.
func TestFitPrior(t *testing.T) {
	truth := []float64{0.8, 0.25, 0.6}
	rec, err := synthRecord(truth)
	if err != nil {
		t.Fatal(err)
	}
	in := rec.Before(model.NewMonth(2024, 1))
	m := &synthModel{}
	start := make([]float64, len(m.Params()))
	for j, p := range m.Params() {
		start[j] = p.Start
	}
	fit := func(w float64) *FitResult {
		t.Helper()
		res, err := Fit(context.Background(), m, in, FitOptions{MaxEvals: 600, PriorWeight: w, PriorSigma2: 0.01})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	dist := func(v []float64) float64 {
		var s float64
		for j := range v {
			s += math.Abs(v[j] - start[j])
		}
		return s
	}
	free, mid, strong := fit(0), fit(1), fit(1e9)
	if free.PriorSSR != 0 || !(mid.PriorSSR > 0) {
		t.Errorf("PriorSSR = %g without a prior, %g with one; want 0 and > 0", free.PriorSSR, mid.PriorSSR)
	}
	if !(dist(mid.Values) < dist(free.Values)) {
		t.Errorf("prior weight 1: estimate %v no nearer the start %v than the least-squares %v", mid.Values, start, free.Values)
	}
	if d := dist(strong.Values); d > 1e-3 {
		t.Errorf("prior weight 1e9: estimate %v, want the start %v (distance %g)", strong.Values, start, d)
	}
	for j, p := range mid.Params {
		if !(mid.CI[j][0] <= mid.Values[j] && mid.Values[j] <= mid.CI[j][1]) {
			t.Errorf("%s: posterior interval %v misses the estimate %g", p.Name, mid.CI[j], mid.Values[j])
		}
	}
}

// TestFitIndependentOfGOMAXPROCS: the searches of a fit run concurrently,
// but the result (estimates, every search, the counts, the intervals) is
// bit for bit the same on 1 and on 4 processors, and on the history
// model's objective as on the synthetic one.
func TestFitIndependentOfGOMAXPROCS(t *testing.T) {
	truth := []float64{0.8, 0.25, 0.6}
	rec, err := synthRecord(truth)
	if err != nil {
		t.Fatal(err)
	}
	in := rec.Before(model.NewMonth(2024, 1))
	opts := FitOptions{MaxEvals: 300, ExtraStarts: []float64{0.2, 0.8}, PriorWeight: 1, PriorSigma2: 0.01, ConvergeIterations: 200}
	var got []string
	for _, procs := range []int{1, 4} {
		old := runtime.GOMAXPROCS(procs)
		res, err := Fit(context.Background(), &synthModel{}, in, opts)
		runtime.GOMAXPROCS(old)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%+v", *res)) // %v: NaN equals NaN, floats exact (%v prints the shortest exact form)
	}
	if got[0] != got[1] {
		t.Errorf("the fit depends on GOMAXPROCS:\n%s\n%s", got[0], got[1])
	}
}

// TestARInflation: κ = (1 + ρ)/(1 − ρ) for ρ in (0, 0.95], 1 for ρ ≤ 0,
// capped at ρ = 0.95.
func TestARInflation(t *testing.T) {
	for _, tc := range []struct{ rho, want float64 }{{0, 1}, {-0.4, 1}, {0.6, 4}, {0.59, 1.59 / 0.41}, {0.99, 39}} {
		if got := ARInflation(tc.rho); !scalar.EqualWithinRel(got, tc.want, 1e-12) {
			t.Errorf("ARInflation(%g) = %g, want %g", tc.rho, got, tc.want)
		}
	}
	if r := lagOneAutocorr([]float64{1, -1, 1, -1, 1, -1}); !(r < -0.5) {
		t.Errorf("alternating series: lag-1 autocorrelation %g, want strongly negative", r)
	}
}

// TestPosteriorLaplace: for residuals linear in one parameter, r_i = θ −
// y_i (the first nPrice rows prices, the others exports), the posterior
// precision is (n_p/κ + n_x)/s² + prec, with s² = Σr²/(n − 1) and κ from
// the price residuals' lag-1 autocorrelation, by hand.
func TestPosteriorLaplace(t *testing.T) {
	// An autocorrelated price series (a slow sine) and 4 export rows.
	var y []float64
	for i := range 48 {
		y = append(y, 0.1*math.Sin(float64(i)/6))
	}
	y = append(y, 0.05, -0.05, 0.02, -0.02)
	const nPrice = 48
	var mean float64
	for _, v := range y {
		mean += v
	}
	mean /= float64(len(y))
	resid := func(th []float64) ([]float64, error) {
		r := make([]float64, len(y))
		for i, v := range y {
			r[i] = th[0] - v
		}
		return r, nil
	}
	params := []Param{{Name: "a", Range: model.Range{Lo: -1, Hi: 1}, Start: 0}}
	r0, _ := resid([]float64{mean})
	var ss float64
	for _, v := range r0 {
		ss += v * v
	}
	s2 := ss / float64(len(y)-1)
	rho := lagOneAutocorr(r0[:nPrice])
	if !(rho > 0.9) {
		t.Fatalf("the test series has lag-1 autocorrelation %g, want > 0.9", rho)
	}
	kappa := ARInflation(rho)
	for _, prec := range [][]float64{nil, {400}} {
		pst, err := posterior(resid, params, []float64{mean}, prec, nPrice)
		if err != nil {
			t.Fatal(err)
		}
		h := (nPrice/kappa + float64(len(y)-nPrice)) / s2
		if prec != nil {
			h += prec[0]
		}
		if !scalar.EqualWithinRel(pst.kappa, kappa, 1e-12) || !scalar.EqualWithinRel(pst.se[0], 1/math.Sqrt(h), 1e-6) ||
			!scalar.EqualWithinRel(pst.cov[0][0], 1/h, 1e-6) {
			t.Errorf("prior %v: κ %g se %g var %g; want κ %g se %g var %g", prec, pst.kappa, pst.se[0], pst.cov[0][0], kappa, 1/math.Sqrt(h), 1/h)
		}
		if want := [2]float64{mean - 1.96/math.Sqrt(h), mean + 1.96/math.Sqrt(h)}; !scalar.EqualWithinRel(pst.ci[0][0], want[0], 1e-6) || !scalar.EqualWithinRel(pst.ci[0][1], want[1], 1e-6) {
			t.Errorf("prior %v: interval %v, want %v", prec, pst.ci[0], want)
		}
	}
}
