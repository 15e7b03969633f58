package scenarios

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"

	"github.com/potash-sim/potash/model"
)

// TestInstrumentTableMatchesFormat checks that the instrument table and
// the format agree: every instrument field of EventFile has a table entry
// (and init linked every entry to its type), and the schema requires
// exactly one of them.
func TestInstrumentTableMatchesFormat(t *testing.T) {
	et := reflect.TypeOf(EventFile{})
	var fromType []string
	for i := 0; i < et.NumField(); i++ {
		sf := et.Field(i)
		if sf.Type.Kind() == reflect.Pointer && sf.Type.Elem().Kind() == reflect.Struct {
			fromType = append(fromType, yamlKey(sf))
		}
	}
	if !reflect.DeepEqual(fromType, eventKinds) {
		t.Errorf("EventFile instruments %v, table %v", fromType, eventKinds)
	}
	for _, in := range instrumentTable {
		if in.kind == 0 || in.typ == nil {
			t.Errorf("%s: no model kind or type", in.key)
		}
		if !in.ramp && in.rampMsg == "" {
			t.Errorf("%s: cannot ramp but says not why", in.key)
		}
		for _, f := range in.fields {
			if f.role == roleNumber || f.role == roleSeries {
				if _, ok := modelField(f.kind, f.key); f.role == roleNumber && !ok {
					t.Errorf("%s.%s: no model field", in.key, f.key)
				}
			}
		}
	}
	var sch map[string]any
	data, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &sch); err != nil {
		t.Fatal(err)
	}
	one := sch["$defs"].(map[string]any)["EventFile"].(map[string]any)["oneOf"].([]any)
	if len(one) != len(instrumentTable) {
		t.Errorf("schema oneOf has %d entries, table %d", len(one), len(instrumentTable))
	}
}

// fullEvent returns an event of instrument in with every field set:
// names "x", numbers 1, series [1, 2].
func fullEvent(in *instrument) EventFile {
	e := EventFile{ID: "e", Start: "2021-01"}
	v := reflect.New(in.typ)
	for _, f := range in.fields {
		fv := v.Elem().Field(f.index)
		switch f.role {
		case roleNumber:
			one := 1.0
			fv.Set(reflect.ValueOf(&one))
		case roleSeries:
			fv.Set(reflect.ValueOf([]float64{1, 2}))
		default:
			fv.SetString("x")
		}
	}
	reflect.ValueOf(&e).Elem().Field(in.index).Set(v)
	return e
}

// TestEventCloneDeep checks that clone copies every instrument's numbers
// and series: changing the clone leaves the original alone.
func TestEventCloneDeep(t *testing.T) {
	for _, in := range instrumentTable {
		t.Run(in.key, func(t *testing.T) {
			e := fullEvent(in)
			c := e.clone()
			if !reflect.DeepEqual(c, e) || eventKey(c) != eventKey(e) {
				t.Fatalf("clone differs: %+v vs %+v", c, e)
			}
			cv := in.value(&c)
			for _, f := range in.fields {
				fv := cv.Field(f.index)
				switch f.role {
				case roleNumber:
					*fv.Interface().(*float64) = 7
				case roleSeries:
					fv.Index(0).SetFloat(7)
				default:
					fv.SetString("y")
				}
			}
			if !reflect.DeepEqual(fullEvent(in), e) {
				t.Errorf("changing the clone changed the original: %s", eventKey(e))
			}
			if kinds := c.kinds(); len(kinds) != 1 || kinds[0] != in.key || eventKind(&c) != in.key {
				t.Errorf("kinds %v", kinds)
			}
		})
	}
}

