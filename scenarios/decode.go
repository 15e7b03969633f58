package scenarios

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// pos is a place in a file.
type pos struct{ Line, Col int }

// decoder is a strict YAML decoder over yaml.v3 nodes: unknown and
// duplicate keys, wrong types, missing required keys and non-finite numbers
// are diagnostics (every one is reported, decoding goes on), and the
// position of every field is recorded under its path ("events[2].ban.supplier").
type decoder struct {
	file  string
	diags Diagnostics
	pos   map[string]pos
	// budget bounds the work on alias-expanded documents.
	budget int
	// fatal is set when the input is not YAML or is empty.
	fatal bool
	// bad holds the paths whose node had the wrong shape (their semantic
	// checks are skipped: the decoder reported them).
	bad map[string]bool
}

func newDecoder(file string) *decoder {
	return &decoder{file: file, pos: map[string]pos{}, budget: 200000, bad: map[string]bool{}}
}

func (d *decoder) errorf(p pos, field, format string, args ...any) {
	d.diags = append(d.diags, Diagnostic{Severity: SeverityError, File: d.file, Line: p.Line, Col: p.Col, Field: field, Msg: fmt.Sprintf(format, args...)})
}

func nodePos(n *yaml.Node) pos { return pos{n.Line, n.Column} }

var (
	scnNumType = reflect.TypeOf(Num{})
)

// decodeFile parses data into a File. It never panics.
func decodeFile(file string, data []byte) (f *File, d *decoder) {
	d = newDecoder(file)
	f = &File{}
	defer func() {
		if r := recover(); r != nil {
			d.errorf(pos{}, "", "the YAML parser failed on this input (%v)", r)
		}
	}()
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		d.diags = append(d.diags, yamlErrorDiag(file, err))
		d.fatal = true
		return f, d
	}
	if len(root.Content) == 0 {
		d.errorf(pos{1, 1}, "", "the file is empty; expected a mapping with title, horizon, events, ...")
		d.fatal = true
		return f, d
	}
	d.decode(&root, reflect.ValueOf(f).Elem(), "", "scenario")
	return f, d
}

// yamlErrorDiag turns a yaml.v3 syntax error ("yaml: line 3: ...") into a
// Diagnostic with the line.
func yamlErrorDiag(file string, err error) Diagnostic {
	msg := err.Error()
	line := 0
	msg = strings.TrimPrefix(msg, "yaml: ")
	if strings.HasPrefix(msg, "line ") {
		rest := msg[len("line "):]
		if i := strings.Index(rest, ":"); i > 0 {
			if n, e := strconv.Atoi(rest[:i]); e == nil {
				line = n
				msg = strings.TrimSpace(rest[i+1:])
			}
		}
	}
	// yaml.v3 reports the line only (often where the construct began).
	return Diagnostic{Severity: SeverityError, File: file, Line: line, Field: "", Msg: "YAML syntax: " + msg}
}

func joinPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// yamlKey returns the yaml key of a struct field ("" to skip).
func yamlKey(sf reflect.StructField) string {
	tag := sf.Tag.Get("yaml")
	if tag == "-" || !sf.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(tag, ",")
	if name == "" {
		name = strings.ToLower(sf.Name)
	}
	return name
}

// structKeys lists the yaml keys of struct type t in field order.
func structKeys(t reflect.Type) []string {
	var ks []string
	for i := 0; i < t.NumField(); i++ {
		if k := yamlKey(t.Field(i)); k != "" {
			ks = append(ks, k)
		}
	}
	return ks
}

// kindName describes what a Go type expects, for messages.
func kindName(t reflect.Type, unit string) string {
	u := ""
	if unit != "" && unit != "month" && unit != "months" {
		u = " (" + unit + ")"
	}
	switch {
	case t == scnNumType:
		return "a number" + u + " or {value, source, range}"
	case t.Kind() == reflect.Pointer:
		return kindName(t.Elem(), unit)
	case t.Kind() == reflect.String:
		if unit == "month" {
			return "a month YYYY-MM"
		}
		return "a string"
	case t.Kind() == reflect.Int:
		if unit == "months" {
			return "a whole number of months"
		}
		return "an integer"
	case t.Kind() == reflect.Float64:
		return "a number" + u
	case t.Kind() == reflect.Slice:
		return "a list of " + strings.TrimPrefix(strings.TrimPrefix(kindName(t.Elem(), unit), "a "), "an ") + "s"
	case t.Kind() == reflect.Array:
		return fmt.Sprintf("a list of %d numbers", t.Len())
	case t.Kind() == reflect.Map:
		return "a mapping"
	case t.Kind() == reflect.Struct:
		return "a mapping"
	}
	return t.String()
}

func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing (null)"
		}
		v := n.Value
		if len(v) > 40 {
			v = v[:40] + "..."
		}
		return fmt.Sprintf("'%s'", v)
	}
	return "something else"
}

