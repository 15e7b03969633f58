package serve

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
	"golang.org/x/sync/singleflight"

	"github.com/potash-sim/potash/scenarios"
)

//go:embed assets
var assetFS embed.FS

// Defaults of Config.
const (
	DefaultAddr           = "127.0.0.1:8080"
	DefaultMaxDraws       = 500
	DefaultDraws          = 50
	DefaultMaxMonths      = 360     // 30 years
	DefaultMaxUploadBytes = 1 << 20 // 1 MiB
	DefaultTimeout        = 30 * time.Second
	DefaultQueueWait      = 2 * time.Second
	DefaultCacheEntries   = 16
	DefaultCacheBytes     = 128 << 20
	DefaultMaxRunMemory   = 160 << 20
)

// Config configures a Server. Zero fields take the defaults above;
// MaxConcurrent defaults to runtime.GOMAXPROCS(0).
type Config struct {
	Addr           string        // listen address; default 127.0.0.1:8080
	MaxDraws       int           // cap on Monte Carlo draws per run
	DefaultDraws   int           // draws when a request gives none (≤ MaxDraws); negative means 0
	MaxMonths      int           // cap on a scenario's horizon, months
	MaxUploadBytes int64         // cap on an uploaded scenario file, bytes
	Timeout        time.Duration // time limit of one run (simulation, draws and charts)
	MaxConcurrent  int           // runs computing at once
	QueueWait      time.Duration // how long a run waits for a free slot before 429
	CacheEntries   int           // finished runs kept (LRU)
	CacheBytes     int64         // bound on the estimated memory of the runs kept, bytes
	// MaxRunMemory bounds the Monte Carlo working memory (model.MCMemory)
	// of the runs computing at once, bytes: a run whose draws need more
	// than is free waits (within its time limit); one that needs more than
	// all of it runs alone.
	MaxRunMemory int64
	// MemoryLimit is the soft limit on the Go heap that Serve sets while it
	// serves (debug.SetMemoryLimit; not when the GOMEMLIMIT environment
	// variable is set): the collector works harder near it instead of
	// letting the heap double. Default: MaxRunMemory + CacheBytes, what the
	// runs computing and the runs kept may hold.
	MemoryLimit int64
	Workers     int       // Monte Carlo goroutines per run; 0 = GOMAXPROCS
	Log         io.Writer // request errors and panics; nil discards
	// AllowHosts are the host names (or IP addresses) a request's Host may
	// name besides the loopback names and the IP address the request came
	// in on (see Server.ServeHTTP); a port, if given, is ignored.
	AllowHosts []string
}

func (c Config) withDefaults() Config {
	if c.Addr == "" {
		c.Addr = DefaultAddr
	}
	if c.MaxDraws <= 0 {
		c.MaxDraws = DefaultMaxDraws
	}
	if c.DefaultDraws == 0 {
		c.DefaultDraws = DefaultDraws
	}
	if c.DefaultDraws < 0 {
		c.DefaultDraws = 0
	}
	if c.DefaultDraws > c.MaxDraws {
		c.DefaultDraws = c.MaxDraws
	}
	if c.MaxMonths <= 0 {
		c.MaxMonths = DefaultMaxMonths
	}
	if c.MaxUploadBytes <= 0 {
		c.MaxUploadBytes = DefaultMaxUploadBytes
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxConcurrent <= 0 {
		c.MaxConcurrent = runtime.GOMAXPROCS(0)
	}
	if c.QueueWait <= 0 {
		c.QueueWait = DefaultQueueWait
	}
	if c.CacheEntries <= 0 {
		c.CacheEntries = DefaultCacheEntries
	}
	if c.CacheBytes <= 0 {
		c.CacheBytes = DefaultCacheBytes
	}
	if c.MaxRunMemory <= 0 {
		c.MaxRunMemory = DefaultMaxRunMemory
	}
	if c.MemoryLimit <= 0 {
		c.MemoryLimit = c.MaxRunMemory + c.CacheBytes
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
	return c
}

// Server is the what-if web application; it is an http.Handler.
type Server struct {
	cfg Config
	be  backend
	mux *http.ServeMux
	log *log.Logger
	sem chan struct{}
	// mem holds Config.MaxRunMemory bytes; freeing is set while memory
	// is being returned to the operating system.
	mem     *semaphore.Weighted
	freeing atomic.Bool
	cache   *lru
	flight  singleflight.Group // identical runs computed once

	baseMu sync.Mutex
	base   map[string]*scenarios.Scenario // built-ins loaded without sets
}

// New returns a Server with cfg (zero fields take defaults).
func New(cfg Config) *Server {
	return newServer(cfg, realBackend())
}

func newServer(cfg Config, be backend) *Server {
	cfg = cfg.withDefaults()
	s := &Server{
		cfg:   cfg,
		be:    be,
		mux:   http.NewServeMux(),
		log:   log.New(cfg.Log, "potash serve: ", log.LstdFlags),
		sem:   make(chan struct{}, cfg.MaxConcurrent),
		mem:   semaphore.NewWeighted(cfg.MaxRunMemory),
		cache: newLRU(cfg.CacheEntries, cfg.CacheBytes),
		base:  map[string]*scenarios.Scenario{},
	}
	static, err := fs.Sub(assetFS, "assets")
	if err != nil {
		panic(err) // embedded at build time: cannot fail
	}
	files := http.FileServerFS(static)
	s.mux.HandleFunc("GET /{$}", s.handleIndex)
	s.mux.Handle("GET /assets/", http.StripPrefix("/assets/", files))
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	s.mux.HandleFunc("GET /api/scenarios", s.handleScenarios)
	s.mux.HandleFunc("GET /api/scenario", s.handleScenario)
	s.mux.HandleFunc("POST /api/validate", s.handleValidate)
	s.mux.HandleFunc("GET /api/run", s.handleRun)
	s.mux.HandleFunc("POST /api/run", s.handleRun)
	s.mux.HandleFunc("GET /api/sensitivity", s.handleSensitivity)
	s.mux.HandleFunc("POST /api/sensitivity", s.handleSensitivity)
	s.mux.HandleFunc("GET /api/chart/{id}/{file}", s.handleChart)
	s.mux.HandleFunc("GET /api/charts/{file}", s.handleZip)
	s.mux.HandleFunc("GET /api/csv/{id}", s.handleCSV)
	s.mux.HandleFunc("GET /api/bands/{id}", s.handleBands)
	s.mux.HandleFunc("GET /api/draws/{id}", s.handleDraws)
	s.mux.HandleFunc("GET /api/compare/{a}/{b}", s.handleCompare)
	s.mux.HandleFunc("GET /api/compare/{a}/{b}/{file}", s.handleCompareChart)
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint: "+r.Method+" "+r.URL.Path, nil)
	})
	return s
}

