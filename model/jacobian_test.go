package model

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestJacobianFiniteDifference checks the analytic Jacobian
// (workspace.jacobian, with the tariff-rate quotas' and shared facilities'
// rows and columns, the concession weights, the tied corridors and the
// regions' stocks) against central differences of the residual at
// random points off the equilibrium, on random markets with base markups
// and the sanction instruments. Entries whose supply piece or quota regime
// changes within the difference step (a kink) are skipped.
func TestJacobianFiniteDifference(t *testing.T) {
	const h = 1e-6
	checked, facRows, tiedRows, segRows := 0, 0, 0, 0
	for seed := uint64(1); seed <= 100; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 17))
			m := randomMarket(rng, 2+rng.IntN(6), 1+rng.IntN(5))
			if seed%3 != 1 {
				withRoutes(rng, m)
			}
			if seed%3 == 0 {
				randomStocks(rng, m)
			}
			c := withRandomCosts(t, rng, m)
			if seed%10 == 5 {
				// Strategic users of a facility (not with quotas: the
				// conduct markup's ψ columns are left out by design).
				c = withRandomConduct(t, rng, m)
			}
			pol := NewPolicy(m)
			randomSanctions(rng, c, pol)
			if seed%2 == 0 {
				randomTRQ(rng, c, pol)
			}
			var lag *Lag
			if seed%3 == 0 {
				lag = bruteLag(rng, c)
			}
			w := NewSolver(c).ws
			if err := w.prepare(pol, lag, nil); err != nil {
				t.Fatal(err)
			}
			for _, i := range w.act {
				w.y[i] += 0.2 * (rng.Float64() - 0.5)
			}
			for t := range w.tq {
				q := &w.tq[t]
				w.y[w.n+t] = q.lo + rng.Float64()*(q.hi-q.lo)
			}
			for f := range w.rho {
				w.y[w.n+len(w.tq)+f] = 0.05 * rng.Float64()
			}
			for s := range w.segs {
				if w.segs[s].on && rng.Float64() < 0.7 {
					w.y[w.segBase()+s] = 0.3 * rng.Float64()
				}
			}
			w.eval()
			w.jacobian()
			N := len(w.unk)
			J := append([]float64(nil), w.J[:N*N]...)
			pieces := append([]supplyPiece(nil), w.piece...)
			modes := make([]int8, len(w.tq))
			for t := range w.tq {
				modes[t] = w.tq[t].mode
			}
			fmodes := append([]int8(nil), w.fmode...)
			segState := func() string {
				var b strings.Builder
				for s := range w.segs {
					sg := &w.segs[s]
					fmt.Fprint(&b, sg.on, sg.mode, sg.minA, sg.tcase, sg.vlast, ";")
				}
				return b.String()
			}
			seg0 := segState()
			limited := make([]bool, len(w.sup))
			for i := range w.sup {
				limited[i] = w.sup[i].reachLimited
			}
			route := routeState(w)
			y0 := append([]float64(nil), w.y[:w.ny]...)
			Fp, Fm := make([]float64, N), make([]float64, N)
			for b, u := range w.unk {
				kink := false
				for sign, F := range [][]float64{Fp, Fm} {
					copy(w.y[:w.ny], y0)
					w.y[u] += h * float64(1-2*sign)
					w.eval()
					for a, v := range w.unk {
						F[a] = w.F[v]
					}
					for i := range pieces {
						if w.piece[i] != pieces[i] {
							kink = true
						}
					}
					for t := range w.tq {
						if w.tq[t].mode != modes[t] {
							kink = true
						}
					}
					for f := range w.fmode {
						if w.fmode[f] != fmodes[f] {
							kink = true
						}
					}
					if routeState(w) != route || segState() != seg0 {
						kink = true
					}
				}
				if kink {
					continue
				}
				for a := range w.unk {
					fd := (Fp[a] - Fm[a]) / (2 * h)
					if got := J[a*N+b]; math.Abs(got-fd) > 1e-5*(1+math.Abs(fd)) {
						t.Errorf("J[%d][%d] = %.9g, central difference %.9g", a, b, got, fd)
					}
					checked++
					if fd == 0 {
						continue
					}
					if f := a - len(w.act) - len(w.tq); f >= 0 && f < len(fmodes) && fmodes[f] == 0 {
						facRows++ // a binding facility's row
					}
					if a >= len(w.act)+len(w.tq)+len(fmodes) {
						segRows++ // a segment's row off its z = 0 piece
					}
					if a < len(w.act) {
						if i := w.act[a]; limited[i] && pieces[i] == pieceCorridor {
							tiedRows++ // supply on a tied corridor limited by its regions' tonnes
						}
					}
				}
			}
		})
	}
	t.Logf("%d entries checked, %d nonzero in binding facilities' rows, %d in rows of suppliers on limited tied corridors, %d in segments' rows", checked, facRows, tiedRows, segRows)
	if checked < 500 || facRows < 30 || tiedRows < 10 || segRows < 30 {
		t.Errorf("only %d entries checked, %d nonzero in binding facilities' rows, %d in rows of suppliers on limited tied corridors, %d in segments' rows", checked, facRows, tiedRows, segRows)
	}
}

