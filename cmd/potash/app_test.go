package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/internal/run"
	"github.com/potash-sim/potash/scenarios"
)

// result is what one potash invocation printed and returned.
type result struct {
	stdout, stderr string
	code           int
}

// potash runs the app with args (without the program name) and captures
// its output. Default output folders go under a temporary folder.
func potash(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, outRoot: t.TempDir()}
	code := runMain(context.Background(), e, append([]string{"potash"}, args...))
	return result{out.String(), errb.String(), code}
}

// want checks the exit code and prints the output on failure.
func (r result) want(t *testing.T, code int) result {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
	return r
}

func TestReorderArgs(t *testing.T) {
	app := newApp(&env{})
	for _, tc := range []struct{ in, want string }{
		{"potash run s.yaml --draws 100", "potash run --draws 100 s.yaml"},
		{"potash run --draws 100 s.yaml", "potash run --draws 100 s.yaml"},
		{"potash run s.yaml --set a=1 --no-charts -s b=2", "potash run --set a=1 --no-charts -s b=2 s.yaml"},
		{"potash run s.yaml --set=a=1 --seed=3", "potash run --set=a=1 --seed=3 s.yaml"},
		{"potash run", "potash run"},
		{"potash run -- -weird.yaml", "potash run -- -weird.yaml"},
		{"potash run s.yaml -- --draws", "potash run -- s.yaml --draws"},
		{"potash compare a b --no-charts c", "potash compare --no-charts a b c"},
		{"potash sweep s --param p --range 0:1:3 --metric m", "potash sweep --param p --range 0:1:3 --metric m s"},
		{"potash sweep s --range -1:1:3 --param p", "potash sweep --range -1:1:3 --param p s"},
		{"potash scenarios show history --help", "potash scenarios show --help history"},
		{"potash validate a.yaml b.yaml --set x=1", "potash validate --set x=1 a.yaml b.yaml"},
		{"potash nosuch --x 1", "potash nosuch --x 1"},
		{"potash --help run", "potash --help run"},
		{"potash run s.yaml --generate-bash-completion", "potash run s.yaml --generate-bash-completion"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got := strings.Join(reorderArgs(app, strings.Fields(tc.in)), " ")
			if got != tc.want {
				t.Errorf("reorderArgs(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// allCommands walks the command tree.
func allCommands(cmds []*cli.Command, prefix string, fn func(path string, c *cli.Command)) {
	for _, c := range cmds {
		if c.Name == "help" {
			continue
		}
		fn(prefix+c.Name, c)
		allCommands(c.Subcommands, prefix+c.Name+" ", fn)
	}
}

// TestUsageText checks that every command has a usage line, usage text and
// a description with an example, and every flag a usage string.
func TestUsageText(t *testing.T) {
	app := newApp(&env{})
	n := 0
	allCommands(app.Commands, "", func(path string, c *cli.Command) {
		n++
		if strings.TrimSpace(c.Usage) == "" {
			t.Errorf("%s: no Usage", path)
		}
		if strings.TrimSpace(c.UsageText) == "" {
			t.Errorf("%s: no UsageText", path)
		}
		if !strings.Contains(c.Description, "Example") {
			t.Errorf("%s: Description has no example", path)
		}
		for _, f := range c.Flags {
			df, ok := f.(cli.DocGenerationFlag)
			if !ok || strings.TrimSpace(df.GetUsage()) == "" {
				t.Errorf("%s: flag --%s has no usage text", path, f.Names()[0])
			}
		}
	})
	for _, want := range []string{"run", "compare", "sweep", "sensitivity", "validate", "scenarios", "scenarios list", "scenarios show", "init", "schema", "version", "completion"} {
		found := false
		allCommands(app.Commands, "", func(path string, c *cli.Command) { found = found || path == want })
		if !found {
			t.Errorf("no command %q", want)
		}
	}
	if n < 11 {
		t.Errorf("%d commands, want at least 11", n)
	}
}

// TestHelp runs --help of every command through the app: exit 0, the
// usage and an example on stdout, nothing on stderr.
func TestHelp(t *testing.T) {
	r := potash(t, "--help").want(t, exitOK)
	for _, want := range []string{"run", "compare", "sweep", "Exit codes", "Examples"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("potash --help lacks %q:\n%s", want, r.stdout)
		}
	}
	potash(t).want(t, exitOK) // no command: the help page
	allCommands(newApp(&env{}).Commands, "", func(path string, c *cli.Command) {
		t.Run(path, func(t *testing.T) {
			args := append(strings.Fields(path), "--help")
			r := potash(t, args...).want(t, exitOK)
			if !strings.Contains(r.stdout, "Example") || !strings.Contains(r.stdout, c.Usage) {
				t.Errorf("potash %s --help:\n%s", path, r.stdout)
			}
			if r.stderr != "" {
				t.Errorf("stderr: %s", r.stderr)
			}
		})
	})
}

// TestUsageErrors: bad command lines exit 2 with one message on stderr,
// and urfave/cli never calls os.Exit itself.
func TestUsageErrors(t *testing.T) {
	saved := cli.OsExiter
	defer func() { cli.OsExiter = saved }()
	cli.OsExiter = func(code int) { t.Fatalf("cli called os.Exit(%d)", code) }
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"rnu"}, `unknown command "rnu"; did you mean "run"?`},
		{[]string{"run", "--draws", "x"}, `--draws "x": want a whole number (run 'potash run --help' for usage)`},
		{[]string{"run", "--seed", "-1"}, `--seed "-1": want a whole number, 0 or more`},
		{[]string{"run", "-n", "1.5"}, `-n "1.5": want a whole number`},
		{[]string{"run", "--nosuch"}, "unknown flag --nosuch (run 'potash run --help' for usage)"},
		{[]string{"run", "--drws", "5"}, "unknown flag --drws; did you mean --draws?"},
		{[]string{"scenarios", "--formt", "csv"}, "unknown flag --formt; did you mean --format? (run 'potash scenarios --help'"},
		{[]string{"scenarios", "show", "--nosuch"}, "(run 'potash scenarios show --help' for usage)"},
		{[]string{"scenarios", "show", "us-relief-2026"}, "no built-in scenario 'us-relief-2026'; did you mean 'us-relief-2025'?"},
		{[]string{"--nosuch"}, "unknown flag --nosuch (run 'potash --help' for usage)"},
		{[]string{"run", "--draws"}, "--draws needs a value (run 'potash run --help' for usage)"},
		{[]string{"run", "--no-charts=maybe"}, `--no-charts="maybe": want true or false`},
		{[]string{"run", "--format", "xml"}, `--format "xml"`},
		{[]string{"run", "--draws", "-5"}, "--draws: -5 draws"},
		{[]string{"run", "--draws", "1000001"}, "want 0 to 1,000,000"},
		{[]string{"run", "--workers", "100000000"}, "--workers: 100000000 workers"},
		{[]string{"run", "--no-charts", "--charts", "svg"}, "--no-charts writes no charts"},
		{[]string{"backtest", "--no-charts", "--charts", "svg"}, "--no-charts writes no charts"},
		{[]string{"run", "--charts", "gif"}, `unknown format "gif"`},
		{[]string{"run", "--size", "poster"}, `--size "poster"`},
		{[]string{"run", "--dpi", "5"}, "--dpi 5"},
		{[]string{"run", "a", "b"}, "run takes one scenario"},
		{[]string{"run", ""}, "empty string"},
		{[]string{"compare", "a"}, "at least two"},
		{[]string{"sweep", "s"}, "--param PATH and --range"},
		{[]string{"sweep", "history", "--param", "market.regions.Brazil.demand_elasticity", "--range", "1:2"}, "FROM:TO:STEPS"},
		{[]string{"sweep", "history", "--param", "market.regions.Brazil.demand_elasticity", "--range", "1:x:3"}, "finite numbers"},
		{[]string{"sweep", "history", "--param", "market.regions.Brazil.demand_elasticity", "--range", "2025-01:2025-03:3"}, "not a month"},
		{[]string{"sweep", "history", "--param", "events.us-ban.end", "--range", "1:2:2"}, "is a month"},
		{[]string{"sweep", "history", "--param", "market.regions.Brazil.demand_elasticity", "--range", "0.4:9:5"},
			"--range 0.4:9:5: market.regions.Brazil.demand_elasticity = 4.7 is outside its valid range"},
		{[]string{"sweep", "s", "--param", "p", "--range", "0:1:3", "--param2", "q"}, "go together"},
		{[]string{"sweep", "history", "--param", "market.regions.Brazil.demand_elasticity", "--range", "0.4:1:1000",
			"--param2", "market.regions.India.demand_elasticity", "--range2", "0.4:1:1000"}, "points"},
		{[]string{"sensitivity"}, "sensitivity needs one SCENARIO, got none (a built-in name or a file; run 'potash scenarios' for the names)"},
		{[]string{"sweep"}, "sweep needs one SCENARIO, got none"},
		{[]string{"sweep", "history", "--param", "events.us-ban.end", "2026-01:2028-01:5"},
			"sweep needs one SCENARIO, got 2 (history 2026-01:2028-01:5); 2026-01:2028-01:5 looks like a grid FROM:TO:STEPS: give it after --range (or --range2)"},
		{[]string{"sweep", "history", "market.regions.Brazil.demand_elasticity=0.5", "--param", "p", "--range", "0:1:2"},
			"got 2 (history market.regions.Brazil.demand_elasticity=0.5); market.regions.Brazil.demand_elasticity=0.5 looks like a parameter's value: give it after --set"},
		{[]string{"sensitivity", "history", "0:1:2"}, "sensitivity needs one SCENARIO, got 2 (history 0:1:2)\n"},
		{[]string{"sensitivity", "history", "events.us-ban.end=2026-01"}, "events.us-ban.end=2026-01 looks like a parameter's value: give it after --set"},
		{[]string{"validate"}, "at least one FILE"},
		{[]string{"init"}, "init needs NAME"},
		{[]string{"schema", "x"}, "no arguments"},
		{[]string{"version", "x"}, "no arguments"},
		{[]string{"completion", "tcsh"}, "unknown shell"},
		{[]string{"completion"}, "one shell"},
		{[]string{"scenarios", "show"}, "needs one NAME"},
		{[]string{"scenarios", "history"}, "did you mean 'potash scenarios show history'?"},
		{[]string{"scenarios", "extra"}, "unknown argument \"extra\": 'potash scenarios' lists the built-ins, 'potash scenarios show NAME' prints one"},
		{[]string{"scenarios", "list", "extra"}, "unknown argument \"extra\""},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := potash(t, tc.args...).want(t, exitBadInput)
			if !strings.Contains(r.stderr, tc.msg) {
				t.Errorf("stderr %q does not contain %q", r.stderr, tc.msg)
			}
			if n := strings.Count(strings.TrimSpace(r.stderr), "\n"); n != 0 {
				t.Errorf("stderr has %d lines, want one message:\n%s", n+1, r.stderr)
			}
		})
	}
}

