package model

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
)

// Calibrate validates m and computes the calibrated parameters (see
// docs/MODEL.md, section 4 "Calibration"):
//
//	Q0[r] = Σ_i x0[i][r]
//	P0[r] = Σ_i p0[i][r]·x0[i][r] / Q0[r],  p0[i][r] = (p0[i] + f[i][r])·(1 + τ0[i][r])
//	β[i][r] = (x0[i][r]/Q0[r]) · (p0[i][r]/P0[r])^σ[r]
//	A[r] = Q0[r] · P0[r]^ε[r]
//	S0[i] = Σ_r x0[i][r],  m0[i] = p0[i] − c[i][j*]
//	MC0[i] = Supplier.MarginalCost (m0[i] when not given)
//	L[i] = (m0[i] − MC0[i]) / p0[i],  B[i] = S0[i] / MC0[i]^η[i]
//
// where j* is the cheapest-first corridor that carries the last base tonne
// and L the base markup (rent per tonne as a fraction of the FOB price).
// Invalid input is an error naming the field, e.g.
// `regions[Brazil].sigma: 0.8 must exceed 1`. The private copy of m kept in
// Calibrated.Market has its corridors in the input order (so that
// NewPolicy(m) and NewPolicy(c.Market) index corridors alike); the solver
// orders them by cost at every solve.
func Calibrate(m *Market) (*Calibrated, error) {
	return calibrate(m, false)
}

// calibrate is Calibrate; own says that the caller hands m over (a Monte
// Carlo draw's market: a clone that nothing writes once the draw's
// values are in it), so that the Calibrated keeps m itself instead of a
// copy. A market without wedges is copied all the same (the copy gets
// a zero Wedge matrix, which m must not).
func calibrate(m *Market, own bool) (*Calibrated, error) {
	c, base, conduct := calibrateSteps(m, own)
	if base != nil {
		return nil, base
	}
	if conduct != nil {
		return nil, conduct
	}
	return c, nil
}

// calibrateSteps is calibrate with the errors of its two steps apart:
// base, that of the market's validation and base calibration
// (calibrateBase), and conduct, that of the conduct markups
// (calibrateConduct), which the conduct rule (conductRule) reports as a
// rule broken; c is nil when either is not.
func calibrateSteps(m *Market, own bool) (c *Calibrated, base, conduct error) {
	if m == nil {
		return nil, marketErr("market: nil"), nil
	}
	// A conduct stated as a gap share is replaced by the conduct it
	// derives in the Calibrated's market, which must not be the caller's.
	if _, share := conductStated(m); share {
		own = false
	}
	if c, base = calibrateBase(m, own); base != nil {
		return nil, base, nil
	}
	if conduct = calibrateConduct(c); conduct != nil {
		return nil, nil, conduct
	}
	return c, nil, nil
}

