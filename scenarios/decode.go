package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"
)

// pos is a place in a file.
type pos struct{ Line, Col int }

// Limits on one scenario document, after aliases and merge keys are
// expanded: they bound the memory and time any input can take, however it
// repeats itself (a 1 MB file of aliases can name gigabytes of text).
const (
	// MaxNodes is the most YAML nodes the decoder visits in one document.
	MaxNodes = 200_000
	// MaxExpandedBytes is the most bytes of scalar text (keys and values)
	// one document may hold once aliases are expanded: as much as a plain
	// file of MaxFileBytes can.
	MaxExpandedBytes = MaxFileBytes
	// MaxValueBytes is the longest one scalar (a key, a name, a
	// description) may be, bytes.
	MaxValueBytes = 64 << 10
)

// decoder is a strict YAML decoder over yaml nodes: unknown and duplicate
// keys, wrong types, missing required keys, non-finite numbers and tags
// other than the standard ones are diagnostics (every one is reported,
// decoding goes on), and the position of every field is recorded under its
// path ("events[2].ban.supplier"). A limit (MaxNodes, MaxExpandedBytes,
// MaxValueBytes) stops decoding: its diagnostic is then the only one.
type decoder struct {
	file  string
	diags Diagnostics
	pos   map[string]pos
	// nodes and bytes count the work done on the alias-expanded document.
	nodes, bytes int
	// limit is the diagnostic of the first limit hit (decoding stops).
	limit *Diagnostic
	// fatal is set when the input is not YAML, is empty or hit a limit.
	fatal bool
	// bad holds the paths whose node had the wrong shape, and the keys a
	// misspelt key stood for ("horizon" for a "horizn:" with no
	// "horizon:" beside it): their semantic checks, and the checks that
	// depend on them, are skipped (the decoder reported them).
	bad map[string]bool
	// use is the alias ('*a') or merge key ('<<: *a') whose anchored
	// value is being decoded, nil outside one: the positions recorded and
	// the errors reported there are the use's, not the anchor's (an
	// anchored value can be valid where it is written and wrong where it
	// is used).
	use *yaml.Node
}

func newDecoder(file string) *decoder {
	return &decoder{file: file, pos: map[string]pos{}, bad: map[string]bool{}}
}

