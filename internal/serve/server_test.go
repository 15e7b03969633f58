package serve

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/potash-sim/potash/scenarios"
)

// do sends a request to s and returns the recorder.
func do(t *testing.T, s http.Handler, method, target string, body []byte) *httptest.ResponseRecorder {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req := httptest.NewRequest(method, target, r)
	req.Host = "127.0.0.1:8080"
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-yaml")
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	return w
}

func decode[T any](t *testing.T, w *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Fatalf("answer is not JSON (%v): %q", err, w.Body.String())
	}
	return v
}

const validUpload = "title: My scenario\nextends: history\n"

func TestStaticEndpoints(t *testing.T) {
	s := newFakeServer(Config{}, &fake{})
	for _, tc := range []struct {
		target, ctype, contains string
		status                  int
	}{
		{"/", "text/html", `<select id="scenario"`, 200},
		{"/?scenario=history&belarus_discount=30", "text/html", `<script src="/assets/app.js"`, 200},
		{"/assets/app.js", "javascript", "/api/run?", 200},
		{"/assets/style.css", "text/css", ".charts", 200},
		{"/assets/nope.js", "", "", 404},
		{"/healthz", "", "ok", 200},
		{"/api/nope", "application/json", "no such endpoint", 404},
		{"/nope", "", "", 404},
	} {
		t.Run(tc.target, func(t *testing.T) {
			w := do(t, s, "GET", tc.target, nil)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			if !strings.Contains(w.Header().Get("Content-Type"), tc.ctype) {
				t.Errorf("Content-Type %q, want %q", w.Header().Get("Content-Type"), tc.ctype)
			}
			if !strings.Contains(w.Body.String(), tc.contains) {
				t.Errorf("body lacks %q", tc.contains)
			}
			if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
				t.Errorf("CSP %q", csp)
			}
		})
	}
}

// TestPageOffline checks that the page and its assets refer to nothing off
// this server (no CDN).
func TestPageOffline(t *testing.T) {
	for _, f := range []string{"assets/index.html", "assets/app.js", "assets/style.css"} {
		b, err := assetFS.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"http://", "https://", "//cdn", "@import"} {
			if i := bytes.Index(b, []byte(bad)); i >= 0 {
				t.Errorf("%s refers to %q at byte %d: assets must be embedded", f, bad, i)
			}
		}
	}
}

func TestScenariosEndpoint(t *testing.T) {
	s := newFakeServer(Config{MaxDraws: 300}, &fake{})
	w := do(t, s, "GET", "/api/scenarios", nil)
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	v := decode[struct {
		Default  string
		Builtins []struct{ Name string }
		Controls []Control
		Limits   Limits
	}](t, w)
	if v.Default != "us-relief-2025" || len(v.Builtins) != 2 || len(v.Controls) != len(Controls) || v.Limits.MaxDraws != 300 {
		t.Errorf("got %+v", v)
	}
	for _, c := range v.Controls {
		if c.Label == "" || c.Unit == "" || c.Path == "" || c.Help == "" {
			t.Errorf("control %s lacks label, unit, path or help", c.ID)
		}
		if c.Kind == KindNumber && !(c.Min < c.Max && c.Step > 0) {
			t.Errorf("control %s has range %v–%v step %v", c.ID, c.Min, c.Max, c.Step)
		}
	}
}

