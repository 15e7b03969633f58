package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
)

// TestSchemaGolden keeps testdata/schema.json equal to Schema()
// (regenerate with -update); a change to the format's Go types shows up as
// a diff here.
func TestSchemaGolden(t *testing.T) {
	got, err := Schema()
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(got) {
		t.Fatal("schema is not valid JSON")
	}
	gold := filepath.Join("testdata", "schema.json")
	if *update {
		if err := os.WriteFile(gold, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(gold)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Schema() differs from %s (run go test ./scenarios -run TestSchemaGolden -update):\n%s", gold, firstDiff(string(got), string(want)))
	}
}

// TestSchemaCoversTypes walks the format's Go types and checks that every
// yaml key has a property with a description in the schema, and that the
// schema has no property the types lack.
func TestSchemaCoversTypes(t *testing.T) {
	var root map[string]any
	out, _ := Schema()
	if err := json.Unmarshal(out, &root); err != nil {
		t.Fatal(err)
	}
	defs := root["$defs"].(map[string]any)
	seen := map[reflect.Type]bool{}
	var walk func(tp reflect.Type, props map[string]any, where string)
	walk = func(tp reflect.Type, props map[string]any, where string) {
		if seen[tp] {
			return
		}
		seen[tp] = true
		keys := structKeys(tp)
		if len(keys) != len(props) {
			t.Errorf("%s: %d yaml keys, %d schema properties", where, len(keys), len(props))
		}
		for i := 0; i < tp.NumField(); i++ {
			sf := tp.Field(i)
			k := yamlKey(sf)
			if k == "" {
				continue
			}
			p, ok := props[k].(map[string]any)
			if !ok {
				t.Errorf("%s: key %s missing from the schema", where, k)
				continue
			}
			if d, _ := p["description"].(string); d == "" {
				t.Errorf("%s.%s: no description", where, k)
			}
			ft := sf.Type
			for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice || ft.Kind() == reflect.Array || ft.Kind() == reflect.Map {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				def, ok := defs[ft.Name()].(map[string]any)
				if !ok {
					t.Errorf("no $defs entry for %s", ft.Name())
					continue
				}
				walk(ft, def["properties"].(map[string]any), ft.Name())
			}
		}
	}
	walk(reflect.TypeOf(File{}), root["properties"].(map[string]any), "File")
	if len(seen) != len(defs)+1 {
		t.Errorf("%d types walked, %d definitions (+ root)", len(seen), len(defs))
	}
}

// TestSchemaValidatesFiles validates every built-in and valid test file
// against the schema (with the small validator below, which covers the
// keywords Schema generates), and checks that invalid shapes are rejected.
func TestSchemaValidatesFiles(t *testing.T) {
	out, _ := Schema()
	var s map[string]any
	if err := json.Unmarshal(out, &s); err != nil {
		t.Fatal(err)
	}
	v := &schemaValidator{root: s}
	files := map[string][]byte{}
	for _, n := range builtinNames() {
		files["builtin:"+n], _ = BuiltinSource(n)
	}
	valid, _ := filepath.Glob("testdata/valid/*.yaml")
	for _, f := range valid {
		files[f], _ = os.ReadFile(f)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		var doc any
		if err := yaml.Unmarshal(files[n], &doc); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		if errs := v.validate(s, jsonish(doc), "$"); len(errs) > 0 {
			t.Errorf("%s does not validate: %v", n, errs)
		}
	}
	bad := []struct{ src, want string }{
		{"titel: x\n", "$: unknown property titel"},
		{"events: [{id: a, start: 2021-01}]\n", "$.events[0]: matches 0 of oneOf"},
		{"events: [{id: a, ban: {supplier: X, region: Y}, wedge: {supplier: X, region: Y, pct: 1}, start: 2021-01}]\n", "$.events[0]: matches 2 of oneOf"},
		{"horizon: {end: 2021-13}\n", "$.horizon.end: does not match"},
		{"step: weekly\n", "$.step: not in enum"},
		{"events: [{id: a, export_cap: {supplier: X, mt: -1}, start: 2021-01}]\n", "$.events[0].export_cap.mt: below minimum"},
		{"uncertainty: [{param: x}]\n", "$.uncertainty[0]: missing required dist"},
	}
	for _, b := range bad {
		var doc any
		if err := yaml.Unmarshal([]byte(b.src), &doc); err != nil {
			t.Fatal(err)
		}
		errs := v.validate(s, jsonish(doc), "$")
		if !strings.Contains(fmt.Sprint(errs), b.want) {
			t.Errorf("%q: errors %v, want one containing %q", b.src, errs, b.want)
		}
	}
}

// jsonish converts a yaml.v3-decoded value to JSON types (numbers as
// float64, months as strings).
func jsonish(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = jsonish(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonish(e)
		}
		return out
	case int:
		return float64(x)
	}
	return v
}

// schemaValidator checks an instance against the subset of JSON Schema
// that Schema() generates: type, properties, additionalProperties,
// required, items, minItems/maxItems, $ref, anyOf, oneOf, enum, pattern,
// minimum.
type schemaValidator struct{ root map[string]any }