func TestExitCode(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{nil, 0},
		{badInputf("x"), 2},
		{runFailed(context.Canceled), 1},
		{context.Canceled, 1},
		{runFailed(badInputf("inner")), 2}, // the innermost classification wins
		{cli.Exit("", 0), 0},
		{cli.Exit("x", 3), 2},
		{&run.Error{Kind: run.ErrInput, Err: errors.New("x")}, 2},
		{&run.Error{Kind: run.ErrModel, Err: errors.New("x")}, 1},
		{&run.Error{Kind: run.ErrNotConverged, Err: errors.New("x")}, 3},
		{fmt.Errorf("wrapped: %w", &run.Error{Kind: run.ErrNotConverged, Err: errors.New("x")}), 3},
		{fmt.Errorf("simulating: %w", context.Canceled), 1},
		{scenarios.Diagnostics{{File: "f.yaml", Msg: "bad"}}, 2},
	} {
		if got := exitCode(tc.err); got != tc.want {
			t.Errorf("exitCode(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

func TestCompletion(t *testing.T) {
	for shell, want := range map[string]string{
		"bash": "complete -o default -F _potash_complete potash",
		"zsh":  "#compdef potash",
		"fish": "complete -c potash",
	} {
		t.Run(shell, func(t *testing.T) {
			r := potash(t, "completion", shell).want(t, exitOK)
			if !strings.Contains(r.stdout, want) {
				t.Errorf("completion %s lacks %q:\n%s", shell, want, r.stdout)
			}
		})
	}
	r := potash(t, "completion", "fish").want(t, exitOK)
	for _, cmd := range []string{"run", "sweep", "validate"} {
		if !strings.Contains(r.stdout, "-a '"+cmd+"'") && !strings.Contains(r.stdout, "-a "+cmd) {
			t.Errorf("fish completion does not offer %s", cmd)
		}
	}
	// The completion protocol the bash and zsh scripts use. (urfave/cli
	// reads os.Args to see the word being completed.)
	saved := os.Args
	defer func() { os.Args = saved }()
	os.Args = []string{"potash", "--generate-bash-completion"}
	r = potash(t, "--generate-bash-completion").want(t, exitOK)
	for _, cmd := range []string{"run", "compare", "completion"} {
		if !strings.Contains(r.stdout, cmd+"\n") {
			t.Errorf("--generate-bash-completion lacks %s:\n%s", cmd, r.stdout)
		}
	}
	os.Args = []string{"potash", "run", "--dr", "--generate-bash-completion"}
	r = potash(t, "run", "--dr", "--generate-bash-completion").want(t, exitOK)
	if !strings.Contains(r.stdout, "--draws") {
		t.Errorf("completing run --dr: %q", r.stdout)
	}
}

func TestRenderBar(t *testing.T) {
	got := renderBar("MC", 50, 100, 0)
	if !strings.Contains(got, "[###############               ]  50%  50/100") {
		t.Errorf("renderBar = %q", got)
	}
	if up, _ := newProgress(&env{stderrTTY: false}, "x"); up != nil {
		t.Error("progress bar on a non-terminal")
	}
	var b bytes.Buffer
	up, fin := newProgress(&env{stderr: &b, stderrTTY: true}, "MC")
	up(10, 10)
	fin()
	if !strings.Contains(b.String(), "100%") || !strings.HasSuffix(b.String(), "\n") {
		t.Errorf("progress on a terminal: %q", b.String())
	}
}

// TestSweepErrorPrefixes: an error about a sweep's parameter names the
// parameter once and each layer's prefix once ("potash: ", the flag), not
// "X: scenarios: parameter X: ...", and never the Go package's prefix
// "scenarios: ", which means nothing to a user.
func TestSweepErrorPrefixes(t *testing.T) {
	for _, tc := range []struct {
		name, param, rng string
		msg              string // a part of the message
	}{
		{"unknown field", "market.regions.Brazil.nope", "0:1:2", "unknown region field 'nope'"},
		{"unknown event", "events.nope.pct", "0:1:2", "unknown event 'nope'"},
		{"unknown root", "nope.x", "0:1:2", "unknown path root 'nope'"},
		{"text field", "events.us-ban.label", "0:1:2", "is not a number"},
		{"unknown corridor", "market.suppliers.Belarus.corridors.Nope.cost_usd_per_t", "0:1:2", "unknown corridor of Belarus 'Nope'"},
		{"out of range", "market.regions.Brazil.stock_to_use_months", "1:9:2", "= 9 is outside its valid range"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := potash(t, "sweep", "history", "--param", tc.param, "--range", tc.rng, "--no-charts").want(t, exitBadInput)
			msg := strings.TrimSpace(r.stderr)
			if !strings.Contains(msg, tc.msg) {
				t.Errorf("stderr %q does not contain %q", msg, tc.msg)
			}
			for _, part := range []string{tc.param, "potash: "} {
				if n := strings.Count(msg, part); n > 1 {
					t.Errorf("stderr says %q %d times: %s", part, n, msg)
				}
			}
			if strings.Contains(msg, "scenarios: ") {
				t.Errorf("stderr has the package prefix 'scenarios: ': %s", msg)
			}
			if !strings.Contains(msg, tc.param) {
				t.Errorf("stderr %q does not name the parameter %s", msg, tc.param)
			}
		})
	}
}

// TestSweepBadPoint: a sweep whose grid point is bad input exits with
// exitBadInput and names the point as the user wrote it (a month as
// YYYY-MM) and the scenario once; the same parameter on both axes is bad
// input too.
func TestSweepBadPoint(t *testing.T) {
	for _, tc := range []struct {
		name   string
		args   []string
		want   []string // parts of the message
		absent []string
	}{
		{"month before the event's start",
			[]string{"--param", "events.us-ban.end", "--range", "2000-01:2000-02:2"},
			[]string{"sweep point events.us-ban.end=2000-01", "must come after start 2021-12"},
			[]string{"24000", "sweep of"}},
		{"same parameter twice",
			[]string{"--param", "events.us-ban.end", "--range", "2022-01:2022-02:2", "--param2", "events.us-ban.end", "--range2", "2022-03:2022-04:2"},
			[]string{"--param and --param2 are both events.us-ban.end"},
			nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"sweep", "history"}, tc.args...)
			r := potash(t, append(args, "--no-charts", "--out", t.TempDir())...).want(t, exitBadInput)
			msg := strings.TrimSpace(r.stderr)
			for _, part := range tc.want {
				if !strings.Contains(msg, part) {
					t.Errorf("stderr %q does not contain %q", msg, part)
				}
			}
			for _, part := range tc.absent {
				if strings.Contains(msg, part) {
					t.Errorf("stderr %q contains %q", msg, part)
				}
			}
			if n := strings.Count(msg, "history"); n > 1 {
				t.Errorf("stderr names the scenario %d times: %s", n, msg)
			}
		})
	}
}

