package model

import "testing"

// TestResultAddAttempt checks how Result.addAttempt folds an earlier
// attempt at a solve into the one that followed it: the counts add up,
// Fallback is true when either attempt ran the fallback, and the fields
// that describe the solution returned are the last attempt's.
func TestResultAddAttempt(t *testing.T) {
	stalled := Result{Status: Stalled, Iterations: 616, Evaluations: 88713, MaxResidual: 0.078, Fallback: true, Steps: 2, SegmentSteps: 1, Reason: "Belarus: stalled"}
	for _, tc := range []struct {
		name        string
		first, last Result
		want        Result
	}{
		{
			name:  "the fallback in the first attempt only",
			first: stalled,
			last:  Result{Status: Converged, Iterations: 5, Evaluations: 31, MaxResidual: 4e-14},
			want:  Result{Status: Converged, Iterations: 621, Evaluations: 88744, MaxResidual: 4e-14, Fallback: true},
		},
		{
			name:  "the fallback in the last attempt only",
			first: Result{Status: IterationLimit, Iterations: 100, Evaluations: 400, MaxResidual: 0.5, Reason: "Canada: iteration limit"},
			last:  Result{Status: Converged, Iterations: 108, Evaluations: 2000, MaxResidual: 1e-13, Fallback: true, Rescued: true, Steps: 1},
			want:  Result{Status: Converged, Iterations: 208, Evaluations: 2400, MaxResidual: 1e-13, Fallback: true, Rescued: true, Steps: 1},
		},
		{
			name:  "no fallback in either",
			first: Result{Status: IterationLimit, Iterations: 100, Evaluations: 400, MaxResidual: 0.5, Reason: "Canada: iteration limit"},
			last:  Result{Status: Converged, Iterations: 7, Evaluations: 40, MaxResidual: 2e-13, SegmentSteps: 3},
			want:  Result{Status: Converged, Iterations: 107, Evaluations: 440, MaxResidual: 2e-13, SegmentSteps: 3},
		},
		{
			name:  "both failed",
			first: stalled,
			last:  Result{Status: Stalled, Iterations: 848, Evaluations: 107005, MaxResidual: 0.087, Fallback: true, Reason: "Russia: stalled"},
			want:  Result{Status: Stalled, Iterations: 1464, Evaluations: 195718, MaxResidual: 0.087, Fallback: true, Reason: "Russia: stalled"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.last
			got.addAttempt(tc.first)
			if got != tc.want {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}
