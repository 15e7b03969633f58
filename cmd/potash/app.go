package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/potash-sim/potash/internal/run"
	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/scenarios"
)

// Exit codes of potash. They are stable: scripts may rely on them.
const (
	exitOK           = 0
	exitRunFailed    = 1
	exitBadInput     = 2
	exitNotConverged = 3
	exitInternal     = 70
	exitPipeClosed   = 141 // 128 + SIGPIPE, as a shell reports any program stopped by a closed pipe
)

// exitCodes is the table of exit codes, as data: `potash --help` and the
// README print it (TestExitCodesInREADME checks that they agree).
var exitCodes = []struct {
	code    int
	meaning string
}{
	{exitOK, "success"},
	{exitRunFailed, "the run failed: the model produced no result, an output could not be written, or the run was interrupted (Ctrl-C, SIGTERM); nothing was written, unless only printing to stdout failed (`> /dev/full`): a run's files are written before its table is printed"},
	{exitBadInput, "bad input or usage: an unknown command or flag, a bad flag value, a scenario that does not validate or cannot be calibrated, a value out of its valid range, a file or folder that cannot be used"},
	{exitNotConverged, "the outputs were written, but the solver did not converge in some month of a central run (or a sweep point), or in more than 5% of the Monte Carlo draws: the failures are named on stderr and marked in the outputs"},
	{exitInternal, "potash itself failed (a bug, or the machine ran out of memory): please report it with the command line"},
	{exitPipeClosed, "the program reading potash's output closed it early (as `head` does, reading `potash run` through a pipe): printing stopped there, with no message; a run's files are written before its table is printed"},
}

// exitError is an error with its exit code.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string       { return e.err.Error() }
func (e *exitError) Unwrap() error       { return e.err }
func (e *exitError) ExitCode() int       { return e.code }
func badInput(err error) error           { return wrapCode(exitBadInput, err) }
func runFailed(err error) error          { return wrapCode(exitRunFailed, err) }
func badInputf(f string, a ...any) error { return badInput(fmt.Errorf(f, a...)) }

func wrapCode(code int, err error) error {
	if err == nil {
		return nil
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return err // keep the innermost classification
	}
	return &exitError{code: code, err: err}
}

// exitCode maps an error returned by the app to an exit code: an error
// that carries its own code keeps it; the kinds of package run and
// scenario diagnostics have theirs; a cancellation is a failed run;
// anything else came from parsing the command line (unknown flag, missing
// argument) and is a usage error.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	var ds scenarios.Diagnostics
	var ec cli.ExitCoder
	switch {
	case errors.As(err, &ee):
		return ee.code
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return exitRunFailed
	case errors.Is(err, run.ErrNotConverged):
		return exitNotConverged
	case errors.Is(err, run.ErrInput), errors.As(err, &ds):
		return exitBadInput
	case errors.Is(err, run.ErrModel):
		return exitRunFailed
	case errors.As(err, &ec):
		if ec.ExitCode() == exitOK {
			return exitOK
		}
		return exitBadInput
	}
	return exitBadInput
}

// exitCodeHelp is the exit code table for the help page.
func exitCodeHelp() string {
	var b strings.Builder
	b.WriteString("Exit codes:\n")
	for _, c := range exitCodes {
		fmt.Fprintf(&b, "  %-3d %s\n", c.code, c.meaning)
	}
	return strings.TrimRight(b.String(), "\n")
}

// commandFactories are the app's commands, as data. Each factory returns a
// fresh *cli.Command (with its own flag destinations), so every app built by
// newApp, e.g. one per test, has independent state.
var commandFactories []func() *cli.Command

