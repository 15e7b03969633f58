package serve

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/plots"
	"github.com/potash-sim/potash/scenarios"
)

// errBusy: no run slot became free within Config.QueueWait.
var errBusy = errors.New("busy")

// errTimeLimit: a run went over Config.Timeout.
var errTimeLimit = errors.New("time limit")

// stageError wraps an error of the model or the charts (HTTP 422 unless it
// is a limit or "not implemented").
type stageError struct {
	stage string // "model", "Monte Carlo", "charts"
	err   error
}

func (e *stageError) Error() string { return e.stage + ": " + e.err.Error() }
func (e *stageError) Unwrap() error { return e.err }

// scenarioError wraps a scenario that failed to load (HTTP 400).
type scenarioError struct{ err error }

func (e *scenarioError) Error() string { return e.err.Error() }
func (e *scenarioError) Unwrap() error { return e.err }

// classify maps an error to an HTTP status and a message for the page.
func (s *Server) classify(err error) (int, string, []diagnostic) {
	var ie *inputError
	var ds scenarios.Diagnostics
	var mbe *http.MaxBytesError
	var se *scenarioError
	var ste *stageError
	var pe *panicError
	switch {
	case errors.As(err, &pe):
		return http.StatusInternalServerError, fmt.Sprintf("internal error (a bug in potash, please report it): %v", pe.value), nil
	case errors.As(err, &ie):
		return http.StatusBadRequest, ie.Error(), nil
	case errors.As(err, &mbe):
		return http.StatusRequestEntityTooLarge, fmt.Sprintf("the scenario file is larger than the limit of %d KiB", s.cfg.MaxUploadBytes>>10), nil
	case errors.As(err, &ds) && len(ds.Errors()) > 0:
		n := len(ds.Errors())
		msg := fmt.Sprintf("the scenario has %d error", n)
		if n > 1 {
			msg += "s"
		}
		msg += ": " + ds.Errors()[0].Error()
		return http.StatusBadRequest, msg, toDiagnostics(ds)
	case errors.Is(err, errBusy):
		return http.StatusTooManyRequests, fmt.Sprintf("the server is busy with %d other runs; try again in a moment", s.cfg.MaxConcurrent), nil
	case errors.Is(err, errTimeLimit):
		return http.StatusServiceUnavailable, fmt.Sprintf("the run took longer than the limit of %s; use fewer draws or a shorter horizon", s.cfg.Timeout), nil
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, "the run was cancelled", nil
	case strings.Contains(err.Error(), "not implemented"):
		inner := err
		if errors.As(err, &ste) {
			inner = ste.err
		}
		return http.StatusNotImplemented, "this build of potash cannot do that yet (" + inner.Error() + ")", nil
	case errors.As(err, &se):
		return http.StatusBadRequest, "scenario: " + se.Error(), nil
	case errors.As(err, &ste):
		return http.StatusUnprocessableEntity, "the model could not run these settings: " + ste.Error(), nil
	}
	return http.StatusUnprocessableEntity, err.Error(), nil
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg, ds := s.classify(err)
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	if status >= 500 && status != http.StatusNotImplemented {
		s.log.Printf("%s %s: %v", r.Method, r.URL.RequestURI(), err)
		if pe := (*panicError)(nil); errors.As(err, &pe) {
			s.log.Printf("panic: %v\n%s", pe.value, pe.stack)
		}
	}
	field := ""
	var ie *inputError
	if errors.As(err, &ie) {
		field = ie.Field
	}
	writeJSON(w, status, apiError{Error: msg, Status: status, Field: field, Diagnostics: ds})
}

// runEntry is a finished run, kept in the cache.
type runEntry struct {
	id     string
	sc     *scenarios.Scenario
	run    *model.Run
	mc     *model.MCResult
	meta   plots.Meta
	resp   *runResponse
	charts []*plots.Chart // in page order
	params *RunParams

	renderMu  sync.Mutex        // one drawing at a time per run
	filesMu   sync.Mutex        // guards files (never held while drawing)
	files     map[string][]byte // "price.png" → bytes; the main PNGs with the run, the rest on first request
	fileBytes atomic.Int64      // total size of files
}

// runResponse is the JSON answer of /api/run.
type runResponse struct {
	ID           string        `json:"id"`
	Query        string        `json:"query"` // canonical settings, for the page's URL
	Scenario     scenarioInfo  `json:"scenario"`
	Headline     []headlineRow `json:"headline"`
	Metrics      []headlineRow `json:"metrics"` // every metric
	Charts       []chartRef    `json:"charts"`
	CSV          string        `json:"csv"`
	ZipPNG       string        `json:"zip_png"`
	ZipSVG       string        `json:"zip_svg"`
	Command      string        `json:"command"`
	Draws        int           `json:"draws"`
	Converged    int           `json:"converged"`
	FailedDraws  int           `json:"failed_draws"`
	FailedMonths int           `json:"failed_months"`
	Seed         uint64        `json:"seed"`
	Notes        []string      `json:"notes"`
	ElapsedMS    int64         `json:"elapsed_ms"`
	Cached       bool          `json:"cached"`
}