func (d *decoder) errorf(p pos, field, format string, args ...any) {
	d.diags = append(d.diags, Diagnostic{Severity: SeverityError, File: d.file, Line: p.Line, Col: p.Col, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// stopf records the first limit hit; decoding stops.
func (d *decoder) stopf(p pos, field, format string, args ...any) {
	if d.limit == nil {
		d.limit = &Diagnostic{Severity: SeverityError, File: d.file, Line: p.Line, Col: p.Col, Field: field, Msg: fmt.Sprintf(format, args...)}
	}
}

// visit counts node n (and its text, for a scalar) against the limits; it
// is false once a limit is hit.
func (d *decoder) visit(n *yaml.Node, path string) bool {
	if d.limit != nil {
		return false
	}
	d.nodes++
	if d.nodes > MaxNodes {
		d.stopf(nodePos(n), path, "the document is too large: it expands to more than %d YAML nodes (aliases and merge keys count each time they are used); nothing else was checked", MaxNodes)
		return false
	}
	if n.Kind != yaml.ScalarNode {
		return true
	}
	if len(n.Value) > MaxValueBytes {
		d.stopf(nodePos(n), path, "a value of %d bytes is longer than the limit of %d KiB for one value; nothing else was checked", len(n.Value), MaxValueBytes>>10)
		return false
	}
	d.bytes += len(n.Value)
	if d.bytes > MaxExpandedBytes {
		d.stopf(nodePos(n), path, "the document is too large: its text expands to more than %d MiB (aliases and merge keys count each time they are used); nothing else was checked", MaxExpandedBytes>>20)
		return false
	}
	return true
}

// standardTags are the tags a scenario may use: the standard scalars and
// collections (untagged nodes resolve to these, or to !!timestamp, which
// is read as text).
var standardTags = map[string]bool{
	"!!str": true, "!!int": true, "!!float": true, "!!bool": true, "!!null": true,
	"!!map": true, "!!seq": true, "!!merge": true,
}

// checkTag reports an explicit tag other than the standard ones (!!binary,
// !!set, an application tag such as !foo): the decoder would otherwise
// read its text as if it were untagged.
func (d *decoder) checkTag(n *yaml.Node, path string) bool {
	if n.Style&yaml.TaggedStyle == 0 || standardTags[n.Tag] {
		return true
	}
	d.errorf(nodePos(n), path, "the tag %s is not allowed: a scenario holds plain strings, numbers, lists and mappings", quote(n.Tag))
	d.bad[path] = true
	return false
}

// key counts mapping key k (an alias resolved) against the limits and
// checks its tag; it is false when k is not to be used.
func (d *decoder) key(k *yaml.Node, path string) bool {
	if k.Kind == yaml.AliasNode && k.Alias != nil {
		k = k.Alias
	}
	return d.visit(k, path) && d.checkTag(k, path)
}

func nodePos(n *yaml.Node) pos { return pos{n.Line, n.Column} }

// at is the position of node n as the scenario uses it: n's own, or
// inside an alias or a merge key the position of that use (decoder.use).
func (d *decoder) at(n *yaml.Node) pos {
	if d.use != nil {
		return nodePos(d.use)
	}
	return nodePos(n)
}

// inUse decodes through the alias or merge key u: positions are u's
// until the outermost use is done.
func (d *decoder) inUse(u *yaml.Node, f func()) {
	if d.use == nil {
		d.use = u
		defer func() { d.use = nil }()
	}
	f()
}

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
			d.fatal = true
		}
	}()
	if dg, ok := checkText(file, data); !ok {
		d.diags = append(d.diags, dg)
		d.fatal = true
		return f, d
	}
	root, dg, ok := parseDocument(file, data)
	if !ok {
		d.diags = append(d.diags, dg)
		d.fatal = true
		return f, d
	}
	if len(root.Content) == 0 {
		d.errorf(pos{1, 1}, "", "the file is empty; expected a mapping with title, horizon, events, ...")
		d.fatal = true
		return f, d
	}
	d.decode(root, reflect.ValueOf(f).Elem(), "", "scenario")
	if d.limit != nil {
		// The cause, first and alone: what follows from a half-read
		// document would bury it.
		d.diags = Diagnostics{*d.limit}
		d.fatal = true
		*f = File{}
	}
	return f, d
}

// parseDocument parses data as exactly one YAML document. A syntax error
// and a second document are diagnostics with line and column.
func parseDocument(file string, data []byte) (*yaml.Node, Diagnostic, bool) {
	ld, err := yaml.NewLoader(bytes.NewReader(data))
	if err != nil {
		return nil, Diagnostic{Severity: SeverityError, File: file, Msg: "YAML: " + err.Error()}, false
	}
	var root yaml.Node
	if err := ld.Load(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return &root, Diagnostic{}, true // empty: the caller says so
		}
		return nil, yamlErrorDiag(file, data, err), false
	}
	var next yaml.Node
	switch err := ld.Load(&next); {
	case errors.Is(err, io.EOF):
		return &root, Diagnostic{}, true
	case err != nil:
		return nil, yamlErrorDiag(file, data, err), false
	default:
		return nil, Diagnostic{Severity: SeverityError, File: file, Line: next.Line, Col: next.Column,
			Msg: "a second YAML document (after '---') is not allowed: a scenario file holds one document"}, false
	}
}

