package main

import (
	"context"
	"errors"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/potash-sim/potash/internal/run"
	"github.com/potash-sim/potash/internal/serve"
)

func init() { registerCommand(newServeCommand) }

// serveArgs are the flags of `potash serve`.
type serveArgs struct {
	addr     string
	maxDraws int
	draws    int
	timeout  time.Duration
	maxRuns  int
	workers  int
	hosts    cli.StringSlice
}

func newServeCommand() *cli.Command {
	a := &serveArgs{}
	return &cli.Command{
		Name:      "serve",
		Usage:     "open an interactive what-if page in your browser (a local web server)",
		UsageText: "potash serve [--addr HOST:PORT] [flags]",
		Description: "Starts a web server on this computer and prints the address to open. The page runs a built-in\n" +
			"scenario (default " + "us-relief-2025" + ") or a scenario file you upload, with controls for demand and\n" +
			"substitution elasticities, the sanction discount on Belarusian sales, the US relief month, the\n" +
			"reopening of Klaipėda, the Russian-port corridor's capacity, Jansen's start and the Monte Carlo draws.\n" +
			"Charts and the headline table update as you move a control. A control on an event changes the\n" +
			"scenario only (--set scenario.events.…) unless you tick it for both runs; a market parameter\n" +
			"changes both. Pin a result to see it beside the next one, with the difference. \"What moves this\n" +
			"result?\" ranks the scenario's uncertain parameters by their effect on a result you pick, with\n" +
			"your settings (the tornado of `potash sensitivity`). The page's address records the settings;\n" +
			"each run can be downloaded (PNG, SVG, CSV with its Monte Carlo bands) and rerun with the\n" +
			"`potash run` or `potash sensitivity` command shown, which gives the same numbers.\n" +
			"Everything is embedded in the binary: it works offline. It listens on 127.0.0.1 (this computer\n" +
			"only) unless --addr says otherwise. Stop it with Ctrl-C. Whatever the address, the page answers only\n" +
			"to localhost, to the IP address it was reached on and to the host names given with --allow-host,\n" +
			"and no other web site can make a browser use it.\n\n" +
			"Examples:\n" +
			"  potash serve\n" +
			"  potash serve --addr 127.0.0.1:9000 --max-draws 500\n" +
			"  potash serve --addr 0.0.0.0:8080 --allow-host classroom.example.org",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "addr", Value: serve.DefaultAddr, Usage: "`HOST:PORT` to listen on (port 0 picks a free one); 127.0.0.1 keeps it private to this computer", Destination: &a.addr},
			&cli.IntFlag{Name: "max-draws", Value: serve.DefaultMaxDraws, Usage: "most Monte Carlo draws one run may ask for (1–100000)", Destination: &a.maxDraws},
			&cli.IntFlag{Name: "draws", Value: serve.DefaultDraws, Usage: "Monte Carlo draws the page starts with (0 to --max-draws)", Destination: &a.draws},
			&cli.DurationFlag{Name: "timeout", Value: serve.DefaultTimeout, Usage: "time limit of one run (1s–10m)", Destination: &a.timeout},
			&cli.IntFlag{Name: "max-runs", Value: 0, Usage: "runs computed at once; more get \"busy, try again\" (0: one per CPU, at most 64)", Destination: &a.maxRuns},
			&cli.IntFlag{Name: "workers", Value: 0, Usage: "Monte Carlo goroutines per run (0: all CPUs; at most four per CPU)", Destination: &a.workers},
			&cli.StringSliceFlag{Name: "allow-host", Usage: "`NAME` the page may be opened as, besides localhost and the server's IP address (repeat for more)", Destination: &a.hosts},
		},
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return badInputf("serve takes no arguments, got %q (run 'potash serve --help')", c.Args().First())
			}
			return serveCmd(c.Context, envOf(c), a)
		},
	}
}

// serveCmd is `potash serve`: it serves the what-if page until ctx is
// cancelled (Ctrl-C), then shuts down cleanly and returns nil.
func serveCmd(ctx context.Context, e *env, a *serveArgs) error {
	switch {
	case a.maxDraws < 1 || a.maxDraws > 100000:
		return badInputf("--max-draws %d: want 1 to 100000", a.maxDraws)
	case a.draws < 0 || a.draws > a.maxDraws:
		return badInputf("--draws %d: want 0 to --max-draws (%d)", a.draws, a.maxDraws)
	case a.timeout < time.Second || a.timeout > 10*time.Minute:
		return badInputf("--timeout %s: want 1s to 10m", a.timeout)
	case a.maxRuns < 0 || a.maxRuns > 64:
		return badInputf("--max-runs %d: want 0 to 64", a.maxRuns)
	}
	if err := run.CheckWorkers(a.workers); err != nil {
		return badInputf("--workers: %v", err)
	}
	for _, h := range a.hosts.Value() {
		if h == "" || strings.ContainsAny(h, "/ \t") {
			return badInputf("--allow-host %q: want a host name or IP address, e.g. classroom.example.org", h)
		}
	}
	if _, _, err := net.SplitHostPort(a.addr); err != nil {
		return badInputf("--addr %q: want HOST:PORT, e.g. 127.0.0.1:8080", a.addr)
	}
	draws := a.draws
	if draws == 0 {
		draws = -1 // serve.Config: negative means no draws by default
	}
	cfg := serve.Config{
		Addr: a.addr, MaxDraws: a.maxDraws, DefaultDraws: draws, Timeout: a.timeout,
		MaxConcurrent: a.maxRuns, Workers: a.workers, Log: e.stderr,
		AllowHosts: a.hosts.Value(),
	}
	if err := serve.ListenAndServe(ctx, cfg, e.stdout); err != nil {
		var op *net.OpError
		if errors.As(err, &op) && (errors.Is(err, syscall.EADDRINUSE) || errors.Is(err, syscall.EACCES) || op.Op == "listen") {
			return badInputf("--addr %s: %v", a.addr, err)
		}
		return runFailed(err)
	}
	return nil
}
