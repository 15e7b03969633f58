package model

import (
	"math"
)

// Supply-side pieces of the model (docs/MODEL.md, section 3.4 "Export
// supply through corridors").
//
// Supplier i ships through corridors ordered by unit cost c_1 ≤ c_2 ≤ …
// (stable) with cumulative capacities C_j. Mine supply at netback m is
// q(m) = B·m^η for m > 0, else 0. Export supply is
//
//	S(p) = min(K, cap, max_j min(q(p − c_j), C_j)).
//
// supplyAt evaluates it with one log and one exp, using the thresholds
// T_j = c_j + q⁻¹(C_j) = c_j + (C_j/B)^(1/η) precomputed by prepareSupply:
// with j the first corridor such that p ≤ T_j, the maximum is
// max(C_{j−1}, q(p − c_j)) (C_0 = 0); when p > T_j for every j, every
// corridor is full and S = C_last.

// supplyPiece says which piece of S(p) is active.
type supplyPiece int8

const (
	pieceZero     supplyPiece = iota // p at or below the cheapest corridor cost
	pieceInterior                    // q(p − c_j): mine supply on the margin
	pieceCorridor                    // corridors up to j full: S = C_j
	pieceCapacity                    // S = K
	pieceQuota                       // S = cap
)

// supplier is the per-solve supply state of one supplier.
type supplier struct {
	K, cap float64 // production capacity and export cap, Mt/yr
	lnB    float64 // ln B (short-run B_t with a Lag)
	eta    float64 // η (short-run λη with a Lag)
	lnBLR  float64 // ln B of the long-run curve (welfare is valued on it)
	etaLR  float64 // long-run η
	oml    float64 // 1 − L, L the base markup (Calibrated.Markup)
	tax    float64 // export tax in force, $/t (included in cost)
	smax   float64 // min(K, cap, C_last)
	// Corridors sorted by cost (stable): input index, cost, cumulative
	// capacity, threshold T_j.
	ord  []int
	cost []float64
	cum  []float64
	thr  []float64

	// pos[k] is the sorted position of input corridor k (inverse of ord).
	pos []int
	// jat is the sorted position of the piece found by the last
	// supplyAt: the corridor on the margin (interior), or the last full
	// one (corridor piece).
	jat int
	dq  float64 // dS/dp̃ at the last eval (interior piece), Mt/yr per $/t

	// Tied corridors and shared facilities (routes.go): when dyn, the
	// corridors' capacities and costs in force change within a solve and
	// are refreshed at every evaluation (workspace.refresh) from the
	// policy's (pcap, pcost: own freights included) into ecap, ecost.
	dyn          bool
	shift        float64 // cost shift + export tax in force, $/t
	pcap, pcost  []float64
	ecap, ecost  []float64
	reach        [][]int   // regions corridor k serves (nil: every region)
	fac          []int     // facility of corridor k, or −1
	tons         []float64 // tied corridor k's regions' tonnes at the last refresh
	lim          []bool    // tied corridor k limited by its regions' tonnes at the last refresh
	reachLimited bool      // some tied corridor was limited at the last refresh
	// caCut: tiedWeights lowered some of this supplier's Jacobian
	// weights w.ca since eval last set them back to 1 (a dyn supplier
	// without concessions, whose weights are 1 otherwise).
	caCut bool

	// Segments (segments.go): seg[k] is the segment of tied corridor k
	// (−1: none; nil when the supplier has none), pref[k] says it is on
	// in this solve (it sorts ahead of a general corridor whose cost its
	// own less disc[k] ties within segTie), segOn that some is. disc[k]
	// is the segment's discount p̃·(1 − e^(−z)) in its cost in force at
	// the last refresh. dtie[k] = min(disc[k], p̃·zTie) is the part of
	// it the solver cannot resolve, which the plain order subtracts
	// (plainOrder). erent[k] is the base route rent e_k, which the plain
	// order adds (it is not in the cost in force).
	seg   []int
	pref  []bool
	disc  []float64
	dtie  []float64
	erent []float64
	pord  []int // scratch: the plain order (segments.go, plainOrder)
	segOn bool

	// Inputs of the last prepareSupply, to skip recomputing thresholds
	// when they have not changed (repeated solves under one policy).
	ready              bool
	lastCap, lastCost  []float64
	lastShift, lastLnB float64
	lastEta            float64

	// qcum[j] and qinv[j] = q⁻¹(qcum[j]) = (qcum[j]/B)^(1/η) memoize the
	// mine-supply inverse of each sorted position's cumulative capacity
	// for the curve (qLnB, qEta): a tied or facility supplier re-sorts its
	// corridors at every evaluation (refresh) while the capacities and the
	// curve rarely change within a solve. The same inputs give the same
	// value, so the thresholds are bit for bit those computed afresh.
	qcum, qinv []float64
	qLnB, qEta float64
}