func TestScenarioEndpoint(t *testing.T) {
	s := newFakeServer(Config{}, &fake{})
	for _, tc := range []struct {
		target string
		status int
		want   string
	}{
		{"/api/scenario", 200, `"name":"us-relief-2025"`},
		{"/api/scenario?scenario=history", 200, `"name":"history"`},
		{"/api/scenario?scenario=nope", 400, "not a built-in scenario"},
		{"/api/scenario?scenario=../../etc/passwd", 400, "not a built-in scenario"},
		{"/api/scenario?foo=1", 400, "unknown parameter"},
	} {
		t.Run(tc.target, func(t *testing.T) {
			w := do(t, s, "GET", tc.target, nil)
			if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.want) {
				t.Fatalf("status %d body %s; want %d and %q", w.Code, w.Body, tc.status, tc.want)
			}
		})
	}
	w := do(t, s, "GET", "/api/scenario", nil)
	info := decode[scenarioInfo](t, w)
	want := map[string]string{
		"demand_elasticity": "0.3", "substitution_elasticity": "4", "belarus_discount": "15",
		"relief": "2025-12", "klaipeda": Never, "russian_ports": "8.4", "jansen_start": "2027-07",
	}
	for _, c := range info.Controls {
		if !c.Available || c.Value != want[c.ID] {
			t.Errorf("control %s: available %v value %q, want %q", c.ID, c.Available, c.Value, want[c.ID])
		}
	}
	// Which runs each control changes: market parameters both; events the
	// scenario only by default, both allowed where the counterfactual holds
	// the same event (not the US ban, which never ends there).
	type runs struct {
		runs    Runs
		canBoth bool
		cfValue string
	}
	wantRuns := map[string]runs{
		"demand_elasticity": {RunsBoth, true, "0.3"}, "substitution_elasticity": {RunsBoth, true, "4"},
		"belarus_discount": {RunsScenario, true, "15"}, "relief": {RunsScenario, false, Never},
		"klaipeda": {RunsScenario, true, Never}, "russian_ports": {RunsScenario, true, "8.4"}, "jansen_start": {RunsScenario, true, "2027-07"},
	}
	for _, c := range info.Controls {
		if got := (runs{c.Runs, c.CanBoth, c.CounterfactualValue}); got != wantRuns[c.ID] {
			t.Errorf("control %s: runs %+v, want %+v", c.ID, got, wantRuns[c.ID])
		}
	}
	// The values as the page shows them, with their unit (the page has
	// no table of units of its own).
	wantText := map[string]string{
		"demand_elasticity": "0.3", "substitution_elasticity": "4", "belarus_discount": "15%",
		"relief": "2025-12", "klaipeda": Never, "russian_ports": "8.4 Mt/yr", "jansen_start": "2027-07",
	}
	for _, c := range info.Controls {
		if c.ValueText != wantText[c.ID] || c.CounterfactualValueText != c.valueText(wantRuns[c.ID].cfValue) {
			t.Errorf("control %s: value text %q, counterfactual's %q; want %q", c.ID, c.ValueText, c.CounterfactualValueText, wantText[c.ID])
		}
	}
}

type runAnswer struct {
	runResponse
	Error       string
	Field       string
	Diagnostics []diagnostic
}

