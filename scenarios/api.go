package scenarios

import (
	"errors"
	"fmt"

	"github.com/potash-sim/potash/model"
)

// errNotImplemented marks contract stubs still being written.
var errNotImplemented = errors.New("scenarios: not implemented")

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
}

// Error formats d as "file:line:col: field: msg".
func (d Diagnostic) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s: %s", d.File, d.Line, d.Col, d.Field, d.Msg)
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
	// applied, market inline) as YAML; Hash is its SHA-256 (hex), so a
	// result can be traced to exactly this input.
	Resolved []byte
	Hash     string

	Spec               *model.Spec // the scenario
	Counterfactual     *model.Spec // what it is compared with
	CounterfactualName string      // e.g. "history (no US relief)"
	Uncertain          []model.Uncertain

	Warnings Diagnostics
}

// Builtins lists the embedded scenario library, sorted by name.
func Builtins() []Info { return nil }

// BuiltinSource returns the YAML text of built-in scenario name.
func BuiltinSource(name string) ([]byte, error) { return nil, errNotImplemented }

// Load reads a scenario from a file path, or a built-in by name when
// nameOrPath names one and no such file exists. sets are --set overrides
// ("PATH=VALUE"), applied before validation. A Diagnostics error lists
// every problem with file, line and column.
func Load(nameOrPath string, sets []string) (*Scenario, error) { return nil, errNotImplemented }

// Parse validates and resolves YAML data; file names it in diagnostics.
func Parse(file string, data []byte, sets []string) (*Scenario, error) {
	return nil, errNotImplemented
}

// Param returns the sweepable parameter at path (same paths as --set),
// e.g. "market.regions.Brazil.demand_elasticity" or "events.us-relief.start".
func (s *Scenario) Param(path string) (model.Param, error) { return model.Param{}, errNotImplemented }

// Schema returns the JSON Schema of the scenario format, generated from the
// Go types.
func Schema() ([]byte, error) { return nil, errNotImplemented }
