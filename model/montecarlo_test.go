package model

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// binomTol is the tolerance on the CDF value F(x̂) of a sample p-quantile x̂
// from n draws: the number of draws below the true quantile is
// Binomial(n, p), so F(x̂) − p has standard error √(p(1−p)/n); we allow 4
// standard errors (a false alarm about once in 16,000 runs — and the
// seeds are fixed, so the test is deterministic).
func binomTol(p float64, n int) float64 { return 4 * math.Sqrt(p*(1-p)/float64(n)) }

// triCDF is the CDF of triangular(a, c, b) (mode c).
func triCDF(x, a, c, b float64) float64 {
	switch {
	case x <= a:
		return 0
	case x <= c:
		return (x - a) * (x - a) / ((b - a) * (c - a))
	case x < b:
		return 1 - (b-x)*(b-x)/((b-a)*(b-c))
	}
	return 1
}

// TestBandStoreKnownDistribution feeds draws of triangular(1, 2, 5) into
// the percentile store, in the exact regime and in the histogram regime
// (256-draw pilot), and checks every percentile against the known CDF
// within sampling error (binomTol) plus, for histograms, one bin width.
func TestBandStoreKnownDistribution(t *testing.T) {
	const a, c, b = 1.0, 2.0, 5.0
	d := mustDist(NewTriangular(a, c, b))
	for _, tc := range []struct {
		name  string
		n     int
		pilot int // 0: exact
	}{
		{"exact 1000", 1000, 0},
		{"histogram 50000", 50000, 256},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// flush every 1000 draws, carrying counts by the 1000
			defer func(f, u int) { histFlushAt, histCarry = f, u }(histFlushAt, histCarry)
			histFlushAt, histCarry = 1000, 1000
			rng := rand.New(rand.NewPCG(7, 11))
			rows := make([][]float64, tc.n)
			ok := make([]bool, tc.n)
			for k := range rows {
				x := d.Quantile(uniformOpen(rng))
				rows[k] = []float64{x, 2 * x} // scenario x, counterfactual 2x: diff −x
				ok[k] = true
			}
			st := newBandStore(1, 2)
			binW := 0.0
			if tc.pilot == 0 {
				st.exact, st.exactOK = rows, ok
			} else {
				st.startHistograms(rows[:tc.pilot], ok[:tc.pilot], nil)
				for k := tc.pilot; k < tc.n; k += 64 {
					e := min(k+64, tc.n)
					st.add(rows[k:e], ok[k:e], nil)
				}
				binW = 1 / st.inv[0]
			}
			bands := st.bands()
			lv, df := bands[0], bands[2]
			got := []float64{lv.P5, lv.P25, lv.P50, lv.P75, lv.P95}
			for k, p := range quantileLevels {
				tol := binomTol(p, tc.n)
				lo := triCDF(got[k]-binW, a, c, b)
				hi := triCDF(got[k]+binW, a, c, b)
				if hi < p-tol || lo > p+tol {
					t.Errorf("P%v = %v: F = %v, want %v ± %v", 100*p, got[k], triCDF(got[k], a, c, b), p, tol)
				}
			}
			// diff = −x: P5 of the difference is −P95 of x.
			if lo, hi := triCDF(-df.P5-binW, a, c, b), triCDF(-df.P5+binW, a, c, b); hi < 0.95-binomTol(0.95, tc.n) || lo > 0.95+binomTol(0.95, tc.n) {
				t.Errorf("diff P5 %v: F(−P5) = %v, want 0.95", df.P5, triCDF(-df.P5, a, c, b))
			}
			// the mean of x is (a+b+c)/3 within 4 standard errors; sd² = (a²+b²+c²−ab−ac−bc)/18.
			sd := math.Sqrt((a*a + b*b + c*c - a*b - a*c - b*c) / 18)
			if !scalar.EqualWithinAbs(lv.Mean, d.Mean(), 4*sd/math.Sqrt(float64(tc.n))) {
				t.Errorf("mean %v, want %v", lv.Mean, d.Mean())
			}
		})
	}
}