func TestRun(t *testing.T) {
	f := &fake{}
	s := newFakeServer(Config{}, f)
	w := do(t, s, "GET", "/api/run", nil)
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	r := decode[runAnswer](t, w)
	if len(r.Headline) != 7 || r.Headline[0].Metric != "benchmark_price_change" {
		t.Fatalf("headline %+v", r.Headline)
	}
	if len(r.Charts) != len(fakeCharts) || r.Charts[0].Name != "price" || r.Charts[1].Name != "revenue_change" || !r.Charts[1].Main || r.Charts[5].Main {
		t.Errorf("charts %+v: want the price chart first, then revenue", r.Charts)
	}
	if r.Bands == "" || r.DrawsCSV == "" {
		t.Errorf("a run with draws offers no bands.csv (%q) or draws.csv (%q)", r.Bands, r.DrawsCSV)
	}
	if w, h := chartPixels(); r.Charts[0].Width != w || r.Charts[0].Height != h || w != 1250 || h != 781 {
		t.Errorf("chart size %d × %d, want the web preset's 1250 × 781 (600 × 375 pt at 150 DPI)", r.Charts[0].Width, r.Charts[0].Height)
	}
	if r.Draws != DefaultDraws || r.Converged != DefaultDraws || !r.Headline[1].HasBand {
		t.Errorf("draws %d converged %d band %v", r.Draws, r.Converged, r.Headline[1].HasBand)
	}
	if want := "potash run us-relief-2025 --seed 1 --draws 50"; r.Command != want {
		t.Errorf("command %q, want %q", r.Command, want)
	}
	if r.Cached {
		t.Error("first run says cached")
	}

	// A larger discount lowers Belarus's revenue change (the fake model's
	// sign); the setting reaches the scenario as its --set path.
	belarus := func(r runAnswer) float64 {
		for _, h := range r.Headline {
			if h.Metric == "revenue_change.Belarus" {
				return h.Value
			}
		}
		t.Fatal("no Belarus row")
		return 0
	}
	w2 := do(t, s, "GET", "/api/run?belarus_discount=40&relief=2026-06&draws=0&seed=7", nil)
	if w2.Code != 200 {
		t.Fatalf("status %d: %s", w2.Code, w2.Body)
	}
	r2 := decode[runAnswer](t, w2)
	if !(belarus(r2) < belarus(r)) {
		t.Errorf("Belarus revenue change %v with 40%% discount and later relief, %v before: want lower", belarus(r2), belarus(r))
	}
	// Event controls change the scenario only, unless both= names them.
	if want := "potash run us-relief-2025 --seed 7 --set scenario.events.belarus-discount.pct=40 --set scenario.events.us-ban.end=2026-06"; r2.Command != want {
		t.Errorf("command %q, want %q", r2.Command, want)
	}
	if r2.Draws != 0 || r2.Headline[1].HasBand {
		t.Errorf("no draws asked, got %d draws, band %v", r2.Draws, r2.Headline[1].HasBand)
	}
	if r2.Query != "belarus_discount=40&draws=0&relief=2026-06&scenario=us-relief-2025&seed=7" {
		t.Errorf("query %q", r2.Query)
	}

	// "never" keeps the ban for the whole horizon: the month after its end.
	w3 := do(t, s, "GET", "/api/run?relief=never&demand_elasticity=0.8", nil)
	r3 := decode[runAnswer](t, w3)
	if w3.Code != 200 || !strings.Contains(r3.Command, "--set scenario.events.us-ban.end=2029-01") ||
		!strings.Contains(r3.Command, "--set 'market.regions.*.demand_elasticity=0.8'") {
		t.Errorf("status %d command %q", w3.Code, r3.Command)
	}

	// both= makes an event control change the counterfactual's common
	// event too: the headline then moves less than with the scenario's
	// alone (here the counterfactual loses as much to the discount).
	w5 := do(t, s, "GET", "/api/run?belarus_discount=40&both=belarus_discount&draws=0&seed=7", nil)
	r5 := decode[runAnswer](t, w5)
	if w5.Code != 200 || !strings.Contains(r5.Command, "--set events.belarus-discount.pct=40") || !strings.Contains(r5.Query, "both=belarus_discount") {
		t.Errorf("both: status %d command %q query %q", w5.Code, r5.Command, r5.Query)
	}
	w6 := do(t, s, "GET", "/api/run?belarus_discount=40&draws=0&seed=7", nil)
	r6 := decode[runAnswer](t, w6)
	if d5, d6 := belarus(r5)-belarus(r), belarus(r6)-belarus(r); !(math.Abs(d5) < math.Abs(d6)) {
		t.Errorf("Belarus revenue change moves by %v with the discount in both runs, %v in the scenario only: want less in both", d5, d6)
	}
	if want := "Buyers' risk cost on Belarusian potash: 40% (both runs)"; r5.Settings != want {
		t.Errorf("settings %q, want %q", r5.Settings, want)
	}
	if want := "Buyers' risk cost on Belarusian potash: 40% (scenario only)"; r6.Settings != want {
		t.Errorf("settings %q, want %q", r6.Settings, want)
	}

	// The same request again comes from the cache.
	n := f.simulates.Load()
	w4 := do(t, s, "GET", "/api/run?seed=7&draws=0&relief=2026-06&belarus_discount=40", nil)
	if r4 := decode[runAnswer](t, w4); !r4.Cached || r4.ID != r2.ID || f.simulates.Load() != n {
		t.Errorf("repeat: cached %v id %s (want %s), simulations %d → %d", r4.Cached, r4.ID, r2.ID, n, f.simulates.Load())
	}
}

