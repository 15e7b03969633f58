package serve

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestLoad hammers the real server on a loopback port with many concurrent
// clients for a bounded time and a bounded number of requests: a mix of
// repeated runs (served from the cache), new runs (computed, or refused
// with 429 when every slot is busy), malformed requests (400), the page,
// charts, comparisons and CSV downloads (results and bands; 429 when
// every slot is busy). Every answer
// must be one of the documented ones, and the heap after the load, once
// the garbage is collected, must be about what it was before it (the cache
// is full in both). Then bursts of large runs (200 draws each, from
// several clients at once) must keep the resident set under 400 MB (the
// server admits Monte Carlo memory up to Config.MaxRunMemory and returns
// it after large runs); under the race detector, which multiplies memory,
// the figure is only logged.
//
// With -short (and so under the race detector in CI's short pass) it runs
// for 1 s on the fake backend of the handler tests, which exercises the
// server's own concurrency (cache, shared computations, run slots)
// quickly; otherwise for 3 s on the real scenarios, model and plots with
// Monte Carlo draws (CI also runs this under -race).
func TestLoad(t *testing.T) {
	duration, maxRequests, clients, draws, cacheEntries := 3*time.Second, 5000, 32, 20, 4
	if testing.Short() {
		duration, maxRequests, clients, draws, cacheEntries = time.Second, 3000, 16, 5, 4
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// Four run slots, as on a 4-core machine: without the Monte Carlo
	// memory budget, bursts of large runs would take four times the memory.
	cfg := Config{CacheEntries: cacheEntries, QueueWait: 200 * time.Millisecond, Log: testLog{t}, MaxConcurrent: 4}
	if raceEnabled {
		// The race detector makes a run 5 to 10 times slower: a run that
		// takes 3 s takes 30, the default limit, on a busy machine.
		cfg.Timeout = 5 * time.Minute
	}
	srv := New(cfg)
	if testing.Short() {
		srv = newFakeServer(cfg, &fake{})
	}
	rss := watchRSS(t)
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln, io.Discard) }()
	defer func() {
		stop()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	base := "http://" + ln.Addr().String()
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: time.Minute + cfg.Timeout}

	get := func(path string) (int, []byte, error) {
		resp, err := client.Get(base + path)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, b, err
	}

	// The repeated runs: a handful of settings a class might share.
	repeated := []string{}
	for k := range cacheEntries / 2 {
		repeated = append(repeated, fmt.Sprintf("/api/run?draws=%d&seed=1&belarus_discount=%d", draws, 10+5*k))
	}
	// Warm up: compute the repeated runs and fill the cache with new ones,
	// so that "before" already holds a full cache.
	var chart, csv, bands, compare string
	var ids []string
	for k, p := range repeated {
		code, b, err := get(p)
		if err != nil || code != 200 {
			t.Fatalf("warm-up %s: %d %v %s", p, code, err, b)
		}
		r := decodeBytes[runResponse](t, b)
		ids = append(ids, r.ID)
		if k == 0 {
			chart, csv, bands = r.Charts[0].PNG, r.CSV, r.Bands
		}
	}
	// The page's comparison of two of them (a pinned result and the
	// current one), and its chart.
	compare = "/api/compare/" + ids[0] + "/" + ids[len(ids)-1]
	code, b, err := get(compare)
	if err != nil || code != 200 {
		t.Fatalf("warm-up %s: %d %v %s", compare, code, err, b)
	}
	compareChart := decodeBytes[compareResponse](t, b).Charts[0].PNG
	for k := range cacheEntries / 2 {
		if code, b, err := get(fmt.Sprintf("/api/run?draws=%d&seed=%d", draws, 1000+k)); err != nil || code != 200 {
			t.Fatalf("warm-up: %d %v %s", code, err, b)
		}
	}
	heapBefore, goroutinesBefore := heap(), runtime.NumGoroutine()

	type kind int
	const (
		kindRepeat kind = iota
		kindNew
		kindBad
		kindFile
	)
	allowed := map[kind]map[int]bool{
		kindRepeat: {200: true},
		kindNew:    {200: true, 429: true},
		kindBad:    {400: true},
		// A chart, CSV or comparison of a run the cache has since dropped
		// is a 404; a CSV download waits for a run slot like a run.
		kindFile: {200: true, 404: true, 429: true},
	}
	bad := []string{"/api/run?belarus_discount=99", "/api/run?draws=-3", "/api/run?relief=2025-13", "/api/run?nope=1", "/api/scenario?scenario=nope", "/api/chart/zz/price.png"}

	var (
		sent    atomic.Int64
		mu      sync.Mutex
		counts  = map[int]int{}
		failure []string
		wg      sync.WaitGroup
	)
	deadline := time.Now().Add(duration)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(c), 7))
			for time.Now().Before(deadline) && sent.Add(1) <= int64(maxRequests) {
				var k kind
				var path string
				switch x := rng.IntN(100); {
				case x < 63:
					k, path = kindRepeat, repeated[rng.IntN(len(repeated))]
				case x < 65:
					k, path = kindNew, fmt.Sprintf("/api/run?draws=%d&seed=%d", draws, 2000+rng.IntN(1_000_000))
				case x < 80:
					k, path = kindBad, bad[rng.IntN(len(bad))]
				default:
					k, path = kindFile, []string{"/", "/assets/app.js", "/api/scenarios", chart, csv, bands, compare, compareChart}[rng.IntN(8)]
				}
				code, body, err := get(path)
				mu.Lock()
				counts[code]++
				if err != nil || !allowed[k][code] {
					failure = append(failure, fmt.Sprintf("%s: %d %v %.200s", path, code, err, body))
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	n := min(sent.Load(), int64(maxRequests))
	t.Logf("%d requests from %d clients in %v: status counts %v", n, clients, duration, counts)
	for k, f := range failure {
		if k == 10 {
			t.Errorf("… and %d more", len(failure)-10)
			break
		}
		t.Errorf("unexpected answer: %s", f)
	}
	if counts[200] == 0 {
		t.Error("no request succeeded")
	}

	tr.CloseIdleConnections()
	heapAfter := heap()
	// Generous bound: the cache holds at most cacheEntries runs (charts,
	// paths and bands, a few MB each), full before and after.
	const slack = 64 << 20
	t.Logf("heap in use: %.1f MB before, %.1f MB after the load", float64(heapBefore)/(1<<20), float64(heapAfter)/(1<<20))
	if heapAfter > heapBefore+slack {
		t.Errorf("heap grew from %d to %d bytes under load (bound: +%d)", heapBefore, heapAfter, slack)
	}
	// Bursts of large runs: the 200 draws a run, four clients at
	// once (fewer and smaller under the race detector and -short).
	burstDraws, burstRuns, burstClients := 200, 8, 4
	if testing.Short() || raceEnabled {
		burstDraws, burstRuns, burstClients = 50, 2, 2
	}
	// A run that hits the server's time limit on a machine busy with
	// other work is a clean 503 with its message, not a failure of the
	// server; at least one run of the burst must complete.
	var bwg sync.WaitGroup
	var next, burstOK atomic.Int64
	for range burstClients {
		bwg.Add(1)
		go func() {
			defer bwg.Done()
			for k := next.Add(1); k <= int64(burstRuns); k = next.Add(1) {
				path := fmt.Sprintf("/api/run?draws=%d&seed=%d", burstDraws, 5000+k)
				code, body, err := get(path)
				timeLimit := code == 503 && bytes.Contains(body, []byte("took longer than the limit"))
				switch {
				case err == nil && code == 200:
					burstOK.Add(1)
				case err == nil && (code == 429 || timeLimit):
					if timeLimit {
						t.Logf("burst %s: the server's time limit (a busy machine)", path)
					}
				default:
					t.Errorf("burst %s: %d %v %.200s", path, code, err, body)
				}
			}
		}()
	}
	bwg.Wait()
	if burstOK.Load() == 0 {
		t.Errorf("no run of the burst of %d completed", burstRuns)
	}
	tr.CloseIdleConnections()
	peak := rss.stop()
	time.Sleep(500 * time.Millisecond) // the memory of the last large run goes back
	t.Logf("resident set: peak %.0f MB under load and bursts of %d runs of %d draws; %.0f MB after them",
		float64(peak)/(1<<20), burstRuns, burstDraws, float64(procStatus("VmRSS"))/(1<<20))
	if peak > 400<<20 && !raceEnabled {
		t.Errorf("resident set peaked at %d MB, want under 400 MB", peak>>20)
	}

	// Goroutines return to where they were (no handler or computation left
	// behind), give or take the transport's.
	for wait := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > goroutinesBefore+4 && time.Now().Before(wait); {
		time.Sleep(20 * time.Millisecond)
	}
	if g := runtime.NumGoroutine(); g > goroutinesBefore+4 {
		t.Errorf("%d goroutines after the load, %d before", g, goroutinesBefore)
	}
}

// heap returns the bytes of live heap objects after a full collection.
func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// rssWatch samples the process's resident set.
type rssWatch struct {
	done chan struct{}
	peak chan uint64
}

// watchRSS samples the resident set every 20 ms until stop, which returns
// the largest sample and the kernel's peak (VmHWM, reset at the start
// where the kernel allows). On systems without /proc it returns 0.
func watchRSS(t *testing.T) *rssWatch {
	// Reset the kernel's peak so that earlier tests in this process do not
	// count (Linux: "5" to clear_refs).
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	w := &rssWatch{done: make(chan struct{}), peak: make(chan uint64, 1)}
	go func() {
		var peak uint64
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			if v := procStatus("VmRSS"); v > peak {
				peak = v
			}
			select {
			case <-w.done:
				w.peak <- max(peak, procStatus("VmHWM"))
				return
			case <-tick.C:
			}
		}
	}()
	return w
}

func (w *rssWatch) stop() uint64 {
	close(w.done)
	return <-w.peak
}

// procStatus returns a "kB" field of /proc/self/status in bytes, or 0.
func procStatus(field string) uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err == nil {
				return n << 10
			}
		}
	}
	return 0
}
