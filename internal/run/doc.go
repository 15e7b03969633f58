// Package run is the one run pipeline of potash: the command line (every
// command that simulates) and the web page call it, so that a number, a
// chart and a reproducing command line are made in one place.
//
// A validated scenario goes in (package scenarios); Run simulates it next
// to its counterfactual and, with draws, its Monte Carlo (package model),
// then builds the metrics, the headline table, the summary with its
// provenance and the reproducing command line (package report), the
// failures of the solver, and the list of charts with their captions
// (package plots). Compare, Sweep and Sensitivity do the same for several
// scenarios, a grid of a parameter, and a tornado. Write writes any of
// their outputs into an output folder, whole or not at all
// (report.Stage).
//
// Errors carry their kind for errors.Is: ErrInput (the request or the
// scenario cannot be run as given), ErrModel (the model failed) and
// ErrNotConverged (Result.Err: the outputs exist, but the solver did not
// converge in some month of the central run, or in more than
// MaxFailedDrawShare of the draws). Package run knows nothing of flags,
// HTTP or terminals.
package run
