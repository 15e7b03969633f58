package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/scenarios"
)

func init() {
	registerCommand(newValidateCommand)
	registerCommand(newScenariosCommand)
	registerCommand(newInitCommand)
	registerCommand(newSchemaCommand)
	registerCommand(newVersionCommand)
}

// completeBuiltins suggests built-in scenario names (shell completion),
// or the command's flags when the word being completed starts with "-".
// (urfave/cli's completion reads os.Args: the word before
// --generate-bash-completion.)
func completeBuiltins(c *cli.Context) {
	if n := len(os.Args); n > 2 && strings.HasPrefix(os.Args[n-2], "-") {
		cli.DefaultCompleteWithFlags(c.Command)(c)
		return
	}
	for _, b := range scenarios.Builtins() {
		fmt.Fprintln(c.App.Writer, b.Name)
	}
}

type validateArgs struct {
	files []string
	sets  cli.StringSlice
}

func newValidateCommand() *cli.Command {
	a := &validateArgs{}
	return &cli.Command{
		Name:      "validate",
		Usage:     "check scenario files and report every problem with file:line:col",
		ArgsUsage: "FILE...",
		UsageText: "potash validate FILE... [flags]",
		Description: "Checks each scenario FILE (or built-in name) without running it: the YAML, unknown keys, names of\n" +
			"suppliers, regions and corridors, months, ranges, distributions, extends cycles, and whether the joint\n" +
			"rules would refuse runs with draws (measured on a pilot sample). Every error is printed\n" +
			"on stderr as file:line:col: field: message, then the warnings (legal but suspicious input), marked\n" +
			"\"warning:\". Files that validate are listed on stdout. Exit code 2 if any file has an error; warnings\n" +
			"alone do not fail.\n\n" +
			"Examples:\n" +
			"  potash validate my-scenario.yaml us-relief-2025\n" +
			"  potash validate *.yaml --set horizon.end=2030-12    # every scenario file in this folder\n" +
			"  potash validate scenarios/builtin/*.yaml             # in a checkout of potash's source: the built-ins",
		Flags:        []cli.Flag{setFlag(&a.sets)},
		BashComplete: completeBuiltins,
		Action: func(c *cli.Context) error {
			a.files = c.Args().Slice()
			return validateFiles(envOf(c), a)
		},
	}
}

// validateFiles is `potash validate`.
func validateFiles(e *env, a *validateArgs) error {
	if len(a.files) == 0 {
		return badInputf("validate needs at least one FILE (run 'potash validate --help')")
	}
	nErr, nWarn, bad := 0, 0, 0
	for _, f := range a.files {
		s, err := scenarios.Load(f, a.sets.Value())
		var ds scenarios.Diagnostics
		// Several files: a --set diagnostic says which one it is about.
		tag := func(ds scenarios.Diagnostics) scenarios.Diagnostics {
			if len(a.files) == 1 {
				return ds
			}
			return setsIn(ds, f)
		}
		switch {
		case err == nil:
			ws := s.Warnings.Warnings()
			// A box of draws whose corners keep the joint rules but whose
			// inside mostly does not is measured only when asked: validate
			// asks, and warns as a corner's refusal warns.
			var refused scenarios.Diagnostics
			if errors.As(s.DrawsRefused(), &refused) && !slices.ContainsFunc(ws, func(w scenarios.Diagnostic) bool {
				return samePlace(w, refused[0])
			}) {
				w := refused[0]
				w.Severity = scenarios.SeverityWarning
				ws = append(ws, w)
			}
			nWarn += len(ws)
			printDiagnostics(e.stderr, tag(ws))
			if len(ws) > 0 {
				fmt.Fprintf(e.stdout, "%s: ok (%s)\n", f, plural(len(ws), "warning"))
			} else {
				fmt.Fprintf(e.stdout, "%s: ok\n", f)
			}
		case errors.As(err, &ds):
			bad++
			nErr += len(ds.Errors())
			nWarn += printDiagnostics(e.stderr, tag(ds))
		case errors.Is(err, fs.ErrNotExist):
			bad++
			nErr++
			fmt.Fprintf(e.stderr, "%s: no such file or built-in scenario\n", f)
		default:
			bad++
			nErr++
			fmt.Fprintf(e.stderr, "%s: %v\n", f, err)
		}
	}
	if bad > 0 && len(a.files) == 1 {
		// Not "1 of 1 files have errors".
		return badInputf("%s has errors (%s, %s)", a.files[0], plural(nErr, "error"), plural(nWarn, "warning"))
	}
	if bad > 0 {
		return badInputf("%d of %d files have errors (%s, %s)", bad, len(a.files), plural(nErr, "error"), plural(nWarn, "warning"))
	}
	return nil
}

type scenariosArgs struct {
	format string
}

