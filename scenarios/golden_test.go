package scenarios

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/ (golden outputs and the schema)")

// goldenOutput is what a golden file holds for a resolved scenario: the
// canonical YAML, then its hash and warnings as comments.
//
// For a scenario on an embedded dataset the market section is cut down to
// the overridden values, so that the golden files test resolution and do
// not break whenever the dataset (owned and tested separately) is revised.
func goldenOutput(s *Scenario) []byte {
	var b bytes.Buffer
	res := string(s.Resolved)
	if i := strings.Index(res, "\nmarket:\n"); i >= 0 && s.mf != nil && slices.Contains(BaseDatasets(), s.mf.Name) {
		b.WriteString(res[:i+1])
		b.WriteString("market: # embedded dataset " + s.mf.Name + "; overridden values only\n")
		for _, l := range strings.Split(res[i:], "\n") {
			if strings.Contains(l, "source: --set") || strings.Contains(l, "source: override in") {
				b.WriteString(l + "\n")
			}
		}
	} else {
		b.WriteString(res)
		b.WriteString("# hash: " + s.Hash + "\n")
	}
	for _, w := range s.Warnings {
		b.WriteString("# " + w.Error() + "\n")
	}
	return b.Bytes()
}

// TestGolden resolves every file under testdata/valid (with the --set
// arguments of NAME.sets, one per line, when present) and compares the
// fully expanded scenario with testdata/golden/NAME.yaml. Regenerate with
// go test ./scenarios -run TestGolden -update.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/valid/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no valid inputs: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			var sets []string
			if data, err := os.ReadFile(strings.TrimSuffix(file, ".yaml") + ".sets"); err == nil {
				for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
					if l != "" {
						sets = append(sets, l)
					}
				}
			}
			s, err := Load(file, sets)
			if err != nil {
				t.Fatalf("Load(%s): %v", file, err)
			}
			got := goldenOutput(s)
			gold := filepath.Join("testdata", "golden", name+".yaml")
			if *update {
				if err := os.WriteFile(gold, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(gold)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("resolved %s differs from %s (run with -update after checking the diff):\n%s", file, gold, firstDiff(string(got), string(want)))
			}
			// The canonical YAML is stable: resolving again gives the same hash.
			s2, err := Load(file, sets)
			if err != nil || s2.Hash != s.Hash {
				t.Errorf("second resolution differs: %v, hash %s vs %s", err, s2.Hash, s.Hash)
			}
		})
	}
}

// firstDiff shows the first differing line of two texts.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + strconv.Itoa(i+1) + ":\n got: " + gl + "\nwant: " + wl
		}
	}
	return ""
}

// TestResolvedYAMLCache checks that writing the market section apart (and
// from the caches) gives the same bytes as encoding the resolved scenario
// in one piece, for every built-in and valid test file, and for the
// built-ins with --set overrides of their market.
func TestResolvedYAMLCache(t *testing.T) {
	type whole struct {
		resolvedFile `yaml:",inline"`
		Market       resolvedMarket `yaml:"market"`
	}
	inputs := builtinNames()
	files, _ := filepath.Glob("testdata/valid/*.yaml")
	inputs = append(inputs, files...)
	// The --set overrides change the market: its text is then written from
	// the cached text of the dataset's unchanged parts.
	setsList := [][]string{nil, {"market.regions.*.demand_elasticity=0.4"},
		{"market.suppliers.Canada.capacity_mt=30", "market.routes.Belarus.China.freight_usd_per_t=60"}}
	for _, in := range inputs {
		for pass := 0; pass < 2*len(setsList); pass++ { // a second pass of each hits the cache
			sets := setsList[pass/2]
			if sets != nil && strings.HasSuffix(in, ".yaml") {
				continue // the test files' own markets need not have these names
			}
			s, err := Load(in, sets)
			if err != nil {
				t.Fatal(err)
			}
			var rf resolvedFile
			body := stripComments(string(s.Resolved))
			head := body[:strings.Index(body, "\nmarket:\n")+1]
			if err := yamlUnmarshalStrict([]byte(head), &rf); err != nil {
				t.Fatalf("%s: %v", in, err)
			}
			want, err := marshalYAML(whole{rf, resolvedMarket{Inline: s.mf}})
			if err != nil {
				t.Fatal(err)
			}
			if string(want) != body {
				t.Errorf("%s (pass %d): split encoding differs:\n%s", in, pass, firstDiff(body, string(want)))
			}
		}
	}
}

// stripComments drops the comment lines at the top of a resolved scenario.
func stripComments(s string) string {
	for strings.HasPrefix(s, "#") {
		_, s, _ = strings.Cut(s, "\n")
	}
	return s
}

func yamlUnmarshalStrict(data []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	return dec.Decode(v)
}
