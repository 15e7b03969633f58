package serve

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/scenarios"
)

// FuzzRunQuery: parseRunQuery never panics, and whatever it accepts is in
// range (draws within the cap, numbers within their controls' ranges,
// months well-formed, the scenario a built-in).
func FuzzRunQuery(f *testing.F) {
	for _, seed := range []string{
		"", "scenario=us-relief-2025&belarus_discount=25&draws=50&seed=1", "relief=never&klaipeda=2026-06",
		"draws=-1", "belarus_discount=NaN", "jansen_start=2027-13", "x=1&x=2", "%zz", "demand_elasticity=1e308",
	} {
		f.Add(seed, false)
	}
	builtins := []scenarios.Info{{Name: "history"}, {Name: "us-relief-2025"}}
	lim := Limits{MaxDraws: 100, DefaultDraws: 10, MaxMonths: 360, MaxUploadBytes: 1 << 20}
	f.Fuzz(func(t *testing.T, raw string, upload bool) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		p, err := parseRunQuery(q, upload, builtins, lim)
		if err != nil {
			return
		}
		if p.Draws < 0 || p.Draws > lim.MaxDraws {
			t.Fatalf("accepted draws %d", p.Draws)
		}
		if !upload && !isBuiltin(builtins, p.Scenario) {
			t.Fatalf("accepted scenario %q", p.Scenario)
		}
		if upload && checkFileName(p.File) != nil {
			t.Fatalf("accepted file name %q", p.File)
		}
		for id, v := range p.Values {
			c, ok := controlByID(id)
			if !ok {
				t.Fatalf("accepted unknown control %q", id)
			}
			if c.Kind == KindNumber {
				x, err := strconv.ParseFloat(v, 64)
				if err != nil || x < c.Min || x > c.Max {
					t.Fatalf("accepted %s=%q", id, v)
				}
			} else if v != Never {
				if _, err := model.ParseMonth(v); err != nil {
					t.Fatalf("accepted %s=%q: %v", id, v, err)
				}
			}
		}
		// The canonical query parses back to the same request.
		q2, err := url.ParseQuery(p.canonicalQuery())
		if err != nil {
			t.Fatal(err)
		}
		p2, err := parseRunQuery(q2, upload, builtins, lim)
		if err != nil || p2.canonicalQuery() != p.canonicalQuery() {
			t.Fatalf("canonical query %q does not round-trip: %v", p.canonicalQuery(), err)
		}
	})
}

// FuzzUpload sends arbitrary bytes as an uploaded scenario through the
// whole upload path, HTTP body to diagnostics (POST /api/validate on the
// real server: size cap, scenarios.ParseWith with NoFiles, JSON answer).
// It must never panic or hang; the answer is JSON with a documented
// status; no diagnostic names a file other than the upload or a built-in
// (no file of the server's is read); and every message is short and free
// of control and bidirectional characters.
//
//	go test ./internal/serve -run XXX -fuzz FuzzUpload -fuzztime 10m -parallel 1
func FuzzUpload(f *testing.F) {
	for _, n := range []string{"us-relief-2025", "history", "klaipeda-reopens"} {
		src, err := scenarios.BuiltinSource(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	for _, s := range []string{
		"<<: {extends: /etc/passwd}\ntitle: x\n",
		"<<: {compare_to: /dev/zero}\ntitle: x\n",
		"description: &p ../secret.yaml\ntitle: x\nextends: *p\n",
		"title: t\nextends: us_relief\n",
		"title: t\n---\ntitle: u\n",
		"title: !!binary aGVsbG8=\n",
		"\"ti\\e[31mtle\\u202e\": x\n",
		"title: t\nhorizon:\n\tend: 2021-12\n",
		"title: t\nhorizon: {end: 2022-12}\ncounterfactual: {events: []}\n",
		"a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nsources: *b\n",
		"title: t\nextends: us-relief-2025\nmarket:\n  overrides:\n    regions.Brazil.demand_elasticity: .nan\n",
	} {
		f.Add([]byte(s))
	}
	s := New(Config{MaxUploadBytes: 256 << 10})
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest("POST", "http://127.0.0.1/api/validate?file=f.yaml", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-yaml")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		switch w.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
		var a struct {
			Valid       bool         `json:"valid"`
			Error       string       `json:"error"`
			Diagnostics []diagnostic `json:"diagnostics"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil {
			t.Fatalf("answer is not JSON: %v", err)
		}
		if w.Code == http.StatusOK && !a.Valid && len(a.Diagnostics) == 0 {
			t.Fatalf("invalid without a diagnostic: %s", w.Body)
		}
		if len(a.Diagnostics) > 250 {
			t.Fatalf("%d diagnostics", len(a.Diagnostics))
		}
		for _, d := range a.Diagnostics {
			if d.File != "f.yaml" && !strings.HasPrefix(d.File, "builtin:") {
				t.Fatalf("diagnostic about another file: %+v", d)
			}
			if utf8.RuneCountInString(d.Msg) > 1000 || d.Msg == "" {
				t.Fatalf("message of %d runes", utf8.RuneCountInString(d.Msg))
			}
			for _, r := range d.Text {
				if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
					t.Fatalf("message with %U: %q", r, d.Text)
				}
			}
		}
	})
}
