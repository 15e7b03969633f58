package serve

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// csvServer serves the fake backend on a loopback port; it returns the
// server and the addresses of a finished run's downloads (results.csv,
// bands.csv and draws.csv), which are all served alike.
func csvServer(t *testing.T, cfg Config, f *fake) (*Server, []string) {
	t.Helper()
	s := newFakeServer(cfg, f)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	resp, err := http.Get(ts.URL + "/api/run?draws=2")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("run: %d", resp.StatusCode)
	}
	var r runResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	if r.Bands == "" || r.DrawsCSV == "" {
		t.Fatalf("a run with draws offers no bands (%q) or draws (%q)", r.Bands, r.DrawsCSV)
	}
	return s, []string{ts.URL + r.CSV, ts.URL + r.Bands, ts.URL + r.DrawsCSV}
}

// lines writes n CSV lines of about 100 bytes, then err.
func lines(n int, err error) func(context.Context, io.Writer) error {
	return func(_ context.Context, w io.Writer) error {
		row := strings.Repeat("x", 99) + "\n"
		for k := 0; k < n; k++ {
			if _, err := io.WriteString(w, row); err != nil {
				return err
			}
		}
		return err
	}
}

// TestCSVDownload: each CSV (results, bands, draws) is written once per
// download; one that fits the spool has a Content-Length; a larger one is
// streamed whole; a failure before the answer starts is a clear error,
// and one after it breaks the download (the client sees an error, not a
// short 200).
func TestCSVDownload(t *testing.T) {
	big := csvSpool/100 + 20_000 // lines: past the spool
	for _, tc := range []struct {
		name    string
		csv     func(context.Context, io.Writer) error
		status  int
		length  bool  // has a Content-Length
		bytes   int64 // body length when whole
		broken  bool  // reading the body fails
		message string
	}{
		{"small", lines(100, nil), 200, true, 100 * 100, false, ""},
		{"large, streamed", lines(big, nil), 200, false, int64(big) * 100, false, ""},
		{"fails before the answer", lines(100, errors.New("NaN in month 2026-01")), 422, true, 0, false, "NaN in month 2026-01"},
		{"fails while streaming", lines(big, errors.New("NaN in month 2027-01")), 200, false, 0, true, ""},
	} {
		for k, file := range []string{"results.csv", "bands.csv", "draws.csv"} {
			t.Run(tc.name+"/"+file, func(t *testing.T) {
				f := &fake{}
				_, urls := csvServer(t, Config{}, f)
				f.csv = tc.csv
				resp, err := http.Get(urls[k])
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				if d := resp.Header.Get("Content-Disposition"); resp.StatusCode == 200 && !strings.HasSuffix(d, file+`"`) {
					t.Errorf("Content-Disposition %q, want a file named …%s", d, file)
				}
				body, rerr := io.ReadAll(resp.Body)
				if resp.StatusCode != tc.status {
					t.Fatalf("status %d, want %d: %.200s", resp.StatusCode, tc.status, body)
				}
				if got := resp.ContentLength >= 0; got != tc.length {
					t.Errorf("Content-Length %d", resp.ContentLength)
				}
				if tc.broken {
					if rerr == nil {
						t.Errorf("a download cut short read as complete (%d bytes)", len(body))
					}
				} else if rerr != nil {
					t.Errorf("reading: %v", rerr)
				}
				if tc.bytes > 0 && int64(len(body)) != tc.bytes {
					t.Errorf("%d bytes, want %d", len(body), tc.bytes)
				}
				if !strings.Contains(string(body), tc.message) {
					t.Errorf("body %.200s, want %q", body, tc.message)
				}
				if n := f.csvCalls.Load(); n != 1 {
					t.Errorf("CSV written %d times, want once", n)
				}
			})
		}
	}
}

// TestCSVLimitsAndCancel: a download holds a run slot (another gets 429
// when none is free), and a client that goes away stops the writing and
// frees its slot.
func TestCSVLimitsAndCancel(t *testing.T) {
	f := &fake{}
	s, urls := csvServer(t, Config{MaxConcurrent: 1, QueueWait: 100 * time.Millisecond}, f)
	url := urls[1] // bands.csv
	stopped := make(chan error, 1)
	started := make(chan struct{})
	f.csv = func(ctx context.Context, w io.Writer) error {
		close(started)
		row := []byte(strings.Repeat("y", 1023) + "\n")
		for {
			if _, err := w.Write(row); err != nil {
				stopped <- err
				return err
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	<-started
	if _, err := io.ReadFull(resp.Body, make([]byte, 1<<20)); err != nil {
		t.Fatal(err)
	}
	// The only slot is taken: another download, or a run, waits and is
	// refused.
	base := url[:strings.Index(url, "/api/")]
	for _, u := range []string{urls[0], urls[2], base + "/api/run?draws=0&seed=77"} {
		r2, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		r2.Body.Close()
		if r2.StatusCode != http.StatusTooManyRequests {
			t.Errorf("%s while a download holds the slot: %d, want 429", u, r2.StatusCode)
		}
	}
	cancel()
	resp.Body.Close()
	select {
	case err := <-stopped:
		if err == nil {
			t.Error("writer stopped without an error")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the CSV is still being written after its client left")
	}
	for wait := time.Now().Add(5 * time.Second); len(s.sem) > 0 && time.Now().Before(wait); {
		time.Sleep(5 * time.Millisecond)
	}
	if n := len(s.sem); n != 0 {
		t.Errorf("%d run slots still taken after the download ended", n)
	}
}
