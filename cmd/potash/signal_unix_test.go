//go:build unix

package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/potash-sim/potash/internal/report"
)

// TestMain runs the command itself when POTASH_TEST_MAIN is set (its
// value is the command line), so that tests can signal a real process.
// With POTASH_TEST_GOPANIC set, the working (supervised) process panics
// on another goroutine shortly after it starts.
func TestMain(m *testing.M) {
	if args := os.Getenv("POTASH_TEST_MAIN"); args != "" {
		os.Args = append([]string{"potash"}, strings.Fields(args)...)
		if os.Getenv("POTASH_TEST_GOPANIC") != "" && os.Getenv(childEnv) != "" {
			go func() {
				time.Sleep(20 * time.Millisecond)
				panic("injected crash on another goroutine")
			}()
		}
		main()
		return
	}
	os.Exit(m.Run())
}

// child starts this test binary as potash with args.
func child(t *testing.T, args string, env ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(append(os.Environ(), "POTASH_TEST_MAIN="+args), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its own process group, as in a terminal
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &stderr
}

// waitFor waits for cmd, at most 60 s.
func waitFor(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		t.Fatal("potash did not stop within 60 s")
	}
	return cmd.ProcessState.ExitCode()
}

// TestSignalCancels interrupts a real potash during its Monte Carlo, with
// Ctrl-C (SIGINT to its process group, as a terminal sends it) and with
// SIGTERM to its process: it stops, exits 1 and writes nothing.
func TestSignalCancels(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a Monte Carlo in a child process")
	}
	for _, tc := range []struct {
		name string
		send func(pid int) error
	}{
		{"Ctrl-C", func(pid int) error { return syscall.Kill(-pid, syscall.SIGINT) }},
		{"SIGTERM", func(pid int) error { return syscall.Kill(pid, syscall.SIGTERM) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			cmd, stderr := child(t, "run --draws 100000 --no-charts --workers 1 --out "+out)
			time.Sleep(1500 * time.Millisecond)
			if err := tc.send(cmd.Process.Pid); err != nil {
				t.Fatal(err)
			}
			if code := waitFor(t, cmd); code != exitRunFailed {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, exitRunFailed, stderr)
			}
			if !strings.Contains(stderr.String(), "interrupted") {
				t.Errorf("stderr: %s", stderr)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("an interrupted run left %s", out)
			}
		})
	}
}

// TestCrashExit70: a crash that no recover can catch (a panic on another
// goroutine) exits 70, not the 2 of bad input, with a short message last.
func TestCrashExit70(t *testing.T) {
	if testing.Short() {
		t.Skip("runs potash in a child process")
	}
	cmd, stderr := child(t, "run --no-charts --out "+filepath.Join(t.TempDir(), "out"), "POTASH_TEST_GOPANIC=1")
	if code := waitFor(t, cmd); code != exitInternal {
		t.Errorf("exit code %d, want %d; stderr:\n%s", code, exitInternal, stderr)
	}
	if !strings.Contains(stderr.String(), "injected crash") || !strings.Contains(stderr.String(), "potash: internal error: the program crashed") {
		t.Errorf("stderr:\n%s", stderr)
	}
}

// TestClosedPipeExit141: `potash ... | head` closes potash's stdout before
// it has printed everything; potash then stops quietly with the code a
// shell gives any program stopped by a closed pipe, not the 70 and
// "internal error ... out of memory?" of a crash.
func TestClosedPipeExit141(t *testing.T) {
	if testing.Short() {
		t.Skip("runs potash in a child process")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close() // the reader is gone before potash writes
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "POTASH_TEST_MAIN=scenarios show us-relief-2025")
	cmd.Stdout = w
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if code := waitFor(t, cmd); code != exitPipeClosed {
		t.Errorf("exit code %d, want %d; stderr:\n%s", code, exitPipeClosed, stderr.String())
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr: %s", stderr.String())
	}
}

// TestClosedStdout: potash started with stdout closed (`>&-`, fd 1 not
// open). The Go runtime opens /dev/null on a closed fd 0, 1 or 2 before
// main runs (runtime.checkfds, Go 1.22 on), so potash finds an open
// /dev/null there, read-write, as a caller that discards the output
// gives it (Python's subprocess.DEVNULL, libuv's "ignore"): it cannot
// tell the two apart, and a run succeeds, files written, as with
// `> /dev/null`. The README says so; this test keeps it true (were the
// runtime to leave the fd closed, printing would fail: exit 1).
func TestClosedStdout(t *testing.T) {
	if testing.Short() {
		t.Skip("runs potash in a child process")
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "A closed stdout (`>&-`) is not an error") {
		t.Error("README does not say what a closed stdout does")
	}
	out := filepath.Join(t.TempDir(), "out")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// A nil file is a closed fd in the child (os/exec would give it
	// /dev/null instead).
	p, err := os.StartProcess(os.Args[0], []string{os.Args[0]}, &os.ProcAttr{
		Env:   append(os.Environ(), "POTASH_TEST_MAIN=run --no-charts --out "+out),
		Files: []*os.File{os.Stdin, nil, w},
	})
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	stderr, _ := io.ReadAll(r)
	st, err := p.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if st.ExitCode() != exitOK || strings.Contains(string(stderr), "potash:") {
		t.Errorf("exit %d, stderr:\n%s", st.ExitCode(), stderr)
	}
	if _, err := os.Stat(filepath.Join(out, report.FileSummary)); err != nil {
		t.Errorf("the run's files are not written: %v", err)
	}
}