// TestFlagHelpStatesRules: a flag's help line states the rules its value
// must follow, as the errors that enforce them do.
func TestFlagHelpStatesRules(t *testing.T) {
	for _, tc := range []struct {
		command, flag string
		want          []string // parts of the flag's help line
	}{
		{"sweep", "--param2", []string{"2-D", "other than --param", "--range2"}},
		{"sweep", "--range2", []string{"--param2", "FROM:TO:STEPS"}},
	} {
		t.Run(tc.command+" "+tc.flag, func(t *testing.T) {
			r := potash(t, tc.command, "--help").want(t, exitOK)
			var line string
			for _, l := range strings.Split(r.stdout, "\n") {
				if f := strings.Fields(l); len(f) > 0 && f[0] == tc.flag {
					line = l
				}
			}
			if line == "" {
				t.Fatalf("potash %s --help has no %s line:\n%s", tc.command, tc.flag, r.stdout)
			}
			for _, w := range tc.want {
				if !strings.Contains(line, w) {
					t.Errorf("%s's help %q lacks %q", tc.flag, strings.TrimSpace(line), w)
				}
			}
		})
	}
}

// TestHelpPlainWords: no command's help names a Go identifier
// (model.Metrics), and a usage line that lists the chart sizes lists all
// that --size takes.
func TestHelpPlainWords(t *testing.T) {
	goIdent := regexp.MustCompile(`\b(model|run|scenarios|plots|report|cli)\.[A-Z]\w*`)
	for _, c := range newApp(&env{}).Commands {
		r := potash(t, c.Name, "--help").want(t, exitOK)
		if m := goIdent.FindString(r.stdout); m != "" {
			t.Errorf("potash %s --help names the Go identifier %s", c.Name, m)
		}
		if i := strings.Index(r.stdout, "--size slide|"); i >= 0 {
			if !strings.HasPrefix(r.stdout[i:], "--size slide|half|web]") {
				t.Errorf("potash %s --help: %q does not list every size", c.Name, strings.SplitN(r.stdout[i:], "]", 2)[0])
			}
		}
	}
}