func TestHistQuantileEdgeCases(t *testing.T) {
	st := newBandStore(1, 1)
	rows := [][]float64{{3, 3}, {3, 3}, {3, 3}}
	ok := []bool{true, true, true}
	st.startHistograms(rows, ok, nil)
	st.add([][]float64{{3, 3}, {4, 3}}, []bool{true, false}, nil) // the failed draw is ignored
	b := st.bands()
	if b[0].P5 != 3 || b[0].P95 != 3 || b[0].Mean != 3 || b[2].P50 != 0 {
		t.Errorf("point mass: %+v / diff %+v", b[0], b[2])
	}
	if st.n != 4 {
		t.Errorf("counted %d converged draws, want 4", st.n)
	}
	// Values outside the pilot range land in the tails and are bounded by
	// the exact min and max.
	st = newBandStore(1, 1)
	st.startHistograms([][]float64{{1, 0}, {2, 0}}, []bool{true, true}, nil)
	st.add([][]float64{{-10, 0}, {50, 0}}, []bool{true, true}, nil)
	b = st.bands()
	if b[0].P5 < -10 || b[0].P95 > 50 || b[0].P95 <= 2 || b[0].P5 >= 1 {
		t.Errorf("tails: %+v", b[0])
	}
}

// mcTestSpecs returns a 12-month scenario/counterfactual pair on the test
// market: a Belarus discount wedge in both, and a US ban lifted in the
// scenario only.
func mcTestSpecs() (scen, cf *Spec) {
	m := pathMarket()
	start := NewMonth(2024, 1)
	ev := []Event{
		{ID: "belarus-discount", Kind: EventWedge, Supplier: 2, Region: -1, Value: 0.15, Start: start},
		{ID: "us-ban", Kind: EventBan, Supplier: 2, Region: 1, Start: start},
		{ID: "baltic", Kind: EventCorridorCapacity, Supplier: 1, Corridor: 1, Value: 12, Start: start},
	}
	cf = &Spec{Name: "cf", Market: m, Events: ev, Start: start, End: start + 11, ReportStart: start + 3}
	scen = cf.Clone()
	scen.Name = "scen"
	scen.Events[1].End = start + 4
	return scen, cf
}

func mcTestUncertain() []Uncertain {
	return []Uncertain{
		{
			Name: "market.regions.Brazil.demand_elasticity", Dist: mustDist(NewTriangular(0.2, 0.4, 0.8)), Central: 0.4,
			Apply: func(s *Spec, v float64) error { s.Market.Regions[0].Eps = v; return nil },
		},
		{
			Name: "events.belarus-discount.pct", Dist: mustDist(NewNormal(0.15, 0.05, 0, 0.4)), Central: 0.15,
			Apply: func(s *Spec, v float64) error { s.Events[0].Value = v; return nil },
		},
		{
			Name: "events.baltic.capacity_mt", Dist: mustDist(NewUniform(6, 10)), Central: 8,
			Apply: func(s *Spec, v float64) error { s.Events[2].Value = v; return nil },
		},
	}
}

