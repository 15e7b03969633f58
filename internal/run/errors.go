package run

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Kinds of errors, for errors.Is.
var (
	// ErrInput: the request or the scenario cannot be run as given (a
	// value out of range, a market that cannot be calibrated, an unknown
	// metric). The user can fix it.
	ErrInput = errors.New("bad input")
	// ErrModel: the model did not produce a result (e.g. no Monte Carlo
	// draw converged), or an output could not be made.
	ErrModel = errors.New("the model failed")
	// ErrNotConverged: the run produced its outputs, but the solver did
	// not converge in some month of a central run, or in more than
	// MaxFailedDrawShare of the draws (Result.Err).
	ErrNotConverged = errors.New("did not converge")
)

// Error is an error of the pipeline and its kind (ErrInput, ErrModel or
// ErrNotConverged): errors.Is(err, run.ErrInput) tells the kind, and the
// message is Err's.
type Error struct {
	Kind error
	Err  error
}

func (e *Error) Error() string   { return e.Err.Error() }
func (e *Error) Unwrap() []error { return []error{e.Kind, e.Err} }

func inputErr(format string, a ...any) error {
	return &Error{Kind: ErrInput, Err: fmt.Errorf(format, a...)}
}

// wrapKind gives err the kind kind, unless err already has one or is a
// cancellation (which keeps context.Canceled for errors.Is).
func wrapKind(kind error, what string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", what, err)
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Kind: kind, Err: fmt.Errorf("%s: %w", what, err)}
}

// plainErr is err for a person: its message without the package prefix
// ("scenarios: ") that Go errors carry, which means nothing to a user;
// errors.Is and errors.As still see err.
type plainErr struct{ err error }

func (e plainErr) Error() string { return strings.TrimPrefix(e.err.Error(), "scenarios: ") }
func (e plainErr) Unwrap() error { return e.err }