type headlineRow struct {
	Metric  string  `json:"metric"`
	Label   string  `json:"label"`
	Unit    string  `json:"unit"` // unit of Value
	Value   float64 `json:"value"`
	Text    string  `json:"text"` // Value for people, e.g. "+$1.23 bn"
	HasBand bool    `json:"has_band"`
	P5      float64 `json:"p5,omitempty"`
	P95     float64 `json:"p95,omitempty"`
	Band    string  `json:"band,omitempty"` // e.g. "−$0.2 to +$2.1 bn"
	Doc     string  `json:"doc,omitempty"`
}

type chartRef struct {
	Name  string `json:"name"`
	Title string `json:"title"`
	Main  bool   `json:"main"` // one of the main charts
	PNG   string `json:"png"`
	SVG   string `json:"svg"`
}

type eventInfo struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Start string `json:"start"`
	End   string `json:"end,omitempty"`
}

type scenarioInfo struct {
	Name           string         `json:"name"`
	File           string         `json:"file,omitempty"`
	Title          string         `json:"title"`
	Description    string         `json:"description"`
	Sources        []string       `json:"sources"`
	Counterfactual string         `json:"counterfactual"`
	Hash           string         `json:"hash"`
	Start          string         `json:"start"`
	End            string         `json:"end"`
	ReportFrom     string         `json:"report_from"`
	Events         []eventInfo    `json:"events"`
	Uncertain      []string       `json:"uncertain"`
	Controls       []ControlState `json:"controls,omitempty"`
	Warnings       []diagnostic   `json:"warnings"`
}

func describe(sc *scenarios.Scenario, withControls bool) scenarioInfo {
	info := scenarioInfo{
		Name: sc.Name, Title: sc.Title, Description: sc.Description, Sources: sc.Sources,
		Counterfactual: sc.CounterfactualName, Hash: sc.Hash,
		Warnings: toDiagnostics(sc.Warnings), Events: []eventInfo{}, Uncertain: []string{},
	}
	if info.Sources == nil {
		info.Sources = []string{}
	}
	if sp := sc.Spec; sp != nil {
		info.Start, info.End = sp.Start.String(), sp.End.String()
		rf := sp.ReportStart
		if rf == 0 {
			rf = sp.Start
		}
		info.ReportFrom = rf.String()
		for _, e := range sp.Events {
			ei := eventInfo{ID: e.ID, Label: e.Label, Start: e.Start.String()}
			if e.End != 0 {
				ei.End = e.End.String()
			}
			info.Events = append(info.Events, ei)
		}
	}
	for _, u := range sc.Uncertain {
		info.Uncertain = append(info.Uncertain, u.Name)
	}
	if withControls {
		info.Controls = controlStates(sc)
	}
	return info
}

// baseScenario loads built-in name without sets, once.
func (s *Server) baseScenario(name string) (*scenarios.Scenario, error) {
	s.baseMu.Lock()
	sc, ok := s.base[name]
	s.baseMu.Unlock()
	if ok {
		return sc, nil
	}
	sc, err := s.be.load(name, nil)
	if err != nil {
		return nil, wrapScenario(err)
	}
	if sc == nil || sc.Spec == nil {
		return nil, &scenarioError{errors.New("scenario loader returned no scenario")}
	}
	s.baseMu.Lock()
	s.base[name] = sc
	s.baseMu.Unlock()
	return sc, nil
}

func wrapScenario(err error) error {
	var ds scenarios.Diagnostics
	if errors.As(err, &ds) || strings.Contains(err.Error(), "not implemented") {
		return err
	}
	return &scenarioError{err}
}

func (s *Server) handleScenarios(w http.ResponseWriter, r *http.Request) {
	type builtin struct {
		Name        string `json:"name"`
		Title       string `json:"title"`
		Description string `json:"description"`
	}
	bs := []builtin{}
	for _, b := range s.be.builtins() {
		bs = append(bs, builtin{b.Name, b.Title, b.Description})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"default":  scenarios.DefaultScenario,
		"builtins": bs,
		"controls": Controls,
		"limits":   s.limits(),
		"version":  model.Version,
	})
}