// Same seed, different worker counts → identical results, bit for bit, in
// the exact regime and in the histogram regime.
func TestMonteCarloWorkersIdentical(t *testing.T) {
	for _, tc := range []struct {
		name       string
		draws, lim int
	}{
		{"exact", 70, MCExactMax},
		{"histogram", 300, 64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func(v, f, u int) { mcExactLimit, histFlushAt, histCarry = v, f, u }(mcExactLimit, histFlushAt, histCarry)
			mcExactLimit = tc.lim
			histFlushAt, histCarry = 100, 16 // counts carried by the 16 from the 100th draw
			scen, cf := mcTestSpecs()
			var ref *MCResult
			for _, w := range []int{1, 2, 3} {
				var last int
				res, err := MonteCarlo(context.Background(), scen, cf, mcTestUncertain(), MCOptions{
					Draws: tc.draws, Seed: 42, Workers: w,
					Progress: func(done, total int) {
						if done <= last || total != tc.draws {
							t.Errorf("progress %d/%d after %d", done, total, last)
						}
						last = done
					},
				})
				if err != nil {
					t.Fatal(err)
				}
				if last != tc.draws {
					t.Errorf("progress ended at %d", last)
				}
				if res.Exact != (tc.name == "exact") {
					t.Errorf("Exact = %v", res.Exact)
				}
				if ref == nil {
					ref = res
					continue
				}
				if !reflect.DeepEqual(ref, res) {
					t.Fatalf("workers %d: result differs from workers 1", w)
				}
			}
			if ref.Converged+ref.Failed != tc.draws || ref.Converged == 0 {
				t.Errorf("converged %d + failed %d ≠ %d", ref.Converged, ref.Failed, tc.draws)
			}
			// Before the relief month (start+4) the pair is identical in
			// every draw.
			s := ref.SeriesOf("ces_price_index", "United States")
			if s == nil {
				t.Fatal("no ces_price_index series")
			}
			for k := 0; k < 4; k++ {
				if d := s.Diff[k]; d.P5 != 0 || d.P95 != 0 || d.Mean != 0 {
					t.Errorf("month %d: difference before relief: %+v", k, d)
				}
			}
			// Relief reopens the US to Belarus: the US price falls in every draw.
			if d := s.Diff[6]; !(d.P95 < 0) {
				t.Errorf("relief should lower the US price: diff band %+v", d)
			}
			if tot := ref.Total("revenue_change.Belarus"); tot == nil || len(tot.Values) != ref.Converged || !(tot.Band.P50 > 0) {
				t.Errorf("revenue_change.Belarus total: %+v", tot)
			}
		})
	}
}

// The percentiles of a parameter drawn from a known distribution: the
// Baltic corridor capacity ~ uniform(6, 10) is reported as
// corridor_capacity of Russia/Baltic. Its percentiles must match the
// uniform's quantiles within binomTol (exact regime), plus one histogram
// bin in the histogram regime.
func TestMonteCarloKnownParameter(t *testing.T) {
	const a, b = 6.0, 10.0
	for _, tc := range []struct {
		name       string
		draws, lim int
	}{
		{"exact", 600, MCExactMax},
		{"histogram", 1500, 128},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func(v int) { mcExactLimit = v }(mcExactLimit)
			mcExactLimit = tc.lim
			scen, cf := mcTestSpecs()
			scen.End, cf.End = scen.Start+5, cf.Start+5
			res, err := MonteCarlo(context.Background(), scen, cf, mcTestUncertain(), MCOptions{Draws: tc.draws, Seed: 2026})
			if err != nil {
				t.Fatal(err)
			}
			if res.Failed != 0 {
				t.Fatalf("%d draws failed: %s", res.Failed, res.FirstFailure)
			}
			s := res.SeriesOf("corridor_capacity", "Russia/Baltic")
			if s == nil {
				t.Fatal("no corridor_capacity Russia/Baltic series")
			}
			binW := 0.0
			if !res.Exact {
				binW = (b - a) * (1 + 2*histPad) / histBins
			}
			band := s.Level[3]
			got := []float64{band.P5, band.P25, band.P50, band.P75, band.P95}
			for k, p := range quantileLevels {
				want := a + p*(b-a)
				tol := binomTol(p, tc.draws)*(b-a) + binW
				if math.Abs(got[k]-want) > tol {
					t.Errorf("P%v = %v, want %v ± %v", 100*p, got[k], want, tol)
				}
			}
			if d := s.Diff[3]; d.P5 != 0 || d.P95 != 0 {
				t.Errorf("a common parameter differs between scenario and counterfactual: %+v", d)
			}
		})
	}
}

