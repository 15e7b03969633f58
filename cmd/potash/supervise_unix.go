//go:build unix

package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
)

// childEnv marks the process that does the work; its value is the file
// descriptor it reports its exit code on.
const childEnv = "POTASH_SUPERVISED"

// supervise runs this program again as a child process, with the same
// arguments, environment and standard streams, and returns the exit code
// to exit with (ok is false in the child itself, or when the child cannot
// be started: then the caller does the work). The child reports the exit
// code it chose on a pipe before it exits (reportExit); a child that ends
// without reporting one crashed — a runtime panic or fatal error, which Go
// exits with 2 — and the supervisor exits 70 with a short message instead,
// as the exit code table says. Ctrl-C reaches the child directly (the same
// process group); SIGTERM and SIGHUP sent to the supervisor are passed on.
func supervise() (code int, ok bool) {
	if os.Getenv(childEnv) != "" {
		return 0, false
	}
	exe, err := os.Executable()
	if err != nil {
		return 0, false
	}
	r, w, err := os.Pipe()
	if err != nil {
		return 0, false
	}
	defer r.Close()
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Args[0] = os.Args[0]
	cmd.Env = append(os.Environ(), childEnv+"=3")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.ExtraFiles = []*os.File{w} // fd 3 in the child
	signal.Ignore(os.Interrupt)
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGHUP)
	if err := cmd.Start(); err != nil {
		w.Close()
		signal.Reset(os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
		return 0, false
	}
	w.Close()
	go func() {
		for s := range sigs {
			cmd.Process.Signal(s)
		}
	}()
	reported, _ := io.ReadAll(r)
	err = cmd.Wait()
	if c, convErr := strconv.Atoi(strings.TrimSpace(string(reported))); convErr == nil {
		return c, true
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			switch ws.Signal() {
			case syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP:
				// Killed by a second Ctrl-C: interrupted, nothing committed.
				fmt.Fprintln(os.Stderr, "potash: interrupted")
				return exitRunFailed, true
			case syscall.SIGPIPE:
				// The reader of stdout (or stderr) went away, as in
				// `potash run | head`: Go stops a program that writes to
				// a closed pipe with SIGPIPE. Not a crash: no message (the
				// reader is gone, or does not want more) and the code a
				// shell gives any program stopped so.
				return exitPipeClosed, true
			}
			fmt.Fprintf(os.Stderr, "potash: internal error: killed by %v (out of memory?)\n", ws.Signal())
			return exitInternal, true
		}
	}
	fmt.Fprintln(os.Stderr, "potash: internal error: the program crashed (the report above says where); "+
		"this is a bug in potash: please report it with the command line that caused it")
	return exitInternal, true
}

// reportExit tells the supervisor the exit code this process chose.
func reportExit(code int) {
	fd, err := strconv.Atoi(os.Getenv(childEnv))
	if err != nil || fd < 3 {
		return
	}
	f := os.NewFile(uintptr(fd), "exit-code")
	if f == nil {
		return
	}
	fmt.Fprintf(f, "%d\n", code)
	f.Close()
}
