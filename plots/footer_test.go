package plots

import "testing"

// TestFooterText: the traceability line names the data, the money's
// constant-dollar year when it is known, the model, the scenario's hash
// (12 hex digits) and the draws, in that order; a chart of several runs
// names each run's hash.
func TestFooterText(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    Meta
		want string
	}{
		{"bare", Meta{}, "potash model unknown"},
		{"dollars", Meta{DataSource: "Data: base-2020 v1.0.0", DollarsOf: 2020, ModelVersion: "0.4.0", Hash: "0123456789abcdef"},
			"Data: base-2020 v1.0.0 · money in constant 2020 US$ · potash model 0.4.0 · scenario hash 0123456789ab"},
		{"no year", Meta{DataSource: "Data: own market", ModelVersion: "0.4.0", Draws: 200, Seed: 42},
			"Data: own market · potash model 0.4.0 · Monte Carlo: 200 draws, seed 42"},
		{"runs", Meta{DataSource: "Data: base-2020 v1.0.0", ModelVersion: "0.4.0", Hash: "ignored", Runs: []RunRef{{"us-relief-2025", "f76a4c9af6210099"}, {"eu-relief", "0c1d2e3f4a5b"}}},
			"Data: base-2020 v1.0.0 · potash model 0.4.0 · scenario hashes: us-relief-2025 f76a4c9af621, eu-relief 0c1d2e3f4a5b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := footerText(tc.m); got != tc.want {
				t.Errorf("footerText = %q, want %q", got, tc.want)
			}
		})
	}
}