// yamlErrorDiag turns a yaml syntax error into a Diagnostic with its line
// and column. A tab used for indentation gets a message of its own, at the
// tab.
func yamlErrorDiag(file string, data []byte, err error) Diagnostic {
	dg := Diagnostic{Severity: SeverityError, File: file, Msg: "YAML syntax: " + strings.TrimPrefix(err.Error(), "yaml: ")}
	var le *yaml.LoadError
	if errors.As(err, &le) {
		dg.Line, dg.Col = le.Mark.Line, le.Mark.Column
		dg.Msg = "YAML syntax: " + le.Message
		if le.ContextMsg != "" && le.ContextMark.Line > 0 && le.ContextMark.Line != le.Mark.Line {
			dg.Msg += fmt.Sprintf(" (%s at line %d, column %d)", le.ContextMsg, le.ContextMark.Line, le.ContextMark.Column)
		}
	}
	if l, c, ok := indentTab(data, dg.Line); ok {
		dg.Line, dg.Col = l, c
		dg.Msg = "YAML syntax: a tab character indents this line; YAML indents with spaces only (replace the tab with spaces)"
	} else if q, ok := openQuote(data, dg.Line); ok {
		dg.Msg = fmt.Sprintf("YAML syntax: this %c is not closed on its line: the value runs on to the %c on line %d, and the file no longer parses at line %d, column %d (%s)",
			q.char, q.char, q.closeLine, dg.Line, dg.Col, strings.TrimPrefix(dg.Msg, "YAML syntax: "))
		dg.Line, dg.Col = q.line, q.col
	}
	return dg
}

// quoteSpan is a quoted value that opens on one line and closes on a
// later one.
type quoteSpan struct {
	char                 rune
	line, col, closeLine int
}

// openQuote finds, in the lines up to near, the last quoted value that is
// not closed on the line it opens on and closes on line near or the line
// before it: a quote left open ('US relief), closed by an apostrophe lines
// below ("history's"), after which the file stops parsing. The lines of
// block scalars (key: | or >) and comments are skipped; a value that
// means to run over lines and closes well before near is not reported.
func openQuote(data []byte, near int) (quoteSpan, bool) {
	var (
		open     *quoteSpan // the quote running on, if any
		last     quoteSpan
		found    bool
		block    = -1 // indentation of the key of the block scalar being skipped
		inFlow   bool
		endQuote = func(l string, q rune, from int) int { // index of the closing quote, or -1
			rs := []rune(l)
			for i := from; i < len(rs); i++ {
				switch {
				case q == '\'' && rs[i] == '\'' && i+1 < len(rs) && rs[i+1] == '\'':
					i++
				case q == '"' && rs[i] == '\\':
					i++
				case rs[i] == q:
					return i
				}
			}
			return -1
		}
	)
	for n, l := range strings.Split(string(data), "\n") {
		line := n + 1
		if line > near {
			break
		}
		rs := []rune(strings.TrimRight(l, "\r"))
		inFlow = false
		indent := 0
		for indent < len(rs) && rs[indent] == ' ' {
			indent++
		}
		if open != nil {
			if endQuote(string(rs), open.char, 0) >= 0 {
				open.closeLine = line
				last, found = *open, true
				open = nil
			}
			continue
		}
		if block >= 0 {
			if indent > block || strings.TrimSpace(string(rs)) == "" {
				continue
			}
			block = -1
		}
		// Scan the line for values that open with a quote.
		start := true // at the start of a value
		for i := indent; i < len(rs); i++ {
			r := rs[i]
			switch {
			case r == '#' && (i == 0 || rs[i-1] == ' '):
				i = len(rs)
			case start && (r == '\'' || r == '"'):
				e := endQuote(string(rs), r, i+1)
				if e < 0 {
					open = &quoteSpan{char: r, line: line, col: i + 1}
					i = len(rs)
					continue
				}
				i, start = e, false
			case start && (r == '|' || r == '>') && !inFlow:
				block, i = indent, len(rs)
			case r == ' ' || r == '-' && start:
			case r == ':' && (i+1 == len(rs) || rs[i+1] == ' '),
				r == '[' || r == '{' || r == ',':
				start = true
				inFlow = inFlow || r == '[' || r == '{'
			default:
				start = false
			}
		}
	}
	if found && last.closeLine >= near-1 {
		return last, true
	}
	return quoteSpan{}, false
}