func (s *Server) limits() Limits {
	return Limits{
		MaxDraws:       s.cfg.MaxDraws,
		DefaultDraws:   s.cfg.DefaultDraws,
		MaxMonths:      s.cfg.MaxMonths,
		MaxUploadBytes: s.cfg.MaxUploadBytes,
		TimeoutSeconds: int(s.cfg.Timeout / time.Second),
	}
}

// ServeHTTP serves the page and its API, recovering from panics (a panic is
// a bug: it is logged and answered with a JSON 500, never a dropped
// connection).
//
// Nothing on the server is reachable from another web site, whatever the
// address it listens on:
//   - the Host header must be a loopback name (localhost, 127.0.0.1, ::1),
//     the IP address the request came in on, or one of Config.AllowHosts
//     (a DNS-rebinding page has a name of its own);
//   - a request the browser marks as coming from another site
//     (Sec-Fetch-Site: cross-site or same-site) may only open the page,
//     not call the API;
//   - a POST must carry no foreign Origin and must send YAML
//     (Content-Type application/x-yaml, application/yaml or text/yaml): a
//     text/plain or form POST, the kind another site can send without
//     asking, starts no work.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			buf := make([]byte, 8<<10)
			buf = buf[:runtime.Stack(buf, false)]
			s.log.Printf("panic serving %s %s: %v\n%s", r.Method, r.URL.Path, v, buf)
			writeError(w, http.StatusInternalServerError, fmt.Sprintf("internal error (a bug in potash, please report it): %v", v), nil)
		}
	}()
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
	if status, msg := s.refuse(r); status != 0 {
		writeError(w, status, msg, nil)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// refuse returns the status and message of a request that another site
// may have sent or that names a foreign host, or 0.
func (s *Server) refuse(r *http.Request) (int, string) {
	if !s.allowedHost(r) {
		return http.StatusForbidden, fmt.Sprintf("host %q is not allowed: open the page as http://127.0.0.1 or http://localhost, by the server's IP address, or start the server with --allow-host NAME", clip(r.Host, 80))
	}
	safe := r.Method == http.MethodGet || r.Method == http.MethodHead
	switch site := r.Header.Get("Sec-Fetch-Site"); site {
	case "cross-site", "same-site":
		if !safe || strings.HasPrefix(r.URL.Path, "/api/") {
			return http.StatusForbidden, "request from another web site refused: open the page itself to use it"
		}
	}
	if safe {
		return 0, ""
	}
	if o := r.Header.Get("Origin"); o != "" && !sameOrigin(o, r.Host) {
		return http.StatusForbidden, fmt.Sprintf("request from another web site (Origin %q) refused: open the page itself to use it", clip(o, 80))
	}
	if r.Method == http.MethodPost {
		ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
		switch strings.ToLower(strings.TrimSpace(ct)) {
		case "application/x-yaml", "application/yaml", "text/yaml", "text/x-yaml":
		default:
			return http.StatusUnsupportedMediaType, fmt.Sprintf("send the scenario file as the request body with Content-Type: application/x-yaml (got %q)", clip(ct, 80))
		}
	}
	return 0, ""
}

// allowedHost reports whether r's Host names this server: a loopback name,
// the IP address the request came in on, or one of Config.AllowHosts.
func (s *Server) allowedHost(r *http.Request) bool {
	if loopbackHost(r.Host) {
		return true
	}
	host := hostOnly(r.Host)
	if host == "" {
		return false
	}
	if la, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
		if tcp, ok := la.(*net.TCPAddr); ok {
			if ip := net.ParseIP(host); ip != nil && ip.Equal(tcp.IP) {
				return true
			}
		}
	}
	for _, a := range s.cfg.AllowHosts {
		if strings.EqualFold(hostOnly(a), host) {
			return true
		}
	}
	return false
}

