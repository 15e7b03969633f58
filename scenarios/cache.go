package scenarios

import (
	"bytes"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// Caches of what Parse computes the same way every time from the embedded
// files: the decoded built-in scenario documents (docCache), the YAML text
// of an embedded dataset's parts (marketTexts) and of the built-ins'
// events and uncertainty entries (headItems). A decoded document is
// handed out as a deep copy, and texts are copied into the caller's
// buffer, so no caller can change what the next Parse sees
// (TestCachedDocsPrivate, TestParsePrivate).

// decodedDoc is a decoded embedded document as decodeFile left it.
type decodedDoc struct {
	data  []byte // the embedded bytes it was decoded from
	f     *File
	diags Diagnostics
	pos   map[string]pos
	bad   map[string]bool
	fatal bool
	limit *Diagnostic
}

// docCache maps an embedded document's file name ("builtin:NAME") to its
// *decodedDoc. It holds at most one entry per embedded file: a document
// is stored only when its bytes are the embedded file's.
var docCache sync.Map

// decodeCached is decodeFile, memoised for the embedded built-in
// scenarios (src.builtin with the embedded bytes); any other input is
// decoded afresh. What it returns is the caller's own.
func decodeCached(src source, data []byte) (*File, *decoder) {
	if !src.builtin {
		return decodeFile(src.file, data)
	}
	if v, ok := docCache.Load(src.file); ok {
		if c := v.(*decodedDoc); bytes.Equal(c.data, data) {
			return c.copy()
		}
		return decodeFile(src.file, data)
	}
	f, dec := decodeFile(src.file, data)
	name, _ := strings.CutPrefix(src.key, "builtin:")
	if embedded, err := builtinFS.ReadFile("builtin/" + name); err == nil && bytes.Equal(embedded, data) {
		c := &decodedDoc{data: embedded, f: deepCopy(f), diags: slices.Clone(dec.diags), pos: maps.Clone(dec.pos),
			bad: maps.Clone(dec.bad), fatal: dec.fatal, limit: deepCopy(dec.limit)}
		docCache.Store(src.file, c)
	}
	return f, dec
}

// copy returns a private copy of the decoded document.
func (c *decodedDoc) copy() (*File, *decoder) {
	return deepCopy(c.f), &decoder{diags: slices.Clone(c.diags), pos: maps.Clone(c.pos), bad: maps.Clone(c.bad),
		fatal: c.fatal, limit: deepCopy(c.limit)}
}

// deepCopy returns a copy of v that shares no memory with it: pointers,
// slices and maps are copied all the way down (strings are immutable and
// shared). v's types must hold no unexported pointer, slice or map fields
// (deepCopy panics on one; TestCachedDocsPrivate copies every built-in).
func deepCopy[T any](v T) T {
	var out T
	src := reflect.ValueOf(&v).Elem()
	dst := reflect.ValueOf(&out).Elem()
	copyValue(dst, src)
	return out
}

func copyValue(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		p := reflect.New(src.Type().Elem())
		copyValue(p.Elem(), src.Elem())
		dst.Set(p)
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := range src.Len() {
			copyValue(s.Index(i), src.Index(i))
		}
		dst.Set(s)
	case reflect.Map:
		if src.IsNil() {
			return
		}
		m := reflect.MakeMapWithSize(src.Type(), src.Len())
		for it := src.MapRange(); it.Next(); {
			k := reflect.New(src.Type().Key()).Elem()
			copyValue(k, it.Key())
			e := reflect.New(src.Type().Elem()).Elem()
			copyValue(e, it.Value())
			m.SetMapIndex(k, e)
		}
		dst.Set(m)
	case reflect.Struct:
		// A shallow copy first (it holds the unexported plain fields),
		// then the exported fields with references, copied deeply.
		dst.Set(src)
		t := src.Type()
		for i := range t.NumField() {
			switch sf := t.Field(i); {
			case !hasRefs(sf.Type):
			case !sf.IsExported():
				panic("scenarios: deepCopy of " + t.String() + " with unexported field " + sf.Name)
			default:
				copyValue(dst.Field(i), src.Field(i))
			}
		}
	case reflect.Array:
		for i := range src.Len() {
			copyValue(dst.Index(i), src.Index(i))
		}
	case reflect.Interface:
		if src.IsNil() {
			return
		}
		e := reflect.New(src.Elem().Type()).Elem()
		copyValue(e, src.Elem())
		dst.Set(e)
	default:
		dst.Set(src)
	}
}

