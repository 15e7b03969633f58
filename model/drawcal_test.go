package model_test

import (
	"reflect"
	"testing"

	"github.com/potash-sim/potash/model"
)

// TestDrawCalibratedOnce: a Monte Carlo draw of a market whose suppliers
// state their conduct φ is calibrated once, by the conduct rule that
// checks it: its run takes that Calibrated (the draw's own market, kept
// as the run's calibration keeps it), which is the one the run would
// build. A market whose conducts are gap shares is calibrated by the
// run (the conduct rule skips it).
func TestDrawCalibratedOnce(t *testing.T) {
	s := loadBuiltin(t, "us-relief-2025")
	stated := func(sp *model.Spec) *model.Spec {
		sp = sp.Clone()
		for name, phi := range map[string]float64{"Canada": 0.32, "Russia": 0.69, "Belarus": 0.40} {
			i := sp.Market.SupplierIndex(name)
			if i < 0 {
				t.Fatalf("no supplier %s", name)
			}
			sp.Market.Suppliers[i].Conduct, sp.Market.Suppliers[i].ConductGapShare = phi, 0
		}
		return sp
	}
	scen, cf := stated(s.Spec), stated(s.Counterfactual)
	for d := range 6 {
		ds, dc, calS, calC, ruleS, ruleC, err := model.DrawCalibrations(scen, cf, s.Uncertain, 1, d)
		if err != nil {
			t.Fatal(err)
		}
		if !ruleS {
			t.Fatalf("draw %d: the run calibrates the scenario's market again", d)
		}
		if calS.Market != ds.Market {
			t.Errorf("draw %d: the rule's Calibrated holds a copy of the draw's market", d)
		}
		if model.MarketsEqual(ds.Market, dc.Market) != (calC == calS) || (calC != calS && !ruleC) {
			t.Errorf("draw %d: counterfactual's Calibrated: shared %v, the rule's %v", d, calC == calS, ruleC)
		}
		want, err := model.Calibrate(ds.Market)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(calS, want) {
			t.Errorf("draw %d: the rule's Calibrated differs from the run's own calibration", d)
		}
	}
	b := loadBuiltin(t, "bpc-reunion")
	_, _, _, _, ruleS, _, err := model.DrawCalibrations(b.Spec, b.Counterfactual, b.Uncertain, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if ruleS {
		t.Error("bpc-reunion (conducts as gap shares): the conduct rule calibrated the draw")
	}
}