// registerCommand adds a command to potash. Files of package main call it
// from an init function, one per command:
//
//	func init() { registerCommand(newBacktestCommand) }
//
//	func newBacktestCommand() *cli.Command {
//		a := &backtestArgs{}
//		return &cli.Command{
//			Name: "backtest", Usage: "…", UsageText: "potash backtest [flags]",
//			Description: "…\n\nExample:\n  potash backtest --out bt",
//			Flags: []cli.Flag{&cli.StringFlag{Name: "out", Usage: "…", Destination: &a.out}},
//			Action: func(c *cli.Context) error { return backtest(c.Context, envOf(c), a) },
//		}
//	}
//
// Rules every command follows (tests check the first three): a Usage line,
// a Description with an "Example:" section, Usage text on every flag; the
// work done in a plain function taking an args struct; errors wrapped with
// badInput (exit 2) or runFailed (exit 1), or of a kind of package run;
// stdout/stderr taken from envOf(c),
// never os.Stdout; files written atomically (internal/report). Flags may
// follow positional arguments: reorderArgs moves them before parsing.
func registerCommand(f func() *cli.Command) { commandFactories = append(commandFactories, f) }

// env is what commands need from the outside world; tests replace it.
type env struct {
	stdout, stderr io.Writer
	// stderrTTY is true when stderr is a terminal (progress bars).
	stderrTTY bool
	// outRoot is the folder under which default output folders are made
	// ("potash-out").
	outRoot string
	// engine is the run pipeline's engine: the model and plots packages
	// (the zero Engine) except in tests, which replace parts of it.
	engine run.Engine
	// staged, if not nil, is told of each output file as it is staged
	// (tests use it to interrupt the write phase).
	staged func(name string)
	// results is set when a command has written its output folder and
	// prints its results (a failure to print says so).
	results bool
}

const envKey = "potash.env"

// envOf returns the env of the app running c.
func envOf(c *cli.Context) *env {
	if e, ok := c.App.Metadata[envKey].(*env); ok {
		return e
	}
	return &env{stdout: os.Stdout, stderr: os.Stderr, outRoot: "potash-out"}
}

// newApp builds the potash app writing to e's streams. It never calls
// os.Exit: errors are returned from Run and mapped to exit codes by
// runMain.
func newApp(e *env) *cli.App {
	cmds := make([]*cli.Command, 0, len(commandFactories))
	for _, f := range commandFactories {
		cmds = append(cmds, f())
	}
	sort.SliceStable(cmds, func(i, j int) bool { return commandOrder(cmds[i].Name) < commandOrder(cmds[j].Name) })
	app := &cli.App{
		Name:  "potash",
		Usage: "simulate how sanctions and sanction relief move the world potash market",
		UsageText: "potash COMMAND [flags] [arguments]\n\n" +
			"Run `potash COMMAND --help` for the flags and an example of each command.",
		Description: "potash simulates the world market for potash (KCl) month by month: prices, trade flows and each\n" +
			"exporter's revenue under a scenario of sanctions, sanction relief, corridor closures and new mines,\n" +
			"compared with a counterfactual. Scenarios are YAML files or built-ins (`potash scenarios`).\n\n" +
			"Examples:\n" +
			"  potash run                                   # the built-in default, " + scenarios.DefaultScenario + "\n" +
			"  potash run history --draws 1000              # with Monte Carlo uncertainty bands\n" +
			"  potash run us-relief-2025 --set events.us-ban.end=2026-06\n" +
			"  potash compare us-relief-2025 eu-relief klaipeda-reopens\n\n" +
			exitCodeHelp(),
		Version:              model.Version,
		Commands:             cmds,
		EnableBashCompletion: true,
		Suggest:              true,
		// --set values may hold commas (lists); repeat the flag instead.
		DisableSliceFlagSeparator: true,
		Writer:                    e.stdout,
		ErrWriter:                 e.stderr,
		Metadata:                  map[string]any{envKey: e},
		// Never let cli call os.Exit: main does, once, with exitCode.
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError:   onUsageError,
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				msg := fmt.Sprintf("unknown command %q", c.Args().First())
				if s := suggestCommand(c.App.Commands, c.Args().First()); s != "" {
					msg += fmt.Sprintf("; did you mean %q?", s)
				}
				return badInput(fmt.Errorf("%s (run 'potash --help' for the list)", msg))
			}
			return cli.ShowAppHelp(c)
		},
	}
	for _, c := range cmds {
		setUsageErrors(c)
	}
	return app
}

