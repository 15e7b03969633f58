package serve

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"gonum.org/v1/gonum/floats/scalar"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/internal/run"
	"github.com/potash-sim/potash/scenarios"
)

// Environment variables of the browser test.
const (
	// envBrowser set to "required" makes a missing Chromium a failure
	// instead of a skip (.ci/run.d/serve-e2e.sh sets it).
	envBrowser = "POTASH_BROWSER_TEST"
	// envChromium is the browser executable (default: chromium on PATH).
	envChromium = "POTASH_CHROMIUM"
	// envScreenshot, if set, is a file the page's screenshot at 1400 ×
	// 900 is also written to (for people to look at), with NAME-full.png
	// (the whole page), NAME-narrow.png and NAME-narrow-full.png (a
	// window 700 px wide) beside it.
	envScreenshot = "POTASH_SCREENSHOT"
)

func chromiumPath() string {
	if p := os.Getenv(envChromium); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestBrowser is the end-to-end test: the real server (scenarios, model
// and plots) on a loopback port, driven by headless Chromium in a
// 1400 × 900 window. It loads the page and waits for the default run;
// fetches its Monte Carlo bands through the page's download link;
// checks that every control has a label and that no chart's text is
// under 11 CSS px (issue 16 item 15: the chart's smallest font, read from
// its SVG, times the width the page shows it at over its natural width);
// pins the result; raises the sanction discount on Belarusian sales from
// the keyboard (slider focused, End key); checks that the headline is
// what `potash run … --set …` gives with the --set the page shows
// (scenario only), computed here by the same pipeline, so that it changed
// by the pipeline's amount, and that the comparison with the pinned
// result shows that same change on both runs' chart; ticks "both runs"
// and reopens Klaipėda in the scenario and checks the headline against
// the pipeline again (issue 16 items 16 and 17); ranks the uncertain
// parameters by their effect on the benchmark price with those settings
// ("What moves this result?") and checks the ranking against `potash
// sensitivity` with the --set the page shows, and the tornado chart's
// text size; takes screenshots at
// 1400 × 900 and in a narrow window (where the charts scroll rather than
// shrink their text); types an out-of-range value and checks the page
// shows the server's message; and uploads a bad and a good scenario file.
func TestBrowser(t *testing.T) {
	required := os.Getenv(envBrowser) == "required"
	path := chromiumPath()
	if path == "" {
		if required {
			t.Fatalf("%s=required but no Chromium found (install Debian's chromium or set %s)", envBrowser, envChromium)
		}
		t.Skipf("no Chromium found: install it (apt-get install chromium) or set %s; %s=required makes this an error", envChromium, envBrowser)
	}
	if testing.Short() && !required {
		t.Skip("browser test skipped with -short")
	}
	if raceEnabled && !required {
		// One page's requests, one after another: little for the race
		// detector to find, and every run 5 to 10 times slower under it.
		t.Skip("browser test skipped under the race detector (it runs without it in .ci/run.d/serve-e2e.sh; TestLoad runs the server under it)")
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := New(Config{Log: testLog{t}})
	sctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(sctx, ln, io.Discard) }()
	defer func() {
		stop()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	base := "http://" + ln.Addr().String()

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancelCtx := chromedp.NewContext(actx)
	defer cancelCtx()
	ctx, cancelTimeout := context.WithTimeout(ctx, 150*time.Second)
	defer cancelTimeout()

	// Any JavaScript exception on the page fails the test.
	var jsMu sync.Mutex
	var jsErrors []string
	err = chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			jsMu.Lock()
			jsErrors = append(jsErrors, fmt.Sprintf("%s:%d:%d: %s", d.URL, d.LineNumber+1, d.ColumnNumber+1, msg))
			jsMu.Unlock()
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				jsMu.Lock()
				jsErrors = append(jsErrors, "console.error: "+strings.Join(parts, " "))
				jsMu.Unlock()
			}
		}
	})
	if err != nil {
		t.Fatalf("cannot start Chromium (%s): %v", path, err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1400, 900)); err != nil {
		t.Fatalf("cannot start Chromium (%s): %v", path, err)
	}

	evalString := func(expr string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return v
	}
	// waitRun waits for a run other than the one shown before.
	waitRun := func(what, before string) time.Duration {
		t.Helper()
		t0 := time.Now()
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`document.body.dataset.state === "ready" && document.body.dataset.runId !== %q`, before), chromedp.WithPollingTimeout(30*time.Second)))
		if err != nil {
			t.Fatalf("%s: the page did not update: %v%s", what, err, pageError(ctx))
		}
		return time.Since(t0)
	}
	// checkHeadline checks the page's headline against the pipeline run
	// of the command line the page shows, and returns both.
	checkHeadline := func(what string) (page, want map[string]float64, command string) {
		t.Helper()
		command = evalString(`document.getElementById("command").value`)
		page = pageHeadline(t, evalString(`JSON.stringify(Array.from(document.querySelectorAll("#headline tbody tr")).map(tr => [tr.dataset.metric, Number(tr.dataset.value)]))`))
		want = pipelineHeadline(t, command)
		if len(page) == 0 || len(page) != len(want) {
			t.Fatalf("%s: page headline %v, pipeline %v", what, page, want)
		}
		for m, v := range want {
			if !scalar.EqualWithinAbsOrRel(page[m], v, 1e-12, 1e-12) {
				t.Errorf("%s: %s on the page %v, `%s` gives %v", what, m, page[m], command, v)
			}
		}
		return page, want, command
	}

	start := time.Now()
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#headline tbody tr`)),
		chromedp.WaitVisible(chromedp.CSS(`body[data-state="ready"]`)),
	)
	if err != nil {
		t.Fatalf("page did not show the default run: %v%s", err, pageError(ctx))
	}
	runID1 := evalString(`document.body.dataset.runId`)
	before, wantBefore, cmd0 := checkHeadline("default run")
	t.Logf("first run shown %v after navigation: %s", time.Since(start).Round(time.Millisecond), cmd0)
	if cf := evalString(`document.getElementById("cf-name").textContent`); cf != "sanctions-stay" {
		t.Errorf("the page names the counterfactual %q, want sanctions-stay", cf)
	}

	// The Monte Carlo bands of every variable can be downloaded from the
	// page (issue 16 item 9: bands.csv, apart from results.csv).
	if vis := evalString(`String(!document.getElementById("dl-bands").hidden)`); vis != "true" {
		t.Errorf("a run with draws shows no bands download")
	}
	head, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.getElementById("dl-bands").href).then(r => r.text()).then(t => t.slice(0, t.indexOf("\n")))`, chromedp.EvalAwaitPromise))
	if want := strings.Join(report.BandsHeader, ","); err != nil || head != want {
		t.Errorf("the page's bands download starts %q (%v), want %q", head, err, want)
	}

	// Every form control has a label (its own <label>, or aria-label for
	// the sliders paired with a labelled number field).
	if unlabelled := evalString(`Array.from(document.querySelectorAll("input, select, button")).filter(e => !(e.labels && e.labels.length) && !e.getAttribute("aria-label") && !e.textContent.trim()).map(e => e.id || e.outerHTML).join(" ")`); unlabelled != "" {
		t.Errorf("controls without a label: %s", unlabelled)
	}
	// Each control says which runs it changes.
	if runs := evalString(`Array.from(document.querySelectorAll("#controls .control:not(.unavailable)")).filter(d => !d.querySelector(".runs .badge")).map(d => d.dataset.id).join(" ")`); runs != "" {
		t.Errorf("controls that do not say which runs they change: %s", runs)
	}
	if b := evalString(`document.querySelector('#runs-belarus_discount .badge').textContent + " / " + document.querySelector('#runs-demand_elasticity .badge').textContent`); b != "Scenario only / Both runs" {
		t.Errorf("badges %q: want the discount to change the scenario only and the elasticity both runs", b)
	}

	// The labels the server gives: "never" of a month control in its own
	// words, and the table of every result counted.
	if nv := evalString(`document.getElementById("n-klaipeda").parentElement.textContent.trim() + " / " + document.getElementById("n-relief").parentElement.textContent.trim()`); nv != "Stays closed / No relief (sanctions stay in force)" {
		t.Errorf("the never choices read %q", nv)
	}
	// The count and the rows are those of the server's metric list of
	// the run shown (backend.metrics), however many the market gives.
	e1, ok := srv.cache.get(runID1)
	if !ok {
		t.Fatalf("the run shown, %s, is not in the server's cache", runID1)
	}
	nm := len(srv.be.metrics(e1.run))
	if n, want := evalString(`document.getElementById("all-metrics-count").textContent + " " + document.querySelectorAll("#all-metrics tbody tr").length`), fmt.Sprintf("%d %d", nm, nm); nm == 0 || n != want {
		t.Errorf("every result: count and rows %q, want %q, the server's metrics of the run shown", n, want)
	}
	// The exports by year: summary.md's table (report.ExportsByYearTable),
	// as the server sent it.
	if yt := e1.resp.ExportsByYear; yt == nil {
		t.Errorf("the server sent no exports by year for the default run")
	} else {
		var want strings.Builder
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false) // as JSON.stringify: "<0.01%" as it is
		if err := enc.Encode([]any{false, yt.Note, yt.Head, yt.Rows}); err != nil {
			t.Fatal(err)
		}
		got := evalString(`JSON.stringify([document.getElementById("years").hidden, document.getElementById("years-note").textContent,
			Array.from(document.querySelectorAll("#years-table thead th")).map(c => c.textContent),
			Array.from(document.querySelectorAll("#years-table tbody tr")).map(tr => Array.from(tr.cells).map(c => c.textContent))])`)
		if got != strings.TrimSpace(want.String()) {
			t.Errorf("exports by year on the page (hidden, note, head, rows)\n%s\nwant\n%s", got, want.String())
		}
	}

	// The scenario's correlation groups (history's correlations:, which
	// every built-in extends) in the uncertainty section: each group's
	// params and matrix, as the scenario draws them.
	{
		sc, err := scenarios.Load("us-relief-2025", nil)
		if err != nil {
			t.Fatal(err)
		}
		cs := report.Correlations(sc.Uncertain)
		if len(cs) == 0 {
			t.Fatal("us-relief-2025 has no correlation groups: the page's are not checked")
		}
		var groups []any
		for _, c := range cs {
			var rows [][]string
			for _, r := range c.Matrix {
				var cells []string
				for _, v := range r {
					cells = append(cells, fmtCorr(v))
				}
				rows = append(rows, cells)
			}
			groups = append(groups, []any{c.Params, rows})
		}
		want, err := json.Marshal([]any{false, groups})
		if err != nil {
			t.Fatal(err)
		}
		got := evalString(`JSON.stringify([document.getElementById("correlations").hidden,
			Array.from(document.querySelectorAll("#corr-groups .corr-members")).map((ol, k) => [
				Array.from(ol.querySelectorAll("li")).map(li => li.textContent),
				Array.from(document.querySelectorAll("#corr-groups table")[k].tBodies[0].rows).map(tr => Array.from(tr.cells).slice(1).map(c => c.textContent))])])`)
		if got != string(want) {
			t.Errorf("correlation groups on the page (hidden, [params, matrix] per group)\n%s\nwant\n%s", got, want)
		}
	}

	// No chart text under 11 CSS px at 1400 × 900.
	smallest := checkChartText(t, ctx, base, "#charts", 11)
	t.Logf("smallest chart text at 1400 × 900: %.1f CSS px", smallest)

	// Pin the default result.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#pin"))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.body.dataset.compare === "same"`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("pinning: %v%s", err, pageError(ctx))
	}

	// Reach the discount slider from the top of the page with the Tab key
	// only, then raise the discount to the top of its range (End key).
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)`)); err != nil {
		t.Fatal(err)
	}
	reached := false
	var order []string
	for range 60 {
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
			t.Fatal(err)
		}
		id := evalString(`document.activeElement ? document.activeElement.id : ""`)
		order = append(order, id)
		if id == "r-belarus_discount" {
			reached = true
			break
		}
	}
	if !reached {
		t.Fatalf("the discount slider cannot be reached with Tab; focus went %v", order)
	}
	t.Logf("Tab order to the slider: %v", order)
	changed := time.Now()
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.End)); err != nil {
		t.Fatal(err)
	}
	waitRun("discount to 60%", runID1)
	updated := time.Since(changed)
	after, wantAfter, cmd1 := checkHeadline("discount 60%, scenario only")
	if !strings.Contains(cmd1, "--set scenario.events.belarus-discount.pct=60") {
		t.Errorf("command %q: want the discount set in the scenario only", cmd1)
	}
	serverMS := evalString(`document.body.dataset.runMs`)
	t.Logf("slider to updated headline and charts: %v (150 ms debounce included; %s ms from request to charts shown)", updated.Round(time.Millisecond), serverMS)
	// Economics: a larger risk cost on Belarusian potash in the scenario
	// only (buyers' compliance and insurance costs; Belarus bears part of
	// it as a lower price) lowers the netback Belarus earns there on every
	// tonne and its sales, so its revenue change falls.
	for m := range after {
		if strings.HasPrefix(m, "revenue_change.Belarus") && !(after[m] < before[m]) {
			t.Errorf("%s %.1f with a 60%% discount, %.1f before: want lower", m, after[m], before[m])
		}
	}
	nCharts := int(evalFloat(t, ctx, `document.querySelectorAll('#charts img').length`))
	imagesOK := evalString(`String(Array.from(document.querySelectorAll('#charts img')).every(i => i.complete && i.naturalWidth > 0))`) == "true"
	if nCharts < 4 || !imagesOK {
		t.Errorf("%d charts, all loaded: %v; want at least 4 (price, revenue change, volumes and shares, trade-flow heat map)", nCharts, imagesOK)
	}
	if search := evalString(`location.search`); !strings.Contains(search, "belarus_discount=60") {
		t.Errorf("URL %q does not record belarus_discount=60", search)
	}

	// The comparison: pinned against current, the difference the
	// pipeline's, and both runs on one chart.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.body.dataset.compare === "ready"`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("no comparison after a change: %v%s", err, pageError(ctx))
	}
	var rows [][]any
	if err := json.Unmarshal([]byte(evalString(`JSON.stringify(Array.from(document.querySelectorAll("#cmp-table tbody tr")).map(tr => [tr.dataset.metric, Number(tr.dataset.a), Number(tr.dataset.b), Number(tr.dataset.diff), tr.cells[3].textContent]))`)), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(wantAfter) {
		t.Errorf("comparison has %d rows, headline %d", len(rows), len(wantAfter))
	}
	for _, r := range rows {
		m := r[0].(string)
		a, b, d := r[1].(float64), r[2].(float64), r[3].(float64)
		if !scalar.EqualWithinAbsOrRel(a, wantBefore[m], 1e-12, 1e-12) || !scalar.EqualWithinAbsOrRel(b, wantAfter[m], 1e-12, 1e-12) ||
			!scalar.EqualWithinAbsOrRel(d, wantAfter[m]-wantBefore[m], 1e-9, 1e-9) {
			t.Errorf("comparison %s: pinned %v, current %v, difference %v; the pipeline gives %v, %v, %v", m, a, b, d, wantBefore[m], wantAfter[m], wantAfter[m]-wantBefore[m])
		}
	}
	t.Logf("comparison: %v", rows)
	if n := int(evalFloat(t, ctx, `document.querySelectorAll('#cmp-charts img').length`)); n < 1 || evalString(`document.querySelector('#cmp-charts figure').dataset.name`) != "compare_benchmark_price" {
		t.Errorf("comparison shows %d charts, want the benchmark price of both first", n)
	}
	t.Logf("smallest comparison chart text at 1400 × 900: %.1f CSS px", checkChartText(t, ctx, base, "#cmp-charts", 11))

	// What a laptop screen shows (1400 × 900), then the whole page.
	shots := map[string][]byte{}
	shoot := func(name string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`)); err != nil {
			t.Fatal(err)
		}
		view, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		full, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100: PNG
		if err != nil {
			t.Fatal(err)
		}
		shots[name+".png"], shots[name+"-full.png"] = view, full
	}
	shoot("serve")

	// "Both runs": the discount moves the counterfactual's common event
	// too, and the headline is the pipeline's for that --set.
	runID2 := evalString(`document.body.dataset.runId`)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#b-belarus_discount"))); err != nil {
		t.Fatal(err)
	}
	waitRun("discount in both runs", runID2)
	bothPage, _, cmd2 := checkHeadline("discount 60%, both runs")
	if !strings.Contains(cmd2, "--set events.belarus-discount.pct=60") {
		t.Errorf("command %q: want the discount set in both runs", cmd2)
	}
	// Klaipėda reopens in July 2026, in the scenario only (the issue's
	// example): the headline is the pipeline's for that --set.
	runID3 := evalString(`document.body.dataset.runId`)
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#n-klaipeda")), // untick "Stays closed"
		chromedp.SetValue(chromedp.CSS("#c-klaipeda"), "2026-07"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("c-klaipeda").dispatchEvent(new Event("change"))`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.body.dataset.state === "ready" && document.getElementById("command").value.includes("klaipeda-closed.end=2026-07")`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("Klaipėda: %v%s", err, pageError(ctx))
	}
	_ = runID3
	klPage, _, cmd3 := checkHeadline("Klaipėda reopens 2026-07, scenario only")
	if !strings.Contains(cmd3, "--set scenario.events.klaipeda-closed.end=2026-07") {
		t.Errorf("command %q: want Klaipėda reopened in the scenario only", cmd3)
	}
	t.Logf("benchmark price change: %.2f (default), %.2f (discount 60%%, scenario only), %.2f (both runs), %.2f (and Klaipėda reopens 2026-07)",
		before[report.MetricBenchmarkPrice], after[report.MetricBenchmarkPrice], bothPage[report.MetricBenchmarkPrice], klPage[report.MetricBenchmarkPrice])

	// What moves the benchmark price with these settings: the tornado the
	// page shows is the pipeline's for the command line it shows (potash
	// sensitivity with the same --set), its chart text is 11 CSS px or
	// more, the URL records it, and choosing another result marks it out
	// of date.
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS("#sens-metric"), report.MetricBenchmarkPrice),
		chromedp.Click(chromedp.CSS("#sens-run")),
	)
	if err == nil {
		_, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.body.dataset.sens === "ready"`, chromedp.WithPollingTimeout(60*time.Second)))
	}
	if err != nil {
		t.Fatalf("sensitivity: %v%s", err, pageError(ctx)+" / "+evalString(`document.getElementById("sens-status").textContent + " " + document.getElementById("sens-error").textContent`))
	}
	sensCmd := evalString(`document.getElementById("sens-command").value`)
	if !strings.HasPrefix(sensCmd, "potash sensitivity us-relief-2025 --metric benchmark_price_change ") || !strings.Contains(sensCmd, "--set scenario.events.klaipeda-closed.end=2026-07") {
		t.Errorf("sensitivity command %q: want the benchmark price with the page's settings", sensCmd)
	}
	var sensRows [][]any
	if err := json.Unmarshal([]byte(evalString(`JSON.stringify(Array.from(document.querySelectorAll("#sens-table tbody tr")).map(tr => [tr.dataset.param, Number(tr.dataset.atLow), Number(tr.dataset.atHigh), tr.cells[1].textContent]))`)), &sensRows); err != nil {
		t.Fatal(err)
	}
	wantSens := pipelineSensitivity(t, sensCmd)
	if len(sensRows) == 0 || len(sensRows) != len(wantSens.Bars) {
		t.Fatalf("the page ranks %d parameters, the pipeline %d", len(sensRows), len(wantSens.Bars))
	}
	for k, b := range wantSens.Bars {
		r := sensRows[k]
		if r[0].(string) != b.Param || !scalar.EqualWithinAbsOrRel(r[1].(float64), b.AtLow, 1e-12, 1e-12) || !scalar.EqualWithinAbsOrRel(r[2].(float64), b.AtHigh, 1e-12, 1e-12) {
			t.Errorf("rank %d: the page shows %v, `%s` gives %s at %v and %v", k+1, r, sensCmd, b.Param, b.AtLow, b.AtHigh)
		}
	}
	t.Logf("sensitivity: %d parameters, first %v", len(sensRows), sensRows[0])
	if caption := evalString(`document.getElementById("sens-caption").textContent`); !strings.Contains(caption, "$/t") || !strings.Contains(caption, "Klaipėda corridor reopens: 2026-07") {
		t.Errorf("sensitivity caption %q: want the unit and the settings", caption)
	}
	if ok := evalString(`String(document.querySelector("#sens-chart img").complete && document.querySelector("#sens-chart img").naturalWidth > 0)`); ok != "true" {
		t.Errorf("the tornado chart did not load")
	}
	t.Logf("smallest tornado chart text at 1400 × 900: %.1f CSS px", checkChartText(t, ctx, base, "#sens-chart", 11))
	if search := evalString(`location.search`); !strings.Contains(search, "tornado=benchmark_price_change") {
		t.Errorf("URL %q does not record the sensitivity view", search)
	}

	// The link to these settings ("Copy link"), opened afresh, shows the
	// same: the controls as they were set, the same run (its id names
	// the settings), the same command line, the ranking, and the
	// comparison with the pinned result.
	link, linkedRun := evalString(`location.href`), evalString(`document.body.dataset.runId`)
	sensID, cmpIDs := evalString(`document.body.dataset.sensId`), evalString(`document.body.dataset.compareIds`)
	if cmpIDs != runID1+"/"+linkedRun {
		t.Errorf("comparison of %q, want the pinned default run %s and the current %s", cmpIDs, runID1, linkedRun)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate("about:blank"),
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS(`body[data-state="ready"]`)),
	)
	if err == nil {
		_, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.body.dataset.sens === "ready" && document.body.dataset.compare === "ready"`, chromedp.WithPollingTimeout(60*time.Second)))
	}
	if err != nil {
		t.Fatalf("the link %s: %v%s", link, err, pageError(ctx))
	}
	restored := evalString(`[document.body.dataset.runId, document.body.dataset.sensId, document.body.dataset.compareIds, document.getElementById("command").value, document.getElementById("sens-command").value, document.getElementById("c-belarus_discount").value, String(document.getElementById("b-belarus_discount").checked), document.getElementById("c-klaipeda").value, String(document.getElementById("n-klaipeda").checked), document.getElementById("sens-metric").value, document.getElementById("seed").value, document.getElementById("draws").value].join(" | ")`)
	wantRestored := strings.Join([]string{linkedRun, sensID, cmpIDs, cmd3, sensCmd, "60", "true", "2026-07", "false", report.MetricBenchmarkPrice, "1", "50"}, " | ")
	if restored != wantRestored {
		t.Errorf("the link %s restores\n%s\nwant\n%s", link, restored, wantRestored)
	}
	if err := chromedp.Do(ctx, chromedp.ScrollIntoView(chromedp.CSS("#sens"))); err != nil {
		t.Fatal(err)
	}
	sensShot, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS("#sens")))
	if err != nil {
		t.Fatal(err)
	}
	shots["serve-sensitivity.png"] = sensShot
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS("#sens-metric"), "revenue_change.Belarus"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("sens-metric").dispatchEvent(new Event("change"))`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if stale := evalString(`String(document.getElementById("sens").dataset.stale)`); stale != "true" {
		t.Errorf("another result chosen: the ranking is not marked out of date (%q)", stale)
	}

	// A narrow window: the charts keep their text size and scroll.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(700, 900)); err != nil {
		t.Fatal(err)
	}
	t.Logf("smallest chart text in a 700 px window: %.1f CSS px", checkChartText(t, ctx, base, "#charts", 11))
	shoot("serve-narrow")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1400, 900)); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, b := range shots {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if p := os.Getenv(envScreenshot); p != "" {
		for name, b := range shots {
			if err := os.WriteFile(strings.TrimSuffix(p, ".png")+strings.TrimPrefix(strings.TrimSuffix(name, ".png"), "serve")+".png", b, 0o644); err != nil {
				t.Error(err)
			}
		}
	}
	t.Logf("screenshots in %s", dir)

	// A seed that is not a whole number: the server's message and the
	// field marked, not a run with seed 1 instead.
	seedRun := evalString(`document.body.dataset.runId`)
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#seed`), "2.5"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("seed").dispatchEvent(new Event("change"))`),
	)
	if err == nil {
		_, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.body.dataset.state === "error"`, chromedp.WithPollingTimeout(20*time.Second)))
	}
	if err != nil {
		t.Fatalf("no error shown for seed 2.5: %v%s", err, pageError(ctx))
	}
	if msg, invalid := evalString(`document.getElementById("error").textContent`), evalString(`String(document.getElementById("seed").getAttribute("aria-invalid"))`); !strings.Contains(msg, `seed: "2.5" is not a whole number`) || invalid != "true" {
		t.Errorf("seed 2.5: error box %q, aria-invalid %q", msg, invalid)
	}
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#seed`), "1"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("seed").dispatchEvent(new Event("change"))`),
	)
	if err == nil {
		_, err = chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`document.body.dataset.state === "ready" && document.body.dataset.runId === %q`, seedRun), chromedp.WithPollingTimeout(20*time.Second)))
	}
	if err != nil {
		t.Fatalf("seed 1 again: %v%s", err, pageError(ctx))
	}

	// An out-of-range value typed into the number field: the server's
	// message appears on the page and the control is marked invalid.
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#c-belarus_discount`), ""),
		chromedp.SendKeys(chromedp.CSS(`#c-belarus_discount`), "99"),
		chromedp.Focus(chromedp.CSS(`#seed`)), // leaving the field fires "change"
	)
	if err == nil {
		_, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.body.dataset.state === "error"`, chromedp.WithPollingTimeout(20*time.Second)))
	}
	if err != nil {
		t.Fatalf("no error shown for an out-of-range value: %v%s", err, pageError(ctx))
	}
	msg := evalString(`document.getElementById("error").textContent`)
	invalid := evalString(`String(document.getElementById("c-belarus_discount").getAttribute("aria-invalid"))`)
	if !strings.Contains(msg, "99% is outside the allowed range 0–60%") || invalid != "true" {
		t.Errorf("error box %q, aria-invalid %q", msg, invalid)
	}

	// Upload a scenario file with a mistake: the page lists the problems
	// with line and column, as `potash validate` does. Then a valid file:
	// it runs, and the command line names it.
	bad, good := filepath.Join(dir, "bad.yaml"), filepath.Join(dir, "my-relief.yaml")
	if err := os.WriteFile(bad, []byte("title: t\nhorizon:\n  strat: 2020-01\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(good, []byte("title: My relief\nextends: us-relief-2025\ncompare_to: history\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(`#upload`), []string{bad}))
	if err == nil {
		_, err = chromedp.Run(ctx, chromedp.Poll[bool](`!document.getElementById("error").hidden && document.getElementById("error").textContent.includes("bad.yaml")`, chromedp.WithPollingTimeout(20*time.Second)))
	}
	if err != nil {
		t.Fatalf("no diagnostics shown for a bad upload: %v%s", err, pageError(ctx))
	}
	if msg := evalString(`document.getElementById("error").textContent`); !strings.Contains(msg, "line 3, column 3: horizon.strat: unknown key 'strat' in horizon; did you mean 'start'?") {
		t.Errorf("bad upload: error box %q", msg)
	}
	runID4 := evalString(`document.body.dataset.runId`)
	err = chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(`#upload`), []string{good}))
	if err == nil {
		_, err = chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`document.body.dataset.state === "ready" && document.body.dataset.runId !== %q`, runID4), chromedp.WithPollingTimeout(30*time.Second)))
	}
	if err != nil {
		t.Fatalf("a valid upload did not run: %v%s", err, pageError(ctx))
	}
	if cmd := evalString(`document.getElementById("command").value`); !strings.HasPrefix(cmd, "potash run my-relief.yaml ") {
		t.Errorf("command after upload %q", cmd)
	}
	// The pinned built-in run against the uploaded one: different
	// counterfactuals, which the comparison says.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.body.dataset.compare === "ready" && document.getElementById("cmp-notes").textContent.includes("different counterfactuals")`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Errorf("comparison with the upload: %v%s", err, pageError(ctx))
	}

	jsMu.Lock()
	defer jsMu.Unlock()
	for _, e := range jsErrors {
		if strings.Contains(e, "400") {
			continue // the browser logs the deliberate 400 above
		}
		t.Errorf("JavaScript error on the page: %s", e)
	}
}