// TestRunBadInput: every malformed or out-of-range request gets a 4xx with a
// message naming the problem, never a 500.
func TestRunBadInput(t *testing.T) {
	s := newFakeServer(Config{MaxDraws: 500}, &fake{})
	for _, tc := range []struct {
		query  string
		status int
		field  string
		msg    string
	}{
		{"belarus_discount=99", 400, "belarus_discount", "99% is outside the allowed range 0–60%"},
		{"belarus_discount=-1", 400, "belarus_discount", "outside the allowed range"},
		{"belarus_discount=abc", 400, "belarus_discount", `"abc" is not a number`},
		{"belarus_discount=NaN", 400, "belarus_discount", "not a number"},
		{"belarus_discount=Inf", 400, "belarus_discount", "not a number"},
		{"belarus_discount=1e400", 400, "belarus_discount", "not a number"},
		{"belarus_discount=", 400, "belarus_discount", "not a number"},
		{"demand_elasticity=3.5", 400, "demand_elasticity", "demand_elasticity: 3.5 is outside the allowed range 0.06–3"},
		{"substitution_elasticity=1", 400, "substitution_elasticity", "outside the allowed range 1.75–30"},
		{"russian_ports=25", 400, "russian_ports", "outside the allowed range 0–20 Mt/yr"},
		{"relief=2025-13", 400, "relief", `"2025-13" is not a month YYYY-MM or "never"`},
		{"relief=next year", 400, "relief", "is not a month"},
		{"relief=2019-06", 400, "relief", "outside the scenario's horizon 2020-01 to 2028-12"},
		{"jansen_start=never", 400, "jansen_start", "is not a month YYYY-MM"},
		{"jansen_start=2031-01", 400, "jansen_start", "outside the scenario's horizon"},
		{"draws=-1", 400, "draws", "outside the allowed range 0–500"},
		{"draws=501", 400, "draws", "outside the allowed range 0–500"},
		{"draws=1.5", 400, "draws", "not a whole number"},
		{"draws=99999999999999999999", 400, "draws", "not a whole number"},
		{"seed=-1", 400, "seed", "not a whole number"},
		{"seed=18446744073709551616", 400, "seed", "not a whole number"},
		{"scenario=nope", 400, "scenario", `"nope" is not a built-in scenario; built-ins: history, us-relief-2025`},
		{"scenario=us_relief", 400, "scenario", `"us_relief" is not a built-in scenario; did you mean "us-relief-2025"?`},
		{"scenario=/etc/passwd", 400, "scenario", "not a built-in scenario"},
		{"scenario=../us-relief-2025", 400, "scenario", "not a built-in scenario"},
		{"file=x.yaml", 400, "file", "only an upload"},
		{"colour=red", 400, "colour", "unknown parameter; known: scenario, draws, seed, both, demand_elasticity"},
		{"both=relief", 400, "relief", "cannot change both runs: the counterfactual, us-relief-2025 (sanctions stay), defines event \"us-ban\" differently (never there); this control changes the scenario only"},
		{"both=demand_elasticity", 400, "both", "demand_elasticity is a market parameter and always changes both runs"},
		{"both=klaipda", 400, "both", `"klaipda" is not a control`},
		{"draws=1&draws=2", 400, "draws", "given 2 times"},
		{"belarus_discount=%zz", 400, "", "malformed query string: invalid URL escape"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			w := do(t, s, "GET", "/api/run?"+strings.ReplaceAll(tc.query, " ", "%20"), nil)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			a := decode[runAnswer](t, w)
			if a.Field != tc.field || !strings.Contains(a.Error, tc.msg) {
				t.Errorf("field %q error %q; want field %q and %q", a.Field, a.Error, tc.field, tc.msg)
			}
		})
	}
}

func TestRunUpload(t *testing.T) {
	s := newFakeServer(Config{MaxUploadBytes: 1000}, &fake{})
	big := bytes.Repeat([]byte("# padding line\n"), 100)
	for _, tc := range []struct {
		name, query string
		body        []byte
		status      int
		msg         string
	}{
		{"valid", "file=mine.yaml&belarus_discount=20", []byte(validUpload), 200, ""},
		{"default name", "", []byte(validUpload), 200, ""},
		{"errors with line and column", "file=bad.yaml", []byte("title: x\nthis is wrong\n"), 400, "bad.yaml:2:1: (top): expected KEY: VALUE"},
		{"too large", "file=big.yaml", append([]byte(validUpload), big...), 413, "larger than the limit of 0 KiB"},
		{"empty", "file=e.yaml", []byte("  \n"), 400, "empty"},
		{"path as file name", "file=../x.yaml", []byte(validUpload), 400, "plain file name"},
		{"scenario and file", "scenario=history", []byte(validUpload), 400, "cannot also name a built-in"},
		{"out of range", "belarus_discount=200", []byte(validUpload), 400, "outside the allowed range"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := do(t, s, "POST", "/api/run?"+tc.query, tc.body)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			a := decode[runAnswer](t, w)
			if !strings.Contains(a.Error, tc.msg) && !containsDiag(a.Diagnostics, tc.msg) {
				t.Errorf("error %q diagnostics %+v; want %q", a.Error, a.Diagnostics, tc.msg)
			}
			if tc.status == 200 && (!strings.HasPrefix(a.Command, "potash run ") || len(a.Charts) == 0) {
				t.Errorf("command %q charts %d", a.Command, len(a.Charts))
			}
		})
	}
}

