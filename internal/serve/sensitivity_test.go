package serve

import (
	"context"
	"errors"
	"image/png"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/internal/run"
	"github.com/potash-sim/potash/scenarios"
)

// sensAnswer is the JSON of /api/sensitivity, an answer or an error.
type sensAnswer struct {
	sensitivityResponse
	Error string `json:"error"`
	Field string `json:"field"`
}

// TestSensitivity: /api/sensitivity runs the tornado of the asked metric
// through the run pipeline with the page's control values applied (the
// --set paths /api/run uses), ranks the parameters by swing, serves its
// chart as PNG and SVG and its sensitivity.csv, names the command line
// that gives the same numbers, and computes identical requests once.
func TestSensitivity(t *testing.T) {
	for _, tc := range []struct {
		name     string
		method   string
		target   string
		body     string
		metric   string
		unit     string
		sets     []string // the --set arguments the scenario is loaded with
		command  string
		settings string
		notes    []string
	}{
		{name: "default metric", method: "GET", target: "/api/sensitivity", metric: "revenue_change.Belarus", unit: "$M",
			command: "potash sensitivity us-relief-2025 --metric revenue_change.Belarus"},
		{name: "metric", method: "GET", target: "/api/sensitivity?scenario=history&metric=benchmark_price_change", metric: "benchmark_price_change", unit: "$/t",
			command: "potash sensitivity history --metric benchmark_price_change"},
		{name: "controls applied", method: "GET", target: "/api/sensitivity?belarus_discount=40&klaipeda=2026-06&both=klaipeda&demand_elasticity=0.5",
			metric: "revenue_change.Belarus", unit: "$M",
			sets:     []string{"market.regions.*.demand_elasticity=0.5", "scenario.events.belarus-discount.pct=40", "events.klaipeda-closed.end=2026-06"},
			command:  "potash sensitivity us-relief-2025 --metric revenue_change.Belarus --set 'market.regions.*.demand_elasticity=0.5' --set scenario.events.belarus-discount.pct=40 --set events.klaipeda-closed.end=2026-06",
			settings: "Demand elasticity (all regions): 0.5 (both runs); Buyers' risk cost on Belarusian potash: 40% (scenario only); Klaipėda corridor reopens: 2026-06 (both runs)"},
		{name: "upload", method: "POST", target: "/api/sensitivity?file=mine.yaml&metric=revenue_change.Canada&belarus_discount=20", body: validUpload,
			metric: "revenue_change.Canada", unit: "$M", sets: []string{"scenario.events.belarus-discount.pct=20"},
			command:  "potash sensitivity mine.yaml --metric revenue_change.Canada --set scenario.events.belarus-discount.pct=20",
			settings: "Buyers' risk cost on Belarusian potash: 20% (scenario only)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fake{}
			s := newFakeServer(Config{}, f)
			var body []byte
			if tc.body != "" {
				body = []byte(tc.body)
			}
			w := do(t, s, tc.method, tc.target, body)
			a := decode[sensAnswer](t, w)
			if w.Code != 200 {
				t.Fatalf("status %d: %s", w.Code, a.Error)
			}
			f.mu.Lock()
			gotSets, gotMetric, gotUnc := slices.Clone(f.lastSets), f.lastMetric, slices.Clone(f.lastUnc)
			f.mu.Unlock()
			if !slices.Equal(gotSets, tc.sets) && (len(gotSets) > 0 || len(tc.sets) > 0) {
				t.Errorf("scenario loaded with sets %q, want %q", gotSets, tc.sets)
			}
			if gotMetric != tc.metric || a.Metric != tc.metric || a.Unit != tc.unit {
				t.Errorf("metric: analysed %q, answered %q in %q; want %q in %q", gotMetric, a.Metric, a.Unit, tc.metric, tc.unit)
			}
			wantUnc := []string{"events.belarus-discount.pct", "market.regions.*.demand_elasticity"}
			if !slices.Equal(gotUnc, wantUnc) {
				t.Errorf("analysed the parameters %q, want the scenario's %q", gotUnc, wantUnc)
			}
			if a.Command != tc.command || a.Settings != tc.settings {
				t.Errorf("command %q, settings %q; want %q, %q", a.Command, a.Settings, tc.command, tc.settings)
			}
			// Ranked by swing: the fake's last parameter swings most.
			if len(a.Bars) != 2 || a.Runs != 5 || a.Bars[0].Param != wantUnc[1] || a.Bars[0].Rank != 1 || a.Bars[0].Swing != 6 || a.Bars[1].Swing != 3 {
				t.Fatalf("bars %+v, runs %d: want the elasticity first (swing 6), then the discount (3), of 5 runs", a.Bars, a.Runs)
			}
			b := a.Bars[0]
			if b.Label != "Demand elasticity, all regions" || b.LowText != "0.2" || b.HighText != "0.6" || b.AtLow != a.Base-2 || b.AtHigh != a.Base+4 {
				t.Errorf("first bar %+v (base %v)", b, a.Base)
			}
			// The metric in the words of the headline and the metrics
			// table (report.MetricLabel), which say which revenue it is.
			if want := map[string]string{
				"revenue_change.Belarus": "Belarus export revenue (FOB), cumulative change",
				"revenue_change.Canada":  "Canada export revenue (FOB), cumulative change",
				"benchmark_price_change": "Benchmark potash price (Brazil CFR), mean change",
			}[tc.metric]; a.Label != want {
				t.Errorf("label %q, want %q", a.Label, want)
			}
			if a.Label == "" || a.BaseText == "" || a.UnitText == "" || b.AtLowText == "" || b.SwingText == "" {
				t.Errorf("texts missing: %+v", a.sensitivityResponse)
			}
			// The chart, in both formats, and the CSV of the command line.
			for _, u := range []struct{ url, ctype string }{{a.Chart.PNG, "image/png"}, {a.Chart.SVG, "image/svg+xml"}} {
				cw := do(t, s, "GET", u.url, nil)
				if cw.Code != 200 || cw.Header().Get("Content-Type") != u.ctype {
					t.Errorf("%s: status %d, %q", u.url, cw.Code, cw.Header().Get("Content-Type"))
				}
			}
			if a.Chart.Name != "tornado" || !strings.HasPrefix(a.Chart.Title, "What moves ") || a.Chart.Width == 0 {
				t.Errorf("chart %+v", a.Chart)
			}
			cw := do(t, s, "GET", a.CSV, nil)
			head, _, _ := strings.Cut(cw.Body.String(), "\n")
			if cw.Code != 200 || !strings.HasPrefix(head, "scenario,metric,unit,base,rank,param,") ||
				!strings.Contains(cw.Header().Get("Content-Disposition"), report.FileSensitivity) || strings.Count(cw.Body.String(), "\n") != 3 {
				t.Errorf("CSV: status %d, %q, %q", cw.Code, cw.Header().Get("Content-Disposition"), cw.Body.String())
			}
			// The same request again: from the cache, no new analysis.
			n := f.simulates.Load()
			w = do(t, s, tc.method, tc.target, body)
			if a2 := decode[sensAnswer](t, w); w.Code != 200 || !a2.Cached || a2.ID != a.ID || f.simulates.Load() != n {
				t.Errorf("repeated request: status %d, cached %v, id %s (first %s), %d analyses", w.Code, a2.Cached, a2.ID, a.ID, f.simulates.Load())
			}
		})
	}

	// A control's value moves the analysis' base: Belarus's revenue
	// change falls with the risk cost on its potash (the fake's sign).
	s := newFakeServer(Config{}, &fake{})
	lo := decode[sensAnswer](t, do(t, s, "GET", "/api/sensitivity?belarus_discount=5", nil))
	hi := decode[sensAnswer](t, do(t, s, "GET", "/api/sensitivity?belarus_discount=50", nil))
	if !(hi.Base < lo.Base) || lo.ID == hi.ID {
		t.Errorf("base %v at a 50%% risk cost, %v at 5%%: want lower (ids %s, %s)", hi.Base, lo.Base, hi.ID, lo.ID)
	}
	// A run's id is not a sensitivity analysis' and the other way round.
	r := decode[runAnswer](t, do(t, s, "GET", "/api/run?draws=5", nil))
	for _, target := range []string{"/api/compare/" + r.ID + "/" + lo.ID, "/api/compare/" + lo.ID + "/" + r.ID, "/api/bands/" + lo.ID, "/api/draws/" + lo.ID} {
		if w := do(t, s, "GET", target, nil); w.Code != 404 || !strings.Contains(w.Body.String(), "is a sensitivity analysis, not a run") {
			t.Errorf("%s: status %d %s", target, w.Code, w.Body)
		}
	}
	if w := do(t, s, "GET", "/api/chart/"+lo.ID+"/price.png", nil); w.Code != 404 || !strings.Contains(w.Body.String(), "charts: tornado") {
		t.Errorf("a run's chart of a sensitivity analysis: status %d %s", w.Code, w.Body)
	}
}