// decode decodes n into v (settable), recording positions. what names the
// thing for messages; unit is the field's unit tag.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path, unit string) {
	d.decodeU(n, v, path, unit)
}

func (d *decoder) decodeU(n *yaml.Node, v reflect.Value, path, unit string) {
	d.budget--
	if d.budget < 0 {
		if d.budget == -1 {
			d.errorf(nodePos(n), path, "document too large or too deeply aliased")
		}
		return
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) > 0 {
			d.decodeU(n.Content[0], v, path, unit)
		}
		return
	case yaml.AliasNode:
		if n.Alias == nil {
			return
		}
		d.decodeU(n.Alias, v, path, unit)
		return
	}
	p := nodePos(n)
	if _, ok := d.pos[path]; !ok || n.Kind != yaml.MappingNode {
		d.pos[path] = p
	}
	t := v.Type()
	field := path
	if t == scnNumType {
		d.decodeNum(n, v, path, unit)
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			v.Set(reflect.Zero(t))
			return
		}
		nv := reflect.New(t.Elem())
		d.decodeU(n, nv.Elem(), path, unit)
		v.Set(nv)
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			d.errorf(p, field, "expected a mapping with keys %s, got %s", strings.Join(structKeys(t), ", "), describeNode(n))
			d.bad[path] = true
			return
		}
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
				return
			}
			d.errorf(p, field, "expected %s, got %s", kindName(t, unit), describeNode(n))
			return
		}
		s := reflect.MakeSlice(t, len(n.Content), len(n.Content))
		for i, c := range n.Content {
			d.decodeU(c, s.Index(i), fmt.Sprintf("%s[%d]", path, i), unit)
		}
		v.Set(s)
	case reflect.Array:
		if n.Kind != yaml.SequenceNode || len(n.Content) != t.Len() {
			d.errorf(p, field, "expected %s, got %s", kindName(t, unit), describeNode(n))
			return
		}
		for i, c := range n.Content {
			d.decodeU(c, v.Index(i), fmt.Sprintf("%s[%d]", path, i), unit)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
				return
			}
			d.errorf(p, field, "expected a mapping, got %s", describeNode(n))
			return
		}
		m := reflect.MakeMap(t)
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				d.errorf(nodePos(k), field, "expected a string key, got %s", describeNode(k))
				continue
			}
			if seen[k.Value] {
				d.errorf(nodePos(k), joinPath(path, k.Value), "duplicate key '%s'", k.Value)
				continue
			}
			seen[k.Value] = true
			ev := reflect.New(t.Elem()).Elem()
			kp := joinPath(path, k.Value)
			d.decodeU(val, ev, kp, unit)
			d.pos["key:"+kp] = nodePos(k)
			m.SetMapIndex(reflect.ValueOf(k.Value), ev)
		}
		v.Set(m)
	case reflect.String:
		if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
			d.errorf(p, field, "expected %s, got %s", kindName(t, unit), describeNode(n))
			return
		}
		v.SetString(n.Value)
	case reflect.Int:
		if n.Kind != yaml.ScalarNode {
			d.errorf(p, field, "expected %s, got %s", kindName(t, unit), describeNode(n))
			return
		}
		i, err := strconv.Atoi(n.Value)
		if err != nil {
			d.errorf(p, field, "expected %s, got %s", kindName(t, unit), describeNode(n))
			return
		}
		v.SetInt(int64(i))
	case reflect.Float64:
		f, ok := d.number(n, path, unit)
		if ok {
			v.SetFloat(f)
		}
	default:
		d.errorf(p, field, "cannot decode into %s", t)
	}
}

// number reads a finite number from a scalar node.
func (d *decoder) number(n *yaml.Node, path, unit string) (float64, bool) {
	p := nodePos(n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" || n.Tag == "!!bool" {
		d.errorf(p, path, "expected %s, got %s", kindName(reflect.TypeOf(0.0), unit), describeNode(n))
		return 0, false
	}
	s := strings.ReplaceAll(n.Value, "_", "")
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		switch strings.ToLower(s) {
		case ".nan", ".inf", "+.inf", "-.inf":
			d.errorf(p, path, "expected a finite number, got %s", describeNode(n))
			return 0, false
		}
		hint := ""
		if strings.HasSuffix(strings.TrimSpace(s), "%") {
			hint = " (write the percentage without the % sign)"
		}
		d.errorf(p, path, "expected %s, got %s%s", kindName(reflect.TypeOf(0.0), unit), describeNode(n), hint)
		return 0, false
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		d.errorf(p, path, "expected a finite number, got %s", describeNode(n))
		return 0, false
	}
	return f, true
}

