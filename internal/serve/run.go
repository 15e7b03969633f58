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
	"math"
	"net/http"
	"net/url"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/internal/run"
	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/plots"
	"github.com/potash-sim/potash/scenarios"
	"gonum.org/v1/plot/vg"
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
	case errors.As(err, &se):
		return http.StatusBadRequest, "scenario: " + se.Error(), nil
	case errors.As(err, &ste):
		return http.StatusUnprocessableEntity, "the model could not run these settings: " + ste.Error(), nil
	case errors.Is(err, run.ErrInput), errors.Is(err, run.ErrModel):
		// The run pipeline's failures: a market that cannot be calibrated,
		// no draw that converged, a number that is not finite.
		return http.StatusUnprocessableEntity, "the model could not run these settings: " + err.Error(), nil
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
	// sens and tornado are a sensitivity analysis' answer and summary
	// (/api/sensitivity): nil for a run, and resp nil for an analysis.
	sens    *sensitivityResponse
	tornado *report.SensitivitySummary

	renderMu  sync.Mutex        // one drawing at a time per run
	filesMu   sync.Mutex        // guards files (never held while drawing)
	files     map[string][]byte // "price.png" → bytes; the main PNGs with the run, the rest on first request
	fileBytes atomic.Int64      // total size of files
}

// runResponse is the JSON answer of /api/run.
type runResponse struct {
	ID       string        `json:"id"`
	Query    string        `json:"query"` // canonical settings, for the page's URL
	Scenario scenarioInfo  `json:"scenario"`
	Headline []headlineRow `json:"headline"`
	Metrics  []headlineRow `json:"metrics"` // every metric
	Charts   []chartRef    `json:"charts"`
	CSV      string        `json:"csv"`
	Bands    string        `json:"bands,omitempty"` // bands.csv, with draws
	DrawsCSV string        `json:"draws_csv,omitempty"`
	ZipPNG   string        `json:"zip_png"`
	ZipSVG   string        `json:"zip_svg"`
	Command  string        `json:"command"`
	// Settings says in words what the request changed from the
	// scenario's values, and in which runs ("" for none).
	Settings string `json:"settings"`
	// HeadlineNote says what the headline's figures are, as summary.md
	// does (report.HeadlineNote): percentages, revenues, dollars.
	HeadlineNote string `json:"headline_note"`
	// Conduct is the command line's line on market conduct (who acts
	// strategically; report.ConductText), "" when every supplier takes
	// prices.
	Conduct     string `json:"conduct,omitempty"`
	Draws       int    `json:"draws"`
	Converged   int    `json:"converged"`
	FailedDraws int    `json:"failed_draws"`
	// RejectedDraws counts the candidate draws the joint rules rejected
	// and redrew (report.Summary.RejectedDraws).
	RejectedDraws int      `json:"rejected_draws,omitempty"`
	FailedMonths  int      `json:"failed_months"`
	Seed          uint64   `json:"seed"`
	Notes         []string `json:"notes"`
	// ExportsByYear is the main suppliers' exports by year, the table
	// summary.md and the command line's summary show
	// (report.ExportsByYearTable); nil when the run has none.
	ExportsByYear *yearTable `json:"exports_by_year,omitempty"`
	served
}

// yearTable is report.ExportsByYearTable for the page: what it shows
// (report.ExportsByYearNote), its column headings and its rows, each a
// supplier then one cell per year.
type yearTable struct {
	Note string     `json:"note"`
	Head []string   `json:"head"`
	Rows [][]string `json:"rows"`
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
	// Width and Height are the PNG's size in pixels.
	Width  int `json:"width"`
	Height int `json:"height"`
}

type eventInfo struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Start string `json:"start"`
	End   string `json:"end,omitempty"`
}