// routeState summarises the discrete state of the tied corridors and
// facilities at the last eval (corridor order, the piece's corridor, the
// limited tied corridors, where S lies against each facility corridor's
// range): a change within a difference step is a kink.
func routeState(w *workspace) string {
	var b strings.Builder
	for i := range w.sup {
		sp := &w.sup[i]
		if !sp.dyn {
			continue
		}
		fmt.Fprint(&b, sp.ord, sp.jat, sp.lim, ";")
		for j := range sp.cum {
			fmt.Fprint(&b, w.S[i] < sp.cum[j], ",")
		}
	}
	return b.String()
}

// TestRankRowsAVX2SameAsGo checks rankRowsAVX2 against rankRows bit for
// bit on random matrices: rows listed in ascending order inside the span
// of columns from a0 (as jacobian's), spans of every length up to a few
// vector turns, factors of both signs with zeros, −0 and values far
// apart in scale (where a fused multiply-add would round differently).
func TestRankRowsAVX2SameAsGo(t *testing.T) {
	if !haveBatchAsm {
		t.Skip("no AVX2 kernels in this build")
	}
	rng := rand.New(rand.NewPCG(14, 3))
	val := func() float64 {
		switch rng.IntN(8) {
		case 0:
			return 0
		case 1:
			return math.Copysign(0, -1)
		case 2:
			return (rng.Float64() - 0.5) * 1e12
		default:
			return (rng.Float64() - 0.5) * math.Exp(rng.NormFloat64()*3)
		}
	}
	checked := 0
	for na := 1; na <= 24; na++ {
		for range 40 {
			a0 := rng.IntN(na)
			span := 1 + rng.IntN(na-a0)
			var rows []int
			for a := a0; a < a0+span; a++ {
				if rng.IntN(3) > 0 {
					rows = append(rows, a)
				}
			}
			if len(rows) == 0 {
				continue
			}
			J := make([]float64, na*na)
			for k := range J {
				J[k] = val()
			}
			c, d, v := make([]float64, len(rows)), make([]float64, len(rows)), make([]float64, span)
			for b := range rows {
				c[b], d[b] = val(), val()
			}
			for q := range v {
				v[q] = val()
			}
			want := append([]float64(nil), J...)
			rankRows(want, na, rows, c, d, v, a0)
			rankRowsAVX2(&J[0], na, &rows[0], &c[0], &d[0], len(rows), &v[0], span, a0)
			for k := range J {
				if math.Float64bits(J[k]) != math.Float64bits(want[k]) {
					t.Fatalf("na=%d a0=%d span=%d rows %v: J[%d] = %v, rankRows %v", na, a0, span, rows, k, J[k], want[k])
				}
			}
			checked++
		}
	}
	if checked < 500 {
		t.Fatalf("only %d cases checked", checked)
	}
}