// decodeNum reads a Num: a bare number or {value, source, range}.
func (d *decoder) decodeNum(n *yaml.Node, v reflect.Value, path, unit string) {
	if n.Kind == yaml.MappingNode {
		d.decodeStruct(n, v, path)
		num := v.Addr().Interface().(*Num)
		if num.Range != nil && num.Range[0] > num.Range[1] {
			d.errorf(nodePos(n), path+".range", "range [%g, %g] is empty: the first bound must not exceed the second", num.Range[0], num.Range[1])
		}
		return
	}
	f, ok := d.number(n, path, unit)
	if ok {
		v.Field(0).SetFloat(f)
	}
}

// decodeStruct decodes a mapping into struct v strictly.
func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	t := v.Type()
	idx := map[string]int{}
	for i := 0; i < t.NumField(); i++ {
		if k := yamlKey(t.Field(i)); k != "" {
			idx[k] = i
		}
	}
	keys := structKeys(t)
	seen := map[string]bool{}
	pairs := mappingPairs(n)
	for i := 0; i+1 < len(pairs); i += 2 {
		k, val := pairs[i], pairs[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errorf(nodePos(k), path, "expected a key, got %s", describeNode(k))
			continue
		}
		fi, ok := idx[k.Value]
		kp := joinPath(path, k.Value)
		if !ok {
			where := "at the top level"
			if path != "" {
				where = "in " + path
			}
			d.errorf(nodePos(k), kp, "unknown key '%s' %s%s", k.Value, where, didYouMean(k.Value, keys))
			continue
		}
		if seen[k.Value] {
			d.errorf(nodePos(k), kp, "duplicate key '%s'", k.Value)
			continue
		}
		seen[k.Value] = true
		d.pos["key:"+kp] = nodePos(k)
		sf := t.Field(fi)
		d.decodeU(val, v.Field(fi), kp, sf.Tag.Get("unit"))
	}
	// Required keys.
	for _, m := range requiredKeys(t) {
		if seen[m] {
			continue
		}
		sf, _ := fieldByKey(t, m)
		d.errorf(nodePos(n), joinPath(path, m), "missing key '%s': expected %s", m, kindName(sf.Type, sf.Tag.Get("unit")))
	}
}

// mappingPairs returns the key/value nodes of mapping n with YAML merge
// keys ('<<: *anchor') expanded: explicit keys win over merged ones.
func mappingPairs(n *yaml.Node) []*yaml.Node {
	hasMerge := false
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Tag == "!!merge" {
			hasMerge = true
		}
	}
	if !hasMerge {
		return n.Content
	}
	explicit := map[string]bool{}
	var out []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Tag != "!!merge" {
			explicit[n.Content[i].Value] = true
			out = append(out, n.Content[i], n.Content[i+1])
		}
	}
	var add func(m *yaml.Node, depth int)
	add = func(m *yaml.Node, depth int) {
		if depth > 8 {
			return
		}
		if m.Kind == yaml.AliasNode && m.Alias != nil {
			m = m.Alias
		}
		switch m.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(m.Content); i += 2 {
				k := m.Content[i]
				if k.Tag == "!!merge" || explicit[k.Value] {
					continue
				}
				explicit[k.Value] = true
				out = append(out, k, m.Content[i+1])
			}
		case yaml.SequenceNode:
			for _, c := range m.Content {
				add(c, depth+1)
			}
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Tag == "!!merge" {
			add(n.Content[i+1], 0)
		}
	}
	return out
}

// marketTypes are the market format's types (market_format.go, owned by
// the dataset): their keys without omitempty are required, except a
// market's name and version.
var marketTypes = map[reflect.Type]bool{
	reflect.TypeOf(MarketFile{}): true, reflect.TypeOf(SourceRef{}): true,
	reflect.TypeOf(SupplierFile{}): true, reflect.TypeOf(CorridorFile{}): true,
	reflect.TypeOf(RegionFile{}): true, reflect.TypeOf(RouteFile{}): true,
	scnNumType: true,
}

// requiredKeys lists the required yaml keys of struct type t, sorted.
func requiredKeys(t reflect.Type) []string {
	var req []string
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		k := yamlKey(sf)
		if k == "" {
			continue
		}
		if sf.Tag.Get("req") == "true" {
			req = append(req, k)
			continue
		}
		if marketTypes[t] && !strings.Contains(sf.Tag.Get("yaml"), "omitempty") {
			if t == reflect.TypeOf(MarketFile{}) && (k == "name" || k == "version") {
				continue
			}
			req = append(req, k)
		}
	}
	sort.Strings(req)
	return req
}

// fieldByKey finds the struct field with yaml key k.
func fieldByKey(t reflect.Type, k string) (reflect.StructField, bool) {
	for i := 0; i < t.NumField(); i++ {
		if yamlKey(t.Field(i)) == k {
			return t.Field(i), true
		}
	}
	return reflect.StructField{}, false
}