// hostOnly returns the host of "host:port", "[v6]:port" or a bare host,
// without a trailing dot.
func hostOnly(hostport string) string {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	return strings.TrimSuffix(strings.Trim(host, "[]"), ".")
}

// sameOrigin reports whether Origin header o is http(s)://host with host
// equal to the request's Host.
func sameOrigin(o, host string) bool {
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return false
	}
	return strings.EqualFold(u.Host, host)
}

// clip shortens s to at most n runes for a message, escaping control
// characters.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		s = string(r[:n]) + "…"
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	b, err := assetFS.ReadFile("assets/index.html")
	if err != nil {
		writeError(w, http.StatusInternalServerError, "page missing from the binary", nil)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(b)
}

// apiError is the JSON body of every error answer.
type apiError struct {
	Error       string       `json:"error"`
	Status      int          `json:"status"`
	Field       string       `json:"field,omitempty"` // the request parameter at fault
	Diagnostics []diagnostic `json:"diagnostics,omitempty"`
}

// diagnostic is a scenarios.Diagnostic as JSON.
type diagnostic struct {
	Severity string `json:"severity"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	Col      int    `json:"col"`
	Field    string `json:"field"`
	Msg      string `json:"msg"`
	Text     string `json:"text"` // file:line:col: field: msg
}

func toDiagnostics(ds scenarios.Diagnostics) []diagnostic {
	out := make([]diagnostic, 0, len(ds))
	for _, d := range ds {
		sev := "error"
		if d.Severity == scenarios.SeverityWarning {
			sev = "warning"
		}
		out = append(out, diagnostic{Severity: sev, File: d.File, Line: d.Line, Col: d.Col, Field: d.Field, Msg: d.Msg, Text: d.Error()})
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(apiError{Error: "internal error encoding the answer: " + err.Error(), Status: status})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b)
	w.Write([]byte("\n"))
}

func writeError(w http.ResponseWriter, status int, msg string, ds []diagnostic) {
	writeJSON(w, status, apiError{Error: msg, Status: status, Diagnostics: ds})
}

// Serve serves s on ln until ctx is cancelled, then shuts down: runs in
// flight are cancelled (their clients get a 503), the listener closes, and
// open connections get up to 5 s to finish before they are closed. It
// prints one line saying where to open the page to out, and returns nil
// after a shutdown. While it serves, the Go runtime's soft memory limit is
// Config.MemoryLimit (unless GOMEMLIMIT is set).
func (s *Server) Serve(ctx context.Context, ln net.Listener, out io.Writer) error {
	addr := ln.Addr().String()
	loopback := false
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok {
		loopback = tcp.IP.IsLoopback()
		host := tcp.IP.String()
		if tcp.IP.IsUnspecified() {
			host = "127.0.0.1"
		}
		addr = net.JoinHostPort(host, fmt.Sprint(tcp.Port))
	}
	// Requests derive their contexts from base, so cancelling it stops the
	// runs in flight at shutdown.
	base, cancelRuns := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRuns()
	hs := &http.Server{
		Handler:           s,
		BaseContext:       func(net.Listener) context.Context { return base },
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      s.cfg.Timeout + 30*time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          s.log,
	}
	if out != nil {
		fmt.Fprintf(out, "potash serve: open http://%s/ in your browser (Ctrl-C to stop)\n", addr)
	}
	if !loopback {
		s.log.Printf("listening on %s, not only on loopback: anyone who can reach this computer can use the page, by its IP address or a name given with --allow-host", ln.Addr())
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(s.cfg.MemoryLimit))
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	cancelRuns()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		s.log.Printf("shutdown: %v; closing the remaining connections", err)
		hs.Close()
	}
	if e := <-errc; e != nil && !errors.Is(e, http.ErrServerClosed) {
		return e
	}
	return nil
}

// ListenAndServe listens on cfg.Addr and serves the page until ctx is
// cancelled (see Server.Serve).
func ListenAndServe(ctx context.Context, cfg Config, out io.Writer) error {
	s := New(cfg)
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	return s.Serve(ctx, ln, out)
}