func containsDiag(ds []diagnostic, s string) bool {
	for _, d := range ds {
		if strings.Contains(d.Text, s) {
			return true
		}
	}
	return false
}

func TestValidate(t *testing.T) {
	s := newFakeServer(Config{MaxUploadBytes: 200}, &fake{})
	type answer struct {
		validateResponse
		Error string
	}
	for _, tc := range []struct {
		name, query string
		body        string
		status      int
		valid       bool
		want        string // in Error or a diagnostic's text
	}{
		{"valid", "file=ok.yaml", validUpload, 200, true, ""},
		{"invalid", "file=bad.yaml", "title: x\noops\nagain\n", 200, false, "bad.yaml:3:1: (top): expected KEY: VALUE"},
		{"no title", "file=t.yaml", "name: x\n", 200, false, "t.yaml:1:1: title: missing title"},
		{"too large", "file=big.yaml", strings.Repeat("x", 201), 413, false, "larger than the limit"},
		{"bad name", "file=a/b.yaml", validUpload, 400, false, "plain file name"},
		{"unknown parameter", "x=1", validUpload, 400, false, "unknown or repeated parameter"},
		{"empty", "", "", 400, false, "empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := do(t, s, "POST", "/api/validate?"+tc.query, []byte(tc.body))
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			a := decode[answer](t, w)
			if a.Valid != tc.valid {
				t.Errorf("valid %v, want %v", a.Valid, tc.valid)
			}
			if !strings.Contains(a.Error, tc.want) && !containsDiag(a.Diagnostics, tc.want) {
				t.Errorf("error %q diagnostics %+v; want %q", a.Error, a.Diagnostics, tc.want)
			}
			if tc.valid && (a.Scenario == nil || len(a.Scenario.Controls) != len(Controls)) {
				t.Errorf("valid file without its controls: %+v", a.Scenario)
			}
			if !tc.valid && tc.status == 200 {
				for _, d := range a.Diagnostics {
					if d.Line == 0 || d.Col == 0 {
						t.Errorf("diagnostic without line and column: %+v", d)
					}
				}
			}
		})
	}
	if w := do(t, s, "GET", "/api/validate", nil); w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "no such endpoint: GET /api/validate") {
		t.Errorf("GET /api/validate: %d %s", w.Code, w.Body)
	}
}

