package scenarios

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/potash-sim/potash/model"
)

// MaxRejectedShare is the largest share of a scenario's box of draws that
// the joint rules (the stock-cycle rule, the crop rule) may cut away:
// beyond it, runs with draws are refused (DrawsRefused), since what is
// left is no longer the prior the uncertainty section states
// (docs/MODEL.md §9.1, "The box of draws is a truncated prior"). The
// share is measured on model.Truncation's fixed pilot sample.
const MaxRejectedShare = 0.5

// MaxOverrideRise is the most, as a share of model.Truncation's pilot
// sample, by which a scenario's own market overrides and --sets may raise
// the share of its draws the joint rules reject without a warning, when
// the box of draws is judged by that share (a correlated group,
// ruleGroup): 2 percentage points. The pilot is a fixed sample drawn the
// same way with and without them, so the rise is theirs, not sampling
// noise; below it a value moves a few draws across a rule's edge, which
// the Monte Carlo redraws (docs/SCENARIOS.md, "Correlations").
const MaxOverrideRise = 0.02

// truncate sets the scenario's pilot (Scenario.Truncation, DrawsRefused).
// When a corner of the box of draws breaks a joint rule (boxCorner) it
// completes the corner's warning with the share of model.Truncation's
// pilot sample that the rules reject, and keeps it in sc as the error of
// DrawsRefused when that share exceeds MaxRejectedShare. When the draws of
// the rules' fields are one correlated group (l.group) it leaves the share
// to DrawsRefused, and measures the rise of the scenario's own overrides
// and --sets (overrideRise).
func (l *loader) truncate(sc *Scenario, m *merged, mf *MarketFile) {
	p := &pilotCheck{}
	sc.pilot = p
	switch {
	case l.box >= 0:
		p.once.Do(func() { p.measure(sc) })
		share := float64(p.rej) / float64(p.n)
		d := &l.diags[l.box]
		d.Msg += fmt.Sprintf("; draws beyond the rules are rejected and redrawn (a truncated prior, docs/MODEL.md §9.1): "+
			"%d of a pilot sample of %d draws (%.3g%%)", p.rej, p.n, 100*share)
		if share > MaxRejectedShare {
			d.Msg += fmt.Sprintf(", more than the %g%% allowed, so runs with draws are refused: narrow the draws, or move the value back", 100*MaxRejectedShare)
			e := *d
			e.Severity = SeverityError
			sc.drawsRefused = &e
		}
	case l.group != nil:
		p.kind, p.at, p.group = refuseGroup, l.groupAt(m), l.groupName()
		l.overrideRise(sc, m, mf)
	case l.inside != nil:
		p.kind, p.at = refuseInside, *l.inside
	}
}

// DrawsRefused returns, when the joint rules cut away more than
// MaxRejectedShare of the scenario's box of draws, the error that refuses
// a run of it with draws: a Diagnostics of one error, located at the
// override, --set or uncertainty entry that moved the box beyond the
// rules (where its warning is), or for a correlated group (docs/SCENARIOS.md,
// "Correlations") at the group's entry; nil otherwise. The central run is
// not affected: its values keep the rules.
func (s *Scenario) DrawsRefused() error {
	if s == nil {
		return nil
	}
	if s.drawsRefused != nil {
		return Diagnostics{*s.drawsRefused}
	}
	if p := s.pilot; p != nil && p.kind != refuseNone {
		p.once.Do(func() { p.measure(s) })
		if p.err != nil {
			return Diagnostics{*p.err}
		}
	}
	return nil
}

// Truncation returns the share of the scenario's box of draws that the
// joint rules cut away, as model.Truncation measures it on its fixed
// pilot sample: rejected of n candidates, and why the first rejected one
// breaks a rule ("" when none does). It is measured once, the first time
// it (or DrawsRefused) asks, unless the load measured it (a corner's
// warning, an override's rise): ~0.25 G instructions, 0.03–0.06 s on
// us-relief-2025 (0.63 G with gonum's eigen solver in model.StockCycle
// before). A scenario with no draws rejects none.
func (s *Scenario) Truncation() (rejected, n int, first string) {
	if s == nil || s.Spec == nil || len(s.Uncertain) == 0 {
		return 0, model.PilotDraws, ""
	}
	p := s.pilot
	if p == nil {
		return model.Truncation(s.Spec, s.Counterfactual, s.Uncertain)
	}
	p.once.Do(func() { p.measure(s) })
	return p.rej, p.n, p.first
}

