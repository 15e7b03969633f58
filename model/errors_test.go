package model

import (
	"context"
	"errors"
	"testing"
)

// TestErrorSentinels checks that every kind of invalid input gives an
// error that errors.Is matches with its sentinel and with ErrInvalid, so
// callers classify errors without reading their text.
func TestErrorSentinels(t *testing.T) {
	m := testMarket()
	c := mustCalibrate(t, m)
	spec := &Spec{Market: m, Start: NewMonth(2020, 1), End: NewMonth(2020, 3)}
	bad := func() *Market { b := testMarket(); b.Regions[0].Sigma = 0.5; return b }
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		err  func() error
		want error
	}{
		{"calibrate nil", func() error { _, err := Calibrate(nil); return err }, ErrInvalidMarket},
		{"calibrate sigma", func() error { _, err := Calibrate(bad()); return err }, ErrInvalidMarket},
		{"simulate bad market", func() error { _, err := Simulate(ctx, &Spec{Market: bad(), Start: 1, End: 2}); return err }, ErrInvalidMarket},
		{"policy", func() error {
			p := NewPolicy(m)
			p.DemandScale[0] = -1
			_, err := NewSolver(c).Solve(p, nil, nil, NewSolution(c))
			return err
		}, ErrInvalidPolicy},
		{"solution of another market", func() error {
			o := mustCalibrate(t, randomMarket(newRand(3), 2, 2))
			_, err := NewSolver(c).Solve(NewPolicy(m), nil, nil, NewSolution(o))
			return err
		}, ErrInvalidSolver},
		{"event", func() error { return ValidateEvents(m, []Event{{Kind: EventBan, Supplier: 99}}) }, ErrInvalidEvent},
		{"simulate bad event", func() error {
			s := *spec
			s.Events = []Event{{Kind: EventWedge, Supplier: 0, Region: 0, Value: -2}}
			_, err := Simulate(ctx, &s)
			return err
		}, ErrInvalidEvent},
		{"horizon", func() error { _, err := Simulate(ctx, &Spec{Market: m, Start: 5, End: 4}); return err }, ErrInvalidSpec},
		{"no market", func() error { _, err := SimulatePair(ctx, &Spec{}, spec); return err }, ErrInvalidSpec},
		{"draws", func() error { _, err := MonteCarlo(ctx, spec, spec, nil, MCOptions{}); return err }, ErrInvalidOption},
		{"sweep axes", func() error { _, err := Sweep(ctx, spec, spec, nil, nil, 1); return err }, ErrInvalidOption},
		{"metric", func() error {
			_, err := Sweep(ctx, spec, spec, []SweepAxis{{Param: Param{Apply: func(*Spec, float64) error { return nil }}, Values: []float64{1}}}, []string{"nope"}, 1)
			return err
		}, ErrUnknownMetric},
		{"distribution", func() error { _, err := NewUniform(2, 1); return err }, ErrInvalidDist},
		{"month", func() error { _, err := ParseMonth("2020-13"); return err }, ErrInvalidMonth},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.err()
			if !errors.Is(err, tc.want) || !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v: want errors.Is %v and ErrInvalid", err, tc.want)
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Error() == "" {
				t.Errorf("error %v is not a *FieldError", err)
			}
		})
	}
}

// TestStatusErr checks Status.Err (gonum/optimize style): nil for
// Converged, a distinct sentinel for every other status, and Result.Err
// wrapping it with the reason.
func TestStatusErr(t *testing.T) {
	seen := map[error]bool{}
	for s := NotStarted; s <= Implausible; s++ {
		err := s.Err()
		if (err == nil) != (s == Converged) {
			t.Errorf("%v: Err %v", s, err)
		}
		if err != nil {
			if seen[err] {
				t.Errorf("%v: shares its error", s)
			}
			seen[err] = true
		}
		if s.String() == "" {
			t.Errorf("status %d has no name", int(s))
		}
	}
	r := Result{Status: Stalled, Reason: "Belarus: relative residual 1e-3"}
	if err := r.Err(); !errors.Is(err, ErrStalled) || err.Error() != "model: solver stalled: Belarus: relative residual 1e-3" {
		t.Errorf("Result.Err = %v", err)
	}
	if (Result{Status: Converged}).Err() != nil || Status(99).Err() == nil || Status(99).String() != "status 99" {
		t.Error("Converged has an error, or an unknown status none")
	}
}