// Failed draws are counted and left out: σ of Brazil ~ uniform(0.6, 3)
// fails calibration whenever the draw is below 1.01 (σ's domain). The
// expected count is replayed from the same random streams.
func TestMonteCarloFailedDraws(t *testing.T) {
	scen, cf := mcTestSpecs()
	dist := mustDist(NewUniform(0.6, 3))
	unc := []Uncertain{{
		Name: "market.regions.Brazil.armington", Dist: dist, Central: 4,
		Apply: func(s *Spec, v float64) error { s.Market.Regions[0].Sigma = v; return nil },
	}}
	const draws, seed = 90, 5
	want := 0
	for d := 0; d < draws; d++ {
		if dist.Quantile(uniformOpen(rand.New(rand.NewPCG(seed, uint64(d))))) < domainSigma.Lo {
			want++
		}
	}
	res, err := MonteCarlo(context.Background(), scen, cf, unc, MCOptions{Draws: draws, Seed: seed, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed != want || res.Converged != draws-want || want == 0 {
		t.Errorf("failed %d converged %d, want %d failed", res.Failed, res.Converged, want)
	}
	if res.FirstFailure == "" {
		t.Errorf("no failure reason")
	}
	t.Log(res.FirstFailure)
	// Every failed draw is listed, in draw order, with a reason.
	if len(res.Failures) != res.Failed {
		t.Errorf("%d failures listed, %d failed", len(res.Failures), res.Failed)
	}
	for k, f := range res.Failures {
		sigma := dist.Quantile(uniformOpen(rand.New(rand.NewPCG(seed, uint64(f.Draw)))))
		if f.Reason == "" || f.Status != Failure || sigma >= domainSigma.Lo || (k > 0 && f.Draw <= res.Failures[k-1].Draw) {
			t.Errorf("failure %+v (σ drawn %g)", f, sigma)
		}
	}
	for _, tot := range res.Totals {
		if len(tot.Values) != res.Converged {
			t.Fatalf("%s: %d values, want %d", tot.Metric, len(tot.Values), res.Converged)
		}
	}
	for _, s := range res.Series {
		for k := range s.Level {
			for _, band := range []Band{s.Level[k], s.CfLevel[k], s.Diff[k]} {
				for _, v := range []float64{band.Mean, band.P5, band.P25, band.P50, band.P75, band.P95} {
					if !distFinite(v) {
						t.Fatalf("%s %s month %d: non-finite band %+v", s.Variable, s.Entity, k, band)
					}
				}
			}
		}
	}
}

func TestMonteCarloErrors(t *testing.T) {
	scen, cf := mcTestSpecs()
	bad := mcTestUncertain()
	bad[0].Apply = func(s *Spec, v float64) error { return fmt.Errorf("no such parameter") }
	for name, f := range map[string]func() error{
		"zero draws": func() error {
			_, err := MonteCarlo(context.Background(), scen, cf, nil, MCOptions{})
			return err
		},
		"apply error": func() error {
			_, err := MonteCarlo(context.Background(), scen, cf, bad, MCOptions{Draws: 5})
			return err
		},
		"no dist": func() error {
			_, err := MonteCarlo(context.Background(), scen, cf, []Uncertain{{Name: "x"}}, MCOptions{Draws: 5})
			return err
		},
	} {
		if err := f(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := MonteCarlo(ctx, scen, cf, nil, MCOptions{Draws: 5}); err == nil {
		t.Errorf("cancelled context: no error")
	}
}

// With every parameter fixed (degenerate distributions at the central
// values) every band collapses onto the deterministic run: P5 = P95 = the
// value of SimulatePair, to the Monte Carlo solver tolerance (draws solve
// to 1e-10 relative residual, single runs to 1e-12; we allow 1e-8
// relative on levels and 1e-6 absolute on differences).
func TestMonteCarloDegenerateEqualsRun(t *testing.T) {
	scen, cf := mcTestSpecs()
	unc := mcTestUncertain()
	for k := range unc {
		unc[k].Dist = Fixed{unc[k].Central}
	}
	for _, u := range unc {
		if err := u.Apply(scen, u.Central); err != nil {
			t.Fatal(err)
		}
		if err := u.Apply(cf, u.Central); err != nil {
			t.Fatal(err)
		}
	}
	res, err := MonteCarlo(context.Background(), scen, cf, unc, MCOptions{Draws: 70, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	run, err := SimulatePair(context.Background(), scen, cf)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []struct{ v, e string }{{"benchmark_price", "World"}, {"export_revenue", "Belarus"}, {"flow", "Belarus→Brazil"}, {"corridor_flow", "Russia/Baltic"}} {
		s := res.SeriesOf(name.v, name.e)
		if s == nil {
			t.Fatalf("no series %s %s", name.v, name.e)
		}
		v, _ := LookupVariable(name.v)
		var e int
		for k, n := range EntityNames(run.Scenario.Cal, v.Entity) {
			if n == name.e {
				e = k
			}
		}
		for k := range s.Level {
			want := v.Value(run.Scenario.Cal, run.Scenario.Sol[k], e)
			wantD := want - v.Value(run.Counterfactual.Cal, run.Counterfactual.Sol[k], e)
			b, d := s.Level[k], s.Diff[k]
			if b.P5 != b.P95 || !scalar.EqualWithinAbsOrRel(b.P50, want, 1e-12, 1e-8) || !scalar.EqualWithinAbs(d.P50, wantD, 1e-6) {
				t.Errorf("%s %s month %d: band %+v diff %+v, run %v diff %v", name.v, name.e, k, b, d, want, wantD)
			}
		}
	}
	m, _ := MetricValue(Metrics(run), "revenue_change.Belarus")
	if tot := res.Total("revenue_change.Belarus"); !scalar.EqualWithinAbs(tot.Band.P50, m.Value, 1e-5) || tot.Band.P5 != tot.Band.P95 {
		t.Errorf("total %+v, run %v", tot.Band, m.Value)
	}
}

// Carrying counts (bandStore.flush) changes no band: flushes every 70
// draws carrying by the 7, or by the 1 (every count), with cells whose
// counterfactual stops being shared after counts were carried. Nor does
// sharing the counterfactuals (histShare): the bands equal those of
// histograms that keep every cell's own, carried or not.
func TestHistFlushInvariant(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	const C, n = 40, 700
	rows := make([][]float64, n)
	ok := make([]bool, n)
	for d := range rows {
		rows[d] = make([]float64, 2*C)
		for c := range rows[d] {
			rows[d][c] = rng.ExpFloat64()
		}
		// The counterfactual shares the first cells: all of them in the
		// pilot, fewer from draw 200 (cells that stop being shared after
		// counts were carried).
		shared := C / 2
		if d < 64 {
			shared = C
		} else if d >= 200 {
			shared = C/4 + rng.IntN(C/4)
		}
		copy(rows[d][C:C+shared], rows[d][:shared])
		ok[d] = d%17 != 0
	}
	carried := 0
	run := func(flushAt, unit int, share bool) []Band {
		defer func(f, u int, s bool) { histFlushAt, histCarry, histShare = f, u, s }(histFlushAt, histCarry, histShare)
		histFlushAt, histCarry, histShare = flushAt, unit, share
		st := newBandStore(C, 2)
		st.startHistograms(rows[:64], ok[:64], nil)
		for k := 64; k < n; k += 64 {
			st.add(rows[k:min(k+64, n)], ok[k:min(k+64, n)], nil)
		}
		carried = len(st.carry)
		if d := countsOff(st); d != "" {
			t.Fatalf("carrying by the %d: %s", unit, d)
		}
		return st.bands()
	}
	a := run(1<<15, 1<<15, true)
	if carried != 0 {
		t.Fatalf("%d counters carried in %d draws", carried, n)
	}
	for _, share := range []bool{true, false} {
		if b := run(1<<15, 1<<15, share); !share && !reflect.DeepEqual(a, b) {
			t.Errorf("sharing counterfactuals changes the bands")
		}
		for _, unit := range []int{7, 1} {
			if b := run(70, unit, share); !reflect.DeepEqual(a, b) {
				t.Errorf("carrying by the %d (sharing %v) changes the bands", unit, share)
			}
			if carried == 0 {
				t.Errorf("carrying by the %d: no count carried", unit)
			}
		}
	}
}

// TestAllFinite checks the draws' finite check on every length up to 40
// with a NaN, +Inf or −Inf at each position (finiteAVX2's turns of 16
// where the processor has AVX2, the four-sum loop and its remainder),
// and that finite values, zeros of either sign and the largest floats
// pass.
func TestAllFinite(t *testing.T) {
	for n := 0; n <= 40; n++ {
		x := make([]float64, n)
		for k := range x {
			x[k] = []float64{1, math.Copysign(0, -1), math.MaxFloat64, -math.MaxFloat64, 5e-324}[k%5]
		}
		t.Run(fmt.Sprintf("len%d", n), func(t *testing.T) {
			if !allFinite(x) {
				t.Fatalf("%v: not finite", x)
			}
			for k := range x {
				for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
					y := append([]float64(nil), x...)
					y[k] = bad
					if allFinite(y) {
						t.Errorf("%v: finite", y)
					}
				}
			}
		})
	}
}

// histQuantile is the plain reference TestHistQuantiles checks
// histQuantiles against: for one level p, a scan of the slots to the one
// holding the p·n-th draw, interpolated there (slotQuantile).
func histQuantile(p, n float64, cnt []float64, lo, w, mn, mx float64) float64 {
	target := p * n
	var cum float64
	for s, c := range cnt {
		if c == 0 {
			continue
		}
		if cum+c >= target {
			return slotQuantile(s, target, cum, c, lo, w, mn, mx)
		}
		cum += c
	}
	return lo + histBins*w
}

// TestHistQuantiles checks that histQuantiles gives histQuantile's five
// percentiles bit for bit: counts with empty slots, several percentiles
// in one slot, everything in one tail, a point mass, and counts of a
// sum below n (no slot reaches a level: the range's top).
func TestHistQuantiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 1))
	const S = histBins + 2
	for rep := 0; rep < 2000; rep++ {
		var cnt [S]float64
		n := 0.0
		switch rep % 4 {
		case 0: // spread, with empty slots
			for s := range cnt {
				if rng.IntN(3) > 0 {
					cnt[s] = float64(rng.IntN(50))
				}
			}
		case 1: // a few slots
			for range 1 + rng.IntN(3) {
				cnt[rng.IntN(S)] += float64(1 + rng.IntN(100000))
			}
		case 2: // a point mass
			cnt[1] = float64(1 + rng.IntN(1000))
		case 3: // the tails only
			cnt[0], cnt[S-1] = float64(rng.IntN(5)), float64(1+rng.IntN(5))
		}
		for _, c := range cnt {
			n += c
		}
		if rep%50 == 49 {
			n *= 1.5 // counts that miss the levels above two thirds
		}
		lo, w := rng.NormFloat64()*100, []float64{0, 1e-300, 0.37, 1e300}[rng.IntN(4)]
		mn, mx := lo-rng.ExpFloat64(), lo+histBins*w+rng.ExpFloat64()
		var got [len(quantileLevels)]float64
		histQuantiles(&got, n, cnt[:], lo, w, mn, mx)
		for k, p := range quantileLevels {
			if want := histQuantile(p, n, cnt[:], lo, w, mn, mx); math.Float64bits(got[k]) != math.Float64bits(want) {
				t.Fatalf("case %d, p %g: %v, want %v", rep, p, got[k], want)
			}
		}
	}
}