// indentTab finds a tab in the indentation of a line up to line near+1
// (the parser may stop at the line before or after), returning its line
// and column. Lines inside block scalars are not told apart: a tab there
// is rare, and the error is reported only when the parser already failed
// near it.
func indentTab(data []byte, near int) (line, col int, ok bool) {
	if near <= 0 {
		return 0, 0, false
	}
	for i, l := range strings.Split(string(data), "\n") {
		if i+1 > near+1 {
			break
		}
		if i+1 < near-1 {
			continue
		}
		for j, r := range l {
			if r == '\t' {
				if strings.TrimSpace(l[j:]) != "" {
					return i + 1, utf8.RuneCountInString(l[:j]) + 1, true
				}
				break
			}
			if r != ' ' {
				break
			}
		}
	}
	return 0, 0, false
}

// checkText checks that data is YAML text: UTF-8 without a NUL or other
// control character (tab, line feed and carriage return aside). The first
// offending byte is reported with its line and column.
func checkText(file string, data []byte) (Diagnostic, bool) {
	if len(data) >= 2 && (data[0] == 0xff && data[1] == 0xfe || data[0] == 0xfe && data[1] == 0xff) {
		return Diagnostic{Severity: SeverityError, File: file, Line: 1, Col: 1, Msg: "the file is UTF-16 text; save it as UTF-8"}, false
	}
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		msg := ""
		switch {
		case r == utf8.RuneError && size <= 1:
			msg = fmt.Sprintf("invalid UTF-8 (byte 0x%02x): a scenario file must be UTF-8 text", data[i])
		case r == 0:
			msg = "a NUL character: a scenario file is text"
		case r == '\n':
			line, col = line+1, 1
			i += size
			continue
		case r == '\t' || r == '\r' || r == 0xfeff && i == 0:
		case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f && r != 0x85:
			msg = fmt.Sprintf("control character %U is not allowed in YAML", r)
		}
		if msg != "" {
			return Diagnostic{Severity: SeverityError, File: file, Line: line, Col: col, Msg: msg}, false
		}
		col++
		i += size
	}
	return Diagnostic{}, true
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

// belongsUnder names the section of t that key belongs in, when exactly
// one of t's struct-valued keys takes it ("; it belongs under market
// (market.overrides)" for overrides written at the top level), else "".
func belongsUnder(t reflect.Type, key string) string {
	if sec := sectionOf(t, key); sec != "" {
		return "; it belongs under " + sec + " (" + sec + "." + key + ")"
	}
	return ""
}

// sectionOf is the key of the one struct-valued field of t whose keys
// include key ("market" for "overrides" at the top level), else "".
func sectionOf(t reflect.Type, key string) string {
	found := ""
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		sec := yamlKey(f)
		if sec == "" || ft.Kind() != reflect.Struct || ft == scnNumType || !slices.Contains(structKeys(ft), key) {
			continue
		}
		if found != "" {
			return "" // more than one section takes it
		}
		found = sec
	}
	return found
}