// TestEventFieldParams sets every numeric field of every event of
// testdata/valid/inline-basic.yaml (one event per instrument) through its
// parameter path and reads it back from the model events: the table's
// slot and scale, the paths and the setters agree.
func TestEventFieldParams(t *testing.T) {
	s := mustLoad(t, "testdata/valid/inline-basic.yaml")
	seen := map[string]bool{}
	for _, ref := range s.events {
		kind := eventKind(&ref.ev)
		seen[kind] = true
		for _, f := range fieldsFor(kind) {
			if f.str || f.unit == "month" || altGiven(&ref.ev, f) != "" {
				continue
			}
			path := "events." + ref.ev.ID + "." + f.key
			t.Run(path, func(t *testing.T) {
				p, err := s.Param(path)
				if err != nil {
					t.Fatal(err)
				}
				want := 3.0
				if !f.valid.ok(want) { // a conduct or weight: [0, 1]
					want = 0.5 * (f.valid.lo + f.valid.hi)
				}
				sp := s.Spec.Clone()
				if err := p.Apply(sp, want); err != nil {
					t.Fatal(err)
				}
				ss, err := specSetterFor(path, sp.Market)
				if err != nil {
					t.Fatal(err)
				}
				got, ok := ss.get(sp)
				if !ok || !scalar.EqualWithinRel(got, want, tol) {
					t.Errorf("read back %g (%v), want %g", got, ok, want)
				}
				if f.inst != nil {
					// The model event holds the value in model units.
					for _, e := range sp.Events {
						if (e.ID == ref.ev.ID || e.ID == ref.ev.ID+costSuffix) && e.Kind == f.inst.kind {
							if v := *f.inst.slotPtr(&e); !scalar.EqualWithinRel(v, want*f.inst.scale+f.inst.offset, tol) {
								t.Errorf("model event %s holds %g, want %g", e.ID, v, want*f.inst.scale+f.inst.offset)
							}
						}
					}
				}
				if err := model.ValidateEvents(sp.Market, sp.Events); err != nil {
					t.Errorf("events invalid after the set: %v", err)
				}
			})
		}
	}
	for _, k := range eventKinds {
		if !seen[k] {
			t.Errorf("inline-basic.yaml has no %s event", k)
		}
	}
}

// TestTariffQuotaScenario runs the tariff-rate quota of
// testdata/valid/inline-basic.yaml (Island → East, 1.5 Mt/yr duty-free,
// 40% above, from 2022-01; the route's base flow is 2 Mt/yr) alone, end
// to end:
// every month converges, East's importers earn a quota rent from 2022-01
// and none before, the route carries at most the quota plus what pays
// 40%, and a quota set (--set) above the flow earns no rent.
func TestTariffQuotaScenario(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		sets []string
		rent bool
	}{
		{"binding", nil, true},
		{"quota above the flow", []string{"events.trq.quota_mt=100"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := "extends: inline-basic.yaml\nremove_events: [ban-nw, tariff, quota, port-shut, new-mine, boom, index, energy, crops]\n"
			s, err := Parse("testdata/valid/trq-only.yaml", []byte(src), tc.sets)
			if err != nil {
				t.Fatal(err)
			}
			s.Counterfactual.Events = nil // compared with no quota
			run, err := model.SimulatePair(ctx, s.Spec, s.Counterfactual)
			if err != nil {
				t.Fatal(err)
			}
			p := run.Scenario
			if p.Failed != 0 {
				t.Fatalf("%d months did not converge", p.Failed)
			}
			east, start := p.Cal.Market.RegionIndex("East"), month(t, "2022-01")
			for k, mo := range p.Months {
				rent := p.Sol[k].TRQRent[east]
				switch {
				case mo < start && rent != 0:
					t.Errorf("%v: rent %g before the quota", mo, rent)
				case mo >= start && tc.rent && !(rent > 0):
					t.Errorf("%v: no rent under a binding quota", mo)
				case !tc.rent && rent != 0:
					t.Errorf("%v: rent %g with the quota unfilled", mo, rent)
				}
			}
			ms := model.Metrics(run)
			if m, ok := model.MetricValue(ms, "trq_rent_change.East"); !ok || (m.Value > 0) != tc.rent {
				t.Errorf("trq_rent_change.East = %+v", m)
			}
		})
	}
}