// hasRefs reports whether type t holds a pointer, slice, map, interface,
// channel or function (anything a shallow copy would share).
func hasRefs(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface, reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return true
	case reflect.Array:
		return hasRefs(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if hasRefs(t.Field(i).Type) {
				return true
			}
		}
	}
	return false
}

// marketText is the YAML text of an embedded dataset's parts, for
// writing a market that differs from it in a few numbers (overrides,
// --set): the text of each top-level field of MarketFile, and of each
// element of its lists.
type marketText struct {
	base   *MarketFile
	fields [][]byte   // by field index of MarketFile
	items  [][][]byte // by field index, then element (list fields only)
	err    error
}

// marketTexts maps a dataset name to its *marketTextOnce.
var marketTexts sync.Map

type marketTextOnce struct {
	once sync.Once
	mt   marketText
}

// datasetText returns the text of the parts of embedded dataset name.
func datasetText(name string) *marketText {
	v, _ := marketTexts.LoadOrStore(name, &marketTextOnce{})
	o := v.(*marketTextOnce)
	o.once.Do(func() {
		base, err := cachedBaseMarketFile(name)
		if err != nil {
			o.mt.err = err
			return
		}
		o.mt.base = base
		bv := reflect.ValueOf(base).Elem()
		t := bv.Type()
		o.mt.fields = make([][]byte, t.NumField())
		o.mt.items = make([][][]byte, t.NumField())
		for i := range t.NumField() {
			if o.mt.fields[i], err = fieldYAML(t.Field(i), bv.Field(i)); err != nil {
				o.mt.err = err
				return
			}
			if isBlockList(t.Field(i), bv.Field(i)) {
				for j := range bv.Field(i).Len() {
					it, err := itemYAML(bv.Field(i).Index(j))
					if err != nil {
						o.mt.err = err
						return
					}
					o.mt.items[i] = append(o.mt.items[i], it)
				}
			}
		}
	})
	return &o.mt
}

// marketFileYAML writes mf as marshalYAML(mf) does, reusing the text of
// dataset's fields and list elements that mf holds unchanged
// (TestMarketFileYAML checks that the bytes are the same).
func marketFileYAML(mf *MarketFile, dataset string) ([]byte, error) {
	mt := datasetText(dataset)
	if mt.err != nil {
		return marshalYAML(mf)
	}
	mv, bv := reflect.ValueOf(mf).Elem(), reflect.ValueOf(mt.base).Elem()
	t := mv.Type()
	var out []byte
	for i := range t.NumField() {
		sf, f, bf := t.Field(i), mv.Field(i), bv.Field(i)
		switch {
		case reflect.DeepEqual(f.Interface(), bf.Interface()):
			out = append(out, mt.fields[i]...)
		case isBlockList(sf, f):
			out = append(append(out, yamlKey(sf)...), ":\n"...)
			for j := range f.Len() {
				if j < len(mt.items[i]) && reflect.DeepEqual(f.Index(j).Interface(), bf.Index(j).Interface()) {
					out = append(out, mt.items[i][j]...)
					continue
				}
				it, err := itemYAML(f.Index(j))
				if err != nil {
					return nil, err
				}
				out = append(out, it...)
			}
		default:
			b, err := fieldYAML(sf, f)
			if err != nil {
				return nil, err
			}
			out = append(out, b...)
		}
	}
	return out, nil
}

// isBlockList reports whether field sf holding v is a non-empty list of
// mappings written in block style.
func isBlockList(sf reflect.StructField, v reflect.Value) bool {
	return v.Kind() == reflect.Slice && v.Len() > 0 && v.Type().Elem().Kind() == reflect.Struct &&
		!slices.Contains(strings.Split(sf.Tag.Get("yaml"), ","), "flow")
}

// fieldYAML is the text that field sf holding v adds to its struct's
// YAML: "key: value\n" or "key:\n  ...", nothing when omitted.
func fieldYAML(sf reflect.StructField, v reflect.Value) ([]byte, error) {
	one := reflect.New(reflect.StructOf([]reflect.StructField{{Name: sf.Name, Type: sf.Type, Tag: sf.Tag}})).Elem()
	one.Field(0).Set(v)
	return fieldsYAML(one, []int{0})
}