// misplacedKeys finds the unknown keys of mapping pairs (of struct type t)
// that belong in a section written beside them, as in
//
//	capacity: {supplier: Canada}
//	add_mt: 4.15
//
// It returns, by key, what to write instead ("; it belongs inside
// capacity: write capacity: {supplier: Canada, add_mt: 4.15}"), and marks
// the key's path inside the section bad, so that the section is not also
// reported to miss it (one error for one mistake).
func (d *decoder) misplacedKeys(t reflect.Type, pairs []*yaml.Node, path string, idx map[string]int, keys []string) map[string]string {
	var out map[string]string
	for i := 0; i+1 < len(pairs); i += 2 {
		k, val := pairs[i], pairs[i+1]
		if k.Kind != yaml.ScalarNode {
			continue
		}
		if _, ok := idx[k.Value]; ok || didYouMean(k.Value, keys) != "" {
			continue
		}
		sec := sectionOf(t, k.Value)
		if sec == "" {
			continue
		}
		var secNode *yaml.Node
		for j := 0; j+1 < len(pairs); j += 2 {
			if pairs[j].Kind == yaml.ScalarNode && pairs[j].Value == sec {
				secNode = pairs[j+1]
			}
		}
		if secNode == nil || secNode.Kind != yaml.MappingNode {
			continue
		}
		given := false
		for j := 0; j+1 < len(secNode.Content); j += 2 {
			given = given || secNode.Content[j].Value == k.Value
		}
		if given {
			continue // the section has it: this one is a stray copy
		}
		if out == nil {
			out = map[string]string{}
		}
		d.bad[joinPath(path, sec+"."+k.Value)] = true
		hint := "; it belongs inside " + sec + " (" + sec + "." + k.Value + ")"
		if flow, ok := flowWith(secNode, k, val); ok {
			hint = "; it belongs inside " + sec + ": write " + sec + ": " + flow
		}
		out[k.Value] = hint
	}
	return out
}

// flowWith writes mapping m with the pair k: v added in YAML's flow
// style ("{supplier: Canada, add_mt: 4.15}"); false unless every key
// and value is a plain scalar.
func flowWith(m, k, v *yaml.Node) (string, bool) {
	plain := func(n *yaml.Node) bool {
		return n.Kind == yaml.ScalarNode && n.Style&^yaml.FlowStyle == 0 && n.Value != "" && !strings.ContainsAny(n.Value, ",{}[]:#\n")
	}
	var ps []string
	for i := 0; i+1 < len(m.Content); i += 2 {
		if !plain(m.Content[i]) || !plain(m.Content[i+1]) {
			return "", false
		}
		ps = append(ps, m.Content[i].Value+": "+m.Content[i+1].Value)
	}
	if !plain(k) || !plain(v) {
		return "", false
	}
	return "{" + strings.Join(append(ps, k.Value+": "+v.Value), ", ") + "}", true
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
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Slice:
		return "a list of lists of " + strings.TrimPrefix(kindName(t.Elem(), unit), "a list of ")
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
		return quote(n.Value)
	}
	return "something else"
}

// decode decodes n into v (settable), recording positions. what names the
// thing for messages; unit is the field's unit tag.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path, unit string) {
	d.decodeU(n, v, path, unit)
}