// TestSensitivityBadInput: a request the server cannot analyse is a 400
// naming the parameter at fault, before any computation.
func TestSensitivityBadInput(t *testing.T) {
	for _, tc := range []struct {
		name, method, target, body string
		status                     int
		field, msg                 string
	}{
		{"unknown metric", "GET", "/api/sensitivity?metric=revenue_change.Belaru", "", 400, "metric", `unknown metric "revenue_change.Belaru"; did you mean "revenue_change.Belarus"?`},
		{"metric of no supplier", "GET", "/api/sensitivity?metric=revenue_change.Narnia", "", 400, "metric", `unknown metric "revenue_change.Narnia"`},
		{"metric too long", "GET", "/api/sensitivity?metric=" + strings.Repeat("x", 200), "", 400, "metric", "longer than 100 characters"},
		{"metric twice", "GET", "/api/sensitivity?metric=benchmark_price_change&metric=revenue_change.Belarus", "", 400, "metric", "given 2 times"},
		{"draws", "GET", "/api/sensitivity?draws=50", "", 400, "draws", "a sensitivity analysis has no Monte Carlo draws"},
		{"seed", "GET", "/api/sensitivity?seed=3", "", 400, "seed", "leave out draws and seed"},
		{"control out of range", "GET", "/api/sensitivity?belarus_discount=99", "", 400, "belarus_discount", "outside the allowed range 0–60%"},
		{"month outside the horizon", "GET", "/api/sensitivity?relief=2040-01", "", 400, "relief", "outside the scenario's horizon"},
		{"both on a market parameter", "GET", "/api/sensitivity?both=demand_elasticity", "", 400, "both", "always changes both runs"},
		{"unknown parameter", "GET", "/api/sensitivity?metrics=x", "", 400, "metrics", "unknown parameter; known: scenario, metric, both, demand_elasticity"},
		{"unknown scenario", "GET", "/api/sensitivity?scenario=histroy", "", 400, "scenario", `did you mean "history"?`},
		{"malformed query", "GET", "/api/sensitivity?%zz", "", 400, "", "malformed query string"},
		{"upload naming a built-in", "POST", "/api/sensitivity?scenario=history", validUpload, 400, "scenario", "an uploaded scenario cannot also name a built-in"},
		{"empty upload", "POST", "/api/sensitivity?file=x.yaml", "", 400, "body", "empty"},
		{"bad upload", "POST", "/api/sensitivity?file=x.yaml", "nonsense\n", 400, "", "the scenario has 2 errors"},
		{"PUT", "PUT", "/api/sensitivity", "", 404, "", "no such endpoint: PUT /api/sensitivity"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fake{}
			s := newFakeServer(Config{}, f)
			var body []byte
			if tc.method == "POST" {
				body = []byte(tc.body)
			}
			w := do(t, s, tc.method, tc.target, body)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			a := decode[sensAnswer](t, w)
			if a.Field != tc.field || !strings.Contains(a.Error, tc.msg) {
				t.Errorf("field %q error %q; want %q with %q", a.Field, a.Error, tc.field, tc.msg)
			}
			if n := f.simulates.Load(); n != 0 {
				t.Errorf("%d simulations for a bad request", n)
			}
		})
	}
}