// itemYAML is the text of list element v under its key: "  - " before
// its first line, four spaces before the others.
func itemYAML(v reflect.Value) ([]byte, error) {
	b, err := marshalYAML(v.Interface())
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(b)+len(b)/8)
	first, start := true, true
	for _, c := range b {
		if start && c != '\n' {
			if first {
				out = append(out, "  - "...)
				first = false
			} else {
				out = append(out, "    "...)
			}
		}
		out = append(out, c)
		start = c == '\n'
	}
	return out, nil
}

// identical reports whether a and b (of one type) hold the same values
// bit for bit: numbers by their bits (so 0 and -0 differ, as they do in
// YAML), nil and empty lists and maps apart, pointers by what they point
// to. Two identical values encode to the same YAML; values that are not
// identical may still (sameEvent then compares their YAML).
func identical(a, b reflect.Value) bool {
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() && b.IsNil()
		}
		if a.Kind() == reflect.Interface && a.Elem().Type() != b.Elem().Type() {
			return false
		}
		return identical(a.Elem(), b.Elem())
	case reflect.Struct:
		for i := range a.NumField() {
			if !identical(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Slice, reflect.Array:
		if (a.Kind() == reflect.Slice && a.IsNil() != b.IsNil()) || a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !identical(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			return false
		}
		for it := a.MapRange(); it.Next(); {
			bv := b.MapIndex(it.Key())
			if !bv.IsValid() || !identical(it.Value(), bv) {
				return false
			}
		}
		return true
	case reflect.String:
		return a.String() == b.String()
	case reflect.Bool:
		return a.Bool() == b.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return a.Int() == b.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return a.Uint() == b.Uint()
	case reflect.Float32, reflect.Float64:
		return math.Float64bits(a.Float()) == math.Float64bits(b.Float())
	}
	return false // channels, functions: never in a scenario
}

// itemMemo holds the YAML text of list elements written before (the
// built-ins' events and uncertainty entries, written again in every
// scenario extending or comparing to them), by content. Only elements a
// caller marks as storable (from an embedded document) are stored, and
// at most maxMemoItems: what a user writes never fills it.
type itemMemo struct {
	mu sync.RWMutex
	m  map[uint64][]memoEntry
	n  int
}

type memoEntry struct {
	v    reflect.Value // a private copy of the element
	text []byte
}

const maxMemoItems = 4096

var headItems = itemMemo{m: map[uint64][]memoEntry{}}

// lookup returns the text of an element identical to v, if stored.
func (c *itemMemo) lookup(v reflect.Value) ([]byte, bool) {
	h := hashValue(v, fnvOffset)
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, e := range c.m[h] {
		if e.v.Type() == v.Type() && identical(e.v, v) {
			return e.text[:len(e.text):len(e.text)], true // an append copies
		}
	}
	return nil, false
}

// store keeps text as the text of v (a private copy of v is kept).
func (c *itemMemo) store(v reflect.Value, text []byte) {
	h := hashValue(v, fnvOffset)
	cp := reflect.New(v.Type()).Elem()
	copyValue(cp, v)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n < maxMemoItems {
		c.m[h] = append(c.m[h], memoEntry{v: cp, text: text})
		c.n++
	}
}