func (d *decoder) decodeU(n *yaml.Node, v reflect.Value, path, unit string) {
	if !d.visit(n, path) {
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
		d.inUse(n, func() { d.decodeU(n.Alias, v, path, unit) })
		return
	}
	if !d.checkTag(n, path) {
		return
	}
	p := d.at(n)
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
			if !d.key(k, path) {
				if d.limit != nil {
					return
				}
				continue
			}
			if k.Kind != yaml.ScalarNode {
				d.errorf(d.at(k), field, "expected a string key, got %s", describeNode(k))
				continue
			}
			if seen[k.Value] {
				d.errorf(d.at(k), joinPath(path, k.Value), "duplicate key %s", quote(k.Value))
				continue
			}
			seen[k.Value] = true
			ev := reflect.New(t.Elem()).Elem()
			kp := joinPath(path, k.Value)
			nerr := len(d.diags)
			d.decodeU(val, ev, kp, unit)
			d.pos["key:"+kp] = d.at(k)
			if len(d.diags) > nerr {
				// A value that did not decode (a NaN override) is left
				// out, not kept as a zero that later checks would warn
				// about.
				d.bad[kp] = true
				continue
			}
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
	p := d.at(n)
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
			d.errorf(d.at(n), path+".range", "range [%g, %g] is empty: the first bound must not exceed the second", num.Range[0], num.Range[1])
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
	// meant are the keys that this mapping's unknown keys are misspellings
	// of (the did-you-mean suggestions).
	meant := map[string]bool{}
	pairs, uses := d.mappingPairs(n, path)
	misplaced := d.misplacedKeys(t, pairs, path, idx, keys)
	// A merged pair is at its merge key (decoder.use), unless the whole
	// mapping is itself inside an alias.
	outer := d.use
	defer func() { d.use = outer }()
	for i := 0; i+1 < len(pairs); i += 2 {
		k, val := pairs[i], pairs[i+1]
		d.use = outer
		if outer == nil {
			d.use = uses[i/2]
		}
		if !d.key(k, path) {
			if d.limit != nil {
				return
			}
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.errorf(d.at(k), path, "expected a key, got %s", describeNode(k))
			continue
		}
		fi, ok := idx[k.Value]
		kp := joinPath(path, k.Value)
		if !ok {
			where := "at the top level"
			if path != "" {
				where = "in " + path
			}
			hint := didYouMean(k.Value, keys)
			if hint == "" {
				hint = misplaced[k.Value]
			}
			if hint == "" {
				hint = belongsUnder(t, k.Value)
			}
			d.errorf(d.at(k), kp, "unknown key %s %s%s", quote(k.Value), where, hint)
			if s := Suggest(k.Value, keys); s != "" {
				meant[s] = true
			}
			continue
		}
		if seen[k.Value] {
			d.errorf(d.at(k), kp, "duplicate key %s", quote(k.Value))
			continue
		}
		seen[k.Value] = true
		d.pos["key:"+kp] = d.at(k)
		sf := t.Field(fi)
		d.decodeU(val, v.Field(fi), kp, sf.Tag.Get("unit"))
	}
	d.use = outer
	if d.limit != nil {
		return
	}
	// A key that a misspelt one stood for, and is not given, is not
	// reported missing (one error for one typo), and the checks that
	// depend on it are skipped (bad).
	for k := range meant {
		if !seen[k] {
			d.bad[joinPath(path, k)] = true
		}
	}
	// Required keys.
	for _, m := range requiredKeys(t) {
		if seen[m] || meant[m] || d.bad[joinPath(path, m)] {
			continue // given, misspelt (above) or misplaced (misplacedKeys)
		}
		sf, _ := fieldByKey(t, m)
		d.errorf(d.at(n), joinPath(path, m), "missing key '%s': expected %s", m, kindName(sf.Type, sf.Tag.Get("unit")))
	}
}

// mappingPairs returns the key/value nodes of mapping n with YAML merge
// keys ('<<: *anchor', '<<: [*a, *b]') expanded: explicit keys win over
// merged ones, earlier merged mappings over later ones; uses has, for
// each pair, the merge key it came through (nil: written in n). Every merged node
// counts against the decoder's limits (a merge of merges of merges is a
// bomb of its own), so the result may be cut short once a limit is hit.
func (d *decoder) mappingPairs(n *yaml.Node, path string) (pairs, uses []*yaml.Node) {
	hasMerge := false
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Tag == "!!merge" {
			hasMerge = true
		}
	}
	if !hasMerge {
		return n.Content, make([]*yaml.Node, len(n.Content)/2)
	}
	explicit := map[string]bool{}
	var out []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Tag != "!!merge" {
			explicit[n.Content[i].Value] = true
			out = append(out, n.Content[i], n.Content[i+1])
			uses = append(uses, nil)
		}
	}
	var merge *yaml.Node // the merge key being expanded
	var add func(m *yaml.Node, depth int)
	add = func(m *yaml.Node, depth int) {
		if depth > 8 || !d.visit(m, path) {
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
				uses = append(uses, merge)
			}
		case yaml.SequenceNode:
			for _, c := range m.Content {
				add(c, depth+1)
			}
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Tag == "!!merge" {
			merge = n.Content[i]
			add(n.Content[i+1], 0)
		}
	}
	return out, uses
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
	slices.Sort(req)
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
