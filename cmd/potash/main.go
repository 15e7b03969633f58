// Command potash simulates how sanctions and sanction relief move the world
// potash market: prices, trade flows and each exporter's revenue, month by
// month, with Monte Carlo uncertainty bands, sweeps, sensitivity and
// briefing-ready charts. Run `potash --help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"
)

func main() {
	// A crash of the Go runtime (an out-of-memory, a panic on another
	// goroutine) exits 2, the code of bad input; supervise runs potash as
	// a child process and turns such a crash into exit 70.
	if code, ok := supervise(); ok {
		os.Exit(code)
	}
	// The first Ctrl-C cancels the run (which then removes its partial
	// output and exits 1); a second one kills the process at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		<-ctx.Done()
		stop()
	}()
	e := &env{
		stdout:    os.Stdout,
		stderr:    os.Stderr,
		stderrTTY: term.IsTerminal(int(os.Stderr.Fd())),
		outRoot:   "potash-out",
	}
	code := runMain(ctx, e, os.Args)
	stop()
	reportExit(code)
	os.Exit(code)
}