// refuseKind says what a pilot share beyond MaxRejectedShare refuses
// (pilotCheck): nothing more (a corner's warning refused it already, or
// the draws reach no field of a joint rule), a box whose corners keep the
// stock-cycle rule (refuseInside), a correlated group's box (refuseGroup).
type refuseKind int

const (
	refuseNone refuseKind = iota
	refuseInside
	refuseGroup
)

// pilotCheck measures, once, the share of the pilot sample the joint
// rules reject (model.Truncation). For a box of draws of the stock-cycle
// rule's fields whose corners all keep the rules (or too many to walk,
// refuseInside) and for a correlated group's box (refuseGroup), a share
// beyond MaxRejectedShare refuses runs with draws. The rule's modulus
// is not largest at a corner: model.StockCycle reports no cycle (0) when
// the roots are real or the period beyond ten years, so a box whose
// corners have no cycle, or a damped one, can hold a cycle beyond the
// rule inside (docs/MODEL.md §9.1); and a correlated group's draws are
// not at its corners. The pilot (~0.03–0.06 s) is measured only when
// DrawsRefused (or Truncation) is asked, before draws that cost far more,
// not on every load, unless the scenario's own overrides or --sets move
// a correlated group's box (overrideRise).
type pilotCheck struct {
	once  sync.Once
	kind  refuseKind
	at    Diagnostic // where a refusal is located; Msg names the entry (refuseInside)
	group string     // the correlated group, named (refuseGroup)
	// rej of n candidates are rejected, the first breaking the joint
	// rule named rule, first why (model.TruncationRule).
	rej, n      int
	rule, first string
	err         *Diagnostic // the refusal, nil when the share is at most MaxRejectedShare
}

func (p *pilotCheck) measure(s *Scenario) {
	p.rej, p.n, p.rule, p.first = model.TruncationRule(s.Spec, s.Counterfactual, s.Uncertain)
	p.refuse()
}

// refuse sets p.err when the share measured exceeds MaxRejectedShare and
// p's kind refuses it.
func (p *pilotCheck) refuse() {
	share := float64(p.rej) / float64(p.n)
	if p.kind == refuseNone || share <= MaxRejectedShare {
		return
	}
	e := p.at
	e.Severity = SeverityError
	if p.kind == refuseGroup {
		e.Rule = p.rule
		e.Msg = fmt.Sprintf("the joint rules reject %d of a pilot sample of %d draws (%.3g%%) of %s, more than the %g%% allowed, so runs with draws are refused "+
			"(the first: %s); the box of a correlated group is judged by this share, not by its corners, where its draws rarely go: "+
			"narrow its draws of the fields of the joint rules (docs/SCENARIOS.md, \"Correlations\"; docs/MODEL.md §9.1)",
			p.rej, p.n, 100*share, p.group, 100*MaxRejectedShare, p.first)
		p.err = &e
		return
	}
	e.Msg = fmt.Sprintf("every corner of the draws of %s keeps the joint rules, but inside the box %d of a pilot sample of %d draws (%.3g%%) break one "+
		"(the first: %s), more than the %g%% allowed, so runs with draws are refused: narrow the draws "+
		"(a region with no stock cycle at the corners can have one beyond the rule inside; docs/MODEL.md §9.1)",
		p.at.Msg, p.rej, p.n, 100*share, p.first, 100*MaxRejectedShare)
	p.err = &e
}

// ruleField reports whether the concrete path names a field of a joint
// rule: the crop-price elasticity θ, or a region's field of the
// stock-cycle rule (stockCycleKeys, which hold its demand elasticity ε,
// the crop rule's other side).
func ruleField(path string) bool {
	if path == "market.drivers.crop_prices.elasticity" {
		return true
	}
	rest, ok := strings.CutPrefix(path, "market.regions.")
	if i := strings.LastIndex(rest, "."); ok && i >= 0 {
		return slices.Contains(stockCycleKeys, rest[i+1:])
	}
	return false
}

