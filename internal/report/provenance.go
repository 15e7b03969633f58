package report

import (
	"strings"

	"github.com/potash-sim/potash/model"
)

// Tool is the name every output of potash records as its maker.
const Tool = "potash"

// Provenance says where a set of outputs came from. Every summary.json
// (run, compare, sweep, sensitivity, backtest) embeds it, so its fields
// sit at the top level of each: the tool and model version, the command
// line that reproduces the outputs, the run's random id (also in the
// folder's manifest, see Stage), the scenarios run with their SHA-256,
// the --set overrides and the files written.
type Provenance struct {
	Tool         string   `json:"tool"`          // Tool
	ModelVersion string   `json:"model_version"` // model.Version
	Command      string   `json:"command"`       // reproduces the outputs (CommandLine)
	RunID        string   `json:"run_id"`        // 32 hex digits, random per run (Stage.RunID)
	Inputs       []Input  `json:"inputs"`        // what was run
	Sets         []string `json:"sets,omitempty"`
	Files        []string `json:"files"` // base names of the files written, sorted
}

// Input is one scenario (or data set) a run read, with the SHA-256 of its
// resolved form.
type Input struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
}

// NewProvenance returns the provenance of outputs made by command (a
// command line, see CommandLine) from inputs with sets: Tool and
// model.Version. RunID and Files are filled in when the outputs are
// written.
func NewProvenance(command string, sets []string, inputs ...Input) Provenance {
	return Provenance{
		Tool: Tool, ModelVersion: model.Version, Command: command,
		Inputs: inputs, Sets: append([]string(nil), sets...),
	}
}

// CommandLine joins args into a command line for a POSIX shell, args[0]
// being the program (written "potash"): an argument with any character
// outside letters, digits and -_.=/:,+@% is put in single quotes.
// Commands and the web page write the reproducing command line with it.
func CommandLine(args []string) string {
	out := make([]string, len(args))
	for k, a := range args {
		if k == 0 {
			a = Tool
		}
		out[k] = ShellQuote(a)
	}
	return strings.Join(out, " ")
}

// ShellQuote quotes s for a POSIX shell when needed (see CommandLine).
func ShellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.=/:,+@%", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