func newScenariosCommand() *cli.Command {
	a := &scenariosArgs{}
	formatFlag := func() cli.Flag {
		return &cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "table",
			Usage: "table, csv, json or markdown", Destination: &a.format}
	}
	list := func(c *cli.Context) error {
		if c.Args().Present() {
			arg := c.Args().First()
			if _, err := scenarios.BuiltinSource(arg); err == nil {
				return badInputf("unknown argument %q (did you mean 'potash scenarios show %s'?)", arg, arg)
			}
			return badInputf("unknown argument %q: 'potash scenarios' lists the built-ins, 'potash scenarios show NAME' prints one", arg)
		}
		return listScenarios(envOf(c), a)
	}
	return &cli.Command{
		Name:      "scenarios",
		Usage:     "list the built-in scenarios, or print one",
		UsageText: "potash scenarios [list] [flags]\npotash scenarios show NAME",
		Description: "Lists the built-in scenario library with each scenario's title (`potash scenarios list`\n" +
			"does the same). `potash scenarios show NAME` prints one as YAML; `potash init NAME` copies it\n" +
			"into a file to edit.\n\n" +
			"Examples:\n" +
			"  potash scenarios\n" +
			"  potash scenarios show us-relief-2025",
		Flags:  []cli.Flag{formatFlag()},
		Action: list,
		Subcommands: []*cli.Command{{
			Name:      "list",
			Usage:     "list the built-in scenarios (as `potash scenarios` does)",
			UsageText: "potash scenarios list [flags]",
			Description: "Lists the built-in scenario library with each scenario's title, as `potash scenarios` does.\n\n" +
				"Example:\n" +
				"  potash scenarios list --format csv",
			Flags:  []cli.Flag{formatFlag()},
			Action: list,
		}, {
			Name:      "show",
			Usage:     "print a built-in scenario as YAML",
			ArgsUsage: "NAME",
			UsageText: "potash scenarios show NAME",
			Description: "Prints the YAML source of built-in scenario NAME, with its description and sources.\n\n" +
				"Example:\n" +
				"  potash scenarios show history",
			BashComplete: completeBuiltins,
			Action: func(c *cli.Context) error {
				if c.NArg() != 1 {
					return badInputf("scenarios show needs one NAME (run 'potash scenarios' for the list)")
				}
				src, err := builtinSource(c.Args().First())
				if err != nil {
					return err
				}
				_, err = envOf(c).stdout.Write(src)
				return err
			},
		}},
	}
}

// builtinSource returns a built-in's YAML, or a bad-input error with a
// suggestion.
func builtinSource(name string) ([]byte, error) {
	src, err := scenarios.BuiltinSource(name)
	if err == nil {
		return src, nil
	}
	var names []string
	for _, b := range scenarios.Builtins() {
		names = append(names, b.Name)
	}
	// Quoted as the scenario loader quotes names ('us-relief-2025').
	msg := fmt.Sprintf("no built-in scenario '%s'", name)
	if best := scenarios.Suggest(name, names); best != "" {
		msg += fmt.Sprintf("; did you mean '%s'?", best)
	} else {
		msg += "."
	}
	if len(names) > 0 {
		msg += " Built-ins: " + strings.Join(names, ", ")
	} else {
		msg += fmt.Sprintf(" (%v)", err)
	}
	return nil, badInput(errors.New(msg))
}

func listScenarios(e *env, a *scenariosArgs) error {
	bs := scenarios.Builtins()
	if len(bs) == 0 {
		return runFailed(errors.New("no built-in scenarios are available"))
	}
	switch a.format {
	case "table":
		t := &report.Table{Head: []string{"NAME", "TITLE"}, Right: []bool{false, false}}
		for _, b := range bs {
			def := ""
			if b.Name == scenarios.DefaultScenario {
				def = " (default)"
			}
			t.Rows = append(t.Rows, []string{b.Name, b.Title + def})
		}
		if err := t.WriteText(e.stdout); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "\nRun one with `potash run NAME`; print it with `potash scenarios show NAME`; copy it with `potash init NAME`.\n")
	case "csv":
		cw, err := report.NewCSVWriter(e.stdout, "name", "title", "description")
		if err != nil {
			return err
		}
		for _, b := range bs {
			if err := cw.Row(report.Text(b.Name), report.Text(b.Title), report.Text(strings.TrimSpace(b.Description))); err != nil {
				return err
			}
		}
		return cw.Flush()
	case "json":
		type item struct {
			Name        string `json:"name"`
			Title       string `json:"title"`
			Description string `json:"description"`
		}
		items := make([]item, len(bs))
		for k, b := range bs {
			items[k] = item{b.Name, b.Title, strings.TrimSpace(b.Description)}
		}
		return report.WriteJSON(e.stdout, items)
	case "markdown", "md":
		t := &report.Table{Head: []string{"Scenario", "Title"}, Right: []bool{false, false}}
		for _, b := range bs {
			t.Rows = append(t.Rows, []string{b.Name, b.Title})
		}
		return t.WriteMarkdown(e.stdout)
	default:
		return checkFormat(a.format)
	}
	return nil
}

