package scenarios

import (
	"fmt"
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

// truncate completes the warning of a corner of the box of draws that
// breaks a joint rule (boxCorner) with the share of model.Truncation's
// pilot sample that the rules reject, and keeps it in sc as the error of
// DrawsRefused when that share exceeds MaxRejectedShare.
func (l *loader) truncate(sc *Scenario) {
	if l.box < 0 {
		if l.inside != nil {
			sc.pilot = &pilotCheck{at: *l.inside}
		}
		return
	}
	rej, n, _ := model.Truncation(sc.Spec, sc.Counterfactual, sc.Uncertain)
	share := float64(rej) / float64(n)
	d := &l.diags[l.box]
	d.Msg += fmt.Sprintf("; draws beyond the rules are rejected and redrawn (a truncated prior, docs/MODEL.md §9.1): "+
		"%d of a pilot sample of %d draws (%.3g%%)", rej, n, 100*share)
	if share > MaxRejectedShare {
		d.Msg += fmt.Sprintf(", more than the %g%% allowed, so runs with draws are refused: narrow the draws, or move the value back", 100*MaxRejectedShare)
		e := *d
		e.Severity = SeverityError
		sc.drawsRefused = &e
	}
}

// DrawsRefused returns, when the joint rules cut away more than
// MaxRejectedShare of the scenario's box of draws, the error that refuses
// a run of it with draws: a Diagnostics of one error, located at the
// override, --set or uncertainty entry that moved the box beyond the
// rules (where its warning is); nil otherwise. The central run is not
// affected: its values keep the rules.
func (s *Scenario) DrawsRefused() error {
	if s == nil {
		return nil
	}
	if s.drawsRefused != nil {
		return Diagnostics{*s.drawsRefused}
	}
	if p := s.pilot; p != nil {
		p.once.Do(func() { p.measure(s) })
		if p.err != nil {
			return Diagnostics{*p.err}
		}
	}
	return nil
}

// pilotCheck measures, once, the share of the pilot sample the joint
// rules reject for a box of draws of the stock-cycle rule's fields whose
// corners all keep the rules (or too many to walk). The rule's modulus
// is not largest at a corner: model.StockCycle reports no cycle (0) when
// the roots are real or the period beyond ten years, so a box whose
// corners have no cycle, or a damped one, can hold a cycle beyond the
// rule inside (docs/MODEL.md §9.1). The pilot (~0.1–0.3 s) is measured
// only when DrawsRefused is asked, before draws that cost far more, not
// on every load.
type pilotCheck struct {
	once sync.Once
	at   Diagnostic  // where a refusal is located; Msg names the entry
	err  *Diagnostic // the refusal, nil when the share is at most MaxRejectedShare
}

func (p *pilotCheck) measure(s *Scenario) {
	rej, n, first := model.Truncation(s.Spec, s.Counterfactual, s.Uncertain)
	if share := float64(rej) / float64(n); share > MaxRejectedShare {
		e := p.at
		e.Severity = SeverityError
		e.Msg = fmt.Sprintf("every corner of the draws of %s keeps the joint rules, but inside the box %d of a pilot sample of %d draws (%.3g%%) break one "+
			"(the first: %s), more than the %g%% allowed, so runs with draws are refused: narrow the draws "+
			"(a region with no stock cycle at the corners can have one beyond the rule inside; docs/MODEL.md §9.1)",
			p.at.Msg, rej, n, 100*share, first, 100*MaxRejectedShare)
		p.err = &e
	}
}