// prepareSupply sorts the corridors of one supplier (index i) by cost
// c = costs[k] (stable insertion sort, no allocation) and computes
// cumulative capacities and thresholds. A threshold whose mine-supply
// inverse q⁻¹(C_j) is not memoized (qcum) is queued in tq, to be computed
// with the other suppliers' by one batched log and exp (thrQueue.flush):
// the caller flushes tq before the curve is used and before preparing
// supplier i again.
func (sp *supplier) prepareSupply(caps, costs []float64, shift float64, i int, tq *thrQueue) {
	sp.prepareSupplyKnown(caps, costs, shift, i, tq, false)
}

// prepareSupplyKnown is prepareSupply; same says that caps and costs are,
// bit for bit, those of the last call (they are not compared).
func (sp *supplier) prepareSupplyKnown(caps, costs []float64, shift float64, i int, tq *thrQueue, same bool) {
	nk := len(caps)
	same = same || sp.sameInputs(caps, costs)
	if same && sp.ready && shift == sp.lastShift && sp.lnB == sp.lastLnB && sp.eta == sp.lastEta {
		sp.smax = min(sp.K, sp.cap)
		if nk == 0 {
			sp.smax = 0
		} else {
			sp.smax = min(sp.smax, sp.cum[nk-1])
		}
		return
	}
	sp.lastShift, sp.lastLnB, sp.lastEta, sp.ready = shift, sp.lnB, sp.eta, true
	if sp.lnB != sp.qLnB || sp.eta != sp.qEta || len(sp.qcum) != nk {
		if len(sp.qcum) != nk {
			sp.qcum, sp.qinv = make([]float64, nk), make([]float64, nk)
		}
		for j := range sp.qcum {
			sp.qcum[j] = math.NaN() // matches no capacity
		}
		sp.qLnB, sp.qEta = sp.lnB, sp.eta
	}
	ord := sp.ord[:nk]
	for k := range ord {
		ord[k] = k
	}
	if sp.segOn {
		sp.sortPref(costs)
	} else {
		for a := 1; a < nk; a++ {
			for b := a; b > 0 && costs[ord[b]] < costs[ord[b-1]]; b-- {
				ord[b], ord[b-1] = ord[b-1], ord[b]
			}
		}
	}
	pos, cost, cm, thr := sp.pos[:nk], sp.cost[:nk], sp.cum[:nk], sp.thr[:nk]
	qcum, qinv := sp.qcum[:nk], sp.qinv[:nk]
	var cum float64
	for j, k := range ord {
		pos[k] = j
		cum += caps[k]
		c := costs[k] + shift
		cost[j] = c
		cm[j] = cum
		if cum > 0 {
			if cum != qcum[j] {
				qcum[j] = cum
				tq.push(i, j, cum)
				continue // thr[j] set by tq.flush
			}
			thr[j] = c + qinv[j]
		} else {
			thr[j] = c
		}
	}
	sp.smax = min(sp.K, sp.cap)
	if nk == 0 {
		sp.smax = 0
	} else {
		sp.smax = min(sp.smax, cum)
	}
}

// sameInputs reports whether caps and costs equal, bit for bit, those of
// the last prepareSupply (NaN equals nothing), and records them as the
// last ones: one pass over the corridors, without a call, which stores
// only from the first corridor that differs.
func (sp *supplier) sameInputs(caps, costs []float64) bool {
	lc, lo := sp.lastCap[:len(caps)], sp.lastCost[:len(caps)]
	costs = costs[:len(caps)]
	for k, c := range caps {
		if c != lc[k] || costs[k] != lo[k] {
			for ; k < len(caps); k++ {
				lc[k], lo[k] = caps[k], costs[k]
			}
			return false
		}
	}
	return true
}