func newInitCommand() *cli.Command {
	return &cli.Command{
		Name:      "init",
		Usage:     "copy a built-in scenario into a file to edit",
		ArgsUsage: "NAME [FILE]",
		UsageText: "potash init NAME [FILE]",
		Description: "Writes built-in scenario NAME into FILE (default NAME.yaml; FILE/NAME.yaml when FILE is a folder)\n" +
			"as a starting point for your own, with a first line `name: BASE`, BASE being FILE's base name (the\n" +
			"copy runs, and writes its outputs, under that name). Never overwrites an existing file.\n\n" +
			"Examples:\n" +
			"  potash init us-relief-2025 my-relief.yaml\n" +
			"  potash run my-relief.yaml",
		BashComplete: completeBuiltins,
		Action: func(c *cli.Context) error {
			if c.NArg() < 1 || c.NArg() > 2 {
				return badInputf("init needs NAME and optionally FILE, got %d arguments (run 'potash scenarios' for the names)", c.NArg())
			}
			return initScenario(envOf(c), c.Args().Get(0), c.Args().Get(1))
		},
	}
}

var nameLine = regexp.MustCompile(`(?m)^name:[ \t]*("[^"\n]*"|'[^'\n]*'|[^#\n]*?)[ \t]*(#.*)?$`)

// initScenario is `potash init`.
func initScenario(e *env, name, file string) error {
	src, err := builtinSource(name)
	if err != nil {
		return err
	}
	if file == "" {
		file = name + ".yaml"
	} else if fi, err := os.Stat(file); err == nil && fi.IsDir() {
		file = filepath.Join(file, name+".yaml") // as cp does: into the folder
	}
	base := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	src = setName(src, base)
	if err := report.CreateNew(file, src); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return badInputf("%s already exists; not overwriting it (give another FILE)", file)
		}
		return badInput(err)
	}
	fmt.Fprintf(e.stdout, "wrote %s (a copy of built-in %s); edit it, then: potash run %s\n", file, name, file)
	return nil
}

// setName gives the scenario in src the name base: its name: line
// replaced, or one added before the first line that is not a comment.
func setName(src []byte, base string) []byte {
	line := "name: " + yamlString(base)
	if nameLine.Match(src) {
		return nameLine.ReplaceAllLiteral(src, []byte(line))
	}
	rest := src
	var head []byte
	for len(rest) > 0 && rest[0] == '#' {
		k := bytes.IndexByte(rest, '\n')
		if k < 0 {
			k = len(rest) - 1
		}
		head, rest = append(head, rest[:k+1]...), rest[k+1:]
	}
	return append(append(head, line+"\n"...), rest...)
}

// yamlString quotes s when YAML would not read it back as the same string.
func yamlString(s string) string {
	if regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]*$`).MatchString(s) {
		switch strings.ToLower(s) {
		case "true", "false", "yes", "no", "on", "off", "null", "y", "n":
		default:
			return s
		}
	}
	return fmt.Sprintf("%q", s)
}

func newSchemaCommand() *cli.Command {
	return &cli.Command{
		Name:      "schema",
		Usage:     "print the JSON Schema of the scenario format (for editors)",
		UsageText: "potash schema > potash.schema.json",
		Description: "Prints a JSON Schema of the scenario file format, generated from the Go types. Point your\n" +
			"editor's YAML support at it for validation and completion, e.g. with a first line\n" +
			"  # yaml-language-server: $schema=./potash.schema.json\n\n" +
			"Example:\n" +
			"  potash schema > potash.schema.json",
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return badInputf("schema takes no arguments")
			}
			b, err := scenarios.Schema()
			if err != nil {
				return runFailed(fmt.Errorf("schema: %w", err))
			}
			w := envOf(c).stdout
			if _, err := w.Write(b); err != nil {
				return err
			}
			if len(b) > 0 && b[len(b)-1] != '\n' {
				fmt.Fprintln(w)
			}
			return nil
		},
	}
}

func newVersionCommand() *cli.Command {
	return &cli.Command{
		Name:      "version",
		Usage:     "print the versions of potash, the model and the data",
		UsageText: "potash version",
		Description: "Prints the model version (also written into every output and chart footer), the embedded\n" +
			"data sets and the Go version it was built with.\n\n" +
			"Example:\n" +
			"  potash version",
		Action: func(c *cli.Context) error {
			if c.NArg() != 0 {
				return badInputf("version takes no arguments, got %q", c.Args().Slice())
			}
			w := envOf(c).stdout
			fmt.Fprintf(w, "potash %s\n", model.Version)
			fmt.Fprintf(w, "model  %s\n", model.Version)
			for _, d := range scenarios.BaseDatasets() {
				if m, err := scenarios.BaseMarket(d); err == nil {
					fmt.Fprintf(w, "data   %s v%s (base year %d)\n", d, m.Version, m.BaseYear)
				} else {
					fmt.Fprintf(w, "data   %s\n", d)
				}
			}
			fmt.Fprintf(w, "go     %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	}
}

// plural returns "1 error", "2 errors".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