func TestDownloads(t *testing.T) {
	f := &fake{}
	s := newFakeServer(Config{}, f)
	r := decode[runAnswer](t, do(t, s, "GET", "/api/run?draws=0", nil))
	id := r.ID
	if n := f.renders.Load(); n != 5 {
		t.Errorf("%d charts drawn with the run, want the 5 main ones", n)
	}
	for _, tc := range []struct {
		target, ctype string
		status        int
		prefix        string
	}{
		{r.Charts[0].PNG, "image/png", 200, "\x89PNG"},
		{r.Charts[0].SVG, "image/svg+xml", 200, "<svg"},
		{r.Charts[0].SVG + "?download=1", "image/svg+xml", 200, "<svg"},
		{r.CSV, "text/csv", 200, "scenario,series,statistic"},
		{r.ZipPNG, "application/zip", 200, "PK"},
		{r.ZipSVG, "application/zip", 200, "PK"},
		{"/api/charts/" + id + ".zip?format=gif", "application/json", 400, `{"error"`},
		{"/api/charts/" + id + ".tar", "application/json", 400, `{"error"`},
		{"/api/chart/" + id + "/price.gif", "application/json", 400, `{"error"`},
		{"/api/chart/" + id + "/nope.png", "application/json", 404, `{"error"`},
		{"/api/chart/" + id + "/price", "application/json", 400, `{"error"`},
		{"/api/chart/zzz/price.png", "application/json", 400, `{"error":"\"zzz\" is not a run id"`},
		{"/api/chart/" + strings.Repeat("0", 24) + "/price.png", "application/json", 404, "no longer in the server's cache"},
		{"/api/csv/" + strings.Repeat("0", 24), "application/json", 404, "run it again"},
		{"/api/bands/" + id, "application/json", 404, "this run has no Monte Carlo draws, so no bands"},
		{"/api/draws/" + id, "application/json", 404, "no Monte Carlo draws"},
		{"/api/bands/zzz", "application/json", 400, "is not a run id"},
	} {
		t.Run(tc.target, func(t *testing.T) {
			w := do(t, s, "GET", tc.target, nil)
			if w.Code != tc.status || !strings.HasPrefix(w.Header().Get("Content-Type"), tc.ctype) || !strings.Contains(w.Body.String(), tc.prefix) {
				t.Errorf("status %d type %q body %.60q; want %d %q %q", w.Code, w.Header().Get("Content-Type"), w.Body.String(), tc.status, tc.ctype, tc.prefix)
			}
		})
	}
	// Each chart is drawn once per format: the main PNGs with the run, the
	// rest on first request.
	if n := f.renders.Load(); n != int32(2*len(fakeCharts)) {
		t.Errorf("%d chart drawings after every download, want %d (each chart once per format)", n, 2*len(fakeCharts))
	}
	w := do(t, s, "GET", r.ZipSVG, nil)
	zr, err := zip.NewReader(bytes.NewReader(w.Body.Bytes()), int64(w.Body.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != len(fakeCharts) || zr.File[0].Name != "price.svg" {
		t.Errorf("zip holds %d files, first %q", len(zr.File), zr.File[0].Name)
	}
	if cd := do(t, s, "GET", r.CSV, nil).Header().Get("Content-Disposition"); !strings.Contains(cd, `filename="us-relief-2025-`) {
		t.Errorf("Content-Disposition %q", cd)
	}
}

// TestModelFailures: failures of the computation are clear messages with a
// 4xx/5xx status, and the server keeps serving.
func TestModelFailures(t *testing.T) {
	for _, tc := range []struct {
		name   string
		f      *fake
		status int
		msg    string
	}{
		{"model error", &fake{simErr: errors.New("calibrate: regions[Brazil].sigma: 0.8 must exceed 1")}, 422,
			"the model could not run these settings: simulating us-relief-2025: calibrate: regions[Brazil].sigma"},
		{"NaN metric", &fake{nan: true}, 422, "not a finite number"},
		{"panic", &fake{panicMsg: "boom"}, 500, "internal error (a bug in potash, please report it): boom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logbuf bytes.Buffer
			s := newFakeServer(Config{Log: &logbuf}, tc.f)
			w := do(t, s, "GET", "/api/run", nil)
			a := decode[runAnswer](t, w)
			if w.Code != tc.status || !strings.Contains(a.Error, tc.msg) {
				t.Errorf("status %d error %q; want %d %q", w.Code, a.Error, tc.status, tc.msg)
			}
			if w := do(t, s, "GET", "/healthz", nil); w.Code != 200 {
				t.Errorf("server broken after failure: %d", w.Code)
			}
		})
	}
}

func TestTimeLimit(t *testing.T) {
	f := &fake{block: make(chan struct{})} // never released: the run hangs
	s := newFakeServer(Config{Timeout: 50 * time.Millisecond}, f)
	w := do(t, s, "GET", "/api/run", nil)
	a := decode[runAnswer](t, w)
	if w.Code != 503 || !strings.Contains(a.Error, "took longer than the limit of 50ms") || w.Header().Get("Retry-After") == "" {
		t.Errorf("status %d error %q", w.Code, a.Error)
	}

	// A client that goes away (the page moved on) stops its run: not a
	// time limit.
	s = newFakeServer(Config{Timeout: time.Minute}, f)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(30*time.Millisecond, cancel)
	w = httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("GET", "http://127.0.0.1/api/run?seed=5", nil).WithContext(ctx))
	a = decode[runAnswer](t, w)
	if w.Code != 503 || a.Error != "the run was cancelled" {
		t.Errorf("cancelled request: status %d error %q", w.Code, a.Error)
	}
}

