package scenarios

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/potash-sim/potash/model"
)

// TestResolvedReruns: a resolved scenario (scenario.resolved.yaml) is a
// scenario file that reruns to the same thing: the same Specs (market,
// events, counterfactual), uncertain parameters, name, hash and resolved
// YAML, for every built-in, the test inputs and a run with --set
// (issue 16 item 1: extends_chain and counterfactual were unknown keys).
// For the default scenario the model is run on both and must agree
// exactly.
func TestResolvedReruns(t *testing.T) {
	type input struct {
		ref  string
		sets []string
	}
	var inputs []input
	for _, n := range builtinNames() {
		inputs = append(inputs, input{ref: n})
	}
	files, _ := filepath.Glob("testdata/valid/*.yaml")
	for _, f := range files {
		inputs = append(inputs, input{ref: f})
	}
	inputs = append(inputs, input{DefaultScenario, []string{"events.us-ban.end=2026-06", "market.regions.*.demand_elasticity=0.5"}})
	dir := t.TempDir()
	for _, in := range inputs {
		t.Run(filepath.Base(in.ref)+strings.Join(in.sets, ","), func(t *testing.T) {
			s1, err := Load(in.ref, in.sets)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "scenario.resolved.yaml")
			if err := os.WriteFile(path, s1.Resolved, 0o600); err != nil {
				t.Fatal(err)
			}
			s2, err := Load(path, nil)
			if err != nil {
				t.Fatalf("the resolved scenario does not load: %v", err)
			}
			if s2.Name != s1.Name || s2.Title != s1.Title || s2.CounterfactualName != s1.CounterfactualName {
				t.Errorf("name %q/%q, title %q/%q, counterfactual %q/%q", s2.Name, s1.Name, s2.Title, s1.Title, s2.CounterfactualName, s1.CounterfactualName)
			}
			if !reflect.DeepEqual(s2.Spec, s1.Spec) {
				t.Errorf("scenario spec differs")
			}
			if !reflect.DeepEqual(s2.Counterfactual, s1.Counterfactual) {
				t.Errorf("counterfactual spec differs")
			}
			if len(s2.Uncertain) != len(s1.Uncertain) {
				t.Fatalf("%d uncertain parameters, want %d", len(s2.Uncertain), len(s1.Uncertain))
			}
			for k := range s1.Uncertain {
				u1, u2 := s1.Uncertain[k], s2.Uncertain[k]
				if u1.Name != u2.Name || u1.Dist.Quantile(0.1) != u2.Dist.Quantile(0.1) || u1.Dist.Quantile(0.9) != u2.Dist.Quantile(0.9) {
					t.Errorf("uncertain %s differs from %s", u2.Name, u1.Name)
				}
				if (u1.Copula == nil) != (u2.Copula == nil) || u1.Copula != nil && (u1.CopulaRow != u2.CopulaRow || !reflect.DeepEqual(u1.Copula.Matrix(), u2.Copula.Matrix())) {
					t.Errorf("uncertain %s: its correlations differ", u2.Name)
				}
			}
			if s2.Hash != s1.Hash {
				t.Errorf("hash %s, want the original's %s", s2.Hash, s1.Hash)
			}
			if stripComments(string(s2.Resolved)) != stripComments(string(s1.Resolved)) {
				t.Errorf("resolving the resolved scenario changes it:\n%s", firstDiff(string(s2.Resolved), string(s1.Resolved)))
			}
			for _, set := range in.sets {
				if !strings.Contains(string(s1.Resolved), "# --set "+set+"\n") {
					t.Errorf("resolved scenario does not note --set %s", set)
				}
			}
			if in.ref != DefaultScenario || in.sets != nil {
				return
			}
			r1, err := model.SimulatePair(context.Background(), s1.Spec, s1.Counterfactual)
			if err != nil {
				t.Fatal(err)
			}
			r2, err := model.SimulatePair(context.Background(), s2.Spec, s2.Counterfactual)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(r1.Scenario.Sol, r2.Scenario.Sol) || !reflect.DeepEqual(r1.Counterfactual.Sol, r2.Counterfactual.Sol) {
				t.Error("the rerun of the resolved scenario gives other numbers")
			}
		})
	}
}

// TestResolvedCounterfactualKey: the counterfactual key is checked like
// events, and it cannot be combined with compare_to.
func TestResolvedCounterfactualKey(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"title: t\ncompare_to: history\ncounterfactual: {events: []}\n", "c.yaml:3:17: counterfactual: give compare_to or counterfactual, not both"},
		{"title: t\ncounterfactual:\n  events:\n    - {id: b, ban: {supplier: Belarus, region: Brasil}, start: 2021-01}\n", "c.yaml:4:48: counterfactual.events[0].ban.region: unknown region 'Brasil'; did you mean 'Brazil'?"},
		{"title: t\ncounterfactual: {name: x}\n", "counterfactual.events: missing key 'events'"},
	} {
		_, err := Parse("c.yaml", []byte(tc.src), nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.src, err, tc.want)
		}
	}
	s, err := Parse("c.yaml", []byte("title: t\nhorizon: {end: 2022-12}\ncounterfactual:\n  name: the ban\n  events:\n    - {id: b, ban: {supplier: Belarus, region: Brazil}, start: 2021-01}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.CounterfactualName != "the ban" || len(s.Counterfactual.Events) != 1 || len(s.Spec.Events) != 0 {
		t.Errorf("counterfactual %q with %d events, scenario %d events", s.CounterfactualName, len(s.Counterfactual.Events), len(s.Spec.Events))
	}
}

// TestHashIndependentOfPath: the same file named by different paths and
// from different working folders has the same hash and resolved YAML, and
// nothing in them names the folder (issue 16 item 5).
func TestHashIndependentOfPath(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// Market overrides in both files: each records the file it came from
	// in the resolved market.
	must(os.WriteFile(filepath.Join(sub, "parent.yaml"), []byte("title: parent\nextends: us-relief-2025\nmarket:\n  overrides:\n    regions.India.demand_elasticity: 0.5\n"), 0o600))
	must(os.WriteFile(filepath.Join(sub, "child.yaml"), []byte("title: child\nextends: parent.yaml\ncompare_to: ./parent.yaml\nhorizon: {report_from: 2026-01}\nmarket:\n  overrides:\n    regions.Brazil.demand_elasticity: 0.4\n"), 0o600))
	var hashes []string
	var resolved []string
	for _, c := range []struct{ wd, path string }{
		{dir, "sub/child.yaml"}, {dir, "./sub/../sub/child.yaml"}, {sub, "child.yaml"},
		{sub, filepath.Join(sub, "child.yaml")}, {"/", filepath.Join(sub, "child.yaml")},
	} {
		t.Chdir(c.wd)
		s, err := Load(c.path, nil)
		if err != nil {
			t.Fatalf("%s from %s: %v", c.path, c.wd, err)
		}
		hashes = append(hashes, s.Hash)
		resolved = append(resolved, string(s.Resolved))
		if strings.Contains(string(s.Resolved), dir) || strings.Contains(s.CounterfactualName, dir) {
			t.Errorf("%s from %s: the resolved scenario names the folder %s", c.path, c.wd, dir)
		}
		for _, want := range []string{"source: override in child.yaml", "source: override in parent.yaml"} {
			if !strings.Contains(string(s.Resolved), want) {
				t.Errorf("%s from %s: the resolved market lacks %q", c.path, c.wd, want)
			}
		}
	}
	for k := range hashes {
		if hashes[k] != hashes[0] || resolved[k] != resolved[0] {
			t.Errorf("hash %d %s, want %s", k, hashes[k], hashes[0])
		}
	}
}
