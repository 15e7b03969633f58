package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestServeCommand starts `potash serve` on a free loopback port, reads the
// start line, fetches the page, and stops it as Ctrl-C would (context
// cancelled): exit code 0.
func TestServeCommand(t *testing.T) {
	pr, pw := io.Pipe()
	var errb strings.Builder
	e := &env{stdout: pw, stderr: &errb, outRoot: t.TempDir()}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- runMain(ctx, e, []string{"potash", "serve", "--addr", "127.0.0.1:0", "--max-draws", "100", "--draws", "10"})
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("no start line: %v (stderr %q)", err, errb.String())
	}
	const pre, post = "potash serve: open http://127.0.0.1:", "/ in your browser (Ctrl-C to stop)\n"
	if !strings.HasPrefix(line, pre) || !strings.HasSuffix(line, post) {
		t.Fatalf("start line %q", line)
	}
	url := strings.TrimSuffix(strings.TrimPrefix(line, "potash serve: open "), " in your browser (Ctrl-C to stop)\n")
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "potash") {
		t.Errorf("GET %s: %d", url, resp.StatusCode)
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("exit code %d after Ctrl-C, want 0 (stderr %q)", code, errb.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
}

func TestServeCommandBadFlags(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--max-draws", "0"}, "--max-draws 0: want 1 to 100000"},
		{[]string{"--draws", "500", "--max-draws", "100"}, "--draws 500: want 0 to --max-draws (100)"},
		{[]string{"--timeout", "10ms"}, "--timeout 10ms: want 1s to 10m"},
		{[]string{"--max-runs", "-1"}, "--max-runs -1"},
		{[]string{"--addr", "nonsense"}, `--addr "nonsense": want HOST:PORT`},
		{[]string{"--addr", ln.Addr().String()}, "--addr " + ln.Addr().String()},
		{[]string{"extra"}, "serve takes no arguments"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			r := potash(t, append([]string{"serve"}, tc.args...)...).want(t, exitBadInput)
			if !strings.Contains(r.stderr, tc.msg) {
				t.Errorf("stderr %q, want %q", r.stderr, tc.msg)
			}
		})
	}
}
