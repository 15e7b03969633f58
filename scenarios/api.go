package scenarios

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/potash-sim/potash/model"
)

// DefaultScenario is the built-in run by `potash run` with no argument.
const DefaultScenario = "us-relief-2025"

// Severity of a Diagnostic.
type Severity int

const (
	SeverityError Severity = iota
	SeverityWarning
)

// Diagnostic is one problem found in a scenario file.
type Diagnostic struct {
	Severity Severity
	File     string // path as given, or "builtin:NAME"
	Line     int    // 1-based; 0 if unknown
	Col      int    // 1-based; 0 if unknown
	Field    string // path of the field, e.g. "events[2].supplier"
	Msg      string // what is wrong and what was expected, with a suggestion
	// Rule names the joint rule of several fields the diagnostic is
	// about, RuleStockCycle or RuleCrop (broken by the central values, an
	// error; by a corner of the box of draws, a warning), RuleRelease
	// (broken by the central values of fields the draws reach, a
	// warning: checkReleaseCentral), or any of the
	// four when a pilot sample's first rejected draw breaks it (a
	// correlated group's box, an override that raises the rejected
	// share), else "": a program tells them apart without reading Msg.
	Rule string
}

// The joint rules of Diagnostic.Rule (docs/MODEL.md §9.1).
const (
	RuleStockCycle = model.RuleStockCycle // the stock cycle's modulus at most model.MaxStockCycleRadius
	RuleCrop       = model.RuleCrop       // a crop-price elasticity at most model.MaxCropEpsRatio times the demand elasticity
	RuleRelease    = model.RuleRelease    // stocks answer prices at least a stated share a month (model.StockReleaseOK)
	RuleConduct    = model.RuleConduct    // the drawn market's conduct markups calibrate
)

// Error formats d as "file:line:col: field: msg" (compiler style, so
// editors can jump to it); line and column are left out when unknown, the
// field when empty, and warnings say "warning: " before the field.
func (d Diagnostic) Error() string {
	s := d.File
	if d.Line > 0 {
		s += fmt.Sprintf(":%d", d.Line)
		if d.Col > 0 {
			s += fmt.Sprintf(":%d", d.Col)
		}
	}
	s += ": "
	if d.Severity == SeverityWarning {
		s += "warning: "
	}
	if d.Field != "" {
		s += d.Field + ": "
	}
	return s + d.Msg
}

// Diagnostics is every problem found; it is an error when it holds at
// least one SeverityError.
type Diagnostics []Diagnostic

// Errors returns the errors only; Warnings the warnings only.
func (ds Diagnostics) Errors() Diagnostics   { return ds.filter(SeverityError) }
func (ds Diagnostics) Warnings() Diagnostics { return ds.filter(SeverityWarning) }

func (ds Diagnostics) filter(s Severity) Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == s {
			out = append(out, d)
		}
	}
	return out
}

// Error joins the errors one per line.
func (ds Diagnostics) Error() string {
	s := ""
	for _, d := range ds.Errors() {
		if s != "" {
			s += "\n"
		}
		s += d.Error()
	}
	return s
}

// Info describes a built-in scenario.
type Info struct {
	Name        string
	Title       string
	Description string
}

// Scenario is a validated, fully resolved scenario ready to run.
type Scenario struct {
	Name        string // built-in name or file base name without extension
	Title       string
	Description string
	Sources     []string
	// Resolved is the fully expanded scenario (extends applied, overrides
	// applied, market inline, the counterfactual written out) as YAML: a
	// scenario file that reruns to the same numbers. Hash is the SHA-256
	// (hex) of its YAML after the leading comment lines, so a result can be
	// traced to exactly this input, and a rerun of Resolved has the same
	// Hash. Neither depends on the path the file was named by or on the
	// working folder.
	Resolved []byte
	Hash     string

	Spec               *model.Spec // the scenario
	Counterfactual     *model.Spec // what it is compared with
	CounterfactualName string      // e.g. "history (no US relief)"
	Uncertain          []model.Uncertain

	Warnings Diagnostics

	// common holds the ids of events defined identically in the scenario
	// and the counterfactual (an events path changes both).
	common map[string]bool
	// mf is the resolved market file; events the scenario's events (for
	// Param).
	mf     *MarketFile
	events []evRef
	// drawsRefused is DrawsRefused's error (nil: draws may run).
	drawsRefused *Diagnostic
	// pilot measures the pilot share the first time Truncation or
	// DrawsRefused asks (unless truncate measured it at load), and
	// refuses a box whose corners were not walked, or keep the rules,
	// beyond MaxRejectedShare.
	pilot *pilotCheck
}

// MarketSources says where the scenario's market data come from, for a
// chart's data credit: embedded is true when the market is an embedded
// dataset citing its own sources (base-2020, with or without overrides;
// docs/DATA.md describes them), and cites are the citations of the
// market's sources list, in order. An inline (own-data) market is not
// embedded, and may cite nothing.
func (s *Scenario) MarketSources() (embedded bool, cites []string) {
	if s == nil || s.mf == nil {
		return false, nil
	}
	if base, err := cachedBaseMarketFile(s.mf.Name); err == nil && slices.Equal(base.Sources, s.mf.Sources) {
		embedded = true
	}
	for _, src := range s.mf.Sources {
		c := src.Citation
		if c == "" {
			c = src.ID
		}
		cites = append(cites, c)
	}
	return embedded, cites
}

