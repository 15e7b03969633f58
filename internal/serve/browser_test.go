package serve

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Environment variables of the browser test.
const (
	// envBrowser set to "required" makes a missing Chromium a failure
	// instead of a skip (.ci/run.d/serve-e2e.sh sets it).
	envBrowser = "POTASH_BROWSER_TEST"
	// envChromium is the browser executable (default: chromium on PATH).
	envChromium = "POTASH_CHROMIUM"
	// envScreenshot, if set, is a file the page's screenshot is also
	// written to (for people to look at).
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
// and plots) on a loopback port, driven by headless Chromium. It loads the
// page, waits for the default run's charts, raises the sanction discount on
// Belarusian sales from the keyboard (slider focused, End key), waits for
// the charts to update, checks that Belarus's revenue change moved the
// expected way and that the URL records the setting, types an out-of-range
// value and checks the page shows the server's message, and takes a
// screenshot.
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
	base := "http://" + ln.Addr().String() + "/"

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
		chromedp.WindowSize(1440, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancelCtx := chromedp.NewContext(actx)
	defer cancelCtx()
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
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

	const belarusValue = `Number(document.querySelector('#headline tr[data-metric="revenue_change.Belarus"]').dataset.value)`
	evalString := func(expr string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return v
	}
	evalFloat := func(expr string) float64 {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[float64](expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return v
	}
	start := time.Now()
	err = chromedp.Do(ctx,
		chromedp.Navigate(base),
		chromedp.WaitVisible(chromedp.CSS(`#headline tr[data-metric="revenue_change.Belarus"]`)),
		chromedp.WaitVisible(chromedp.CSS(`body[data-state="ready"]`)),
	)
	if err != nil {
		t.Fatalf("page did not show the default run: %v%s", err, pageError(ctx))
	}
	runID1 := evalString(`document.body.dataset.runId`)
	before := evalFloat(belarusValue)
	t.Logf("first run shown %v after navigation; Belarus revenue change %.1f $M", time.Since(start).Round(time.Millisecond), before)

	// Every form control has a label (its own <label>, or aria-label for
	// the sliders paired with a labelled number field).
	if unlabelled := evalString(`Array.from(document.querySelectorAll("input, select, button")).filter(e => !(e.labels && e.labels.length) && !e.getAttribute("aria-label") && !e.textContent.trim()).map(e => e.id || e.outerHTML).join(" ")`); unlabelled != "" {
		t.Errorf("controls without a label: %s", unlabelled)
	}

	// Reach the discount slider from the top of the page with the Tab key
	// only, then raise the discount to the top of its range (End key).
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
	err = chromedp.Do(ctx, chromedp.KeyEvent(kb.End))
	if err == nil {
		_, err = chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`document.body.dataset.state === "ready" && document.body.dataset.runId !== %q`, runID1), chromedp.WithPollingTimeout(30*time.Second)))
	}
	if err != nil {
		t.Fatalf("charts did not update after the change: %v%s", err, pageError(ctx))
	}
	updated := time.Since(changed)
	after := evalFloat(belarusValue)
	nCharts := int(evalFloat(`document.querySelectorAll('#charts img').length`))
	imagesOK := evalString(`String(Array.from(document.querySelectorAll('#charts img')).every(i => i.complete && i.naturalWidth > 0))`) == "true"
	search := evalString(`location.search`)
	// Reference: the discount is a wedge on all of Belarus's sales in
	// scenario and counterfactual alike (an inherited event). A larger
	// wedge lowers the netback Belarus earns on every tonne, so the revenue
	// Belarus regains from US relief shrinks: the cumulative revenue change
	// must fall.
	t.Logf("update took %v (includes the 150 ms debounce); Belarus revenue change %.1f → %.1f $M; %d charts; URL %s", updated.Round(time.Millisecond), before, after, nCharts, search)
	if !(after < before) {
		t.Errorf("Belarus revenue change %.1f $M with a 60%% discount, %.1f $M before: want lower", after, before)
	}
	if nCharts < 4 || !imagesOK {
		t.Errorf("%d charts, all loaded: %v; want at least 4 (price, revenue change, volumes and shares, trade-flow heat map)", nCharts, imagesOK)
	}
	if !strings.Contains(search, "belarus_discount=60") {
		t.Errorf("URL %q does not record belarus_discount=60", search)
	}

	// What a laptop screen shows (1440×900), then the whole page.
	err = chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	if err != nil {
		t.Fatal(err)
	}
	view, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100: PNG
	if err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(t.TempDir(), "serve.png")
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	if p := os.Getenv(envScreenshot); p != "" {
		if err := os.WriteFile(p, view, 0o644); err != nil {
			t.Error(err)
		}
		if err := os.WriteFile(strings.TrimSuffix(p, ".png")+"-full.png", png, 0o644); err != nil {
			t.Error(err)
		}
	}
	t.Logf("screenshot: %s (%d bytes)", shot, len(png))

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
	if !strings.Contains(msg, "99 % is outside the allowed range 0–60 %") || invalid != "true" {
		t.Errorf("error box %q, aria-invalid %q", msg, invalid)
	}

	// Upload a scenario file with a mistake: the page lists the problems
	// with line and column, as `potash validate` does. Then a valid file:
	// it runs, and the command line names it.
	dir := t.TempDir()
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
	runID3 := evalString(`document.body.dataset.runId`)
	err = chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS(`#upload`), []string{good}))
	if err == nil {
		_, err = chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`document.body.dataset.state === "ready" && document.body.dataset.runId !== %q`, runID3), chromedp.WithPollingTimeout(30*time.Second)))
	}
	if err != nil {
		t.Fatalf("a valid upload did not run: %v%s", err, pageError(ctx))
	}
	if cmd := evalString(`document.getElementById("command").value`); !strings.HasPrefix(cmd, "potash run my-relief.yaml ") {
		t.Errorf("command after upload %q", cmd)
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
