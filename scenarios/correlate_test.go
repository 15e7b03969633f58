package scenarios

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/potash-sim/potash/model"
)

// corrHdr starts a scenario with three uncertain parameters: line 7 is
// "correlations:", so its first group is on line 8.
const corrHdr = "title: t\nhorizon: {start: 2020-01, end: 2021-12}\nuncertainty:\n" +
	"  - {param: market.regions.*.demand_elasticity, dist: uniform, min: 0.3, max: 0.6}\n" +
	"  - {param: market.suppliers.*.supply_elasticity, dist: uniform, min: 0.3, max: 0.6}\n" +
	"  - {param: market.regions.*.substitution_elasticity, dist: uniform, min: 2, max: 6}\n" +
	"correlations:\n"

const (
	pEps   = "market.regions.*.demand_elasticity"
	pSupEl = "market.suppliers.*.supply_elasticity"
	pSub   = "market.regions.*.substitution_elasticity"
)

// corrInvalidCases are invalidCases of the correlations section (TestInvalid
// runs them, FuzzParse seeds with them).
var corrInvalidCases = []struct {
	name string
	file string
	src  string
	sets []string
	want []string
}{
	{name: "correlations: one param", src: corrHdr + "  - {params: [" + pEps + "], matrix: [[1]]}\n", want: []string{
		"bad.yaml:8:14: correlations[0].params: a correlation group needs at least 2 params, got 1",
	}},
	{name: "correlations: unknown param", src: corrHdr + "  - {params: [" + pEps + ", market.suppliers.*.supply_elastcity], matrix: [[1, 0.5], [0.5, 1]]}\n", want: []string{
		"bad.yaml:8:51: correlations[0].params[1]: param 'market.suppliers.*.supply_elastcity' is not in the uncertainty list: a correlation group names params of the uncertainty list, exactly as written there; did you mean 'market.suppliers.*.supply_elasticity'?",
	}},
	{name: "correlations: param twice", src: corrHdr + "  - {params: [" + pEps + ", " + pEps + "], matrix: [[1, 0.5], [0.5, 1]]}\n", want: []string{
		"bad.yaml:8:51: correlations[0].params[1]: param 'market.regions.*.demand_elasticity' is listed twice in this group (also params[0])",
	}},
	{name: "correlations: param in two groups", src: corrHdr + "  - {params: [" + pEps + ", " + pSupEl + "], matrix: [[1, 0.5], [0.5, 1]]}\n  - {params: [" + pSub + ", " + pEps + "], matrix: [[1, 0.5], [0.5, 1]]}\n", want: []string{
		"bad.yaml:9:57: correlations[1].params[1]: param 'market.regions.*.demand_elasticity' is also in correlations[0]: a param is in at most one correlation group (merge the groups into one matrix)",
	}},
	{name: "correlations: rows", src: corrHdr + "  - {params: [" + pEps + ", " + pSupEl + "], matrix: [[1, 0.5]]}\n", want: []string{
		"bad.yaml:8:98: correlations[0].matrix: the matrix has 1 row, want 2 (one per param, in the order of params)",
	}},
	{name: "correlations: row length", src: corrHdr + "  - {params: [" + pEps + ", " + pSupEl + "], matrix: [[1, 0.5], [0.5]]}\n", want: []string{
		"bad.yaml:8:109: correlations[0].matrix[1]: matrix[1] has 1 entry, want 2 (one per param)",
	}},
	{name: "correlations: diagonal", src: corrHdr + "  - {params: [" + pEps + ", " + pSupEl + "], matrix: [[1, 0.5], [0.5, 0.99]]}\n", want: []string{
		"bad.yaml:8:115: correlations[0].matrix[1][1]: a diagonal entry of a correlation matrix is 1, got 0.99",
	}},
	{name: "correlations: above 1", src: corrHdr + "  - {params: [" + pEps + ", " + pSupEl + "], matrix: [[1, 1.1], [1.1, 1]]}\n", want: []string{
		"bad.yaml:8:103: correlations[0].matrix[0][1]: correlation 1.1 of market.regions.*.demand_elasticity and market.suppliers.*.supply_elasticity is outside [-1, 1]",
	}},
	{name: "correlations: not symmetric", src: corrHdr + "  - {params: [" + pEps + ", " + pSupEl + "], matrix: [[1, 0.5], [0.6, 1]]}\n", want: []string{
		"bad.yaml:8:110: correlations[0].matrix[1][0]: the matrix is not symmetric: matrix[1][0] = 0.6 but matrix[0][1] = 0.5 (both are the correlation of market.regions.*.demand_elasticity and market.suppliers.*.supply_elasticity)",
	}},
	{name: "correlations: not positive definite", src: corrHdr + "  - params: [" + pEps + ", " + pSupEl + ", " + pSub + "]\n    matrix:\n      - [1, 0.9, 0.9]\n      - [0.9, 1, 0]\n      - [0.9, 0, 1]\n", want: []string{
		"bad.yaml:10:7: correlations[0].matrix: the correlation matrix of market.regions.*.demand_elasticity, market.suppliers.*.supply_elasticity, market.regions.*.substitution_elasticity is not positive definite: its smallest eigenvalue is -0.273 (at least 1e-09 is needed), so some of its correlations contradict each other (e.g. a–b 0.9, a–c 0.9 and b–c 0 cannot hold together); make it consistent: shrink the correlations towards 0 (multiply them all by a factor below 1) or use the nearest correlation matrix",
	}},
	{name: "correlations: a correlation of 1", src: corrHdr + "  - params: [" + pEps + ", " + pSupEl + ", " + pSub + "]\n    matrix:\n      - [1, 1, 0.5]\n      - [1, 1, 0.5]\n      - [0.5, 0.5, 1]\n", want: []string{
		"bad.yaml:10:7: correlations[0].matrix: the correlation matrix of market.regions.*.demand_elasticity, market.suppliers.*.supply_elasticity, market.regions.*.substitution_elasticity is not positive definite: matrix[0][1] is 1, which makes market.regions.*.demand_elasticity and market.suppliers.*.supply_elasticity one parameter (the matrix is singular); give a correlation inside (-1, 1), e.g. 0.99, or leave one of them out of the group",
	}},
	{name: "correlations: not a number", src: corrHdr + "  - {params: [" + pEps + ", " + pSupEl + "], matrix: [[1, x], [0.5, 1]]}\n", want: []string{
		"bad.yaml:8:103: correlations[0].matrix[0][1]: expected a number, got 'x'",
	}},
	{name: "correlations: no matrix", src: corrHdr + "  - {params: [" + pEps + ", " + pSupEl + "]}\n", want: []string{
		"bad.yaml:8:5: correlations[0].matrix: missing key 'matrix': expected a list of lists of numbers",
	}},
	{name: "correlations: --set", src: corrHdr + "  - {params: [" + pEps + ", " + pSupEl + "], matrix: [[1, 0.5], [0.5, 1]]}\n", sets: []string{"correlations[0].matrix[0][1]=0.3"}, want: []string{
		"--set: correlations[0].matrix[0][1]: correlations cannot be set on the command line: --set takes one number or month of a parameter; edit the scenario's correlations: section (docs/SCENARIOS.md)",
	}},
}

