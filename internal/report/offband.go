package report

import (
	"fmt"
	"math"
	"strings"

	"github.com/potash-sim/potash/model"
)

// BandLow and BandHigh are the probabilities of the Monte Carlo band every
// report shows: the 5th and 95th percentiles of the draws.
const (
	BandLow  = 0.05
	BandHigh = 0.95
)

// offBandTol is the relative tolerance within which a central value on
// the edge of its band counts as inside it (rounding of the percentiles).
const offBandTol = 1e-9

// OffBand explains why the central run lies outside the Monte Carlo band
// of some headline figures: the central run takes each uncertain
// parameter's central value (the scenario's point value), and when that
// value sits at or near an edge of the parameter's range the draws fall
// mostly on one side of it, so the band can leave the central value out
// by construction, not by a bug (docs/SCENARIOS.md, "Uncertainty").
type OffBand struct {
	// Lines are the headline figures (Headline.What) whose central value
	// lies outside their 5–95% band, in headline order.
	Lines []string `json:"lines"`
	// Params are the uncertain parameters whose central value lies
	// outside the middle 90% of their own distribution (BandLow to
	// BandHigh), in the scenario's order; empty when none does.
	Params []EdgeParam `json:"params,omitempty"`
}

// EdgeParam is an uncertain parameter whose central value lies at or near
// an edge of its range.
type EdgeParam struct {
	Param   string  `json:"param"` // its path, e.g. "events.discount-relief.scale"
	Unit    string  `json:"unit,omitempty"`
	Central float64 `json:"central"`
	// Min and Max are the range of its draws; for an unbounded
	// distribution its BandLow and BandHigh quantiles.
	Min float64 `json:"min"`
	Max float64 `json:"max"`
	// Top is true when the central value lies at or near the top of the
	// range, false for the bottom; AtEdge when it is the edge itself.
	Top    bool `json:"top"`
	AtEdge bool `json:"at_edge"`
}

// FindOffBand returns the headline lines of heads whose central value
// lies outside their band and the uncertain parameters of unc that explain
// it, or nil when every central value lies inside its band (or there are
// no bands).
func FindOffBand(heads []Headline, unc []model.Uncertain) *OffBand {
	var o OffBand
	for _, h := range heads {
		if h.Band != nil && outside(h.Value, h.Band.P5, h.Band.P95) {
			o.Lines = append(o.Lines, h.What)
		}
	}
	if len(o.Lines) == 0 {
		return nil
	}
	o.Params = EdgeParams(unc)
	return &o
}

// EdgeParams returns the parameters of unc whose central value lies
// outside the middle 90% of their own distribution (below its BandLow
// quantile or above its BandHigh quantile): at or near an edge of its
// range, so that most draws move it the same way.
func EdgeParams(unc []model.Uncertain) []EdgeParam {
	var out []EdgeParam
	for _, u := range unc {
		if u.Dist == nil {
			continue
		}
		lo, hi := u.Dist.Quantile(BandLow), u.Dist.Quantile(BandHigh)
		c := u.Central
		if !outside(c, lo, hi) {
			continue
		}
		min, max := distRange(u.Dist, lo, hi)
		e := EdgeParam{Param: u.Name, Unit: u.Unit, Central: c, Min: min, Max: max, Top: c > hi}
		if e.Top {
			e.AtEdge = !outside(c, max, max)
		} else {
			e.AtEdge = !outside(c, min, min)
		}
		out = append(out, e)
	}
	return out
}

// distRange is the range of d's draws: its bounds when it has finite ones,
// else lo and hi (its band quantiles).
func distRange(d model.Distribution, lo, hi float64) (float64, float64) {
	finite := func(a, b float64) bool { return !math.IsInf(a, 0) && !math.IsInf(b, 0) }
	switch d := d.(type) {
	case model.Uniform:
		return d.Min, d.Max
	case model.Triangular:
		return d.Min, d.Max
	case model.Normal:
		if finite(d.Lower, d.Upper) {
			return d.Lower, d.Upper
		}
	case model.LogNormal:
		if finite(d.Lower, d.Upper) {
			return d.Lower, d.Upper
		}
	case model.Fixed:
		return d.Value, d.Value
	}
	return lo, hi
}

// outside reports whether v lies outside [lo, hi] by more than offBandTol
// relative to the numbers' size.
func outside(v, lo, hi float64) bool {
	tol := offBandTol * math.Max(math.Max(math.Abs(v), math.Abs(lo)), math.Abs(hi))
	return v < lo-tol || v > hi+tol
}

// Text says in words which figures lie outside their band and why, for
// the summaries and the web page.
func (o *OffBand) Text() string {
	if o == nil || len(o.Lines) == 0 {
		return ""
	}
	var b strings.Builder
	verb := "lie"
	if len(o.Lines) == 1 {
		verb = "lies"
	}
	fmt.Fprintf(&b, "At central parameter values, %s %s outside the 5–95%% range of the draws. "+
		"This is not an error: the central run takes each uncertain parameter's central value, ", joinAnd(o.Lines), verb)
	if len(o.Params) == 0 {
		b.WriteString("and no central value lies at an edge of its range, but the results respond unevenly " +
			"to the parameters (more to a move one way than the other), so the draws need not straddle the central run.")
		return b.String()
	}
	b.WriteString("and when that value lies at or near an edge of its range most draws move the parameter " +
		"the same way, so the range of the draws can leave the central run out. Central values at or near an edge: ")
	var ps []string
	for _, p := range o.Params {
		side := "bottom"
		if p.Top {
			side = "top"
		}
		where := "at the " + side + " of its range"
		if !p.AtEdge {
			where = "near the " + side + " of its range"
		}
		name := p.Param
		if p.Unit != "" && p.Unit != "1" && p.Unit != "%" {
			name += " (" + p.Unit + ")"
		}
		pct := ""
		if p.Unit == "%" {
			pct = "%"
		}
		ps = append(ps, fmt.Sprintf("%s is %s%s, %s %s to %s%s", name, num(p.Central), pct, where, num(p.Min), num(p.Max), pct))
		if !p.AtEdge {
			ps[len(ps)-1] += fmt.Sprintf(" (beyond %d%% of its draws)", int(math.Round(100*BandHigh)))
		}
	}
	b.WriteString(strings.Join(ps, "; "))
	b.WriteString(".")
	return b.String()
}

// num formats a parameter value with up to four significant digits.
func num(v float64) string { return strings.Replace(fmt.Sprintf("%.4g", v), "-", "−", 1) }

// joinAnd joins items as "a, b and c".
func joinAnd(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