// TestSensitivityLimits: an analysis takes a run slot (429 when none
// frees within QueueWait), stops at the time limit (503) and when its
// client goes away (503, the computation cancelled), and its failures
// are the run's: 422 for the model, 500 for a bug, the server serving on.
func TestSensitivityLimits(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cfg    Config
		f      *fake
		setup  func(t *testing.T, s *Server, f *fake) (ctx context.Context, done func())
		status int
		msg    string
	}{
		{name: "time limit", cfg: Config{Timeout: 50 * time.Millisecond}, f: &fake{block: make(chan struct{})},
			status: 503, msg: "took longer than the limit of 50ms"},
		{name: "client gone", cfg: Config{Timeout: time.Minute}, f: &fake{block: make(chan struct{})},
			setup: func(t *testing.T, s *Server, f *fake) (context.Context, func()) {
				ctx, cancel := context.WithCancel(context.Background())
				go func() {
					waitSimulates(t, f, 1)
					cancel()
				}()
				return ctx, cancel
			},
			status: 503, msg: "the run was cancelled"},
		{name: "busy", cfg: Config{MaxConcurrent: 1, QueueWait: 30 * time.Millisecond}, f: &fake{block: make(chan struct{})},
			setup: func(t *testing.T, s *Server, f *fake) (context.Context, func()) {
				// A run holds the only slot.
				var wg sync.WaitGroup
				wg.Add(1)
				go func() {
					defer wg.Done()
					do(t, s, "GET", "/api/run?draws=0", nil)
				}()
				waitSimulates(t, f, 1)
				return context.Background(), func() { close(f.block); wg.Wait() }
			},
			status: 429, msg: "busy"},
		{name: "model error", f: &fake{simErr: errors.New("calibrate: regions[Brazil].sigma: 0.8 must exceed 1")},
			status: 422, msg: "the model could not run these settings: sensitivity of us-relief-2025: calibrate: regions[Brazil].sigma"},
		{name: "panic", f: &fake{panicMsg: "boom"}, status: 500, msg: "internal error (a bug in potash, please report it): boom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newFakeServer(tc.cfg, tc.f)
			ctx := context.Background()
			if tc.setup != nil {
				var done func()
				ctx, done = tc.setup(t, s, tc.f)
				defer done()
			}
			w := httptest.NewRecorder()
			req := httptest.NewRequest("GET", "http://127.0.0.1/api/sensitivity?metric=benchmark_price_change", nil).WithContext(ctx)
			s.ServeHTTP(w, req)
			a := decode[sensAnswer](t, w)
			if w.Code != tc.status || !strings.Contains(a.Error, tc.msg) {
				t.Errorf("status %d error %q; want %d %q", w.Code, a.Error, tc.status, tc.msg)
			}
			if (w.Code == 429 || w.Code == 503) && w.Header().Get("Retry-After") == "" {
				t.Errorf("status %d without Retry-After", w.Code)
			}
			if tc.name == "client gone" {
				// The analysis stopped with its client: its slot is free.
				for deadline := time.Now().Add(2 * time.Second); len(s.sem) > 0; time.Sleep(time.Millisecond) {
					if time.Now().After(deadline) {
						t.Fatal("the analysis goes on after its client left: its run slot is still taken")
					}
				}
			}
			if s.cache.len() > 1 {
				t.Errorf("%d entries cached after a failure", s.cache.len())
			}
			if w := do(t, s, "GET", "/healthz", nil); w.Code != 200 {
				t.Errorf("server broken after the failure: %d", w.Code)
			}
		})
	}
}

