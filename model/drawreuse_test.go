package model_test

import (
	"testing"

	"github.com/potash-sim/potash/model"
)

// TestMCDrawsReuse checks that a Monte Carlo worker's draws that take the
// last draw's policies, Solutions and vectors (newPairSimFrom) give the
// rows, metrics and failures of draws with new simulators, bit for bit,
// over draws of several built-ins (their drawn markets, events and
// drivers), and that the storage is taken.
func TestMCDrawsReuse(t *testing.T) {
	n := 24
	if testing.Short() {
		n = 6
	}
	for _, name := range []string{"us-relief-2025", "eu-relief", "western-ban-russia", "bpc-breakup", "klaipeda-reopens"} {
		t.Run(name, func(t *testing.T) {
			s := loadBuiltin(t, name)
			differ, reused, err := model.MCDrawsReuse(s.Spec, s.Counterfactual, s.Uncertain, 7, n)
			if err != nil {
				t.Fatal(err)
			}
			if differ >= 0 {
				t.Fatalf("draw %d differs with the last draw's storage", differ)
			}
			if reused < n-2 {
				t.Errorf("%d of %d draws took the last draw's storage", reused, n)
			}
		})
	}
}