// thrQueue lists the sorted positions (supplier at[e].i, position at[e].j)
// whose threshold T_j = c_j + q⁻¹(C_j) waits for its mine-supply inverse
// q⁻¹(C_j) = e^((ln C_j − ln B)/η), with their C_j in x[e]:
// prepareSupply queues them (push), and flush takes the logs and exps of
// all of them in one batch each (flogBatch, fexpBatch), so that the
// suppliers a month's set-up or an evaluation prepares share the
// four-lane kernels. y is flush's scratch. newWorkspace gives them room
// for every corridor of the market (each supplier is prepared at most
// once between flushes), so they do not grow.
type thrQueue struct {
	at   []thrPos
	x, y []float64
}

// thrPos is a queued sorted position j of supplier i.
type thrPos struct{ i, j int32 }

// thrBatchMin is the fewest queued thresholds thrQueue.flush takes in
// batches.
const thrBatchMin = 4

// batchLen rounds n up to a multiple of four, the lanes of the batched
// kernels: a batch padded to it runs every element in them.
func batchLen(n int) int { return (n + 3) &^ 3 }

// push queues sorted position j of supplier i, whose cumulative capacity
// is cum > 0. prepareSupplyKnown queues no other: corridor capacities are
// finite and ≥ 0 (Policy.check, refreshQueued's tonnes), so a position
// with cum ≤ 0 has cum = 0 and takes T_j = c_j there, marginalCost's
// S ≤ 0 guard; flush therefore needs none (TestThrQueuePositive).
func (tq *thrQueue) push(i, j int, cum float64) {
	tq.at = append(tq.at, thrPos{int32(i), int32(j)})
	tq.x = append(tq.x, cum)
}

// flush sets the memoized inverse and the threshold of every queued
// position of sup and empties the queue: the same operations as
// fexp((flog(C_j) − ln B)/η) one by one, so the same bits. A queue of
// fewer than thrBatchMin positions (an evaluation's refreshes queue one
// or two) takes them one by one: the batches' fixed cost would be most
// of theirs.
func (tq *thrQueue) flush(sup []supplier) {
	nq := len(tq.at)
	if nq == 0 {
		return
	}
	if nq < thrBatchMin {
		for e, p := range tq.at {
			sp, j := &sup[p.i], p.j
			q := fexp((flog(tq.x[e]) - sp.lnB) / sp.eta)
			sp.qinv[j] = q
			sp.thr[j] = sp.cost[j] + q
		}
		tq.at, tq.x = tq.at[:0], tq.x[:0]
		return
	}
	for len(tq.x) < batchLen(nq) {
		tq.x = append(tq.x, 1) // padding: a log and an exp in range, discarded
	}
	if len(tq.y) < len(tq.x) {
		tq.y = make([]float64, len(tq.x))
	}
	x, at := tq.x, tq.at
	y := tq.y[:len(x)]
	flogBatch(y, x)
	for e, p := range at {
		sp := &sup[p.i]
		x[e] = (y[e] - sp.lnB) / sp.eta
	}
	fexpBatch(y, x)
	for e, p := range at {
		sp, j := &sup[p.i], p.j
		sp.qinv[j] = y[e]
		sp.thr[j] = sp.cost[j] + y[e]
	}
	tq.at, tq.x = tq.at[:0], tq.x[:0]
}