// Builtins lists the embedded scenario library, sorted by name.
func Builtins() []Info { return builtins() }

// BuiltinSource returns the YAML text of built-in scenario name.
func BuiltinSource(name string) ([]byte, error) { return builtinSource(name) }

// Load reads a scenario from a file path, or a built-in by name when
// nameOrPath names one and no such file exists. Only a regular file of at
// most MaxFileBytes is read (so are the files it extends or compares to):
// a directory, device or pipe is an error. sets are --set overrides
// ("PATH=VALUE"), applied before validation. A Diagnostics error lists
// every problem with file, line and column.
func Load(nameOrPath string, sets []string) (*Scenario, error) {
	if _, err := os.Stat(nameOrPath); err == nil {
		data, err := readFile(nameOrPath)
		switch {
		case err == nil:
			return build(fileSource(nameOrPath), data, sets)
		case errors.Is(err, ErrNotRegular) && !isPathRef(nameOrPath) && slices.Contains(builtinNames(), nameOrPath):
			// A folder named like a built-in: the built-in is meant.
		default:
			return nil, sortDiags(Diagnostics{{Severity: SeverityError, File: nameOrPath, Msg: err.Error()}})
		}
	}
	data, err := builtinSource(nameOrPath)
	if err != nil {
		hint := didYouMean(nameOrPath, builtinNames())
		if hint == "" {
			// Too many built-ins for didYouMean's list, none close: name
			// them all, as a new user does not know them yet.
			hint = "; the built-ins are " + strings.Join(builtinNames(), ", ")
		}
		msg := fmt.Sprintf("no such file, and no built-in scenario '%s'%s", nameOrPath, hint)
		if isPathRef(nameOrPath) {
			msg = "no such file"
		}
		return nil, sortDiags(Diagnostics{{Severity: SeverityError, File: nameOrPath, Msg: msg}})
	}
	return build(builtinSrc(nameOrPath), data, sets)
}

// Parse validates and resolves YAML data; file names it in diagnostics,
// and relative extends/compare_to paths are read from file's directory
// ("builtin:NAME" parses data as built-in NAME). Like Load it returns a
// Diagnostics error listing every problem. It never panics.
func Parse(file string, data []byte, sets []string) (*Scenario, error) {
	if strings.HasPrefix(file, "builtin:") {
		return build(builtinSrc(strings.TrimPrefix(file, "builtin:")), data, sets)
	}
	return build(fileSource(file), data, sets)
}

// ParseOptions changes how ParseWith resolves a scenario.
type ParseOptions struct {
	// NoFiles makes extends and compare_to accept built-in scenario names
	// only: a file path is an error and no file is read (for scenarios
	// uploaded to a server).
	NoFiles bool
}

// ParseWith is Parse with options.
func ParseWith(file string, data []byte, sets []string, opts ParseOptions) (*Scenario, error) {
	src := fileSource(file)
	if strings.HasPrefix(file, "builtin:") {
		src = builtinSrc(strings.TrimPrefix(file, "builtin:"))
	}
	return buildWith(src, data, sets, opts)
}

// Param returns the sweepable parameter at path (same paths as --set),
// e.g. "market.regions.Brazil.demand_elasticity" or "events.us-ban.end";
// '*' matches every name. Its Apply follows the rules of --set: market and
// horizon paths change any Spec, an events path the scenario and, when
// the counterfactual holds the identical event, the counterfactual (Apply
// tells them apart by Spec.Name). Values are in the path's unit (Unit);
// month fields take a model.Month as float64 (see ParseParamValue). Apply
// rejects values outside the parameter's valid range. As with --set,
// scenario.events.ID.FIELD changes the scenario's event only, never the
// counterfactual's.
func (s *Scenario) Param(path string) (model.Param, error) { return s.param(path) }

// SharedEvents returns the ids of the events that the parameter at path
// changes in the scenario and in its counterfactual alike: an
// events.ID.FIELD path (or events.*.FIELD) of an event the two hold
// identically (CommonEvent). A sweep of it moves both runs, and their
// difference barely moves; scenario.events.ID.FIELD changes the
// scenario's event only. Nil for any other path.
func (s *Scenario) SharedEvents(path string) []string { return s.sharedEvents(path) }

// CommonEvent reports whether event id is defined identically in the
// scenario and its counterfactual (an inherited, unchanged event: a
// common parameter), so that --set events.ID.FIELD changes it in both
// runs; scenario.events.ID.FIELD changes the scenario's only.
func (s *Scenario) CommonEvent(id string) bool { return s != nil && s.common[id] }

// Schema returns the JSON Schema of the scenario format, generated from the
// Go types.
func Schema() ([]byte, error) { return schema() }