// listYAML writes the elements of list f (under its key) as itemYAML
// does, from memo where it holds them; elements not stored are written
// together, in one encoding per run.
func listYAML(f reflect.Value, fp string, memo *itemMemo, store func(path string, j int) bool) ([]byte, error) {
	var out []byte
	run := 0 // the first element of the run not yet written
	flush := func(end int) error {
		if end > run {
			b, err := marshalYAML(f.Slice(run, end).Interface())
			if err != nil {
				return err
			}
			out = append(out, indentYAML(b)...)
		}
		run = end + 1
		return nil
	}
	for j := range f.Len() {
		e := f.Index(j)
		if b, ok := memo.lookup(e); ok {
			if err := flush(j); err != nil {
				return nil, err
			}
			out = append(out, b...)
			continue
		}
		if !store(fp, j) {
			continue // written with its run
		}
		if err := flush(j); err != nil {
			return nil, err
		}
		b, err := itemYAML(e)
		if err != nil {
			return nil, err
		}
		memo.store(e, b)
		out = append(out, b...)
	}
	if err := flush(f.Len()); err != nil {
		return nil, err
	}
	return out, nil
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func mix(h, x uint64) uint64 {
	for range 8 {
		h = (h ^ (x & 0xff)) * fnvPrime
		x >>= 8
	}
	return h
}

// hashValue hashes v consistently with identical: identical values hash
// alike.
func hashValue(v reflect.Value, h uint64) uint64 {
	h = mix(h, uint64(v.Kind()))
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return mix(h, 0)
		}
		return hashValue(v.Elem(), mix(h, 1))
	case reflect.Struct:
		for i := range v.NumField() {
			h = hashValue(v.Field(i), h)
		}
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return mix(h, 0)
		}
		h = mix(h, uint64(v.Len())+1)
		for i := range v.Len() {
			h = hashValue(v.Index(i), h)
		}
	case reflect.Map:
		if v.IsNil() {
			return mix(h, 0)
		}
		var sum uint64 // independent of the order of the entries
		for it := v.MapRange(); it.Next(); {
			sum += hashValue(it.Value(), hashValue(it.Key(), fnvOffset))
		}
		h = mix(mix(h, uint64(v.Len())+1), sum)
	case reflect.String:
		for _, c := range []byte(v.String()) {
			h = (h ^ uint64(c)) * fnvPrime
		}
		h = mix(h, uint64(v.Len()))
	case reflect.Bool:
		if v.Bool() {
			h = mix(h, 1)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		h = mix(h, uint64(v.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		h = mix(h, v.Uint())
	case reflect.Float32, reflect.Float64:
		h = mix(h, math.Float64bits(v.Float()))
	}
	return h
}

// structYAML writes struct v as marshalYAML(v) does, field by field,
// taking the text of the elements of its lists of mappings from memo
// (store(path, j) says whether element j of the list at field path may be
// stored) and writing a field holding a mapping as its own block.
func structYAML(v reflect.Value, path string, memo *itemMemo, store func(path string, j int) bool) ([]byte, error) {
	t := v.Type()
	var out []byte
	// plain are the fields written together, in one encoding, before the
	// next list or mapping.
	var plain []int
	flush := func() error {
		if len(plain) == 0 {
			return nil
		}
		b, err := fieldsYAML(v, plain)
		out, plain = append(out, b...), plain[:0]
		return err
	}
	for i := range t.NumField() {
		sf, f := t.Field(i), v.Field(i)
		key := yamlKey(sf)
		if key == "" {
			continue
		}
		fp := joinPath(path, key)
		switch {
		case isBlockList(sf, f) && !hasMarshaler(f.Type().Elem()):
			if err := flush(); err != nil {
				return nil, err
			}
			b, err := listYAML(f, fp, memo, store)
			if err != nil {
				return nil, err
			}
			out = append(append(append(out, key...), ":\n"...), b...)
			continue
		case f.Kind() == reflect.Struct && !hasMarshaler(f.Type()) && len(strings.Split(sf.Tag.Get("yaml"), ",")) == 1:
			b, err := structYAML(f, fp, memo, store)
			if err != nil {
				return nil, err
			}
			if len(b) > 0 {
				if err := flush(); err != nil {
					return nil, err
				}
				out = append(append(append(out, key...), ":\n"...), indentYAML(b)...)
				continue
			}
		}
		plain = append(plain, i)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}

// fieldsYAML is the text that fields idx of struct v add to its YAML, in
// one encoding (nothing when all are omitted).
func fieldsYAML(v reflect.Value, idx []int) ([]byte, error) {
	sfs := make([]reflect.StructField, len(idx))
	for k, i := range idx {
		sf := v.Type().Field(i)
		sfs[k] = reflect.StructField{Name: sf.Name, Type: sf.Type, Tag: sf.Tag}
	}
	part := reflect.New(reflect.StructOf(sfs)).Elem()
	for k, i := range idx {
		part.Field(k).Set(v.Field(i))
	}
	b, err := marshalYAML(part.Interface())
	if err != nil {
		return nil, err
	}
	if string(b) == "{}\n" { // all omitted (omitempty)
		return nil, nil
	}
	return b, nil
}

var marshalerType = reflect.TypeFor[interface{ MarshalYAML() (any, error) }]()

// hasMarshaler reports whether t or *t writes itself (MarshalYAML).
func hasMarshaler(t reflect.Type) bool {
	return t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType)
}
