package model

import (
	"errors"
	"fmt"
)

// Errors. An error from this package means invalid input; it wraps one of
// the ErrInvalid… sentinels below, each of which matches ErrInvalid with
// errors.Is. A valid input that does not solve is not an error: it is a
// Status other than Converged (Status.Err turns it into one of the
// Err… status errors).
var (
	// ErrInvalid matches every invalid-input error of this package.
	ErrInvalid = errors.New("model: invalid input")

	ErrInvalidMarket = invalid("market")       // Calibrate: the market data
	ErrInvalidPolicy = invalid("policy")       // Solver.Solve: the policy, lag or start
	ErrInvalidEvent  = invalid("event")        // ValidateEvents
	ErrInvalidSpec   = invalid("spec")         // Simulate and friends: horizon, report window
	ErrInvalidOption = invalid("option")       // MonteCarlo, Sweep, Sensitivity: options and parameters
	ErrInvalidSolver = invalid("solution")     // a Solver or Solution not made for the market
	ErrInvalidDist   = invalid("distribution") // NewUniform and friends
	ErrInvalidMonth  = invalid("month")        // ParseMonth
	ErrUnknownMetric = invalid("metric")       // a metric name not in MetricList
)

type invalidKind struct{ what string }

func invalid(what string) error { return &invalidKind{what} }

func (k *invalidKind) Error() string        { return "model: invalid " + k.what }
func (k *invalidKind) Is(target error) bool { return target == ErrInvalid }

// FieldError is an invalid-input error naming the field at fault, e.g.
// `regions[Brazil].sigma: 0.8 must exceed 1`. It wraps its Kind (one of
// the ErrInvalid… sentinels).
type FieldError struct {
	Field string // e.g. "regions[Brazil].sigma", "policy.wedge[Belarus][Brazil]"
	Msg   string // what is wrong
	Kind  error  // ErrInvalidMarket, ErrInvalidPolicy, ...
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.Msg
	}
	return e.Field + ": " + e.Msg
}

// Unwrap returns e.Kind.
func (e *FieldError) Unwrap() error { return e.Kind }

// optionErr is an invalid-option error (it wraps ErrInvalidOption).
func optionErr(format string, args ...any) error {
	return &FieldError{Msg: fmt.Sprintf(format, args...), Kind: ErrInvalidOption}
}

// distErr is an invalid-distribution error (it wraps ErrInvalidDist).
func distErr(format string, args ...any) error {
	return &FieldError{Msg: fmt.Sprintf(format, args...), Kind: ErrInvalidDist}
}