func (v *schemaValidator) validate(s map[string]any, x any, at string) []string {
	var errs []string
	if ref, ok := s["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/$defs/")
		errs = append(errs, v.validate(v.root["$defs"].(map[string]any)[name].(map[string]any), x, at)...)
	}
	if any_, ok := s["anyOf"].([]any); ok {
		okAny := false
		for _, sub := range any_ {
			if len(v.validate(sub.(map[string]any), x, at)) == 0 {
				okAny = true
			}
		}
		if !okAny {
			errs = append(errs, at+": matches none of anyOf")
		}
	}
	if one, ok := s["oneOf"].([]any); ok {
		n := 0
		for _, sub := range one {
			if len(v.validate(sub.(map[string]any), x, at)) == 0 {
				n++
			}
		}
		if n != 1 {
			errs = append(errs, fmt.Sprintf("%s: matches %d of oneOf", at, n))
		}
	}
	if typ, ok := s["type"].(string); ok {
		good := false
		switch typ {
		case "object":
			_, good = x.(map[string]any)
		case "array":
			_, good = x.([]any)
		case "string":
			_, good = x.(string)
		case "number":
			_, good = x.(float64)
		case "integer":
			f, isF := x.(float64)
			good = isF && f == float64(int64(f))
		case "boolean":
			_, good = x.(bool)
		}
		if !good {
			return append(errs, fmt.Sprintf("%s: not of type %s", at, typ))
		}
	}
	if enum, ok := s["enum"].([]any); ok {
		found := false
		for _, e := range enum {
			if e == x {
				found = true
			}
		}
		if !found {
			errs = append(errs, at+": not in enum")
		}
	}
	if pat, ok := s["pattern"].(string); ok {
		if str, _ := x.(string); !regexp.MustCompile(pat).MatchString(str) {
			errs = append(errs, at+": does not match "+pat)
		}
	}
	if min, ok := s["minimum"].(float64); ok {
		if f, isF := x.(float64); isF && f < min {
			errs = append(errs, at+": below minimum")
		}
	}
	if obj, ok := x.(map[string]any); ok {
		props, _ := s["properties"].(map[string]any)
		for _, r := range asList(s["required"]) {
			if _, has := obj[r.(string)]; !has {
				errs = append(errs, at+": missing required "+r.(string))
			}
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p, ok := props[k].(map[string]any); ok {
				errs = append(errs, v.validate(p, obj[k], at+"."+k)...)
			} else if ap, ok := s["additionalProperties"].(map[string]any); ok {
				errs = append(errs, v.validate(ap, obj[k], at+"."+k)...)
			} else if s["additionalProperties"] == false {
				errs = append(errs, at+": unknown property "+k)
			}
		}
	}
	if arr, ok := x.([]any); ok {
		if it, ok := s["items"].(map[string]any); ok {
			for i, e := range arr {
				errs = append(errs, v.validate(it, e, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
		if n, ok := s["minItems"].(float64); ok && float64(len(arr)) < n {
			errs = append(errs, at+": too few items")
		}
		if n, ok := s["maxItems"].(float64); ok && float64(len(arr)) > n {
			errs = append(errs, at+": too many items")
		}
	}
	return errs
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// TestSchemaAgreesWithValidator: on small cases of the lists the
// validator wants at least two of (a correlation group's params and
// matrix, a coalition's members), the schema accepts exactly the files
// the validator accepts.
func TestSchemaAgreesWithValidator(t *testing.T) {
	out, _ := Schema()
	var s map[string]any
	if err := json.Unmarshal(out, &s); err != nil {
		t.Fatal(err)
	}
	v := &schemaValidator{root: s}
	const base = "title: c\nhorizon: {end: 2021-12}\nuncertainty:\n" +
		"  - {param: market.regions.Brazil.demand_elasticity, dist: uniform, min: 0.3, max: 0.5}\n" +
		"  - {param: market.regions.India.demand_elasticity, dist: uniform, min: 0.3, max: 0.5}\n" +
		"  - {param: market.regions.China.demand_elasticity, dist: uniform, min: 0.3, max: 0.5}\n"
	inline, err := os.ReadFile("testdata/valid/inline-basic.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const pact = "members: [North, South]"
	if !bytes.Contains(inline, []byte(pact)) {
		t.Fatalf("inline-basic.yaml has no %q", pact)
	}
	for _, c := range []struct {
		name, src string
		ok        bool
	}{
		{"no params", base + "correlations:\n  - {params: [], matrix: []}\n", false},
		{"one param", base + "correlations:\n  - {params: [market.regions.Brazil.demand_elasticity], matrix: [[1]]}\n", false},
		{"two params", base + "correlations:\n  - {params: [market.regions.Brazil.demand_elasticity, market.regions.India.demand_elasticity], matrix: [[1, 0.5], [0.5, 1]]}\n", true},
		{"three params", base + "correlations:\n  - params: [market.regions.Brazil.demand_elasticity, market.regions.India.demand_elasticity, market.regions.China.demand_elasticity]\n" +
			"    matrix: [[1, 0.5, 0.2], [0.5, 1, 0.3], [0.2, 0.3, 1]]\n", true},
		{"one row", base + "correlations:\n  - {params: [market.regions.Brazil.demand_elasticity, market.regions.India.demand_elasticity], matrix: [[1, 0.5]]}\n", false},
		{"two members", string(inline), true},
		{"one member", strings.Replace(string(inline), pact, "members: [North]", 1), false},
	} {
		var doc any
		if err := yaml.Unmarshal([]byte(c.src), &doc); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		schemaErrs := v.validate(s, jsonish(doc), "$")
		_, err := Parse("testdata/valid/c.yaml", []byte(c.src), nil)
		if (len(schemaErrs) == 0) != c.ok || (err == nil) != c.ok {
			t.Errorf("%s: schema errors %v, validator %v; want both to %s", c.name, schemaErrs, err, map[bool]string{true: "accept", false: "reject"}[c.ok])
		}
	}
}