func init() {
	for _, tc := range corrInvalidCases {
		invalidCases = append(invalidCases, struct {
			name string
			file string
			src  string
			sets []string
			want []string
		}(tc))
	}
}

// groupsOf returns each copula of unc as its params in row order with
// its matrix, in the order of their first member in unc.
func groupsOf(unc []model.Uncertain) []corrGroupT {
	var out []corrGroupT
	for _, u := range unc {
		if u.Copula == nil {
			continue
		}
		k := slices.IndexFunc(out, func(g corrGroupT) bool { return g.c == u.Copula })
		if k < 0 {
			k = len(out)
			out = append(out, corrGroupT{c: u.Copula, params: make([]string, u.Copula.Size()), matrix: u.Copula.Matrix()})
		}
		out[k].params[u.CopulaRow] = u.Name
	}
	return out
}

type corrGroupT struct {
	c      *model.Copula
	params []string
	matrix [][]float64
}

// TestCorrelationsInherited checks which correlation groups a scenario
// draws with: its own, those it inherits through extends (a child's
// group replaces the inherited ones that share a param; a redefined
// uncertainty entry keeps its group), and the sub-matrix of the params
// left when an entry is dropped (--set, a removed event).
func TestCorrelationsInherited(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const (
		theta = "market.drivers.crop_prices.elasticity"
		eps   = "market.regions.*.demand_elasticity"
		beta  = "market.regions.*.stock_response"
		pre   = "events.precautionary-stocks.pct"
		omega = "market.regions.*.price_expectation_speed_per_month"
	)
	parent, err := os.ReadFile("testdata/valid/correlated.yaml")
	if err != nil {
		t.Fatal(err)
	}
	write("parent.yaml", string(parent))
	three := [][]float64{{1, 0.81, 0.19}, {0.81, 1, -0.09}, {0.19, -0.09, 1}}
	two := [][]float64{{1, 0.91}, {0.91, 1}}
	for _, tc := range []struct {
		name string
		src  string // extends parent.yaml
		sets []string
		want []corrGroupT
	}{
		{name: "inherited", src: "", want: []corrGroupT{{params: []string{theta, eps}, matrix: two}, {params: []string{beta, pre, omega}, matrix: three}}},
		{name: "redefined entry keeps its group", src: "uncertainty:\n  - {param: " + eps + ", dist: uniform, min: 0.45, max: 0.6}\n",
			want: []corrGroupT{{params: []string{theta, eps}, matrix: two}, {params: []string{beta, pre, omega}, matrix: three}}},
		{name: "a child's group replaces those sharing a param", src: "correlations:\n  - {params: [" + omega + ", " + eps + "], matrix: [[1, -0.3], [-0.3, 1]]}\n",
			want: []corrGroupT{{params: []string{omega, eps}, matrix: [][]float64{{1, -0.3}, {-0.3, 1}}}}},
		{name: "an identity group uncorrelates", src: "correlations:\n  - {params: [" + theta + ", " + eps + "], matrix: [[1, 0], [0, 1]]}\n",
			want: []corrGroupT{{params: []string{theta, eps}, matrix: [][]float64{{1, 0}, {0, 1}}}, {params: []string{beta, pre, omega}, matrix: three}}},
		{name: "--set fixes one of three", sets: []string{pre + "=50"},
			want: []corrGroupT{{params: []string{theta, eps}, matrix: two}, {params: []string{beta, omega}, matrix: [][]float64{{1, 0.19}, {0.19, 1}}}}},
		{name: "--set fixes one of two", sets: []string{"market.regions.*.demand_elasticity=0.5"},
			want: []corrGroupT{{params: []string{beta, pre, omega}, matrix: three}}},
		{name: "removed event", src: "remove_events: [precautionary-stocks]\n",
			want: []corrGroupT{{params: []string{theta, eps}, matrix: two}, {params: []string{beta, omega}, matrix: [][]float64{{1, 0.19}, {0.19, 1}}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := write("child.yaml", "extends: parent.yaml\n"+tc.src)
			s, err := Load(p, tc.sets)
			if err != nil {
				t.Fatal(err)
			}
			got := groupsOf(s.Uncertain)
			if len(got) != len(tc.want) {
				t.Fatalf("%d groups, want %d", len(got), len(tc.want))
			}
			for k := range got {
				if !slices.Equal(got[k].params, tc.want[k].params) || !reflect.DeepEqual(got[k].matrix, tc.want[k].matrix) {
					t.Errorf("group %d: %v %v, want %v %v", k, got[k].params, got[k].matrix, tc.want[k].params, tc.want[k].matrix)
				}
			}
		})
	}
}

// TestCorrelationsHash checks that the correlations are part of the
// scenario (its hash and resolved YAML), and that a scenario without
// them resolves as before they existed (no correlations: key; the
// built-ins all carry history's fitted group since model 0.6.0).
func TestCorrelationsHash(t *testing.T) {
	with := mustLoad(t, "testdata/valid/correlated.yaml")
	without, err := Parse("plain.yaml", []byte("title: t\nhorizon: {end: 2021-12}\nuncertainty:\n  - {param: market.regions.*.demand_elasticity, dist: uniform, min: 0.35, max: 0.4}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(without.Resolved), "correlations:") {
		t.Errorf("a scenario without correlations resolves with a correlations: key")
	}
	if !strings.Contains(string(with.Resolved), "\ncorrelations:\n  - params: [market.drivers.crop_prices.elasticity, market.regions.*.demand_elasticity]\n    matrix:\n      - [1, 0.91]\n") {
		t.Errorf("the resolved scenario does not write the correlations in flow rows")
	}
	src, err := os.ReadFile("testdata/valid/correlated.yaml")
	if err != nil {
		t.Fatal(err)
	}
	other, err := Parse("testdata/valid/correlated.yaml", []byte(strings.Replace(string(src), "0.91", "0.9", 2)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if other.Hash == with.Hash {
		t.Errorf("a changed correlation leaves the hash")
	}
}

// TestCorrelationsDocExample: the example of docs/SCENARIOS.md
// ("Correlations") validates as written, without a warning, and draws
// its two groups: a re-fit that moves the box beyond a rule, or a
// format change, fails here instead of leaving a stale example behind.
func TestCorrelationsDocExample(t *testing.T) {
	doc, err := os.ReadFile("../docs/SCENARIOS.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sec, _ := strings.Cut(string(doc), "\n## Correlations\n")
	_, rest, ok := strings.Cut(sec, "```yaml\n")
	src, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("docs/SCENARIOS.md, \"Correlations\": no yaml example found")
	}
	s, err := Parse("example.yaml", []byte(src), nil)
	if err != nil {
		t.Fatalf("docs/SCENARIOS.md's correlations example does not validate:\n%v", err)
	}
	if len(s.Warnings) > 0 {
		t.Errorf("docs/SCENARIOS.md's correlations example validates with warnings:\n%v", s.Warnings)
	}
	if got := groupsOf(s.Uncertain); len(got) != 2 {
		t.Errorf("the example draws %d correlation groups, want its 2", len(got))
	}
	// The text before it quotes two of history's fitted correlations.
	text := strings.Join(strings.Fields(sec), " ")
	q := regexp.MustCompile(`θ and the demand elasticity ε are correlated ([0-9.]+), the stock response β and the precautionary stock-building ([0-9.]+)`).FindStringSubmatch(text)
	if q == nil {
		t.Fatal("docs/SCENARIOS.md, \"Correlations\": the fitted correlations are not found; the pattern no longer finds them")
	}
	h := groupsOf(mustLoad(t, "history").Uncertain)
	if len(h) != 1 {
		t.Fatalf("history draws %d correlation groups, want 1", len(h))
	}
	corr := func(a, b string) string {
		i, j := slices.Index(h[0].params, a), slices.Index(h[0].params, b)
		if i < 0 || j < 0 {
			t.Fatalf("history's group lacks %s or %s", a, b)
		}
		return strconv.FormatFloat(h[0].matrix[i][j], 'g', -1, 64)
	}
	for k, p := range [][2]string{{"market.drivers.crop_prices.elasticity", "market.regions.*.demand_elasticity"}, {"market.regions.*.stock_response", "events.precautionary-stocks.pct"}} {
		if want := corr(p[0], p[1]); q[1+k] != want {
			t.Errorf("docs/SCENARIOS.md, \"Correlations\": %s–%s quoted %s; history's group has %s", p[0], p[1], q[1+k], want)
		}
	}
}