// fmtCorr is a correlation as the page writes it (app.js fmtCorr): to 3
// decimals at most, with a true minus sign.
func fmtCorr(v float64) string {
	r := math.Round(v*1000) / 1000
	s := strconv.FormatFloat(math.Abs(r), 'f', -1, 64)
	if r < 0 {
		s = "\u2212" + s
	}
	return s
}

func evalFloat(t *testing.T, ctx context.Context, expr string) float64 {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[float64](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

var (
	svgFontSize = regexp.MustCompile(`font-size:([0-9.]+)px`)
	svgViewBox  = regexp.MustCompile(`viewBox="0 0 ([0-9.]+) ([0-9.]+)"`)
)

// checkChartText checks that every chart image under the CSS selector
// host shows its smallest text at least minPx CSS pixels high: the
// chart's smallest font (from its SVG, in the units of its viewBox) times
// the width the page shows the image at over the SVG's width. It returns
// the smallest text size found.
func checkChartText(t *testing.T, ctx context.Context, base, host string, minPx float64) float64 {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`JSON.stringify(Array.from(document.querySelectorAll(%q + " figure")).map(f => {
		const img = f.querySelector("img"), svg = f.querySelector("a[href*='.svg']");
		return [f.dataset.name, img.getBoundingClientRect().width, svg.getAttribute("href").replace("?download=1", "")];
	}))`, host)))
	if err != nil {
		t.Fatal(err)
	}
	var charts [][]any
	if err := json.Unmarshal([]byte(v), &charts); err != nil {
		t.Fatal(err)
	}
	if len(charts) == 0 {
		t.Fatalf("no charts under %s", host)
	}
	smallest := math.Inf(1)
	for _, c := range charts {
		name, shown, url := c[0].(string), c[1].(float64), c[2].(string)
		resp, err := http.Get(base + url)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: %d %v", url, resp.StatusCode, err)
		}
		vb := svgViewBox.FindSubmatch(doc)
		if vb == nil {
			t.Fatalf("%s: no viewBox", url)
		}
		width, _ := strconv.ParseFloat(string(vb[1]), 64)
		font := math.Inf(1)
		for _, m := range svgFontSize.FindAllSubmatch(doc, -1) {
			f, _ := strconv.ParseFloat(string(m[1]), 64)
			font = min(font, f)
		}
		px := font * shown / width
		if px < minPx {
			t.Errorf("%s %s: smallest text %.1f of a %.0f wide chart shown %.0f CSS px wide: %.1f CSS px, want at least %g", host, name, font, width, shown, px, minPx)
		}
		smallest = min(smallest, px)
	}
	return smallest
}

