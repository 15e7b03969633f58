package scenarios

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary bytes (and an arbitrary --set argument) to
// Parse: it must never panic, must return either a Scenario or a
// Diagnostics error with at least one error, and a Scenario it returns
// must be complete and free of NaN and Inf.
//
//	go test ./scenarios -run XXX -fuzz FuzzParse -fuzztime 5m
//
// The corpus found so far is kept in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, n := range builtinNames() {
		src, _ := BuiltinSource(n)
		f.Add(src, "")
	}
	f.Add([]byte("title: t\nhorizon: {end: 2021-12}\n"), "events.us-ban.end=2026-01")
	// The two forms of a supplier's conduct (docs/MODEL.md, section 4.2):
	// a --set of one on a built-in that states the other, and both in one
	// overrides section.
	if src, err := BuiltinSource("bpc-breakup"); err == nil {
		f.Add(src, "market.suppliers.Russia.conduct=0.3")
	}
	f.Add([]byte("title: t\nextends: bpc-reunion\nmarket:\n  overrides:\n    suppliers.Canada.conduct_gap_share: 0.5\n    suppliers.Canada.conduct: 0.2\nhorizon: {end: 2027-12}\n"), "market.suppliers.Belarus.conduct_gap_share=0.7")
	files, _ := filepath.Glob("testdata/valid/*.yaml")
	for _, file := range files {
		data, _ := os.ReadFile(file)
		f.Add(data, "market.regions.*.demand_elasticity=0.4")
	}
	for _, tc := range invalidCases {
		if tc.src != "" {
			set := ""
			if len(tc.sets) > 0 {
				set = tc.sets[0]
			}
			f.Add([]byte(tc.src), set)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, set string) {
		var sets []string
		if set != "" {
			sets = []string{set}
		}
		// The file name puts relative extends/compare_to paths inside
		// testdata, away from anything else on disk.
		s, err := Parse("testdata/fuzz.yaml", data, sets)
		if err != nil {
			var ds Diagnostics
			if !errors.As(err, &ds) {
				return // an I/O error is not a diagnostic
			}
			if len(ds.Errors()) == 0 {
				t.Fatalf("error without an error diagnostic: %v", err)
			}
			for _, d := range ds {
				if d.Msg == "" {
					t.Fatalf("empty diagnostic %+v", d)
				}
			}
			return
		}
		if s.Spec == nil || s.Counterfactual == nil || s.Spec.Market == nil || len(s.Resolved) == 0 || len(s.Hash) != 64 {
			t.Fatalf("incomplete scenario %+v", s)
		}
		if s.Spec.End < s.Spec.Start {
			t.Fatalf("horizon %s..%s", s.Spec.Start, s.Spec.End)
		}
		for _, e := range append(s.Spec.Events, s.Counterfactual.Events...) {
			if math.IsNaN(e.Value) || math.IsInf(e.Value, 0) || math.IsNaN(e.From) || math.IsInf(e.From, 0) {
				t.Fatalf("event %s value %g from %g", e.ID, e.Value, e.From)
			}
		}
		for _, u := range s.Uncertain {
			if q := u.Dist.Quantile(0.5); math.IsNaN(q) || math.IsInf(q, 0) {
				t.Fatalf("%s median %g", u.Name, q)
			}
		}
		// Every copula's rows are held once each (correlations:).
		for _, g := range groupsOf(s.Uncertain) {
			if slices.Contains(g.params, "") {
				t.Fatalf("a copula of %d rows has params %q", g.c.Size(), g.params)
			}
		}
	})
}

// FuzzDecode feeds arbitrary bytes to the YAML layer alone (decodeFile:
// text checks, YAML syntax, strict decoding into File, alias and merge-key
// limits), without resolving anything against the market: thousands of
// inputs a second, where FuzzParse manages hundreds. The layer must never
// panic (not even one that decodeFile recovers from), must locate every
// diagnostic with a line and column, name the field of every problem
// found past the syntax, stop at its limits, report a limit alone, and
// say nothing that sortDiags would leave unsafe to print.
//
//	go test ./scenarios -run XXX -fuzz FuzzDecode -fuzztime 5m
//
// The corpus found so far is kept in testdata/fuzz/FuzzDecode.
func FuzzDecode(f *testing.F) {
	for _, n := range builtinNames() {
		src, _ := BuiltinSource(n)
		f.Add(src)
	}
	for _, glob := range []string{"testdata/valid/*.yaml", "testdata/invalid/*.yaml", "testdata/adversarial/*.yaml"} {
		files, _ := filepath.Glob(glob)
		for _, file := range files {
			data, _ := os.ReadFile(file)
			f.Add(data)
		}
	}
	for _, tc := range invalidCases {
		if tc.src != "" {
			f.Add([]byte(tc.src))
		}
	}
	f.Add([]byte("a: &a {x: 1}\nevents:\n  - <<: [*a, *a]\n    id: e\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		const file = "fuzz.yaml"
		fl, d := decodeFile(file, data)
		if fl == nil {
			t.Fatal("nil File")
		}
		if d.nodes > MaxNodes+1 || d.bytes > MaxExpandedBytes+MaxValueBytes {
			t.Fatalf("decoded %d nodes, %d bytes: past the limits", d.nodes, d.bytes)
		}
		if d.limit != nil && (!d.fatal || len(d.diags) != 1 || d.diags[0] != *d.limit) {
			t.Fatalf("a limit not reported alone: %v", d.diags)
		}
		if d.fatal && len(d.diags.Errors()) == 0 {
			t.Fatal("unreadable without an error")
		}
		syntax := d.fatal && d.limit == nil // text, YAML syntax, empty file
		var root pos                        // the document's first node
		if doc, _, ok := parseDocument(file, data); ok && len(doc.Content) > 0 {
			root = nodePos(doc.Content[0])
		}
		for _, dg := range d.diags {
			if strings.HasPrefix(dg.Msg, "the YAML parser failed") {
				t.Fatalf("the parser panicked: %s", dg.Msg)
			}
			if dg.File != file || dg.Line < 1 || dg.Col < 1 || dg.Msg == "" {
				t.Fatalf("diagnostic not located: %+v", dg)
			}
			// Only the document itself (at its first node), or an empty
			// key at its top level, has no field path.
			if !syntax && dg.Field == "" && (pos{dg.Line, dg.Col} != root) &&
				!strings.HasPrefix(dg.Msg, "unknown key '' at the top level") {
				t.Fatalf("diagnostic without a field: %+v", dg)
			}
		}
		for _, dg := range sortDiags(d.diags) {
			for _, r := range dg.Error() {
				if unsafeRune(r) {
					t.Fatalf("diagnostic has %U: %q", r, dg.Error())
				}
			}
		}
		for p, q := range d.pos {
			if q.Line < 1 || q.Col < 1 {
				t.Fatalf("position of %q is %+v", p, q)
			}
		}
	})
}