// TestNoWarningOnRejectedValue: a --set value that is an error is not
// also warned about (the uncertainty section draws the parameter): the
// value is never used, and the error is the one message.
func TestNoWarningOnRejectedValue(t *testing.T) {
	for _, args := range [][]string{
		{"run", "--no-charts", "--set", "market.regions.Brazil.demand_elasticity=-3"},
		{"validate", "us-relief-2025", "--set", "market.regions.Brazil.demand_elasticity=-3"},
	} {
		r := potash(t, args...).want(t, exitBadInput)
		if !strings.Contains(r.stderr, "demand_elasticity = -3 is outside its valid range") || strings.Contains(r.stderr, "warning:") {
			t.Errorf("potash %s: stderr:\n%s", strings.Join(args, " "), r.stderr)
		}
		if args[0] == "validate" && !strings.Contains(r.stderr, "(1 error, 0 warnings)") {
			t.Errorf("validate counts a warning it did not print:\n%s", r.stderr)
		}
	}
}

// fullWriter fails every write, as /dev/full does.
type fullWriter struct{}

func (fullWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

// TestStdoutWriteFails: a failed write to stdout (`> /dev/full`) is exit
// 1 (an output could not be written) with one message on stderr, for every
// command: not 2 (bad input), nor 0 for a help page whose error
// urfave/cli drops.
func TestStdoutWriteFails(t *testing.T) {
	for _, args := range [][]string{{"scenarios"}, {"schema"}, {"scenarios", "show", "history"}, {"--help"}, {"run", "--help"}, {"version"},
		{"run", "--no-charts", "--out", t.TempDir()}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			var errb bytes.Buffer
			e := &env{stdout: fullWriter{}, stderr: &errb, outRoot: t.TempDir()}
			// One message, saying what failed: the results of a run
			// (its files are written), or whatever was printed.
			want := "potash: printing to stdout failed: no space left on device\n"
			if args[0] == "run" && args[1] == "--no-charts" {
				want = "potash: printing the results to stdout failed: no space left on device\n"
			}
			if code := runMain(context.Background(), e, append([]string{"potash"}, args...)); code != exitRunFailed || !strings.HasSuffix(errb.String(), want) || strings.Count(errb.String(), "potash:") != 1 {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errb.String(), exitRunFailed, want)
			}
			// A run's files are written before its table is printed:
			// the exit-code table must not say "nothing was written"
			// of this exit 1 without the exception.
			if args[0] == "run" && args[1] == "--no-charts" {
				if _, err := os.Stat(filepath.Join(args[3], report.FileSummary)); err != nil {
					t.Errorf("the run's files are not written: %v", err)
				}
				for _, c := range exitCodes {
					if c.code == exitRunFailed && !strings.Contains(c.meaning, "only printing to stdout failed") {
						t.Errorf("exit %d's meaning says nothing was written, but the run's files are: %q", c.code, c.meaning)
					}
				}
			}
		})
	}
}