type scenarioInfo struct {
	Name           string      `json:"name"`
	File           string      `json:"file,omitempty"`
	Title          string      `json:"title"`
	Description    string      `json:"description"`
	Sources        []string    `json:"sources"`
	Counterfactual string      `json:"counterfactual"`
	Hash           string      `json:"hash"`
	Start          string      `json:"start"`
	End            string      `json:"end"`
	ReportFrom     string      `json:"report_from"`
	Events         []eventInfo `json:"events"`
	Uncertain      []string    `json:"uncertain"`
	// Correlations are the groups of uncertain parameters drawn together
	// (the scenario's correlations: section).
	Correlations []report.CorrelationInfo `json:"correlations,omitempty"`
	Controls     []ControlState           `json:"controls,omitempty"`
	Warnings     []diagnostic             `json:"warnings"`
}

// describe describes sc for the page, with its controls when common is
// not nil (see controlStates).
func describe(sc *scenarios.Scenario, common func(*scenarios.Scenario, string) bool) scenarioInfo {
	ri := run.ScenarioInfo(sc)
	info := scenarioInfo{
		Name: ri.Name, Title: sc.Title, Description: ri.Description, Sources: ri.Sources,
		Counterfactual: ri.Counterfactual, Hash: ri.Hash, Start: ri.Start, End: ri.End, ReportFrom: ri.ReportFrom,
		Warnings: toDiagnostics(sc.Warnings), Events: []eventInfo{}, Uncertain: []string{},
		Correlations: ri.Correlations,
	}
	if info.Sources == nil {
		info.Sources = []string{}
	}
	for _, e := range ri.Events {
		info.Events = append(info.Events, eventInfo(e))
	}
	for _, u := range sc.Uncertain {
		info.Uncertain = append(info.Uncertain, u.Name)
	}
	if common != nil {
		info.Controls = controlStates(sc, common)
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
	if errors.As(err, &ds) {
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
	q, ok := s.query(w, r)
	if !ok {
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
	writeJSON(w, http.StatusOK, describe(sc, s.be.common))
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
	q, ok := s.query(w, r)
	if !ok {
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
		info := describe(sc, s.be.common)
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

// handleRun runs the page's settings (compute), as serveJob does.
func (s *Server) handleRun(w http.ResponseWriter, r *http.Request) {
	s.serveJob(w, r, func(q url.Values, upload bool) (*job, error) {
		p, err := parseRunQuery(q, upload, s.be.builtins(), s.limits())
		if err != nil {
			return nil, err
		}
		return &job{
			params: p, query: p.canonicalQuery(),
			compute: func(ctx context.Context, key string, sets []string) (*runEntry, error) {
				return s.compute(ctx, key, p, sets)
			},
		}, nil
	})
}

// job is what a computing request (/api/run, /api/sensitivity) is, as
// its handler says it to serveJob.
type job struct {
	params *RunParams // the scenario or upload and the control values
	kind   string     // the cache key's kind: "" for a run
	query  string     // the canonical query, the rest of the cache key
	// check, if not nil, checks the request against its scenario (read
	// without the control values) before any work.
	check   func(base *scenarios.Scenario) error
	compute func(ctx context.Context, key string, sets []string) (*runEntry, error)
}

// served says how an answer of serveJob was served.
type served struct {
	ElapsedMS int64 `json:"elapsed_ms"` // since the request came
	Cached    bool  `json:"cached"`     // from the cache, not computed for it
}

// answer is the JSON answer of an entry (runEntry.answer) as served.
func (e *runEntry) answer(sv served) any {
	if e.sens != nil {
		resp := *e.sens
		resp.served = sv
		return resp
	}
	resp := *e.resp
	resp.served = sv
	return resp
}

// serveJob is the skeleton of the computing handlers. newJob reads the
// request's query (upload: a POST, whose body is the scenario); then the
// scenario is read and checked against the controls (prepare) and by
// job.check, the entry is taken from the cache or computed in a run slot
// within the time limit, once for identical requests (cached), and
// answered (runEntry.answer). Every failure is answered by fail.
func (s *Server) serveJob(w http.ResponseWriter, r *http.Request, newJob func(q url.Values, upload bool) (*job, error)) {
	start := time.Now()
	q, ok := s.query(w, r)
	if !ok {
		return
	}
	j, err := newJob(q, r.Method == http.MethodPost)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	base, sets, err := s.prepare(w, r, j.params)
	if err == nil && j.check != nil {
		err = j.check(base)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	key := cacheKey(j.kind, j.query, j.params.Source)
	e, cached, err := s.cached(r, key, func(ctx context.Context) (*runEntry, error) {
		return j.compute(ctx, key, sets)
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, e.answer(served{ElapsedMS: time.Since(start).Milliseconds(), Cached: cached}))
}

// query parses the request's query string, answering a malformed one
// with a 400.
func (s *Server) query(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		s.fail(w, r, &inputError{"", "malformed query string: " + err.Error()})
		return nil, false
	}
	return q, true
}

// prepare reads the request's scenario (the uploaded file, when there is
// one, into p.Source), checks its horizon and p's controls against it,
// and returns it with p's --set arguments. The scenario is read without
// the sets: the computation loads it with them (loadScenario).
func (s *Server) prepare(w http.ResponseWriter, r *http.Request, p *RunParams) (*scenarios.Scenario, []string, error) {
	var base *scenarios.Scenario
	var err error
	if p.Scenario == "" { // an upload
		if p.Source, err = s.readUpload(w, r); err != nil {
			return nil, nil, err
		}
		base, err = s.be.parse(p.File, p.Source, nil)
		if err == nil && (base == nil || base.Spec == nil) {
			err = &scenarioError{errors.New("the parser returned no scenario")}
		}
		if err != nil {
			return nil, nil, wrapScenario(err)
		}
	} else if base, err = s.baseScenario(p.Scenario); err != nil {
		return nil, nil, err
	}
	if n := base.Spec.Months(); n > s.cfg.MaxMonths || n < 1 {
		return nil, nil, &inputError{"horizon", fmt.Sprintf("the horizon has %d months; this server runs 1 to %d", n, s.cfg.MaxMonths)}
	}
	if err := checkControls(p, base, s.be.common); err != nil {
		return nil, nil, err
	}
	sets, err := p.sets(base.Spec.Start, base.Spec.End)
	return base, sets, err
}

// cacheKey is the cache key of a computation of kind ("" for a run) with
// the canonical query and the uploaded file.
func cacheKey(kind, query string, source []byte) string {
	sum := sha256.New()
	if kind != "" {
		io.WriteString(sum, kind)
		sum.Write([]byte{0})
	}
	io.WriteString(sum, query)
	sum.Write([]byte{0})
	sum.Write(source)
	return hex.EncodeToString(sum.Sum(nil))[:24]
}

// cached returns the entry of key from the cache or computes it with
// compute (inSlot), once for identical requests in flight (share), and
// keeps it; it reports whether it came from the cache.
func (s *Server) cached(r *http.Request, key string, compute func(ctx context.Context) (*runEntry, error)) (*runEntry, bool, error) {
	if e, ok := s.cache.get(key); ok {
		return e, true, nil
	}
	var e *runEntry
	var err error
	for attempt := 0; ; attempt++ {
		e, err = share(r.Context(), &s.flight, key, func() (*runEntry, error) {
			return s.inSlot(r.Context(), compute)
		})
		// The request that led the computation went away: try again
		// for ourselves while our own request is alive.
		if err != nil && errors.Is(err, context.Canceled) && r.Context().Err() == nil && attempt < 2 {
			continue
		}
		break
	}
	if err != nil {
		return nil, false, err
	}
	s.cache.add(key, e)
	return e, false, nil
}

// inSlot runs compute in a run slot (acquire) and within the time limit;
// an error once the limit has passed is errTimeLimit.
func (s *Server) inSlot(ctx context.Context, compute func(ctx context.Context) (*runEntry, error)) (*runEntry, error) {
	release, err := s.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	ctx, cancel := context.WithTimeoutCause(ctx, s.cfg.Timeout, errTimeLimit)
	defer cancel()
	e, err := compute(ctx)
	if err != nil && errors.Is(context.Cause(ctx), errTimeLimit) {
		err = errTimeLimit
	}
	return e, err
}

// loadScenario loads p's scenario with sets, within the horizon cap.
func (s *Server) loadScenario(p *RunParams, sets []string) (*scenarios.Scenario, error) {
	var sc *scenarios.Scenario
	var err error
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
	return sc, nil
}

// ref names p's scenario on the reproducing command line.
func (p *RunParams) ref() string {
	if p.Source != nil {
		return p.File
	}
	return p.Scenario
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
func (s *Server) compute(ctx context.Context, key string, p *RunParams, sets []string) (*runEntry, error) {
	sc, err := s.loadScenario(p, sets)
	if err != nil {
		return nil, err
	}
	ref := p.ref()
	eng := run.Engine{Simulate: s.be.simulate, MonteCarlo: s.be.monteCarlo, Metrics: s.be.metrics, Charts: s.be.charts}
	opts := chartOptions
	res, err := eng.Run(ctx, run.Request{
		Scenario: sc, Ref: ref, Sets: sets, Draws: p.Draws, Seed: p.Seed,
		Workers: min(s.cfg.Workers, run.MaxWorkers()), Reserve: s.acquireMemory, Charts: &opts,
	})
	if err != nil {
		return nil, err
	}
	sum := res.Summary
	notes := append([]string{}, res.Notes...)
	for _, w := range sc.Warnings.Warnings() {
		if w.File == "--set" { // e.g. a control that fixes what the draws vary
			notes = append(notes, setNote(w))
		}
	}
	if t := sum.OffBand.Text(); t != "" {
		notes = append(notes, t)
	}
	if t := report.RejectedNote(sum); t != "" {
		notes = append(notes, t)
	}
	if err := res.Err(); err != nil {
		notes = append(notes, "Treat these numbers with care: "+err.Error()+".")
	} else if sum.FailedDraws > 0 {
		notes = append(notes, fmt.Sprintf("%d of %d draws did not converge in some month and are excluded from the bands.", sum.FailedDraws, sum.Draws))
	}
	e := &runEntry{id: key, sc: sc, run: res.Run, mc: res.MC, meta: res.Meta, charts: res.Charts, params: p, files: map[string][]byte{}}
	// The main charts now, in parallel; the others when the page asks.
	var main []*plots.Chart
	for _, ch := range res.Charts {
		if ch.Main {
			main = append(main, ch)
		}
	}
	if err := e.renderAll(ctx, s, main, "png"); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	info := describe(sc, nil)
	info.File = p.File
	resp := &runResponse{
		ID:            key,
		Query:         p.canonicalQuery(),
		Scenario:      info,
		Headline:      []headlineRow{},
		Metrics:       []headlineRow{},
		CSV:           "/api/csv/" + key,
		ZipPNG:        "/api/charts/" + key + ".zip?format=png",
		ZipSVG:        "/api/charts/" + key + ".zip?format=svg",
		Command:       sum.Command,
		Settings:      p.describe(),
		HeadlineNote:  report.HeadlineNote(sum.Scenario),
		Conduct:       report.ConductText(sum.Scenario),
		Draws:         sum.Draws,
		Converged:     sum.Converged,
		FailedDraws:   sum.FailedDraws,
		RejectedDraws: sum.RejectedDraws,
		FailedMonths:  sum.FailedMonths.Scenario + sum.FailedMonths.Counterfactual,
		Seed:          p.Seed,
		Notes:         notes,
		Charts:        []chartRef{},
	}
	if res.MC != nil {
		resp.Bands, resp.DrawsCSV = "/api/bands/"+key, "/api/draws/"+key
	}
	if t := report.ExportsByYearTable(sum); t != nil {
		resp.ExportsByYear = &yearTable{Note: report.ExportsByYearNote, Head: t.Head, Rows: t.Rows}
	}
	docs := map[string]string{}
	for _, m := range sum.Metrics {
		docs[m.Name] = m.Doc
	}
	for _, h := range sum.Headline {
		// The page shows the report window once, in the table's heading.
		resp.Headline = append(resp.Headline, row(h, h.What+", "+h.Measure, docs[h.Metric]))
	}
	for _, m := range sum.Metrics {
		// The headline's words (report.MetricLabel), so that a metric
		// has one name wherever the page shows it.
		resp.Metrics = append(resp.Metrics, row(report.Headline{Metric: m.Name, Unit: m.Unit, Value: m.Value, Band: m.Band}, report.MetricText(sc.Spec.Market, m.Name), m.Doc))
	}
	for _, ch := range res.Charts {
		resp.Charts = append(resp.Charts, newChartRef(ch, "/api/chart/"+key+"/"+ch.Name))
	}
	e.resp = resp
	return e, nil
}

// setNote words a warning about a --set for the page: by the control's
// label when a control made it.
func setNote(w scenarios.Diagnostic) string {
	for _, c := range Controls {
		if w.Field != c.Path && w.Field != c.setPath(false) {
			continue
		}
		if strings.Contains(w.Msg, "no longer vary it") {
			return c.Label + ": every Monte Carlo draw uses your value (the draws no longer vary it, as the scenario's uncertainty section would)."
		}
		return c.Label + ": " + w.Msg + "."
	}
	return w.Field + ": " + w.Msg + "."
}

// row is a line of the page's headline or metrics table.
func row(h report.Headline, label, doc string) headlineRow {
	value, band, unit := h.Display()
	r := headlineRow{Metric: h.Metric, Label: label, Unit: h.Unit, Value: h.Value, Text: value + " " + unit, Doc: doc}
	if h.Band != nil {
		r.HasBand, r.P5, r.P95, r.Band = true, h.Band.P5, h.Band.P95, band+" "+unit
	}
	return r
}

// chartOptions are the page's chart settings: the web preset (600 × 375
// pt, no text under 11 pt, the legend under the panels, the latest events
// labelled) at 150 DPI, 1,250 × 781 pixels. The page shows a chart at
// least 600 CSS pixels wide, so one point is at least one CSS pixel and
// no text is under 11 CSS px (TestBrowser measures it); on a screen of
// two device pixels per CSS pixel it stays sharp up to 625 CSS px.
var chartOptions = plots.Options{Size: plots.SizeWeb, DPI: chartDPI}

const chartDPI = 150

// newChartRef describes chart ch served at base + ".png" and ".svg".
func newChartRef(ch *plots.Chart, base string) chartRef {
	w, h := chartPixels()
	return chartRef{Name: ch.Name, Title: ch.Caption, Main: ch.Main, PNG: base + ".png", SVG: base + ".svg", Width: w, Height: h}
}

// chartPixels is the PNG size of chartOptions, pixels.
func chartPixels() (int, int) {
	st, err := plots.StyleOf(chartOptions.Size)
	if err != nil {
		return 0, 0
	}
	px := func(l vg.Length) int { return int(math.Round(float64(l/vg.Inch) * chartDPI)) }
	return px(st.Width()), px(st.Height())
}

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

// runEntry finds run id in the cache: a run, not a sensitivity analysis.
func (s *Server) runEntry(w http.ResponseWriter, r *http.Request, id string) (*runEntry, bool) {
	e, ok := s.entry(w, r, id)
	if ok && e.resp == nil {
		writeError(w, http.StatusNotFound, fmt.Sprintf("%s is a sensitivity analysis, not a run: it has no draws and no headline", id), nil)
		return nil, false
	}
	return e, ok
}

func validID(id string) bool {
	if len(id) != 24 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil
}

// writeChart sends a rendered chart: cacheable (a chart's URL names its
// run), and as an attachment called filename when the query asks for a
// download.
func writeChart(w http.ResponseWriter, r *http.Request, ctype string, data []byte, filename string) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "private, max-age=3600, immutable")
	if r.URL.Query().Get("download") != "" {
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", filename))
	}
	w.Write(data)
}

func (s *Server) handleChart(w http.ResponseWriter, r *http.Request) {
	e, ok := s.entry(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	file := r.PathValue("file")
	s.serveChart(w, r, file, func(name, format string) ([]byte, error) { return e.chart(s, name, format) },
		func(name string) string {
			return fmt.Sprintf("run has no chart %q; charts: %s", name, strings.Join(e.chartNames(), ", "))
		}, downloadName(e, file))
}

// serveChart answers a request for chart file, "NAME.png" or "NAME.svg",
// drawn by draw (writeChart; download is its name as an attachment): 400
// for another format, 404 saying missing(NAME) when draw has no such
// chart, and fail's answer when it fails.
func (s *Server) serveChart(w http.ResponseWriter, r *http.Request, file string, draw func(name, format string) ([]byte, error), missing func(name string) string, download string) {
	name, ext, _ := strings.Cut(file, ".")
	ctype, ok := chartTypes[ext]
	if !ok {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("%q: ask for NAME.png or NAME.svg", file), nil)
		return
	}
	b, err := draw(name, ext)
	if errors.Is(err, errNoChart) {
		writeError(w, http.StatusNotFound, missing(name), nil)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeChart(w, r, ctype, b, download)
}

// chartTypes are the chart formats served, by extension.
var chartTypes = map[string]string{"png": "image/png", "svg": "image/svg+xml"}

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

// CSV downloads (results, bands, draws): up to csvSpool bytes are built
// before the answer starts; a client that takes no bytes for csvStall is
// dropped.
const (
	csvSpool = 4 << 20
	csvStall = 30 * time.Second
)

// handleCSV sends the run's tidy CSV, results.csv (see download).
// For a sensitivity analysis it sends sensitivity.csv.
func (s *Server) handleCSV(w http.ResponseWriter, r *http.Request) {
	e, ok := s.entry(w, r, r.PathValue("id"))
	switch {
	case !ok:
	case e.tornado != nil:
		s.download(w, r, e, report.FileSensitivity, s.be.writeSensitivity)
	default:
		s.download(w, r, e, report.FileResults, s.be.writeCSV)
	}
}

// handleBands sends the Monte Carlo bands of a run with draws, bands.csv
// (see download).
func (s *Server) handleBands(w http.ResponseWriter, r *http.Request) {
	if e, ok := s.drawsEntry(w, r); ok {
		s.download(w, r, e, report.FileBands, s.be.writeBands)
	}
}

// handleDraws sends each draw's totals of a run with draws, draws.csv
// (see download).
func (s *Server) handleDraws(w http.ResponseWriter, r *http.Request) {
	if e, ok := s.drawsEntry(w, r); ok {
		s.download(w, r, e, report.FileDraws, s.be.writeDraws)
	}
}

// drawsEntry finds the run of the request's id, which must have draws.
func (s *Server) drawsEntry(w http.ResponseWriter, r *http.Request) (*runEntry, bool) {
	e, ok := s.runEntry(w, r, r.PathValue("id"))
	if ok && e.mc == nil {
		writeError(w, http.StatusNotFound, "this run has no Monte Carlo draws, so no bands: run it with draws", nil)
		return nil, false
	}
	return e, ok
}

// download sends file of run e, written by write (tens of MB for the
// CSV of a run with draws). It takes a run slot (a download costs as much
// as a run, and is refused with 429 when every slot is busy), writes the
// file once, and stops when its client goes. The first csvSpool bytes are
// built before the headers: a file that fits is sent with its
// Content-Length, and one that fails there is a clear error with its
// status. A larger file is streamed (chunked); if it fails, or its client
// stalls for csvStall, the connection is aborted, so the client sees a
// broken download, never a 200 with a truncated body.
func (s *Server) download(w http.ResponseWriter, r *http.Request, e *runEntry, file string, write func(io.Writer, *runEntry) error) {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", downloadName(e, file)))
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
	err = write(sw, e)
	if err == nil {
		err = sw.finish()
	}
	if err == nil {
		return
	}
	if !sw.started {
		h.Del("Content-Disposition")
		s.fail(w, r, &stageError{file, err})
		return
	}
	if r.Context().Err() == nil {
		s.log.Printf("%s: %s cut short after %d bytes: %v", r.URL.Path, file, sw.sent, err)
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