// ruleGroup returns the correlations group in force (cs, as parsed) that
// draws every field of a joint rule the valid uncertainty entries unc
// draw, by param as written, and whether there is one: at least one entry
// draws such a field and all of them are params of that one group. Such a
// box is judged by its pilot share (DrawsRefused), not by its corners
// (boxCorner): the corners are not where a correlated group's draws go
// (θ at its top with ε at its bottom runs against the fitted correlation
// of 0.91). It is decided from the groups as written, before the corners
// would be walked, so a scenario with errors elsewhere does not warn of a
// corner either.
func ruleGroup(unc []uncChecked, cs []corrRef) (corrRef, bool) {
	k := -1
	for _, u := range unc {
		if !slices.ContainsFunc(u.paths, ruleField) {
			continue
		}
		g := slices.IndexFunc(cs, func(c corrRef) bool { return slices.Contains(c.c.Params, u.ref.u.Param) })
		if g < 0 || (k >= 0 && g != k) {
			return corrRef{}, false
		}
		k = g
	}
	if k < 0 {
		return corrRef{}, false
	}
	return cs[k], true
}

// groupName names the correlated group l.group in messages: its field,
// its document, and its params of the joint rules (by their field).
func (l *loader) groupName() string {
	g := l.group
	var ps []string
	for _, p := range g.c.Params {
		if ruleField(p) {
			if k, ok := strings.CutPrefix(p, "market.drivers."); ok {
				ps = append(ps, k)
			} else {
				ps = append(ps, p[strings.LastIndex(p, ".")+1:])
			}
		}
	}
	return fmt.Sprintf("the correlated group correlations[%d] of %s (drawing, of the fields of the joint rules, %s)", g.idx, docName(g.doc), strings.Join(ps, ", "))
}

// groupAt locates a correlated group's refusal: at the last uncertainty
// entry of the scenario's own file (m.leaf) that draws a field of a joint
// rule in the group (the box it moved), else at the group's params.
func (l *loader) groupAt(m *merged) Diagnostic {
	for k := len(m.uncertainty) - 1; k >= 0; k-- {
		u := m.uncertainty[k]
		if u.doc == m.leaf && ruleField(u.u.Param) && slices.Contains(l.group.c.Params, u.u.Param) {
			return diagAt(SeverityError, u.doc, fmt.Sprintf("uncertainty[%d].dist", u.idx), "")
		}
	}
	return diagAt(SeverityError, l.group.doc, fmt.Sprintf("correlations[%d].params", l.group.idx), "")
}

// ownRule is one of the scenario's own overrides or --sets (not an
// inherited override) that sets fields of a joint rule: the override
// (its value, o.value) and the concrete paths of those fields.
type ownRule struct {
	o     ovRef
	paths []string
}

// maxBlamePilots is the most overrides of the joint rules' fields
// overrideRise measures one by one to blame the one that raises the
// rejected share; with more, the warning goes to the last of them and
// speaks for all.
const maxBlamePilots = 3