func (s *Server) handleScenario(w http.ResponseWriter, r *http.Request) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		s.fail(w, r, &inputError{"", "malformed query string: " + err.Error()})
		return
	}
	for k := range q {
		if k != "scenario" {
			s.fail(w, r, &inputError{k, "unknown parameter; give only scenario=NAME"})
			return
		}
	}
	name := q.Get("scenario")
	if name == "" {
		name = scenarios.DefaultScenario
	}
	if !isBuiltin(s.be.builtins(), name) {
		s.fail(w, r, notBuiltin(s.be.builtins(), name))
		return
	}
	sc, err := s.baseScenario(name)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, describe(sc, true))
}

// readUpload reads an uploaded scenario from r's body within the size cap.
func (s *Server) readUpload(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.ContentLength > s.cfg.MaxUploadBytes {
		return nil, &http.MaxBytesError{Limit: s.cfg.MaxUploadBytes}
	}
	body := http.MaxBytesReader(w, r.Body, s.cfg.MaxUploadBytes)
	data, err := io.ReadAll(body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, err
		}
		return nil, &inputError{"body", "could not read the uploaded file: " + err.Error()}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &inputError{"body", "the uploaded scenario file is empty"}
	}
	return data, nil
}

// validateResponse is the JSON answer of /api/validate.
type validateResponse struct {
	Valid       bool          `json:"valid"`
	File        string        `json:"file"`
	Diagnostics []diagnostic  `json:"diagnostics"` // errors then warnings
	Scenario    *scenarioInfo `json:"scenario,omitempty"`
}

func (s *Server) handleValidate(w http.ResponseWriter, r *http.Request) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		s.fail(w, r, &inputError{"", "malformed query string: " + err.Error()})
		return
	}
	file := "upload.yaml"
	for k, v := range q {
		if k != "file" || len(v) != 1 {
			s.fail(w, r, &inputError{k, "unknown or repeated parameter; give only file=NAME once"})
			return
		}
		file = strings.TrimSpace(v[0])
	}
	if err := checkFileName(file); err != nil {
		s.fail(w, r, err)
		return
	}
	data, err := s.readUpload(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sc, err := s.be.parse(file, data, nil)
	var ds scenarios.Diagnostics
	switch {
	case err == nil && sc != nil:
		info := describe(sc, true)
		if sp := sc.Spec; sp != nil && sp.Months() > s.cfg.MaxMonths {
			writeJSON(w, http.StatusOK, validateResponse{File: file, Diagnostics: []diagnostic{{
				Severity: "error", File: file, Field: "horizon",
				Msg:  fmt.Sprintf("the horizon has %d months; this server runs at most %d", sp.Months(), s.cfg.MaxMonths),
				Text: fmt.Sprintf("%s: horizon: %d months exceed the server's limit of %d", file, sp.Months(), s.cfg.MaxMonths),
			}}})
			return
		}
		writeJSON(w, http.StatusOK, validateResponse{Valid: true, File: file, Diagnostics: info.Warnings, Scenario: &info})
	case err != nil && errors.As(err, &ds):
		all := append(ds.Errors(), ds.Warnings()...)
		writeJSON(w, http.StatusOK, validateResponse{File: file, Diagnostics: toDiagnostics(all)})
	case err != nil:
		s.fail(w, r, wrapScenario(err))
	default:
		s.fail(w, r, &scenarioError{errors.New("the parser returned no scenario")})
	}
}

func (s *Server) handleRun(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	upload := r.Method == http.MethodPost
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		s.fail(w, r, &inputError{"", "malformed query string: " + err.Error()})
		return
	}
	p, err := parseRunQuery(q, upload, s.be.builtins(), s.limits())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var base *scenarios.Scenario
	if upload {
		if p.Source, err = s.readUpload(w, r); err != nil {
			s.fail(w, r, err)
			return
		}
		base, err = s.be.parse(p.File, p.Source, nil)
		if err == nil && (base == nil || base.Spec == nil) {
			err = &scenarioError{errors.New("the parser returned no scenario")}
		}
		if err != nil {
			s.fail(w, r, wrapScenario(err))
			return
		}
	} else if base, err = s.baseScenario(p.Scenario); err != nil {
		s.fail(w, r, err)
		return
	}
	if n := base.Spec.Months(); n > s.cfg.MaxMonths || n < 1 {
		s.fail(w, r, &inputError{"horizon", fmt.Sprintf("the horizon has %d months; this server runs 1 to %d", n, s.cfg.MaxMonths)})
		return
	}
	for _, st := range controlStates(base) {
		if _, set := p.Values[st.ID]; set && !st.Available {
			s.fail(w, r, &inputError{st.ID, "not available for this scenario: " + st.Note})
			return
		}
	}
	sets, err := p.sets(base.Spec.Start, base.Spec.End)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sum := sha256.New()
	io.WriteString(sum, p.canonicalQuery())
	sum.Write([]byte{0})
	sum.Write(p.Source)
	key := hex.EncodeToString(sum.Sum(nil))[:24]

	e, ok := s.cache.get(key)
	cached := ok
	if !ok {
		for attempt := 0; ; attempt++ {
			e, err = share(r.Context(), &s.flight, key, func() (*runEntry, error) {
				return s.compute(r.Context(), key, p, sets)
			})
			// The request that led the computation went away: try again
			// for ourselves while our own request is alive.
			if err != nil && errors.Is(err, context.Canceled) && r.Context().Err() == nil && attempt < 2 {
				continue
			}
			break
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.cache.add(key, e)
	}
	resp := *e.resp
	resp.Cached = cached
	resp.ElapsedMS = time.Since(start).Milliseconds()
	writeJSON(w, http.StatusOK, resp)
}