// TestConcurrencyLimit: with one slot taken, another run waits QueueWait
// and then gets 429; identical requests share one computation.
func TestConcurrencyLimit(t *testing.T) {
	f := &fake{block: make(chan struct{})}
	s := newFakeServer(Config{MaxConcurrent: 1, QueueWait: 30 * time.Millisecond}, f)
	var wg sync.WaitGroup
	codes := make([]int, 4)
	for k := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[k] = do(t, s, "GET", "/api/run?seed=1", nil).Code // identical requests
		}()
	}
	// Wait until the shared run holds the slot.
	for deadline := time.Now().Add(5 * time.Second); f.simulates.Load() == 0; {
		if time.Now().After(deadline) {
			t.Fatal("run never started")
		}
		time.Sleep(time.Millisecond)
	}
	w := do(t, s, "GET", "/api/run?seed=2", nil)
	a := decode[runAnswer](t, w)
	if w.Code != 429 || !strings.Contains(a.Error, "busy") || w.Header().Get("Retry-After") != "1" {
		t.Errorf("second run: status %d error %q", w.Code, a.Error)
	}
	close(f.block)
	wg.Wait()
	for k, c := range codes {
		if c != 200 {
			t.Errorf("identical request %d: status %d", k, c)
		}
	}
	// One simulate for the 4 identical requests, plus one Monte Carlo call
	// (the fake's MonteCarlo simulates once too).
	if n := f.simulates.Load(); n != 2 {
		t.Errorf("%d simulations for 4 identical requests, want 2 (one run, one Monte Carlo)", n)
	}
}

// TestHorizonCap: a scenario longer than Config.MaxMonths is refused, on
// upload (validate and run) and for a built-in.
func TestHorizonCap(t *testing.T) {
	s := newFakeServer(Config{MaxMonths: 24}, &fake{}) // the fake's horizon: 108 months
	w := do(t, s, "GET", "/api/run", nil)
	if a := decode[runAnswer](t, w); w.Code != 400 || a.Field != "horizon" || !strings.Contains(a.Error, "the horizon has 108 months; this server runs 1 to 24") {
		t.Errorf("run: status %d error %q", w.Code, a.Error)
	}
	w = do(t, s, "POST", "/api/run?file=long.yaml", []byte(validUpload))
	if a := decode[runAnswer](t, w); w.Code != 400 || !strings.Contains(a.Error, "108 months") {
		t.Errorf("upload run: status %d error %q", w.Code, a.Error)
	}
	w = do(t, s, "POST", "/api/validate?file=long.yaml", []byte(validUpload))
	if v := decode[validateResponse](t, w); w.Code != 200 || v.Valid || len(v.Diagnostics) != 1 || !strings.Contains(v.Diagnostics[0].Msg, "at most 24") {
		t.Errorf("validate: status %d %+v", w.Code, v)
	}
}

func TestCacheEvicts(t *testing.T) {
	f := &fake{}
	s := newFakeServer(Config{CacheEntries: 2}, f)
	var ids []string
	for seed := range 3 {
		ids = append(ids, decode[runAnswer](t, do(t, s, "GET", fmt.Sprintf("/api/run?draws=0&seed=%d", seed), nil)).ID)
	}
	if s.cache.len() != 2 {
		t.Errorf("cache holds %d runs, want 2", s.cache.len())
	}
	if w := do(t, s, "GET", "/api/csv/"+ids[0], nil); w.Code != 404 {
		t.Errorf("oldest run still served: %d", w.Code)
	}
	if w := do(t, s, "GET", "/api/csv/"+ids[2], nil); w.Code != 200 {
		t.Errorf("newest run not served: %d", w.Code)
	}
}