// overrideRise measures, for a correlated group's box (l.group), how much
// the scenario's own market overrides and --sets of the joint rules'
// fields raise the share of the pilot the rules reject, against the same
// draws on the values they replaced (the parent's, or the market's own
// before its overrides): one pilot with them (kept for DrawsRefused) and,
// when it rejects more than the margin, one without, measured at load
// only when there are such overrides; for an embedded built-in whose
// --sets are all such overrides the one without is the same on every
// load, and kept (parentPilots). Each that raises the share by
// more than MaxOverrideRise alone (or, when none does alone but all do
// together, the last) is warned of where it is written; when the share
// also exceeds MaxRejectedShare the warning becomes the refusal of runs
// with draws (DrawsRefused), located there. With more than
// maxBlamePilots such overrides, none is measured alone.
func (l *loader) overrideRise(sc *Scenario, m *merged, mf *MarketFile) {
	if m == nil || mf == nil || len(sc.Uncertain) == 0 {
		return
	}
	var own []ownRule
	for _, o := range m.overrides {
		if o.doc != nil && o.doc != m.leaf {
			continue
		}
		ts, err := expandMarketPath(mf, o.path)
		if err != nil {
			continue
		}
		var ps []string
		for _, t := range ts {
			if ruleField(t.path) {
				ps = append(ps, t.path)
			}
		}
		if len(ps) > 0 {
			own = append(own, ownRule{o: o, paths: ps})
		}
	}
	if len(own) == 0 {
		return
	}
	// The values before the scenario's own overrides: the market file
	// with only the inherited ones applied.
	probe := newLoader()
	base := probe.marketFile(m)
	if base == nil {
		return
	}
	probe.applyOverrides(base, slices.DeleteFunc(slices.Clone(m.overrides), func(o ovRef) bool { return o.doc == nil || o.doc == m.leaf }))
	before := map[string]float64{}
	for _, r := range own {
		for _, path := range r.paths {
			ts, err := expandMarketPath(base, strings.TrimPrefix(path, "market."))
			if err != nil || len(ts) != 1 {
				return
			}
			before[path] = ts[0].fileNumPtr.Value
		}
	}
	// specs returns the specs with the values of the own overrides in
	// keep applied, the others' fields at their values before.
	specs := func(keep func(int) bool) (s, c *model.Spec, ok bool) {
		s, c = sc.Spec.Clone(), sc.Counterfactual.Clone()
		set := func(path string, v float64) bool {
			ss, err := specSetterFor(path, s.Market)
			if err != nil {
				return false
			}
			ss.set(s, v)
			ss.set(c, v)
			return true
		}
		for path, v := range before {
			if !set(path, v) {
				return nil, nil, false
			}
		}
		for k, r := range own {
			if keep(k) {
				for _, path := range r.paths {
					set(path, r.o.value)
				}
			}
		}
		return s, c, true
	}
	// pilot measures the share on specs(keep).
	pilot := func(keep func(int) bool) (rej, n int, first string, ok bool) {
		s, c, ok := specs(keep)
		if !ok {
			return 0, 0, "", false
		}
		rej, n, first = model.Truncation(s, c, sc.Uncertain)
		return rej, n, first, true
	}
	// The pilot with them first (DrawsRefused keeps it): a share of at
	// most the margin cannot have risen by more.
	p := sc.pilot
	p.once.Do(func() { p.measure(sc) })
	if float64(p.rej)/float64(p.n) <= MaxOverrideRise {
		return
	}
	// The pilot without them: for an embedded built-in whose --sets are
	// all such overrides, the same on every load (parentPilots).
	s0, c0, ok := specs(func(int) bool { return false })
	if !ok {
		return
	}
	var r0, n int
	var key [sha256.Size]byte
	cache, hit := l.pilotCacheable(own, mf), false
	if cache {
		key, cache = pilotKey(s0, c0, sc.Uncertain)
	}
	if cache {
		var v pilotCounts
		if v, hit = parentPilots.get(key); hit {
			r0, n = v.rej, v.n
		}
	}
	if !hit {
		r0, n, _ = model.Truncation(s0, c0, sc.Uncertain)
		if cache {
			parentPilots.put(key, pilotCounts{r0, n})
		}
	}
	rise := func(rej int) float64 { return float64(rej-r0) / float64(n) }
	if rise(p.rej) <= MaxOverrideRise {
		return
	}
	// Blame each own override that raises the share by more than the
	// margin alone (its share alone in alone), else the last of them;
	// with more than maxBlamePilots of them, the last one, for the lot
	// (a pilot each would cost ~0.05 s an override at load).
	blame, alone := []int{len(own) - 1}, map[int]int{}
	if len(own) > 1 && len(own) <= maxBlamePilots {
		blame = nil
		for k := range own {
			rk, _, _, _ := pilot(func(j int) bool { return j == k })
			if rise(rk) > MaxOverrideRise {
				blame, alone[k] = append(blame, k), rk
			}
		}
		if len(blame) == 0 {
			blame = []int{len(own) - 1}
		}
	}
	share := float64(p.rej) / float64(n)
	for _, k := range blame {
		what, to := "this value raises", p.rej
		switch rk, ok := alone[k]; {
		case ok:
			what, to = "this value alone raises", rk
		case len(own) > 1:
			what = "this value, with the other overrides and --sets of fields of the joint rules, raises"
		}
		msg := fmt.Sprintf("%s the share of the draws that the joint rules reject from %.3g%% to %.3g%% of a pilot sample of %d (%d to %d), "+
			"%.3g points, more than the %g an override or --set may add unwarned: the draws of %s are judged by that share, not by the corners of their box, "+
			"and those beyond the rules are redrawn (the first: %s; docs/SCENARIOS.md, \"Correlations\")",
			what, 100*float64(r0)/float64(n), 100*float64(to)/float64(n), n, r0, to, 100*rise(to), 100*MaxOverrideRise, p.group, p.first)
		if share > MaxRejectedShare {
			msg += fmt.Sprintf(", more than the %g%% allowed, so runs with draws are refused: narrow the draws, or move the value back", 100*MaxRejectedShare)
		}
		d := jointRuleDiag(p.rule, SeverityWarning, own[k].o, true, nil, "", msg)
		l.diags = append(l.diags, d)
		if share > MaxRejectedShare && sc.drawsRefused == nil {
			e := d
			e.Severity = SeverityError
			sc.drawsRefused = &e
		}
	}
}
