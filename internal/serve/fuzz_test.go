package serve

import (
	"net/url"
	"strconv"
	"testing"

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
