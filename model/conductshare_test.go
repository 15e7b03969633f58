package model

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// tolGapShare is the tolerance, relative to the gap, to which a conduct
// derived from a gap share (conductFromGapShare) gives the stated share's
// markup at the base point: the derivation is exact, so rounding only.
const tolGapShare = 1e-12

// TestConductFromGapShare: under every structure — one supplier acting
// alone, BPC at full and half weight, every supplier Cournot — the
// conduct derived from a stated share h of the base gap (docs/MODEL.md,
// section 4.2) gives the base conduct markup μ0·p0 = h·(m0 − MC0) to
// tolGapShare, keeps the published marginal cost, leaves the rest of the
// gap as the base markup L (a share that asks for more than the Cournot
// markup gets conduct 1 and the share that reaches), stands in the calibrated market's Conduct
// (which re-calibrates as a stated conduct to the same μ0), and the base
// year solves in zero iterations with the solver's own markup. The
// derivation is exact under a coalition too: a member's derived conduct
// does not depend on its partner's share (C is its partners' base
// revenue, not their conduct).
func TestConductFromGapShare(t *testing.T) {
	bpc := func(w float64) []Coalition {
		return []Coalition{{Name: "BPC", Members: []string{"Russia", "Belarus"}, Weight: w}}
	}
	for _, tc := range []struct {
		name   string
		shares map[string]float64
		coal   []Coalition
		capped int // suppliers whose share asks for more than the Cournot markup
	}{
		{"alone", map[string]float64{"Belarus": 0.8}, nil, 0},
		{"alone, whole gap", map[string]float64{"Canada": 1, "Russia": 1, "Belarus": 1}, nil, 0},
		{"BPC full", map[string]float64{"Russia": 1, "Belarus": 0.6}, bpc(1), 0},
		{"BPC half", map[string]float64{"Russia": 0.7, "Belarus": 1}, bpc(0.5), 0},
		{"Cournot everyone", nil, nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := testMarketRents()
			m.Coalitions = tc.coal
			for i := range m.Suppliers {
				if tc.shares == nil {
					m.Suppliers[i].ConductGapShare = 0.5 + 0.1*float64(i%5)
				} else {
					m.Suppliers[i].ConductGapShare = tc.shares[m.Suppliers[i].Name]
				}
			}
			c := mustCalibrate(t, m)
			capped := 0
			for i, s := range m.Suppliers {
				h := s.ConductGapShare
				got := c.Market.Suppliers[i]
				if h == 0 {
					if got.Conduct != 0 || c.ConductMarkup[i] != 0 {
						t.Errorf("%s: no share, conduct %g, μ0 %g", s.Name, got.Conduct, c.ConductMarkup[i])
					}
					continue
				}
				gap := c.M0[i] - s.MarginalCost
				if !(got.Conduct > 0 && got.Conduct <= 1) || got.ConductGapShare != 0 {
					t.Errorf("%s: calibrated market has conduct %g, share %g; want the derived conduct alone, in (0, 1]", s.Name, got.Conduct, got.ConductGapShare)
				}
				if got.Conduct == 1 {
					// Capped: the Cournot markup is less than the share
					// of the gap, and the rest stays a base markup.
					capped++
					if hh := c.ConductGapShare[i]; !(hh < h) || math.Abs(c.ConductMarkup[i]*s.FOB-hh*gap) > tolGapShare*gap ||
						!scalar.EqualWithinAbs(c.Markup[i]*s.FOB, gap-c.ConductMarkup[i]*s.FOB, tolGapShare*gap) || c.MC0[i] != s.MarginalCost {
						t.Errorf("%s: capped at conduct 1: share %g of stated %g, μ0·p0 %g, L·p0 %g, gap %g", s.Name, hh, h, c.ConductMarkup[i]*s.FOB, c.Markup[i]*s.FOB, gap)
					}
					continue
				}
				if d := math.Abs(c.ConductMarkup[i]*s.FOB - h*gap); d > tolGapShare*gap {
					t.Errorf("%s: μ0·p0 = %.15g, want %g × gap %g = %.15g", s.Name, c.ConductMarkup[i]*s.FOB, h, gap, h*gap)
				}
				if c.MC0[i] != s.MarginalCost || c.ConductGapShare[i] != h {
					t.Errorf("%s: MC0 %g (published %g), share %g (stated %g)", s.Name, c.MC0[i], s.MarginalCost, c.ConductGapShare[i], h)
				}
				if !scalar.EqualWithinAbs(c.Markup[i]*s.FOB, (1-h)*gap, tolGapShare*gap) {
					t.Errorf("%s: L·p0 = %g, want (1 − h)·gap = %g", s.Name, c.Markup[i]*s.FOB, (1-h)*gap)
				}
			}
			if capped != tc.capped {
				t.Errorf("%d suppliers capped at conduct 1, want %d", capped, tc.capped)
			}
			// The calibrated market states the derived conduct: it
			// re-calibrates to the same markups.
			c2 := mustCalibrate(t, c.Market)
			for i, s := range c.Market.Suppliers {
				if !scalar.EqualWithinAbsOrRel(c2.ConductMarkup[i], c.ConductMarkup[i], 1e-15, 1e-12) {
					t.Errorf("%s: conduct %g re-calibrates to μ0 %.15g, want %.15g", s.Name, s.Conduct, c2.ConductMarkup[i], c.ConductMarkup[i])
				}
			}
			checkBaseYear(t, c)
			if tc.coal == nil {
				return
			}
			// A member's derived conduct does not depend on its
			// partner's share.
			m2 := m.Clone()
			r, b := m2.SupplierIndex("Russia"), m2.SupplierIndex("Belarus")
			m2.Suppliers[b].ConductGapShare = 0.3
			c3 := mustCalibrate(t, m2)
			if got, want := c3.Market.Suppliers[r].Conduct, c.Market.Suppliers[r].Conduct; got != want {
				t.Errorf("Russia's derived conduct %.15g with Belarus's share 0.3, %.15g with %g", got, want, m.Suppliers[b].ConductGapShare)
			}
		})
	}
}