// commandOrder puts commands in the order of the help page.
func commandOrder(name string) int {
	order := []string{"run", "compare", "sweep", "sensitivity", "backtest", "validate", "scenarios", "init", "schema", "serve", "version", "completion"}
	for k, n := range order {
		if n == name {
			return k
		}
	}
	return len(order)
}

func setUsageErrors(c *cli.Command) {
	if c.OnUsageError == nil {
		c.OnUsageError = onUsageError
	}
	for _, s := range c.Subcommands {
		setUsageErrors(s)
	}
}

func onUsageError(c *cli.Context, err error, isSub bool) error {
	// The command path, "potash scenarios show": the names of the
	// commands in c's lineage, the app's own (root) command left out.
	var path []string
	for _, l := range c.Lineage() {
		if l.Command != nil && l.Command.Name != "" && l.Command.Name != c.App.Name &&
			(len(path) == 0 || path[0] != l.Command.Name) {
			path = append([]string{l.Command.Name}, path...)
		}
	}
	name := strings.Join(append([]string{"potash"}, path...), " ")
	var flags []cli.Flag
	if c.Command != nil {
		flags = c.Command.Flags
	}
	if c.Command == nil || name == "potash" {
		flags = c.App.Flags
	}
	// The flag package's own words ("flag provided but not defined: -x",
	// "flag needs an argument: -draws", "invalid boolean value") are
	// rewritten in potash's: the flag as typed, what it takes, and for an
	// unknown flag the nearest known one.
	if m := undefinedFlag.FindStringSubmatch(err.Error()); m != nil {
		msg := fmt.Sprintf("unknown flag %s%s", dashes(m[1]), m[1])
		var names []string
		for _, f := range flags {
			for _, n := range f.Names() {
				if len(n) > 1 { // suggest --format, not its alias -f
					names = append(names, n)
				}
			}
		}
		if s := scenarios.Suggest(m[1], names); s != "" {
			msg += fmt.Sprintf("; did you mean %s%s?", dashes(s), s)
		}
		err = errors.New(msg)
	} else if m := flagNeedsValue.FindStringSubmatch(err.Error()); m != nil {
		err = fmt.Errorf("%s%s needs a value", dashes(m[1]), m[1])
	} else if m := invalidBoolValue.FindStringSubmatch(err.Error()); m != nil {
		err = fmt.Errorf("%s%s=%q: want true or false (or the flag alone)", dashes(m[2]), m[2], m[1])
	} else if m := invalidFlagValue.FindStringSubmatch(err.Error()); m != nil {
		// The flag package's "invalid value \"-1\" for flag -seed: parse
		// error" says neither the flag as typed nor what it takes.
		want := "a valid value"
		for _, f := range flags {
			if !slices.Contains(f.Names(), m[2]) {
				continue
			}
			switch f.(type) {
			case *cli.IntFlag:
				want = "a whole number"
			case *cli.Uint64Flag:
				want = "a whole number, 0 or more"
			case *cli.Float64Flag:
				want = "a number"
			case *cli.BoolFlag:
				want = "true or false"
			}
		}
		err = fmt.Errorf("%s%s %q: want %s", dashes(m[2]), m[2], m[1], want)
	}
	return badInput(fmt.Errorf("%v (run '%s --help' for usage)", err, name))
}

// invalidFlagValue matches the flag package's error for a value a flag
// cannot parse: the value and the flag's name.
var invalidFlagValue = regexp.MustCompile(`^invalid value "(.*)" for flag -+([\w-]+): `)

