package model

import (
	"math"
)

// Market conduct (docs/MODEL.md, sections 3.8 and 4.2).
//
// A strategic supplier i (conduct φ_i > 0) keeps the conduct markup μ_i, a
// share of its FOB price, out of the price its mines see:
//
//	p̃_i = p_i·(1 − δ̄_i)·(1 − L_i − μ_i),   μ_i = φ_i·(1 + C_i)/E_i
//
// E_i is the demand elasticity it perceives when it expands its sales and
// holds every rival's deliveries to every region fixed (the Cournot
// conjecture), and C_i the revenue its coalition partners lose per unit of
// its own revenue, weighted by the cooperation weight λ:
//
//	g[i][r] = s·(σ − ε)/(ε + s·(σ − ε))     (s = s[i][r] the expenditure share)
//	e[i][r] = σ·(1 − g[i][r])               = 1/((1 − s)/σ + s/ε)
//	E_i     = Σ_r (x[i][r]/D_i)·θ[i][r]·e[i][r]
//	U[i][r] = Σ_{j partner} λ·x[j][r]·(p_j(1 − δ) + f[j][r])
//	C_i     = Σ_r θ[i][r]·g[i][r]·U[i][r] / (p_i·D_i)
//
// with θ = p(1−δ)/(p(1−δ) + f) and ε the long-run demand elasticity (a
// seller prices against the long-run demand curve also while demand
// adjusts). markups computes μ, markupJacobian its derivatives.

const (
	// maxMarkupShare bounds the conduct markup μ at
	// maxMarkupShare·(1 − L) + (1 − maxMarkupShare)·μ0, so that the mines
	// always see at least a tenth of the share of the price they saw in
	// the base year (the base is never at the bound). Where the first-order condition asks for more
	// (a seller, often a coalition member with little revenue of its own,
	// that would withdraw to raise its partners' prices) it has a corner
	// that a CES market, where demand is positive at any price, cannot
	// clear; the bound keeps the seller selling what its mines supply at
	// a tenth of the price (docs/MODEL.md, section 3.8).
	maxMarkupShare = 1 - minCostShare
	// minElasticity is the perceived elasticity E below which μ is at its
	// bound.
	minElasticity = 1e-12
	// minCostShare is the smallest marginal cost a conduct may calibrate
	// to, as a share of the base netback: a conduct that claims more than
	// 90% of the netback leaves a marginal cost of a few dollars, which no
	// mine has and on which the supply curve B = S0/MC0^η degenerates.
	minCostShare = 0.1
)

// prepareConduct sets the conduct state of one solve from pol: φ per
// supplier, the coalition of each supplier and its cooperation weight, and
// the list of strategic participants. It does not allocate.
func (w *workspace) prepareConduct(pol *Policy) {
	w.strat = w.strat[:0]
	for _, i := range w.part {
		w.phi[i] = pol.Conduct[i]
		w.lam[i] = 0
		if g := w.coal[i]; g >= 0 {
			w.lam[i] = pol.Cooperation[g]
		}
		if w.phi[i] > 0 {
			w.strat = append(w.strat, i)
		}
	}
	for i := 0; i < w.n; i++ {
		w.mu[i] = 0
	}
}

// partners reports whether i and j are coalition partners, and their
// cooperation weight λ.
func (w *workspace) partners(i, j int) (bool, float64) {
	g := w.coal[i]
	if g < 0 || i == j || w.coal[j] != g || w.lam[i] == 0 {
		return false, 0
	}
	return true, w.lam[i]
}

// routeConduct returns, for open route k = i*R+r at the last eval, the
// freight pass-through θ, the expenditure share s, g and e (section 3.8).
func (w *workspace) routeConduct(i, r int) (th, s, g, e float64) {
	k := i*w.R + r
	pi := w.p[i] * w.omd[k]
	th = pi / (pi + w.fr[k])
	s = w.w[k] / w.W[r]
	sig, eps := w.sig[r], w.c.Market.Regions[r].Eps
	a := sig - eps
	if den := eps + s*a; den > 0 {
		g = s * a / den
	}
	return th, s, g, sig * (1 - g)
}

// partnerValue returns U[i][r] = Σ_{j partner} λ·x[j][r]·(p_j(1−δ) + f).
func (w *workspace) partnerValue(i, r int) float64 {
	if w.coal[i] < 0 || w.lam[i] == 0 {
		return 0
	}
	n, R := w.n, w.R
	var U float64
	for _, j := range w.rl[r*n : r*n+w.rn[r]] {
		if ok, lam := w.partners(i, j); ok {
			k := j*R + r
			U += lam * w.x[k] * (w.p[j]*w.omd[k] + w.fr[k])
		}
	}
	return U
}

