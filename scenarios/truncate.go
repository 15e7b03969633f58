package scenarios

import (
	"fmt"

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
	if s == nil || s.drawsRefused == nil {
		return nil
	}
	return Diagnostics{*s.drawsRefused}
}
