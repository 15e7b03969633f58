package scenarios

import (
	"errors"
	"fmt"
)

// Sentinel errors, for errors.Is. Problems in a scenario file are a
// Diagnostics error (errors.As) listing every one with its place; these
// are the errors of the other entry points.
var (
	// ErrUnknownBuiltin: no built-in scenario has this name.
	ErrUnknownBuiltin = errors.New("scenarios: unknown built-in scenario")
	// ErrUnknownDataset: no embedded dataset has this name.
	ErrUnknownDataset = errors.New("scenarios: unknown dataset")
	// ErrUnknownReference: no embedded reference file has this name.
	ErrUnknownReference = errors.New("scenarios: unknown reference file")
	// ErrInvalidMarketFile: a market file (dataset or inline) that does
	// not decode or convert.
	ErrInvalidMarketFile = errors.New("scenarios: invalid market file")
	// ErrUnknownParam: a parameter path that names nothing in the
	// scenario (Scenario.Param, Scenario.Range).
	ErrUnknownParam = errors.New("scenarios: unknown parameter")
	// ErrOutOfRange: a value outside the parameter's valid range
	// (model.Param.Apply of a Scenario.Param, Uncertain.Apply).
	ErrOutOfRange = errors.New("scenarios: value outside the valid range")
	// ErrUnresolved: a method called on a Scenario not made by Load,
	// Parse or ParseWith.
	ErrUnresolved = errors.New("scenarios: scenario not resolved")
)

// wrapf returns an error with the text of format that wraps sentinel.
func wrapf(sentinel error, format string, args ...any) error {
	return &sentinelError{msg: fmt.Sprintf(format, args...), err: sentinel}
}

type sentinelError struct {
	msg string
	err error
}

func (e *sentinelError) Error() string { return e.msg }
func (e *sentinelError) Unwrap() error { return e.err }

// joinWith is errors.Join(errs...) that also matches sentinel with
// errors.Is, with the text of the join alone.
func joinWith(sentinel error, errs ...error) error {
	return &joined{err: errors.Join(errs...), kind: sentinel}
}

type joined struct{ err, kind error }

func (e *joined) Error() string   { return e.err.Error() }
func (e *joined) Unwrap() []error { return []error{e.err, e.kind} }