// waitSimulates waits until f has started n simulations.
func waitSimulates(t *testing.T, f *fake, n int32) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); f.simulates.Load() < n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Error("the computation never started")
			return
		}
	}
}

// FuzzSensitivityQuery: /api/sensitivity answers any query with the
// analysis or a 400, in JSON, and parseSensitivityQuery never panics; what
// it accepts has no draws or seed, a metric of bounded length, and a
// canonical query that parses back to the same request.
func FuzzSensitivityQuery(f *testing.F) {
	for _, seed := range []string{
		"", "scenario=us-relief-2025&metric=benchmark_price_change&belarus_discount=25", "metric=", "metric=a&metric=b",
		"draws=1", "seed=1", "relief=never&klaipeda=2026-06&both=klaipeda", "metric=%zz", "metric=" + strings.Repeat("m", 101),
	} {
		f.Add(seed, false)
	}
	builtins := []scenarios.Info{{Name: "history"}, {Name: "us-relief-2025"}}
	lim := Limits{MaxDraws: 100, DefaultDraws: 10, MaxMonths: 360, MaxUploadBytes: 1 << 20}
	srv := newFakeServer(Config{}, &fake{})
	f.Fuzz(func(t *testing.T, raw string, upload bool) {
		// Through the handler: an answer or a 400, JSON, never a panic.
		req := httptest.NewRequest("GET", "http://127.0.0.1/api/sensitivity", nil)
		req.URL.RawQuery = raw
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		if w.Code != 200 && w.Code != 400 {
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
		if a := decode[sensAnswer](t, w); (w.Code == 200) != (a.Error == "") {
			t.Fatalf("status %d with error %q", w.Code, a.Error)
		}
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		p, err := parseSensitivityQuery(q, upload, builtins, lim)
		if err != nil {
			var ie *inputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is not an input error", err)
			}
			return
		}
		if p.Draws != 0 || p.Seed != 0 || p.Metric == "" || len(p.Metric) > maxMetricName {
			t.Fatalf("accepted draws %d, seed %d, metric %q", p.Draws, p.Seed, p.Metric)
		}
		if q.Has("draws") || q.Has("seed") {
			t.Fatalf("accepted %q", raw)
		}
		q2, err := url.ParseQuery(p.canonicalQuery())
		if err != nil {
			t.Fatal(err)
		}
		p2, err := parseSensitivityQuery(q2, upload, builtins, lim)
		if err != nil || p2.canonicalQuery() != p.canonicalQuery() {
			t.Fatalf("canonical query %q does not round-trip: %v", p.canonicalQuery(), err)
		}
	})
}