// pageHeadline decodes [[metric, value], …].
func pageHeadline(t *testing.T, js string) map[string]float64 {
	t.Helper()
	var rows [][]any
	if err := json.Unmarshal([]byte(js), &rows); err != nil {
		t.Fatalf("headline %s: %v", js, err)
	}
	out := map[string]float64{}
	for _, r := range rows {
		out[r[0].(string)] = r[1].(float64)
	}
	return out
}

// pipelineHeadline runs the page's command line `potash run NAME --seed S
// [--draws N] --set …` through the run pipeline, as `potash run` does
// (without draws: the headline is the central run), and returns the
// headline by metric.
func pipelineHeadline(t *testing.T, command string) map[string]float64 {
	t.Helper()
	args := strings.Fields(command)
	if len(args) < 3 || args[0] != "potash" || args[1] != "run" {
		t.Fatalf("command %q is not potash run", command)
	}
	sets := commandSets(args[3:])
	sc, err := scenarios.Load(args[2], sets)
	if err != nil {
		t.Fatalf("%s: %v", command, err)
	}
	res, err := run.Run(context.Background(), run.Request{Scenario: sc, Sets: sets})
	if err != nil {
		t.Fatalf("%s: %v", command, err)
	}
	out := map[string]float64{}
	for _, h := range res.Summary.Headline {
		out[h.Metric] = h.Value
	}
	return out
}

