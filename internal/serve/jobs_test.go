package serve

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// jobAnswer is the part of /api/run's and /api/sensitivity's answers
// (serveJob) that both have, or an error.
type jobAnswer struct {
	ID        string `json:"id"`
	Query     string `json:"query"`
	ElapsedMS *int64 `json:"elapsed_ms"`
	Cached    bool   `json:"cached"`
	Error     string `json:"error"`
	Field     string `json:"field"`
}

// TestComputingEndpoints: /api/run and /api/sensitivity share one
// skeleton (serveJob) and behave alike: a malformed query is a 400
// before any work; an answer says its time and whether it came from the
// cache, and a repeated request is served from the cache without work;
// with the only run slot taken, a request waits QueueWait and
// gets 429 with Retry-After; and a request whose client goes away stops
// its computation, freeing its slot (503).
func TestComputingEndpoints(t *testing.T) {
	for _, ep := range []struct{ name, target string }{
		{"run", "/api/run?seed=7&draws=0"},
		{"sensitivity", "/api/sensitivity?metric=benchmark_price_change"},
	} {
		t.Run(ep.name, func(t *testing.T) {
			path, _, _ := strings.Cut(ep.target, "?")
			f := &fake{}
			s := newFakeServer(Config{}, f)
			w := do(t, s, "GET", path+"?%zz", nil)
			if a := decode[jobAnswer](t, w); w.Code != 400 || !strings.Contains(a.Error, "malformed query string") || f.simulates.Load() != 0 {
				t.Errorf("malformed query: status %d error %q, %d simulations", w.Code, a.Error, f.simulates.Load())
			}

			w = do(t, s, "GET", ep.target, nil)
			a := decode[jobAnswer](t, w)
			if w.Code != 200 || a.Cached || a.ElapsedMS == nil || a.ID == "" || a.Query == "" {
				t.Fatalf("first request: status %d %+v", w.Code, a)
			}
			n := f.simulates.Load()
			w = do(t, s, "GET", ep.target, nil)
			if a2 := decode[jobAnswer](t, w); w.Code != 200 || !a2.Cached || a2.ID != a.ID || a2.ElapsedMS == nil || f.simulates.Load() != n {
				t.Errorf("repeated request: status %d %+v, simulations %d → %d", w.Code, a2, n, f.simulates.Load())
			}

			// Busy: a computation holds the only slot.
			f = &fake{block: make(chan struct{})}
			s = newFakeServer(Config{MaxConcurrent: 1, QueueWait: 30 * time.Millisecond}, f)
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				do(t, s, "GET", "/api/run?seed=99&draws=0", nil)
			}()
			waitSimulates(t, f, 1)
			w = do(t, s, "GET", ep.target, nil)
			if a := decode[jobAnswer](t, w); w.Code != 429 || !strings.Contains(a.Error, "busy") || w.Header().Get("Retry-After") != "1" {
				t.Errorf("busy: status %d error %q, Retry-After %q", w.Code, a.Error, w.Header().Get("Retry-After"))
			}
			close(f.block)
			wg.Wait()

			// The client goes away: the computation stops, its slot frees.
			f = &fake{block: make(chan struct{})}
			s = newFakeServer(Config{Timeout: time.Minute}, f)
			ctx, cancel := context.WithCancel(context.Background())
			go func() {
				waitSimulates(t, f, 1)
				cancel()
			}()
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, httptest.NewRequest("GET", "http://127.0.0.1"+ep.target, nil).WithContext(ctx))
			if a := decode[jobAnswer](t, rec); rec.Code != 503 || a.Error != "the run was cancelled" {
				t.Errorf("client gone: status %d error %q", rec.Code, a.Error)
			}
			for deadline := time.Now().Add(2 * time.Second); len(s.sem) > 0; time.Sleep(time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatal("the computation goes on after its client left: its run slot is still taken")
				}
			}
			if s.cache.len() != 0 {
				t.Errorf("%d entries cached after a cancelled request", s.cache.len())
			}
		})
	}
}