// markups sets μ_i and the effective 1 − L − μ_i (supplier.oml) of every
// strategic participant at the flows of the current eval.
func (w *workspace) markups() {
	for _, i := range w.strat {
		mu, _, _, _ := w.markupOf(i)
		w.mu[i] = mu
		w.sup[i].oml = w.oml0[i] - mu
	}
}

// markupOf returns μ_i with E_i, C_i and whether μ was bounded (by
// maxMarkupShare, or D_i = 0).
func (w *workspace) markupOf(i int) (mu, E, C float64, bounded bool) {
	w.weights() // routeConduct reads w.w
	R := w.R
	D := w.D[i]
	if !(D > 0) {
		return 0, 0, 0, true
	}
	var N float64
	for r := 0; r < R; r++ {
		k := i*R + r
		if !w.open[k] || w.W[r] == 0 || w.x[k] == 0 {
			continue
		}
		th, _, g, e := w.routeConduct(i, r)
		E += w.x[k] / D * th * e
		if g != 0 {
			if U := w.partnerValue(i, r); U != 0 {
				N += th * g * U
			}
		}
	}
	C = N / (w.p[i] * D)
	top := maxMarkupShare*w.oml0[i] + (1-maxMarkupShare)*w.c.ConductMarkup[i]
	if !(E > minElasticity) {
		return top, E, C, true
	}
	mu = w.phi[i] * (1 + C) / E
	if !(mu < top) {
		return top, E, C, true
	}
	return mu, E, C, false
}

// markupRetry reports whether a solve that ended with res is made once
// more with the fallback taking each Cournot seller's markup at the trial
// price (ownMu): it stopped short of a root (IterationLimit or Stalled)
// after the fallback ran, with a strategic seller, and was not made so
// already.
func (w *workspace) markupRetry(res Result) bool {
	return (res.Status == IterationLimit || res.Status == Stalled) && res.Fallback && len(w.strat) > 0 && !w.ownMu
}

// markupAt returns μ_i as markupOf does, from supplier i's price p,
// demand D, D·E_i (dE) and N = C_i·p·D (ownExcess: at a trial price,
// others fixed).
func (w *workspace) markupAt(i int, p, D, dE, N float64) float64 {
	if !(D > 0) {
		return 0
	}
	top := maxMarkupShare*w.oml0[i] + (1-maxMarkupShare)*w.c.ConductMarkup[i]
	E := dE / D
	if !(E > minElasticity) {
		return top
	}
	if mu := w.phi[i] * (1 + N/(p*D)) / E; mu < top {
		return mu
	}
	return top
}

// markupJacobian sets w.dmu[i*n+j] = ∂μ_i/∂ln p_j for every strategic
// participant i and participant j at the point of the last eval
// (docs/MODEL.md, section 5.1). It does not allocate.
func (w *workspace) markupJacobian() {
	n, R := w.n, w.R
	aD, aE, aN := w.cdD, w.cdE, w.cdN
	for _, i := range w.strat {
		row := w.dmu[i*n : i*n+n]
		for _, j := range w.part {
			row[j], aD[j], aE[j], aN[j] = 0, 0, 0, 0
		}
		mu, E, C, bounded := w.markupOf(i)
		if bounded || mu == 0 {
			continue
		}
		D, pD := w.D[i], w.p[i]*w.D[i]
		for r := 0; r < R; r++ {
			k := i*R + r
			if !w.open[k] || w.W[r] == 0 || w.x[k] == 0 {
				continue
			}
			th, _, g, e := w.routeConduct(i, r)
			U := 0.0
			if g != 0 {
				U = w.partnerValue(i, r)
			}
			om := w.x[k] / D
			sig := w.sig[r]
			sm := sig - w.epsX[r] // ∂ln x/∂ln p uses the elasticity of shipments in force (stocks included)
			gg := g * (1 - g)
			cD := om * sm
			cE := om*th*e*sm + om*th*sig*gg*(1-sig)
			cN := -th*gg*U*(1-sig) + th*g*U*sm
			aD[i] -= om * sig * th
			aE[i] += -om*th*e*sig*th + om*e*th*(1-th) - om*th*sig*gg*(1-sig)*th
			aN[i] += th*(1-th)*g*U + th*gg*U*(1-sig)*th
			W := w.W[r]
			for _, j := range w.rl[r*n : r*n+w.rn[r]] {
				kj := j*R + r
				pj := w.p[j] * w.omd[kj]
				thj := pj / (pj + w.fr[kj])
				tj := w.w[kj] / W * thj
				aD[j] += cD * tj
				aE[j] += cE * tj
				aN[j] += cN * tj
				if ok, lam := w.partners(i, j); ok && g != 0 {
					aN[j] += th * g * lam * w.x[kj] * (pj + w.fr[kj]) * (1 - sig) * thj
				}
			}
		}
		m := mu / w.phi[i]
		for _, j := range w.part {
			dE := aE[j] - E*aD[j]
			own := 0.0
			if j == i {
				own = 1
			}
			dC := aN[j]/pD - C*(aD[j]+own)
			row[j] = w.phi[i] * (dC - m*dE) / E
		}
	}
}