// undefinedFlag, flagNeedsValue and invalidBoolValue match the flag
// package's errors for an unknown flag, a flag given without its value
// and a boolean flag given a value that is not one.
var (
	undefinedFlag    = regexp.MustCompile(`^flag provided but not defined: -+(\S+)$`)
	flagNeedsValue   = regexp.MustCompile(`^flag needs an argument: -+(\S+)$`)
	invalidBoolValue = regexp.MustCompile(`^invalid boolean value "(.*)" for -+([\w-]+): `)
)

// dashes is the dash a flag name is written with: "-n", "--draws".
func dashes(name string) string {
	if len([]rune(name)) == 1 {
		return "-"
	}
	return "--"
}

func suggestCommand(cmds []*cli.Command, name string) string {
	var names []string
	for _, c := range cmds {
		names = append(names, c.Names()...)
	}
	return scenarios.Suggest(name, names)
}

// runMain runs potash with args (args[0] is the program name) and returns
// the exit code. Errors are printed to e.stderr as "potash: message". A
// panic is a bug: it is reported in one line, and the exit code is 70,
// never the 2 of bad input.
func runMain(ctx context.Context, e *env, args []string) (code int) {
	defer func() {
		if p := recover(); p != nil {
			fmt.Fprintf(e.stderr, "potash: internal error: %v\n(this is a bug in potash; please report it with the command line that caused it)\n", p)
			code = exitInternal
		}
	}()
	if e.outRoot == "" {
		e.outRoot = "potash-out"
	}
	// A failed write to stdout (a full disk, `> /dev/full`) is a run that
	// failed (exit 1: an output could not be written), whatever printed:
	// a table, a list, a help page whose error urfave/cli drops.
	out := &writeErrs{w: e.stdout}
	e.stdout = out
	app := newApp(e)
	err := app.RunContext(ctx, reorderArgs(app, args))
	err = helpTopicError(app, err)
	code = exitCode(err)
	if out.err != nil && code != exitInternal && (code != exitRunFailed || errors.Is(err, out.err)) {
		what := "to stdout"
		if e.results {
			what = "the results to stdout" // after the output files are written
		}
		err = fmt.Errorf("printing %s failed: %w", what, out.err)
		code = exitRunFailed
	}
	if err != nil && code != exitOK {
		var ds scenarios.Diagnostics
		switch {
		case errors.As(err, &ds) && len(ds.Errors()) > 0:
			// Compiler style: one "file:line:col: field: message" per line.
			printDiagnostics(e.stderr, ds)
		case code == exitRunFailed && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)):
			fmt.Fprintf(e.stderr, "potash: interrupted; no output was written (%v)\n", err)
		case strings.TrimSpace(err.Error()) != "":
			fmt.Fprintf(e.stderr, "potash: %s\n", strings.TrimSpace(err.Error()))
		}
	}
	return code
}

// noHelpTopic matches urfave/cli's error for `potash help NAME` of an
// unknown NAME ("No help topic for 'nope'. Did you mean \"completion\"?":
// its suggestion is any command, however far).
var noHelpTopic = regexp.MustCompile(`^No help topic for '(.*)'`)

// helpTopicError says urfave/cli's "No help topic" error in potash's
// words, with potash's suggestion (or none), as an unknown command is.
func helpTopicError(app *cli.App, err error) error {
	if err == nil {
		return nil
	}
	m := noHelpTopic.FindStringSubmatch(err.Error())
	if m == nil {
		return err
	}
	msg := fmt.Sprintf("no help for %q: not a command", m[1])
	if s := suggestCommand(app.Commands, m[1]); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	return badInput(fmt.Errorf("%s (run 'potash --help' for the list)", msg))
}

// writeErrs is a writer that keeps the first error of w's writes and
// returns it for every later write without trying again: the command
// stops printing, and the error it returns is that one (errors.Is).
type writeErrs struct {
	w   io.Writer
	err error
}

func (w *writeErrs) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	n, err := w.w.Write(p)
	if err != nil {
		w.err = err
	}
	return n, err
}