// TestCacheBytes: the byte budget keeps only what fits (always the newest
// run).
func TestCacheBytes(t *testing.T) {
	s := newFakeServer(Config{CacheEntries: 10, CacheBytes: 1}, &fake{})
	var last runAnswer
	for seed := range 3 {
		last = decode[runAnswer](t, do(t, s, "GET", fmt.Sprintf("/api/run?draws=0&seed=%d", seed), nil))
	}
	if s.cache.len() != 1 {
		t.Errorf("cache holds %d runs with a 1-byte budget, want 1 (the newest)", s.cache.len())
	}
	if w := do(t, s, "GET", last.CSV, nil); w.Code != 200 || w.Header().Get("Content-Length") != fmt.Sprint(w.Body.Len()) {
		t.Errorf("newest run's CSV: %d, Content-Length %q for %d bytes", w.Code, w.Header().Get("Content-Length"), w.Body.Len())
	}
}

func TestLoopbackHost(t *testing.T) {
	for host, ok := range map[string]bool{
		"127.0.0.1:8080": true, "localhost:1": true, "[::1]:80": true, "LOCALHOST": true, "app.localhost:9": true,
		"evil.example:8080": false, "10.0.0.1": false, "": false, "127.0.0.1.evil.example": false,
	} {
		if got := loopbackHost(host); got != ok {
			t.Errorf("loopbackHost(%q) = %v, want %v", host, got, ok)
		}
	}
}

// TestServe starts the server on a loopback port, checks the start line,
// the DNS-rebinding guard, and a clean shutdown when the context ends.
func TestServe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fake{block: make(chan struct{})} // runs hang until shutdown
	s := newFakeServer(Config{}, f)
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln, pw) }()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String() + "/"
	if want := "potash serve: open " + url + " in your browser (Ctrl-C to stop)\n"; line != want {
		t.Errorf("start line %q, want %q", line, want)
	}
	resp, err := http.Get(url + "healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET healthz: %v %v", err, resp)
	}
	resp.Body.Close()
	req, _ := http.NewRequest("GET", url+"api/scenarios", nil)
	req.Host = "attacker.example"
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("foreign Host: status %d, want 403", resp.StatusCode)
	}
	// A run in flight at Ctrl-C is cancelled and told so.
	inflight := make(chan int, 1)
	go func() {
		resp, err := http.Get(url + "api/run")
		if err != nil {
			inflight <- 0
			return
		}
		resp.Body.Close()
		inflight <- resp.StatusCode
	}()
	for f.simulates.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	cancel()
	if code := <-inflight; code != 503 {
		t.Errorf("run in flight at shutdown: status %d, want 503", code)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve returned %v after shutdown", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("shutdown with a run in flight took %v", d)
	}
	if _, err := http.Get(url + "healthz"); err == nil {
		t.Error("server still answers after shutdown")
	}
}

func TestListenAndServeBadAddr(t *testing.T) {
	err := ListenAndServe(context.Background(), Config{Addr: "256.0.0.1:99999"}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "serve:") {
		t.Errorf("err = %v", err)
	}
}

func decodeBytes[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("answer is not JSON (%v): %q", err, b)
	}
	return v
}

// TestSetNote: a scenario's warning about a --set reaches the page worded
// by the control that made it, or as it is.
func TestSetNote(t *testing.T) {
	for _, tc := range []struct {
		w    scenarios.Diagnostic
		want string
	}{
		{scenarios.Diagnostic{File: "--set", Field: "scenario.events.belarus-discount.pct", Msg: "fixes 'events.belarus-discount.pct', which the uncertainty section draws (param 'events.belarus-discount.pct'): the Monte Carlo draws no longer vary it"},
			"Buyers' risk cost on Belarusian potash: every Monte Carlo draw uses your value (the draws no longer vary it, as the scenario's uncertainty section would)."},
		{scenarios.Diagnostic{File: "--set", Field: "market.regions.*.demand_elasticity", Msg: "outside the documented range"},
			"Demand elasticity (all regions): outside the documented range."},
		{scenarios.Diagnostic{File: "--set", Field: "horizon.end", Msg: "something"}, "horizon.end: something."},
	} {
		if got := setNote(tc.w); got != tc.want {
			t.Errorf("setNote(%v) = %q, want %q", tc.w, got, tc.want)
		}
	}
}
