package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/scenarios"
)

// Exit codes of potash. They are stable: scripts may rely on them. The
// README has the same table.
//
//	code  meaning
//	0     success
//	1     the run failed: the model did not produce a result, an output
//	      could not be written, or the run was interrupted
//	2     bad input or usage: unknown command or flag, bad flag value,
//	      a scenario file that does not validate, a file that cannot be read
const (
	exitOK        = 0
	exitRunFailed = 1
	exitBadInput  = 2
)

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
// that carries its own code keeps it; a context cancellation is a failed
// run; anything else came from parsing the command line (unknown flag,
// missing argument) and is a usage error.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	var ec cli.ExitCoder
	if errors.As(err, &ec) {
		if ec.ExitCode() == exitOK {
			return exitOK
		}
		return exitBadInput
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return exitRunFailed
	}
	return exitBadInput
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
// badInput (exit 2) or runFailed (exit 1); stdout/stderr taken from envOf(c),
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
	// args is the command line as given (for the "reproduce" line).
	args []string
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
			"Exit codes: 0 success, 1 the run failed, 2 bad input or usage.",
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
	name := "potash"
	if c.Command != nil && c.Command.Name != "" {
		name = "potash " + c.Command.FullName()
		if c.Command.FullName() == "" {
			name = "potash " + c.Command.Name
		}
	}
	return badInput(fmt.Errorf("%v (run '%s --help' for usage)", err, name))
}

func suggestCommand(cmds []*cli.Command, name string) string {
	best, bestD := "", 3
	for _, c := range cmds {
		for _, n := range c.Names() {
			if d := editDistance(strings.ToLower(name), n); d < bestD {
				best, bestD = n, d
			}
		}
	}
	return best
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// runMain runs potash with args (args[0] is the program name) and returns
// the exit code. Errors are printed to e.stderr as "potash: message".
func runMain(ctx context.Context, e *env, args []string) int {
	if e.outRoot == "" {
		e.outRoot = "potash-out"
	}
	e.args = args
	app := newApp(e)
	err := app.RunContext(ctx, reorderArgs(app, args))
	code := exitCode(err)
	if err != nil && code != exitOK {
		var ds scenarios.Diagnostics
		if errors.As(err, &ds) && len(ds.Errors()) > 0 {
			// Compiler style: one "file:line:col: field: message" per line.
			printDiagnostics(e.stderr, ds)
		} else if msg := strings.TrimSpace(err.Error()); msg != "" {
			fmt.Fprintf(e.stderr, "potash: %s\n", msg)
		}
	}
	return code
}