// commandSets returns the values of the --set flags in args, a command
// line's words, without their shell quotes.
func commandSets(args []string) []string {
	var sets []string
	for k := 0; k < len(args); k++ {
		if args[k] == "--set" && k+1 < len(args) {
			sets = append(sets, strings.Trim(args[k+1], "'"))
			k++
		}
	}
	return sets
}

// pipelineSensitivity runs the page's command line `potash sensitivity
// NAME --metric M --set …` through the run pipeline, as the command line
// does, and returns its summary.
func pipelineSensitivity(t *testing.T, command string) *report.SensitivitySummary {
	t.Helper()
	args := strings.Fields(command)
	if len(args) < 5 || args[0] != "potash" || args[1] != "sensitivity" || args[3] != "--metric" {
		t.Fatalf("command %q is not potash sensitivity NAME --metric M", command)
	}
	sets := commandSets(args[5:])
	sc, err := scenarios.Load(args[2], sets)
	if err != nil {
		t.Fatalf("%s: %v", command, err)
	}
	res, err := run.Sensitivity(context.Background(), run.SensitivityRequest{Scenario: sc, Sets: sets, Metric: args[4]})
	if err != nil {
		t.Fatalf("%s: %v", command, err)
	}
	return res.Summary
}

// pageError returns the page's error box and status, for failure messages.
func pageError(ctx context.Context) string {
	c, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	s, err := chromedp.Run(c, chromedp.Evaluate[string](`document.body.dataset.state + ": " + document.getElementById("status").textContent + " / " + document.getElementById("error").textContent`))
	if err != nil {
		return ""
	}
	return "\npage: " + s
}

// testLog sends the server's log to the test log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