// conductJacobian adds the conduct markups' terms to the Jacobian J (na
// unknowns): F_i = (D_i − S_i(p̃_i))/sc_i with p̃_i ∝ 1 − L_i − μ_i(p), so
// ∂F_i/∂ln p_j gains S'·p̃·(∂μ_i/∂ln p_j)/(1 − L_i − μ_i)/sc_i.
func (w *workspace) conductJacobian(J []float64, na int) {
	w.markupJacobian()
	n := w.n
	for _, i := range w.strat {
		om := w.sup[i].oml
		if w.pinned[i] || !(om > 0) || w.dS[i] == 0 {
			continue
		}
		f := w.dS[i] / w.sc[i] / om
		row := J[w.apos[i]*na : w.apos[i]*na+na]
		d := w.dmu[i*n : i*n+n]
		for a, j := range w.act {
			row[a] += f * d[j]
		}
	}
}

// validateConduct checks the suppliers' conduct and the coalitions of m.
func validateConduct(m *Market) error {
	for i, s := range m.Suppliers {
		if err := checkRange(field{set: "suppliers", name: supName(m, i), suffix: ".conduct"}, s.Conduct, domainConduct); err != nil {
			return err
		}
		if err := checkRange(field{set: "suppliers", name: supName(m, i), suffix: ".conduct_gap_share"}, s.ConductGapShare, domainConduct); err != nil {
			return err
		}
		if s.Conduct != 0 && s.ConductGapShare != 0 {
			return marketErr("suppliers[%s]: conduct %g and conduct_gap_share %g both set: state the conduct or the share of the base gap it takes, not both", supName(m, i), s.Conduct, s.ConductGapShare)
		}
	}
	names := map[string]bool{}
	member := map[string]string{}
	for g, co := range m.Coalitions {
		f := field{set: "coalitions", name: co.Name}
		if co.Name == "" {
			return marketErr("coalitions[%d].name: empty", g)
		}
		if names[co.Name] {
			return marketErr("%s.name: duplicate coalition", f)
		}
		names[co.Name] = true
		if err := checkRange(f.dot(".weight"), co.Weight, domainConduct); err != nil {
			return err
		}
		if len(co.Members) < 2 {
			return marketErr("%s.members: %d member(s), a coalition needs at least two (a lone seller is a Cournot player: set its conduct)", f, len(co.Members))
		}
		for _, name := range co.Members {
			if m.SupplierIndex(name) < 0 {
				return marketErr("%s.members: unknown supplier %q", f, name)
			}
			if other, ok := member[name]; ok {
				if other == co.Name {
					return marketErr("%s.members: %s listed twice", f, name)
				}
				return marketErr("%s.members: %s is a member of coalition %s already (a supplier belongs to at most one)", f, name, other)
			}
			member[name] = co.Name
		}
	}
	return nil
}

// conductStated reports how m's suppliers state a conduct: direct, a
// supplier states its conduct φ (Supplier.Conduct > 0); share, one
// states it as a share of the base gap (Supplier.ConductGapShare > 0).
// A market with neither has no conduct markups (calibrateConduct).
func conductStated(m *Market) (direct, share bool) {
	for i := range m.Suppliers {
		s := &m.Suppliers[i]
		direct = direct || s.Conduct > 0
		share = share || s.ConductGapShare > 0
	}
	return direct, share
}

// conductFromGapShare returns the conduct φ whose base conduct markup is
// the share h of the base gap between the netback m0 and the published
// marginal cost MC0 (docs/MODEL.md, section 4.2): at the base point the
// markup per unit of conduct, μ*0 = (1 + C)/E, is fixed by the base flows,
// prices and elasticities (C by the partners' base revenue and the base
// cooperation weight, not by anyone's conduct), so μ0 = φ·μ*0 and
//
//	φ = min(1, h·(m0 − MC0) / (p0·μ*0))
//
// exactly, under every structure. A share that asks for more than the
// Cournot (or coalition) markup μ*0 gets conduct 1, the top of the
// model's conduct: the rest of the gap stays a base markup. E is the
// perceived elasticity and C the coalition term of markupOf at the base.
func conductFromGapShare(h, gap, p0, E, C float64) float64 {
	return min(1, h*gap*E/(p0*(1+C)))
}