// acquire takes a run slot, waiting at most QueueWait.
func (s *Server) acquire(ctx context.Context) (func(), error) {
	select {
	case s.sem <- struct{}{}:
		return func() { <-s.sem }, nil
	default:
	}
	t := time.NewTimer(s.cfg.QueueWait)
	defer t.Stop()
	select {
	case s.sem <- struct{}{}:
		return func() { <-s.sem }, nil
	case <-t.C:
		return nil, errBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// acquireMemory takes need bytes of Config.MaxRunMemory (all of it when
// need exceeds it), waiting while ctx lasts. Its release returns a large
// run's memory to the operating system in the background (the heap would
// otherwise keep the peak of every burst of draws).
func (s *Server) acquireMemory(ctx context.Context, need int64) (func(), error) {
	if need <= 0 {
		return func() {}, nil
	}
	w := min(need, s.cfg.MaxRunMemory)
	if err := s.mem.Acquire(ctx, w); err != nil {
		return nil, err
	}
	return func() {
		s.mem.Release(w)
		if need >= freeAfter && s.freeing.CompareAndSwap(false, true) {
			go func() {
				defer s.freeing.Store(false)
				debug.FreeOSMemory()
			}()
		}
	}, nil
}

// freeAfter is the Monte Carlo memory past which a run's memory is handed
// back to the operating system when it ends.
const freeAfter = 32 << 20

// compute loads the scenario with sets, simulates it and its
// counterfactual, draws, and renders the PNG charts.
func (s *Server) compute(ctx context.Context, key string, p *RunParams, sets []string) (_ *runEntry, err error) {
	release, err := s.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	ctx, cancel := context.WithTimeoutCause(ctx, s.cfg.Timeout, errTimeLimit)
	defer cancel()
	defer func() {
		if err != nil && errors.Is(context.Cause(ctx), errTimeLimit) {
			err = errTimeLimit
		}
	}()

	var sc *scenarios.Scenario
	if p.Source != nil {
		sc, err = s.be.parse(p.File, p.Source, sets)
	} else {
		sc, err = s.be.load(p.Scenario, sets)
	}
	if err != nil {
		return nil, wrapScenario(err)
	}
	if sc == nil || sc.Spec == nil || sc.Counterfactual == nil {
		return nil, &scenarioError{errors.New("the scenario has no specification to run")}
	}
	if n := sc.Spec.Months(); n > s.cfg.MaxMonths || n < 1 {
		return nil, &inputError{"horizon", fmt.Sprintf("the horizon has %d months; this server runs 1 to %d", n, s.cfg.MaxMonths)}
	}
	run, err := s.be.simulate(ctx, sc.Spec, sc.Counterfactual)
	if err != nil {
		return nil, &stageError{"model", err}
	}
	if run == nil || run.Scenario == nil || run.Counterfactual == nil {
		return nil, &stageError{"model", errors.New("no paths returned")}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var notes []string
	var mc *model.MCResult
	switch {
	case p.Draws > 0 && len(sc.Uncertain) == 0:
		notes = append(notes, "This scenario has no uncertain parameters, so there are no Monte Carlo draws and no bands.")
	case p.Draws > 0:
		need := model.MCMemory(run.Scenario.Cal, sc.Spec, p.Draws, s.cfg.Workers)
		releaseMem, err := s.acquireMemory(ctx, need)
		if err != nil {
			return nil, err
		}
		mc, err = s.be.monteCarlo(ctx, sc.Spec, sc.Counterfactual, sc.Uncertain, model.MCOptions{Draws: p.Draws, Seed: p.Seed, Workers: s.cfg.Workers})
		releaseMem()
		if err != nil {
			return nil, &stageError{"Monte Carlo", err}
		}
		if mc == nil {
			return nil, &stageError{"Monte Carlo", errors.New("no result returned")}
		}
	}
	failedMonths := run.Scenario.Failed + run.Counterfactual.Failed
	if failedMonths > 0 {
		notes = append(notes, fmt.Sprintf("The solver did not converge in %d month(s) of the central run; treat its numbers with care.", failedMonths))
	}
	if mc != nil && mc.Failed > 0 {
		notes = append(notes, fmt.Sprintf("%d of %d draws did not converge in some month and are excluded from the bands.", mc.Failed, mc.Draws))
	}
	metrics := s.be.metrics(run)
	head, all, err := headline(run, metrics, mc)
	if err != nil {
		return nil, &stageError{"model", err}
	}
	meta := chartMeta(sc, p)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	charts, err := s.be.charts(run, mc, meta, chartOptions)
	if err != nil {
		return nil, &stageError{"charts", err}
	}
	if len(charts) == 0 {
		return nil, &stageError{"charts", errors.New("no charts were drawn")}
	}
	slices.SortStableFunc(charts, func(a, b *plots.Chart) int { return chartRank(a.Name) - chartRank(b.Name) })
	e := &runEntry{id: key, sc: sc, run: run, mc: mc, meta: meta, charts: charts, params: p, files: map[string][]byte{}}
	// The main charts now, in parallel; the others when the page asks.
	var main []*plots.Chart
	for _, ch := range charts {
		if isMainChart(ch.Name) {
			main = append(main, ch)
		}
	}
	if err := e.renderAll(ctx, s, main, "png"); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	info := describe(sc, false)
	info.File = p.File
	resp := &runResponse{
		ID:       key,
		Query:    p.canonicalQuery(),
		Scenario: info,
		Headline: head,
		Metrics:  all,
		CSV:      "/api/csv/" + key,
		ZipPNG:   "/api/charts/" + key + ".zip?format=png",
		ZipSVG:   "/api/charts/" + key + ".zip?format=svg",
		Command:  commandLine(p, sets),
		Draws:    p.Draws, Seed: p.Seed,
		FailedMonths: failedMonths,
		Notes:        notes,
		Charts:       []chartRef{},
	}
	if mc != nil {
		resp.Draws, resp.Converged, resp.FailedDraws = mc.Draws, mc.Converged, mc.Failed
	} else {
		resp.Draws = 0
	}
	if resp.Notes == nil {
		resp.Notes = []string{}
	}
	for _, ch := range charts {
		name := ch.Name
		resp.Charts = append(resp.Charts, chartRef{
			Name: name, Title: chartTitle(name), Main: isMainChart(name),
			PNG: "/api/chart/" + key + "/" + name + ".png",
			SVG: "/api/chart/" + key + "/" + name + ".svg",
		})
	}
	e.resp = resp
	return e, nil
}

// chartOptions are the page's chart settings: the half-page preset (6.5 ×
// 4 in) at 120 DPI, 780 × 480 pixels, sharp on a laptop screen in a
// two-column grid.
var chartOptions = plots.Options{Size: plots.SizeHalfPage, DPI: 120}

// chart returns chart name of e in format, drawing it on first request
// (one drawing at a time per run; the drawing is bounded, a few tens of
// milliseconds).
func (e *runEntry) chart(s *Server, name, format string) ([]byte, error) {
	file := name + "." + format
	if b, ok := e.file(file); ok {
		return b, nil
	}
	e.renderMu.Lock()
	defer e.renderMu.Unlock()
	if b, ok := e.file(file); ok { // drawn while we waited
		return b, nil
	}
	var ch *plots.Chart
	for _, c := range e.charts {
		if c.Name == name {
			ch = c
		}
	}
	if ch == nil {
		return nil, errNoChart
	}
	var buf bytes.Buffer
	if err := s.be.renderChart(ch, &buf, format, chartOptions); err != nil {
		return nil, &stageError{"charts", err}
	}
	e.store(file, buf.Bytes())
	return buf.Bytes(), nil
}

func (e *runEntry) file(name string) ([]byte, bool) {
	e.filesMu.Lock()
	defer e.filesMu.Unlock()
	b, ok := e.files[name]
	return b, ok
}

func (e *runEntry) store(name string, b []byte) {
	e.filesMu.Lock()
	defer e.filesMu.Unlock()
	if _, ok := e.files[name]; !ok {
		e.files[name] = b
		e.fileBytes.Add(int64(len(b)))
	}
}

var errNoChart = errors.New("no such chart")

// renderAll draws charts in format with up to GOMAXPROCS goroutines.
func (e *runEntry) renderAll(ctx context.Context, s *Server, charts []*plots.Chart, format string) error {
	type result struct {
		file string
		b    []byte
		err  error
	}
	out := make([]result, len(charts))
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	for k, ch := range charts {
		out[k].file = ch.Name + "." + format
		if _, done := e.file(out[k].file); done {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if ctx.Err() != nil {
				out[k].err = ctx.Err()
				return
			}
			var buf bytes.Buffer
			if err := s.be.renderChart(ch, &buf, format, chartOptions); err != nil {
				out[k].err = &stageError{"charts", err}
				return
			}
			out[k].b = buf.Bytes()
		}()
	}
	wg.Wait()
	for _, r := range out {
		if r.err != nil {
			return r.err
		}
		if r.b != nil {
			e.store(r.file, r.b)
		}
	}
	return nil
}

// mainCharts are the charts the issue names, in page order, with their
// captions; plots.RenderRun names its files after them. Other charts (a
// market's prices, revenue paths, corridors) follow under "More charts".
var mainCharts = []struct{ name, title string }{
	{"price", "Benchmark price path, with Monte Carlo bands"},
	{"revenue_change", "Export revenue change by supplier"},
	{"volumes", "Export volumes by supplier"},
	{"shares", "World market shares"},
	{"flows", "Trade-flow change (heat map)"},
}

var moreCharts = []struct{ prefix, title string }{
	{"price_regions", "Price index by market"},
	{"revenue", "Export revenue by supplier"},
	{"corridors_Belarus", "Exports by corridor: "},
	{"corridors_", "Exports by corridor: "},
}

// chartRank orders chart names: main charts first, in the order above
// (Belarus's corridors before other suppliers').
func chartRank(name string) int {
	for k, c := range mainCharts {
		if name == c.name {
			return k
		}
	}
	for k, c := range moreCharts {
		if strings.HasPrefix(name, c.prefix) {
			return len(mainCharts) + k
		}
	}
	return len(mainCharts) + len(moreCharts)
}

func isMainChart(name string) bool { return chartRank(name) < len(mainCharts) }

func orderCharts(m map[string][]byte) []string {
	return slices.SortedFunc(maps.Keys(m), func(a, b string) int {
		if c := chartRank(a) - chartRank(b); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
}

// chartTitle is the page's caption of chart file name.
func chartTitle(name string) string {
	for _, c := range mainCharts {
		if name == c.name {
			return c.title
		}
	}
	for _, c := range moreCharts {
		if strings.HasPrefix(name, c.prefix) {
			if strings.HasSuffix(c.title, ": ") {
				return c.title + strings.ReplaceAll(strings.TrimPrefix(name, c.prefix), "_", " ")
			}
			if name == c.prefix {
				return c.title
			}
		}
	}
	t := strings.NewReplacer("-", " ", "_", " ").Replace(name)
	if t == "" {
		return name
	}
	return strings.ToUpper(t[:1]) + t[1:]
}

// chartMeta says where a chart comes from; it matches what `potash run`
// draws (cmd/potash chartMeta), so a chart from the page and one from the
// command line are the same.
func chartMeta(sc *scenarios.Scenario, p *RunParams) plots.Meta {
	meta := plots.Meta{
		Scenario: sc.Name, Title: sc.Title, Counterfactual: sc.CounterfactualName,
		Hash: sc.Hash, ModelVersion: model.Version, Seed: p.Seed, Draws: p.Draws,
	}
	if len(sc.Uncertain) == 0 {
		meta.Draws = 0
	}
	if m := sc.Spec.Market; m != nil {
		embedded, cites := sc.MarketSources()
		meta.DataSource = plots.DataSourceLine(m, embedded, cites)
	}
	meta.Markers = plots.EventMarkers(sc.Spec.Events, sc.Spec.Start, sc.Spec.End)
	meta.EventLabels = plots.EventLabels(sc.Spec.Events)
	return meta
}

// headline builds the headline table the CLI prints (report.Headlines:
// benchmark price, then each main supplier's cumulative export revenue, with
// the 5–95% band of the draws) and the table of every metric. A non-finite
// number is an error: no NaN or Inf reaches the page.
func headline(run *model.Run, ms []model.Metric, mc *model.MCResult) (head, all []headlineRow, err error) {
	rm := report.Metrics(ms, mc)
	hs, err := report.Headlines(run, rm)
	if err != nil {
		return nil, nil, err
	}
	sum := report.Summary{Headline: hs, Metrics: rm}
	if err := sum.CheckFinite(); err != nil {
		return nil, nil, err
	}
	row := func(h report.Headline, doc string) headlineRow {
		value, band, unit := h.Display()
		// The page shows the report window once, in the table's heading.
		label := windowSuffix.ReplaceAllString(h.Label, "")
		r := headlineRow{Metric: h.Metric, Label: label, Unit: h.Unit, Value: h.Value, Text: value + " " + unit, Doc: doc}
		if h.Band != nil {
			r.HasBand, r.P5, r.P95, r.Band = true, h.Band.P5, h.Band.P95, band+" "+unit
		}
		return r
	}
	head = []headlineRow{}
	for _, h := range hs {
		head = append(head, row(h, ""))
	}
	all = []headlineRow{}
	for _, m := range rm {
		all = append(all, row(report.Headline{Metric: m.Name, Label: metricLabel(m.Name), Unit: m.Unit, Value: m.Value, Band: m.Band}, m.Doc))
	}
	return head, all, nil
}

// windowSuffix is the report window at the end of a report.Headline label.
var windowSuffix = regexp.MustCompile(` \d{4}-\d{2} to \d{4}-\d{2}$`)

// metricLabel names a model metric for people, e.g. "revenue_change.Belarus"
// → "Belarus: revenue change".
func metricLabel(name string) string {
	base, who, _ := strings.Cut(name, ".")
	l := strings.ReplaceAll(base, "_", " ")
	if l == "" {
		return name
	}
	l = strings.ToUpper(l[:1]) + l[1:]
	if who != "" {
		l = who + ": " + strings.ToLower(l[:1]) + l[1:]
	}
	return l
}

// commandLine is the `potash run` command that reproduces a run, with
// arguments quoted for a POSIX shell where needed.
func commandLine(p *RunParams, sets []string) string {
	args := []string{"potash", "run"}
	if p.File != "" {
		args = append(args, shellQuote(p.File))
	} else {
		args = append(args, shellQuote(p.Scenario))
	}
	for _, s := range sets {
		args = append(args, "--set", shellQuote(s))
	}
	args = append(args, "--draws", fmt.Sprint(p.Draws), "--seed", fmt.Sprint(p.Seed))
	return strings.Join(args, " ")
}

func shellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.=/:,+@%", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// entry finds run id in the cache.
func (s *Server) entry(w http.ResponseWriter, r *http.Request, id string) (*runEntry, bool) {
	if !validID(id) {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("%q is not a run id", id), nil)
		return nil, false
	}
	e, ok := s.cache.get(id)
	if !ok {
		writeError(w, http.StatusNotFound, "this run is no longer in the server's cache; run it again", nil)
		return nil, false
	}
	return e, true
}

func validID(id string) bool {
	if len(id) != 24 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil
}

func (s *Server) handleChart(w http.ResponseWriter, r *http.Request) {
	e, ok := s.entry(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	file := r.PathValue("file")
	name, ext, _ := strings.Cut(file, ".")
	var ctype string
	switch ext {
	case "png":
		ctype = "image/png"
	case "svg":
		ctype = "image/svg+xml"
	default:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("%q: ask for NAME.png or NAME.svg", file), nil)
		return
	}
	b, err := e.chart(s, name, ext)
	if errors.Is(err, errNoChart) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("run has no chart %q; charts: %s", name, strings.Join(e.chartNames(), ", ")), nil)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "private, max-age=3600, immutable")
	if r.URL.Query().Get("download") != "" {
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", downloadName(e, name+"."+ext)))
	}
	w.Write(b)
}

func (e *runEntry) chartNames() []string {
	var out []string
	for _, c := range e.charts {
		out = append(out, c.Name)
	}
	return out
}

func downloadName(e *runEntry, file string) string {
	base := "potash"
	if e.sc != nil && e.sc.Name != "" {
		base = e.sc.Name
	}
	clean := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, base+"-"+e.id[:8]+"-"+file)
	return clean
}

func (s *Server) handleZip(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutSuffix(r.PathValue("file"), ".zip")
	if !ok {
		writeError(w, http.StatusBadRequest, "ask for /api/charts/ID.zip?format=png|svg", nil)
		return
	}
	e, ok := s.entry(w, r, id)
	if !ok {
		return
	}
	format := r.URL.Query().Get("format")
	switch format {
	case "":
		format = "png"
	case "png", "svg":
	default:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("format %q: want png or svg", format), nil)
		return
	}
	if err := e.renderAll(r.Context(), s, e.charts, format); err != nil {
		s.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, ch := range e.charts {
		b, err := e.chart(s, ch.Name, format) // drawn above: from memory
		if err == nil {
			var f io.Writer
			if f, err = zw.Create(ch.Name + "." + format); err == nil {
				_, err = f.Write(b)
			}
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if err := zw.Close(); err != nil {
		s.fail(w, r, &stageError{"charts", err})
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", downloadName(e, "charts-"+format+".zip")))
	w.Write(buf.Bytes())
}

// CSV downloads: up to csvSpool bytes are built before the answer starts;
// a client that takes no bytes for csvStall is dropped.
const (
	csvSpool = 4 << 20
	csvStall = 30 * time.Second
)

// handleCSV sends the run's tidy CSV (tens of MB with draws). It takes a
// run slot (a download costs as much as a run, and is refused with 429 when
// every slot is busy), writes the CSV once, and stops when its client goes.
// The first csvSpool bytes are built before the headers: a CSV that fits
// is sent with its Content-Length, and one that fails there is a clear
// error with its status. A larger CSV is streamed (chunked); if it fails,
// or its client stalls for csvStall, the connection is aborted, so the
// client sees a broken download, never a 200 with a truncated body.
func (s *Server) handleCSV(w http.ResponseWriter, r *http.Request) {
	e, ok := s.entry(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", downloadName(e, "results.csv")))
	if r.Method == http.MethodHead {
		return
	}
	release, err := s.acquire(r.Context())
	if err != nil {
		h.Del("Content-Disposition")
		s.fail(w, r, err)
		return
	}
	defer release()
	sw := &spoolWriter{w: w, ctx: r.Context(), rc: http.NewResponseController(w)}
	err = s.be.writeCSV(sw, e)
	if err == nil {
		err = sw.finish()
	}
	if err == nil {
		return
	}
	if !sw.started {
		h.Del("Content-Disposition")
		s.fail(w, r, &stageError{"CSV", err})
		return
	}
	if r.Context().Err() == nil {
		s.log.Printf("%s: CSV cut short after %d bytes: %v", r.URL.Path, sw.sent, err)
	}
	panic(http.ErrAbortHandler) // the client sees the download break
}

// spoolWriter holds the first csvSpool bytes of a download, then streams:
// every write checks the request's context and moves the write deadline
// on, so a slow client that keeps reading is not cut, and a gone one stops
// the writing.
type spoolWriter struct {
	w        http.ResponseWriter
	ctx      context.Context
	rc       *http.ResponseController
	buf      bytes.Buffer
	started  bool // headers sent
	sent     int64
	deadline time.Time
}

func (sw *spoolWriter) Write(p []byte) (int, error) {
	if err := sw.ctx.Err(); err != nil {
		return 0, err
	}
	if !sw.started {
		sw.buf.Write(p)
		if sw.buf.Len() <= csvSpool {
			return len(p), nil
		}
		sw.started = true
		sw.w.WriteHeader(http.StatusOK)
		if _, err := sw.send(sw.buf.Bytes()); err != nil {
			return 0, err
		}
		sw.buf = bytes.Buffer{}
		return len(p), nil
	}
	return sw.send(p)
}

func (sw *spoolWriter) send(p []byte) (int, error) {
	if now := time.Now(); now.After(sw.deadline.Add(-csvStall + time.Second)) {
		sw.deadline = now.Add(csvStall)
		_ = sw.rc.SetWriteDeadline(sw.deadline) // unsupported in tests' recorders
	}
	n, err := sw.w.Write(p)
	sw.sent += int64(n)
	return n, err
}

// finish sends a CSV that fit in the spool, with its length.
func (sw *spoolWriter) finish() error {
	if sw.started {
		return nil
	}
	sw.started = true
	sw.w.Header().Set("Content-Length", strconv.Itoa(sw.buf.Len()))
	sw.w.WriteHeader(http.StatusOK)
	_, err := sw.send(sw.buf.Bytes())
	return err
}

// size estimates the memory e holds, bytes: charts, the central paths and
// the Monte Carlo bands.
func (e *runEntry) size() int64 {
	n := e.fileBytes.Load()
	if e.run != nil {
		for _, p := range []*model.Path{e.run.Scenario, e.run.Counterfactual} {
			if p == nil || p.Cal == nil || p.Cal.Market == nil {
				continue
			}
			m := p.Cal.Market
			ns, nr := int64(len(m.Suppliers)), int64(len(m.Regions))
			perMonth := 8 * (20*ns + 6*nr + 2*ns*nr + 4*ns*3)
			n += int64(len(p.Sol)) * perMonth
		}
	}
	if e.mc != nil {
		n += int64(len(e.mc.Series)) * int64(len(e.mc.Months)) * 3 * 48
		for _, t := range e.mc.Totals {
			n += int64(len(t.Values)) * 8
		}
	}
	return n + 64<<10 // the response, scenario and the rest
}