// calibrateBase is calibrate without the conduct markups
// (calibrateConduct).
func calibrateBase(m *Market, own bool) (*Calibrated, error) {
	if m == nil {
		return nil, marketErr("market: nil")
	}
	if err := validateMarket(m); err != nil {
		return nil, err
	}
	mc := m
	if !own || m.Wedge == nil {
		mc = m.Clone()
	}
	if mc.Wedge == nil {
		mc.Wedge = make([][]float64, len(mc.Suppliers))
		for i := range mc.Wedge {
			mc.Wedge[i] = make([]float64, len(mc.Regions))
		}
	}
	n, R := len(mc.Suppliers), len(mc.Regions)
	c := &Calibrated{
		Market: mc,
		Beta:   make([][]float64, n),
		A:      make([]float64, R),
		B:      make([]float64, n),
		P0:     make([]float64, R),
		Q0:     make([]float64, R),
		S0:     make([]float64, n),
		M0:     make([]float64, n),
		MC0:    make([]float64, n),
		Markup: make([]float64, n),
		Home:   make([]int, n),

		ConductMarkup:   make([]float64, n),
		CostData:        make([]float64, n),
		ConductGapShare: make([]float64, n),
		Bench:           0,

		lnBeta:   make([]float64, n*R),
		lnA:      make([]float64, R),
		lnB:      make([]float64, n),
		route:    make([]bool, n*R),
		netRev0:  make([]float64, n),
		cost0:    make([]float64, n),
		corr0:    make([][]float64, n),
		domShare: make([]float64, n),
		domReg:   make([]int, n),
		reach:    make([][][]int, n),
		adj:      make([][]float64, n),
		facOf:    make([][]int, n),
		segRent:  make([][]float64, n),
	}
	if mc.Benchmark != "" {
		c.Bench = mc.RegionIndex(mc.Benchmark)
	}
	for i, s := range mc.Suppliers {
		c.Home[i] = -1
		if s.Home != "" {
			c.Home[i] = mc.RegionIndex(s.Home)
		}
		for r := range mc.Regions {
			c.S0[i] += mc.Flows[i][r]
		}
	}
	for r, reg := range mc.Regions {
		var q, v float64
		for i, s := range mc.Suppliers {
			x := mc.Flows[i][r]
			if x == 0 {
				continue
			}
			pd := (s.FOB + mc.Freight[i][r]) * (1 + mc.Wedge[i][r])
			q += x
			v += pd * x
		}
		c.Q0[r] = q
		c.P0[r] = v / q
		c.lnA[r] = math.Log(q) + reg.Eps*math.Log(c.P0[r])
		c.A[r] = math.Exp(c.lnA[r])
	}
	for i, s := range mc.Suppliers {
		c.Beta[i] = make([]float64, R)
		for r, reg := range mc.Regions {
			x := mc.Flows[i][r]
			if x == 0 {
				continue
			}
			pd := (s.FOB + mc.Freight[i][r]) * (1 + mc.Wedge[i][r])
			lb := math.Log(x/c.Q0[r]) + reg.Sigma*math.Log(pd/c.P0[r])
			c.Beta[i][r] = math.Exp(lb)
			c.lnBeta[i*R+r] = lb
			c.route[i*R+r] = true
		}
		// Base corridor fill, cheapest first (tied corridors limited to
		// their regions' base flows, own freights in the costs).
		flows, jstar, costs := baseFill(mc, i, c.S0[i])
		c.corr0[i] = flows
		for k, f := range flows {
			c.netRev0[i] += (s.FOB - costs[k]) * f
		}
		c.M0[i] = s.FOB - costs[jstar]
		c.adj[i] = costs
		c.reach[i] = make([][]int, len(s.Corridors))
		c.facOf[i] = make([]int, len(s.Corridors))
		c.segRent[i] = make([]float64, len(s.Corridors))
		for k, cr := range s.Corridors {
			c.adj[i][k] -= cr.Cost
			c.reach[i][k] = corridorReach(mc, i, k)
			c.facOf[i][k] = mc.FacilityIndex(cr.Facility)
		}
		for k, cr := range s.Corridors {
			c.segRent[i][k] = baseRouteRent(mc, i, c.reach[i][k], cr, s.FOB-c.M0[i], cr.Cost+c.adj[i][k])
		}
		c.MC0[i] = c.M0[i]
		if s.MarginalCost > 0 {
			c.MC0[i] = s.MarginalCost
		}
		c.Markup[i] = (c.M0[i] - c.MC0[i]) / s.FOB
		c.CostData[i] = s.MarginalCost
		c.lnB[i] = math.Log(c.S0[i]) - s.Eta*math.Log(c.MC0[i])
		c.B[i] = math.Exp(c.lnB[i])
		c.cost0[i] = s.Eta / (s.Eta + 1) * c.S0[i] * c.MC0[i]
		c.domReg[i] = -1
		if s.Domestic > 0 {
			r := mc.RegionIndex(s.DomesticIn)
			c.domReg[i] = r
			c.domShare[i] = s.Domestic / mc.Flows[i][r]
		}
	}
	if err := validateFacilityUse(mc, c.corr0); err != nil {
		return nil, err
	}
	return c, nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// checkRange returns an error naming f when v is not finite or outside rg.
func checkRange(f field, v float64, rg Range) error {
	if !finite(v) {
		return marketErr("%s: %v is not a finite number", f, v)
	}
	if !rg.Contains(v) {
		return marketErr("%s: %g outside the valid range [%g, %g]", f, v, rg.Lo, rg.Hi)
	}
	return nil
}

// field names a market entry in an error message, e.g.
// regions[Brazil].sigma (set "regions", name "Brazil", suffix ".sigma")
// or wedge[Canada][Brazil] (name2 "Brazil"). Its String joins the parts
// only when an error is reported: validating a valid market, which every
// Calibrate does (every pair and every Monte Carlo draw), builds no
// strings.
type field struct{ set, name, name2, suffix string }

func (f field) String() string {
	s := f.set + "[" + f.name + "]"
	if f.name2 != "" {
		s += "[" + f.name2 + "]"
	}
	return s + f.suffix
}

// dot returns f's entry with the suffix s (".sigma").
func (f field) dot(s string) field {
	f.suffix = s
	return f
}

// validateMarket checks m; every error names the offending field.
func validateMarket(m *Market) error {
	n, R := len(m.Suppliers), len(m.Regions)
	if n == 0 {
		return marketErr("suppliers: none")
	}
	if R == 0 {
		return marketErr("regions: none")
	}
	seen := map[string]bool{}
	for r, reg := range m.Regions {
		f := field{set: "regions", name: regName(m, r)}
		if reg.Name == "" {
			return marketErr("regions[%d].name: empty", r)
		}
		if seen[reg.Name] {
			return marketErr("%s.name: duplicate region", f)
		}
		seen[reg.Name] = true
		if !finite(reg.Sigma) {
			return marketErr("%s.sigma: %v is not a finite number", f, reg.Sigma)
		}
		if reg.Sigma <= 1 {
			return marketErr("%s.sigma: %g must exceed 1", f, reg.Sigma)
		}
		if err := checkRange(f.dot(".sigma"), reg.Sigma, domainSigma); err != nil {
			return err
		}
		if finite(reg.Eps) && reg.Eps < 0 {
			return marketErr("%s.eps: %g must not be negative (write the elasticity as a positive number)", f, reg.Eps)
		}
		if err := checkRange(f.dot(".eps"), reg.Eps, domainEps); err != nil {
			return err
		}
		if err := checkRange(f.dot(".adjust"), reg.Adjust, domainAdjust); err != nil {
			return err
		}
		if err := checkRange(f.dot(".growth"), reg.Growth, domainGrowth); err != nil {
			return err
		}
		if err := checkStocks(f, &reg); err != nil {
			return err
		}
	}
	if m.Benchmark != "" && m.RegionIndex(m.Benchmark) < 0 {
		return marketErr("benchmark: unknown region %q", m.Benchmark)
	}
	seen = map[string]bool{}
	for i, s := range m.Suppliers {
		f := field{set: "suppliers", name: supName(m, i)}
		if s.Name == "" {
			return marketErr("suppliers[%d].name: empty", i)
		}
		if seen[s.Name] {
			return marketErr("%s.name: duplicate supplier", f)
		}
		seen[s.Name] = true
		if s.Home != "" && m.RegionIndex(s.Home) < 0 {
			return marketErr("%s.home: unknown region %q", f, s.Home)
		}
		if !finite(s.FOB) || s.FOB <= 0 {
			return marketErr("%s.fob: %v must be a positive finite price", f, s.FOB)
		}
		if !finite(s.Capacity) || s.Capacity < 0 {
			return marketErr("%s.capacity: %v must be a finite number ≥ 0", f, s.Capacity)
		}
		if finite(s.Eta) && s.Eta <= 0 {
			return marketErr("%s.eta: %g must be positive", f, s.Eta)
		}
		if err := checkRange(f.dot(".eta"), s.Eta, domainEta); err != nil {
			return err
		}
		if err := checkRange(f.dot(".adjust"), s.Adjust, domainAdjust); err != nil {
			return err
		}
		cs := map[string]bool{}
		for k, cr := range s.Corridors {
			// The corridor's name for an error (built only for one).
			cf := func() string { return fmt.Sprintf("%s.corridors[%s]", f, cr.Name) }
			if cr.Name == "" {
				return marketErr("%s.corridors[%d].name: empty", f, k)
			}
			if cs[cr.Name] {
				return marketErr("%s.name: duplicate corridor", cf())
			}
			cs[cr.Name] = true
			if !finite(cr.Capacity) || cr.Capacity < 0 {
				return marketErr("%s.capacity: %v must be a finite number ≥ 0", cf(), cr.Capacity)
			}
			if !finite(cr.Cost) || cr.Cost < 0 {
				return marketErr("%s.cost: %v must be a finite number ≥ 0", cf(), cr.Cost)
			}
		}
	}
	if err := validateConduct(m); err != nil {
		return err
	}
	if err := checkMatrix(m, "flows", m.Flows, false); err != nil {
		return err
	}
	if err := checkMatrix(m, "freight", m.Freight, false); err != nil {
		return err
	}
	if err := checkMatrix(m, "wedge", m.Wedge, true); err != nil {
		return err
	}
	if err := validateRoutes(m); err != nil {
		return err
	}
	var total float64
	for i := range m.Suppliers {
		for r := range m.Regions {
			total += m.Flows[i][r]
			if m.Wedge != nil {
				if err := checkRange(field{set: "wedge", name: supName(m, i), name2: regName(m, r)}, m.Wedge[i][r], domainWedge); err != nil {
					return err
				}
			}
		}
	}
	if total <= 0 {
		return marketErr("flows: zero base flows everywhere")
	}
	for r := range m.Regions {
		var q float64
		for i := range m.Suppliers {
			q += m.Flows[i][r]
		}
		if q <= 0 {
			return marketErr("regions[%s]: no base flows into the region", regName(m, r))
		}
	}
	for i, s := range m.Suppliers {
		f := field{set: "suppliers", name: supName(m, i)}
		var s0 float64
		for r := range m.Regions {
			s0 += m.Flows[i][r]
		}
		if s0 <= 0 {
			return marketErr("%s: no base sales (every flow is zero)", f)
		}
		if s.Capacity < s0 {
			return marketErr("%s.capacity: %g Mt/yr is below base sales %g Mt/yr", f, s.Capacity, s0)
		}
		if len(s.Corridors) == 0 {
			return marketErr("%s.corridors: none (a supplier needs at least one corridor to carry its sales)", f)
		}
		caps, _ := baseCorridors(m, i)
		if ccap := floats.Sum(caps); ccap < s0*(1-1e-12) {
			return marketErr("%s.corridors: total capacity %g Mt/yr cannot carry base sales %g Mt/yr (a tied corridor counts up to the base flows of the regions it serves)", f, ccap, s0)
		}
		// Base netback: FOB less the cost of the corridor carrying the last tonne.
		_, lk, costs := baseFill(m, i, s0)
		last := Corridor{Name: s.Corridors[lk].Name, Cost: costs[lk]}
		m0 := s.FOB - last.Cost
		if m0 <= 0 {
			return marketErr("%s.fob: base netback %g $/t (FOB %g less corridor %s cost %g) must be positive", f, m0, s.FOB, last.Name, last.Cost)
		}
		switch {
		case !finite(s.MarginalCost) || s.MarginalCost < 0:
			return marketErr("%s.marginal_cost: %v must be a finite number ≥ 0 (0: not given)", f, s.MarginalCost)
		case s.MarginalCost > m0*(1+1e-12):
			return marketErr("%s.marginal_cost: %g $/t exceeds the base netback %g $/t (FOB %g less corridor %s cost %g): a supplier selling at a loss at the margin cannot be calibrated", f, s.MarginalCost, m0, s.FOB, last.Name, last.Cost)
		}
		switch {
		case !finite(s.Domestic) || s.Domestic < 0:
			return marketErr("%s.domestic: %v must be a finite number ≥ 0", f, s.Domestic)
		case s.Domestic > 0 && m.RegionIndex(s.DomesticIn) < 0:
			return marketErr("%s.domestic_in: unknown region %q (the region whose flow holds the domestic sales)", f, s.DomesticIn)
		case s.Domestic > 0 && s.Domestic > m.Flows[i][m.RegionIndex(s.DomesticIn)]:
			return marketErr("%s.domestic: %g Mt/yr exceeds the base flow %g Mt/yr to %s that holds it", f, s.Domestic, m.Flows[i][m.RegionIndex(s.DomesticIn)], s.DomesticIn)
		case s.Domestic > 0 && s.Home == s.DomesticIn:
			return marketErr("%s.domestic_in: %s is the supplier's home region, whose flow is domestic already", f, s.DomesticIn)
		}
	}
	return nil
}

func checkMatrix(m *Market, name string, a [][]float64, mayBeNil bool) error {
	if a == nil && mayBeNil {
		return nil
	}
	if len(a) != len(m.Suppliers) {
		return marketErr("%s: %d rows, want one per supplier (%d)", name, len(a), len(m.Suppliers))
	}
	for i := range a {
		if len(a[i]) != len(m.Regions) {
			return marketErr("%s[%s]: %d columns, want one per region (%d)", name, supName(m, i), len(a[i]), len(m.Regions))
		}
		for r, v := range a[i] {
			if !finite(v) {
				return marketErr("%s[%s][%s]: %v is not a finite number", name, supName(m, i), regName(m, r), v)
			}
			if v < 0 && name != "wedge" {
				return marketErr("%s[%s][%s]: %g must not be negative", name, supName(m, i), regName(m, r), v)
			}
		}
	}
	return nil
}

func supName(m *Market, i int) string {
	if i >= 0 && i < len(m.Suppliers) && m.Suppliers[i].Name != "" {
		return m.Suppliers[i].Name
	}
	return fmt.Sprint(i)
}

func regName(m *Market, r int) string {
	if r >= 0 && r < len(m.Regions) && m.Regions[r].Name != "" {
		return m.Regions[r].Name
	}
	return fmt.Sprint(r)
}

// marketErr is an invalid-market error (it wraps ErrInvalidMarket); its
// text names the field.
func marketErr(format string, args ...any) error {
	return &FieldError{Msg: fmt.Sprintf(format, args...), Kind: ErrInvalidMarket}
}