// sortPref sorts sp.ord by costs (insertion sort) with a tied corridor
// whose segment is on (pref) ahead of a corridor without one while its
// cost less its segment's discount p̃·(1 − e^(−z)) (disc) is at most the
// other's plus segTie (docs/MODEL.md, section 3.4). At z = 0 this is the
// tie rule; with z > 0 the tied corridor keeps its place while its
// discounted cost passes the other's, where no equilibrium lies below
// capacity (its row is then negative; at capacity or cap the row uses the
// plain fill, plainOrder), so that its flow and a facility's use do not
// jump at the segment's root.
func (sp *supplier) sortPref(costs []float64) {
	ord := sp.ord
	n := len(ord)
	costs, pref, disc := costs[:n], sp.pref[:n], sp.disc[:n]
	for a := 1; a < n; a++ {
		for b := a; b > 0; b-- {
			k, l := ord[b], ord[b-1] // is k less than l?
			ck, cl := costs[k], costs[l]
			var less bool
			switch {
			case pref[k] == pref[l]:
				less = ck < cl
			case pref[k]:
				less = ck-disc[k] <= cl+segTie
			default:
				less = ck < cl-disc[l]-segTie
			}
			if !less {
				break
			}
			ord[b], ord[b-1] = l, k
		}
	}
}

// supplyAt returns S(p), dS/dp and the active piece.
func (sp *supplier) supplyAt(p float64) (S, dSdp float64, piece supplyPiece) {
	j, m := sp.curvePos(p)
	var q float64
	if m > 0 {
		q = fexp(sp.lnB + sp.eta*flog(m))
	}
	return sp.supplyFrom(j, m, q)
}

// curvePos returns the sorted position j of the first threshold T_j ≥ p
// (nk when p is above every one) and the netback m = p − c_j on it (0 when
// j = nk), and records j in sp.jat. S(p) is then supplyFrom(j, m, B·m^η).
func (sp *supplier) curvePos(p float64) (j int, m float64) {
	cost := sp.cost
	thr := sp.thr[:len(cost)]
	for j < len(thr) && p > thr[j] {
		j++
	}
	sp.jat = j
	if j < len(cost) {
		m = p - cost[j]
	}
	return j, m
}

// supplyFrom returns S(p), dS/dp and the active piece from curvePos's j
// and m and the mine supply q = B·m^η at m (ignored when m ≤ 0).
func (sp *supplier) supplyFrom(j int, m, q float64) (S, dSdp float64, piece supplyPiece) {
	nk := len(sp.cost)
	if j == nk {
		if nk == 0 {
			return 0, 0, pieceZero
		}
		S, piece = sp.cum[nk-1], pieceCorridor
		sp.jat = nk - 1
	} else {
		prev := 0.0
		if j > 0 {
			prev = sp.cum[j-1]
		}
		var dq float64
		if m > 0 {
			dq = sp.eta * q / m
		} else {
			q = 0
		}
		switch {
		case q > prev:
			S, dSdp, piece = q, dq, pieceInterior
		case prev > 0:
			S, piece = prev, pieceCorridor
			sp.jat = j - 1
		default:
			S, piece = 0, pieceZero
		}
	}
	if sp.K < S && sp.K <= sp.cap {
		return sp.K, 0, pieceCapacity
	}
	if sp.cap < S {
		return sp.cap, 0, pieceQuota
	}
	return S, dSdp, piece
}

// lastCorridor returns the sorted position of the corridor carrying the
// last tonne of sales S: the first j with C_j ≥ S (and C_j > 0). With no
// open corridor it returns the cheapest, and −1 when there is none.
func (sp *supplier) lastCorridor(S float64) int {
	nk := len(sp.cum)
	if nk == 0 {
		return -1
	}
	for j := 0; j < nk; j++ {
		if sp.cum[j] > 0 && sp.cum[j] >= S {
			return j
		}
	}
	// S above every cumulative capacity (rounding) or all closed.
	for j := nk - 1; j >= 0; j-- {
		if sp.cum[j] > 0 && (j == 0 || sp.cum[j-1] < sp.cum[j]) {
			return j
		}
	}
	return 0
}

// marginalCost returns the mine marginal cost (S/B)^(1/η) on the curve
// in force (short-run with a Lag), $/t.
func (sp *supplier) marginalCost(S float64) float64 {
	if S <= 0 {
		return 0
	}
	return fexp((flog(S) - sp.lnB) / sp.eta)
}

// sameCurves says the long-run mine supply curve is the one in force
// (no Lag): the same B and η.
func (sp *supplier) sameCurves() bool {
	return sp.lnB == sp.lnBLR && sp.eta == sp.etaLR
}