// TestCompareSetNamesScenario: compare (and validate) applies --set to every scenario;
// an error (or warning) about it says which scenario it is about: here
// no-sanctions has no us-ban, which us-relief-2025 has.
func TestCompareSetNamesScenario(t *testing.T) {
	r := potash(t, "compare", "us-relief-2025", "no-sanctions", "--set", "events.us-ban.end=2026-06", "--no-charts", "--out", t.TempDir()).want(t, exitBadInput)
	if want := "--set (in no-sanctions): events.us-ban.end: unknown event 'us-ban'"; !strings.Contains(r.stderr, want) || strings.Contains(r.stderr, "(in us-relief-2025)") {
		t.Errorf("stderr lacks %q or blames us-relief-2025:\n%s", want, r.stderr)
	}
	r = potash(t, "validate", "us-relief-2025", "no-sanctions", "--set", "events.us-ban.end=2026-06").want(t, exitBadInput)
	if want := "--set (in no-sanctions): events.us-ban.end: unknown event 'us-ban'"; !strings.Contains(r.stderr, want) {
		t.Errorf("validate: stderr lacks %q:\n%s", want, r.stderr)
	}
	r = potash(t, "run", "--set", "events.us-bam.end=2026-06", "--no-charts", "--out", t.TempDir()).want(t, exitBadInput)
	if strings.Contains(r.stderr, "(in ") {
		t.Errorf("run (one scenario) names it: %s", r.stderr)
	}
}