// calibrateConduct backs the base conduct markups μ0 out of the base data
// (docs/MODEL.md, section 4.2). The observed gap m0 − MC0 between the
// base netback and the published marginal cost pays the conduct markup
// first; what is left stays the fixed base markup L. A conduct markup
// larger than the gap lowers the marginal cost below the published one
// (MC0 = m0 − μ0·p0, L = 0; Calibrated.CostData keeps the published
// figure), and one that leaves MC0 ≤ 0 — or below a tenth of the netback
// (minCostShare) — is an error naming the supplier and the numbers.
func calibrateConduct(c *Calibrated) error {
	m := c.Market
	if direct, share := conductStated(m); !direct && !share {
		return nil
	}
	// The workspace's conduct state (prepareConduct) lists as strategic
	// the suppliers with a conduct above 0: a share's supplier counts
	// with conduct 1 until its own is derived (the base point's E and C
	// do not depend on any conduct).
	pol := NewPolicy(m)
	for i, s := range m.Suppliers {
		if s.ConductGapShare > 0 {
			pol.Conduct[i] = 1
		}
	}
	w := newWorkspace(c)
	if err := w.prepare(pol, nil, nil); err != nil {
		return err
	}
	w.eval()
	for i := range m.Suppliers {
		s := &m.Suppliers[i]
		if s.Conduct == 0 && s.ConductGapShare == 0 {
			continue
		}
		// The markup the conduct asks for, unbounded (the solver's bound
		// depends on L, which this sets).
		_, E, C, _ := w.markupOf(i)
		p0, m0 := s.FOB, c.M0[i]
		gap := m0 - c.MC0[i]
		if h := s.ConductGapShare; h > 0 {
			if !(gap > 0) {
				return marketErr("suppliers[%s].conduct_gap_share: %g of a base gap of 0: the supplier has no published marginal cost below its netback (%.4g $/t), so no share of a gap states its conduct (set its conduct instead)", s.Name, h, m0)
			}
			phi := conductFromGapShare(h, gap, p0, E, C)
			if !(E > minElasticity) || !finite(phi) {
				return marketErr("suppliers[%s].conduct_gap_share: %g: the supplier perceives no demand elasticity at the base (%g), so no conduct gives it", s.Name, h, E)
			}
			// The calibrated market states the conduct it derived; the
			// markup is the solver's own at the base (h·gap/p0 to
			// rounding), the base markup L the rest of the gap.
			s.Conduct, s.ConductGapShare = phi, 0
			mu := phi * (1 + C) / E
			c.ConductMarkup[i] = mu
			c.ConductGapShare[i] = h
			if phi == 1 { // capped: the share a Cournot conduct reaches
				c.ConductGapShare[i] = min(h, mu*p0/gap)
			}
			c.Markup[i] = max(0, gap/p0-mu)
			continue
		}
		mu := s.Conduct * (1 + C) / E
		if !(E > minElasticity) || !finite(mu) {
			return marketErr("suppliers[%s].conduct: %g: the supplier perceives no demand elasticity at the base (%g), so no markup calibrates", s.Name, s.Conduct, E)
		}
		c.ConductMarkup[i] = mu
		if gap > 0 {
			c.ConductGapShare[i] = mu * p0 / gap
		}
		if mu*p0 <= gap {
			c.Markup[i] = gap/p0 - mu
			continue
		}
		mc := m0 - mu*p0
		if !(mc >= minCostShare*m0) {
			most := s.Conduct * (1 - minCostShare) * m0 / (mu * p0)
			if !(mc > 0) {
				return marketErr("suppliers[%s].conduct: %g gives a base conduct markup of %.3g of the FOB price (%.4g $/t of %.4g $/t), above the base netback %.4g $/t: its marginal cost would be %.4g $/t ≤ 0; a conduct of at most %.3g calibrates (or raise the demand elasticities it faces)",
					s.Name, s.Conduct, mu, mu*p0, p0, m0, mc, most)
			}
			return marketErr("suppliers[%s].conduct: %g gives a base conduct markup of %.3g of the FOB price (%.4g $/t of %.4g $/t), nearly all of the base netback %.4g $/t: its marginal cost would be %.4g $/t, below a tenth of the netback; a conduct of at most %.3g calibrates (or raise the demand elasticities it faces)",
				s.Name, s.Conduct, mu, mu*p0, p0, m0, mc, most)
		}
		c.MC0[i] = mc
		c.Markup[i] = 0
		c.lnB[i] = math.Log(c.S0[i]) - s.Eta*math.Log(mc)
		c.B[i] = math.Exp(c.lnB[i])
		c.cost0[i] = s.Eta / (s.Eta + 1) * c.S0[i] * mc
	}
	return nil
}