// TestRealSensitivityLevel: the tornado of a level of the scenario
// (benchmark_price) gives its base and each end's value without a sign,
// as `potash sensitivity` prints them: a level is not a change.
func TestRealSensitivityLevel(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the real model")
	}
	s := New(realConfig)
	w := do(t, s, "GET", "/api/sensitivity?scenario=us-relief-2025&metric=benchmark_price", nil)
	a := decode[sensAnswer](t, w)
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, a.Error)
	}
	if a.Base < 100 || strings.Contains(a.BaseText, "+") || len(a.Bars) == 0 {
		t.Fatalf("base %v as %q with %d bars; want a price level without a sign", a.Base, a.BaseText, len(a.Bars))
	}
	for _, b := range a.Bars {
		if strings.Contains(b.AtLowText+b.AtHighText, "+") {
			t.Errorf("%s: at low %q, at high %q: signed as changes", b.Param, b.AtLowText, b.AtHighText)
		}
	}
}

// TestRealSensitivity: the page's tornado, on the real scenarios, model
// and plots packages, is the command line's: the bars of `potash
// sensitivity` with the --set values the answer's command line shows
// (computed here by the run pipeline), the chart a PNG of the page's
// size, and sensitivity.csv the command line's file.
func TestRealSensitivity(t *testing.T) {
	s := New(realConfig)
	w := do(t, s, "GET", "/api/sensitivity?scenario=us-relief-2025&belarus_discount=25&relief=2026-06&metric=benchmark_price_change", nil)
	a := decode[sensAnswer](t, w)
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, a.Error)
	}
	sets := []string{"scenario.events.belarus-discount.pct=25", "scenario.events.us-ban.end=2026-06"}
	if want := "potash sensitivity us-relief-2025 --metric benchmark_price_change --set " + strings.Join(sets, " --set "); a.Command != want {
		t.Errorf("command %q, want %q", a.Command, want)
	}
	sc, err := scenarios.Load("us-relief-2025", sets)
	if err != nil {
		t.Fatal(err)
	}
	want, err := run.Sensitivity(context.Background(), run.SensitivityRequest{Scenario: sc, Sets: sets, Metric: "benchmark_price_change"})
	if err != nil {
		t.Fatal(err)
	}
	sum := want.Summary
	if a.Base != sum.Base || len(a.Bars) != len(sum.Bars) || a.Unit != sum.Unit || a.UnitText != "$/t" {
		t.Fatalf("base %v in %q with %d bars; the pipeline gives %v in %q with %d", a.Base, a.Unit, len(a.Bars), sum.Base, sum.Unit, len(sum.Bars))
	}
	for k, b := range sum.Bars {
		g := a.Bars[k]
		if g.Param != b.Param || g.Low != b.Low || g.High != b.High || g.AtLow != b.AtLow || g.AtHigh != b.AtHigh || g.Swing != b.Swing {
			t.Errorf("bar %d: %+v; the pipeline gives %+v", k+1, g, b)
		}
	}
	// The discount is fixed by the control: not among the parameters
	// ranked, and the page says so.
	for _, b := range a.Bars {
		if b.Param == "events.belarus-discount.pct" {
			t.Errorf("the risk cost fixed by a control is still ranked")
		}
	}
	if len(a.Notes) == 0 || !strings.Contains(a.Notes[0], "not among the parameters ranked") {
		t.Errorf("notes %q: want one on the fixed risk cost", a.Notes)
	}
	pw := do(t, s, "GET", a.Chart.PNG, nil)
	img, err := png.DecodeConfig(pw.Body)
	if err != nil || img.Width != a.Chart.Width || img.Height != a.Chart.Height {
		t.Errorf("tornado PNG %dx%d (%v), want %dx%d", img.Width, img.Height, err, a.Chart.Width, a.Chart.Height)
	}
	var file strings.Builder
	if err := report.WriteSensitivityCSV(&file, sum); err != nil {
		t.Fatal(err)
	}
	if cw := do(t, s, "GET", a.CSV, nil); cw.Code != 200 || cw.Body.String() != file.String() {
		t.Errorf("sensitivity.csv: status %d, differs from the command line's:\n%s\nwant\n%s", cw.Code, cw.Body, file.String())
	}
}