// TestConductGapShareErrors: a share outside [0, 1], a share with a
// stated conduct, and a share of no gap (no published cost) are invalid
// markets naming the supplier and the field; a share is not an error
// where the same markup as a stated conduct is (TestConductMarkupError's
// Belarus at conduct 1).
func TestConductGapShareErrors(t *testing.T) {
	for _, tc := range []struct {
		f    func(m *Market)
		want string
	}{
		{func(m *Market) { m.Suppliers[2].ConductGapShare = 1.2 }, "suppliers[Belarus].conduct_gap_share: 1.2 outside"},
		{func(m *Market) { m.Suppliers[2].ConductGapShare = math.NaN() }, "suppliers[Belarus].conduct_gap_share: NaN"},
		{func(m *Market) { m.Suppliers[2].ConductGapShare, m.Suppliers[2].Conduct = 0.5, 0.2 }, "suppliers[Belarus]: conduct 0.2 and conduct_gap_share 0.5 both set"},
		{func(m *Market) { m.Suppliers[2].MarginalCost, m.Suppliers[2].ConductGapShare = 0, 0.5 }, "suppliers[Belarus].conduct_gap_share: 0.5 of a base gap of 0"},
		{func(m *Market) { m.Suppliers[0].Conduct = -0.5 }, "suppliers[Canada].conduct: -0.5 outside"},
	} {
		m := testMarketRents()
		tc.f(m)
		if _, err := Calibrate(m); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("err = %v, want %q", err, tc.want)
		}
	}
	m := testMarketRents()
	m.Suppliers[2].ConductGapShare = 1
	c := mustCalibrate(t, m)
	if c.MC0[2] != m.Suppliers[2].MarginalCost {
		t.Errorf("MC0 %g, want the published %g", c.MC0[2], m.Suppliers[2].MarginalCost)
	}
}

// TestConductGapShareLowEps: at a low demand elasticity the conduct that
// took the whole gap at the base elasticities claims more than the
// netback and the market does not calibrate, while the same whole gap
// stated as a share derives a smaller conduct and calibrates, keeping
// the share (the draws of docs/MODEL.md, section 9.1's conduct rule).
func TestConductGapShareLowEps(t *testing.T) {
	m := testMarketRents()
	b := m.SupplierIndex("Belarus")
	m.Suppliers[b].ConductGapShare = 1
	c := mustCalibrate(t, m)
	phi := c.Market.Suppliers[b].Conduct
	low := func(m *Market) *Market {
		m = m.Clone()
		for r := range m.Regions {
			m.Regions[r].Eps /= 4
		}
		return m
	}
	stated := low(c.Market) // the conduct fitted at the base elasticities
	if _, err := Calibrate(stated); err == nil || !strings.Contains(err.Error(), "suppliers[Belarus].conduct") {
		t.Fatalf("conduct %g at a quarter of the elasticities: err = %v, want the conduct not to calibrate", phi, err)
	}
	cl := mustCalibrate(t, low(m))
	gap := cl.M0[b] - m.Suppliers[b].MarginalCost
	if got := cl.Market.Suppliers[b].Conduct; !(got < phi) {
		t.Errorf("derived conduct %g at a quarter of the elasticities, want below %g", got, phi)
	}
	if d := math.Abs(cl.ConductMarkup[b]*m.Suppliers[b].FOB - gap); d > tolGapShare*gap {
		t.Errorf("μ0·p0 = %g, want the gap %g", cl.ConductMarkup[b]*m.Suppliers[b].FOB, gap)
	}
	checkBaseYear(t, cl)
}