// TestErrorSentinels checks the scenarios package's sentinel errors: each
// failure outside a scenario file matches its sentinel with errors.Is, and
// a scenario file's problems are a Diagnostics error (errors.As).
func TestErrorSentinels(t *testing.T) {
	s := mustLoad(t, "us-relief-2025")
	for _, tc := range []struct {
		name string
		err  func() error
		want error
	}{
		{"builtin", func() error { _, err := BuiltinSource("no-such"); return err }, ErrUnknownBuiltin},
		{"dataset", func() error { _, err := BaseMarketFile("no-such"); return err }, ErrUnknownDataset},
		{"reference", func() error { _, err := Reference("no-such.csv"); return err }, ErrUnknownReference},
		{"market file", func() error { _, err := ParseMarketFile("m.yaml", []byte("suppliers: 3\n")); return err }, ErrInvalidMarketFile},
		{"market conversion", func() error { _, err := (&MarketFile{}).Market(); return err }, ErrInvalidMarketFile},
		{"param", func() error { _, err := s.Param("market.regions.Narnia.demand_elasticity"); return err }, ErrUnknownParam},
		{"range", func() error {
			p, err := s.Param("market.regions.*.substitution_elasticity")
			if err != nil {
				return err
			}
			return p.Apply(s.Spec.Clone(), 0.5)
		}, ErrOutOfRange},
		{"unresolved", func() error { _, err := (&Scenario{}).Param("horizon.end"); return err }, ErrUnresolved},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.err(); !errors.Is(err, tc.want) {
				t.Errorf("error %v, want errors.Is %v", err, tc.want)
			}
		})
	}
	_, err := Parse("x.yaml", []byte("title: x\n"), nil)
	var ds Diagnostics
	if !errors.As(err, &ds) || len(ds.Errors()) == 0 {
		t.Errorf("a bad file gives %v, want Diagnostics", err)
	}
}

// TestDocsWhatIfsAgree runs the first file of docs/SCENARIOS.md ("A first
// file") and the --set the docs call the same what-if, and checks that
// they are: the same scenario events, the same counterfactual events and
// the same headline metrics (issue 16 item 2).
func TestDocsWhatIfsAgree(t *testing.T) {
	doc, err := os.ReadFile("../docs/SCENARIOS.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	i := strings.Index(text, "## A first file")
	j := strings.Index(text[i:], "```yaml\n")
	k := strings.Index(text[i+j+8:], "```")
	if i < 0 || j < 0 || k < 0 {
		t.Fatal("no YAML block under \"## A first file\" in docs/SCENARIOS.md")
	}
	src := text[i+j+8 : i+j+8+k]
	set := "events.us-ban.end=2026-06"
	if !strings.Contains(text[i:], "--set\nevents.us-ban.end=2026-06`") && !strings.Contains(text[i:], "--set "+set+"`") {
		t.Fatalf("the docs no longer give the --set %s", set)
	}
	file, err := Parse("my-relief.yaml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	flag := mustLoad(t, "us-relief-2025", set)
	same := func(what string, a, b []model.Event) {
		t.Helper()
		if len(a) != len(b) {
			t.Fatalf("%s: %d events vs %d", what, len(a), len(b))
		}
		for n := range a {
			x, y := a[n], b[n]
			x.Label, y.Label = "", ""
			if !reflect.DeepEqual(x, y) {
				t.Errorf("%s event %d: %+v vs %+v", what, n, x, y)
			}
		}
	}
	same("scenario", file.Spec.Events, flag.Spec.Events)
	same("counterfactual", file.Counterfactual.Events, flag.Counterfactual.Events)
	if file.CounterfactualName != flag.CounterfactualName {
		t.Errorf("counterfactuals %q and %q", file.CounterfactualName, flag.CounterfactualName)
	}
	ctx := context.Background()
	r1, err := model.SimulatePair(ctx, file.Spec, file.Counterfactual)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := model.SimulatePair(ctx, flag.Spec, flag.Counterfactual)
	if err != nil {
		t.Fatal(err)
	}
	m1, m2 := model.Metrics(r1), model.Metrics(r2)
	for n := range m1 {
		if m1[n].Value != m2[n].Value {
			t.Errorf("%s: %g (file) vs %g (--set)", m1[n].Name, m1[n].Value, m2[n].Value)
		}
	}
	// Without compare_to the file is compared with its parent instead.
	parent, err := Parse("my-relief.yaml", []byte(strings.Replace(src, "compare_to: sanctions-stay", "", 1)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if parent.CounterfactualName != "us-relief-2025" {
		t.Errorf("without compare_to the counterfactual is %q, want us-relief-2025", parent.CounterfactualName)
	}
}