// TestHelpTopicError: the error urfave/cli itself gives for `potash help
// NAME` of an unknown NAME (cli.ShowCommandHelp, which its help command
// calls; not a copy of its wording) reads as potash's unknown command
// does, with potash's suggestion or none; exit 2. Any other error is
// left as it is. (Not run through runMain: each in-process run of `help`
// grows urfave/cli's shared help command, and the fish completion of a
// later test then recurses without end; TestHelpTopicExit runs a real
// potash.)
func TestHelpTopicError(t *testing.T) {
	app := newApp(&env{stdout: io.Discard, stderr: io.Discard})
	for name, want := range map[string]string{
		"nope": `no help for "nope": not a command (run 'potash --help' for the list)`,
		"runn": `no help for "runn": not a command; did you mean "run"? (run 'potash --help' for the list)`,
	} {
		uerr := cli.ShowCommandHelp(cli.NewContext(app, nil, nil), name)
		if uerr == nil {
			t.Fatalf("urfave/cli gives no error for help of %q", name)
		}
		err := helpTopicError(app, uerr)
		if err == nil || err.Error() != want || exitCode(err) != exitBadInput {
			t.Errorf("%s: %v (exit %d), want %q, exit %d (urfave/cli's error: %v)", name, err, exitCode(err), want, exitBadInput, uerr)
		}
	}
	if err := errors.New("other"); helpTopicError(app, err) != err {
		t.Error("another error is changed")
	}
}

// TestScenariosList: `potash scenarios list`, as many command lines
// spell a listing, lists the built-ins as `potash scenarios` does, in
// every --format (it was an error that suggested 'potash scenarios show
// list', itself an error).
func TestScenariosList(t *testing.T) {
	for _, format := range []string{"table", "csv", "json", "markdown"} {
		want := potash(t, "scenarios", "--format", format).want(t, exitOK)
		got := potash(t, "scenarios", "list", "--format", format).want(t, exitOK)
		if got.stdout != want.stdout || got.stderr != "" || !strings.Contains(got.stdout, "us-relief-2025") {
			t.Errorf("--format %s: 'scenarios list' printed\n%s\nstderr %q; 'scenarios' printed\n%s", format, got.stdout, got.stderr, want.stdout)
		}
	}
}
