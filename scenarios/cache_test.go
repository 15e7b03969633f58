package scenarios

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
)

// oldFlowRow is flowRow as it was written before floatNode: every number
// encoded through yaml.Node.Encode.
type oldFlowRow []float64

func (r oldFlowRow) MarshalYAML() (any, error) {
	n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, v := range r {
		var e yaml.Node
		if err := e.Encode(v); err != nil {
			return nil, err
		}
		n.Content = append(n.Content, &e)
	}
	return n, nil
}

// TestFloatNode checks that a matrix row is written as yaml.Node.Encode
// writes each number.
func TestFloatNode(t *testing.T) {
	vals := []float64{0, math.Copysign(0, -1), 1, -1, 0.5, -0.96, 0.1 + 0.2, 1e-7, 1e-5, 1e20, 1e21, 1.5e300,
		123456789, 9007199254740993, math.MaxInt64, -math.MaxInt64, 5e-324, math.MaxFloat64, 1.0 / 3}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		vals = append(vals, rng.Float64()*2-1, math.Round(rng.NormFloat64()*1e6)/1e3, math.Ldexp(rng.Float64(), rng.IntN(200)-100))
	}
	for i := 0; i < len(vals); i += 7 {
		row := vals[i:min(i+7, len(vals))]
		want, err := marshalYAML(map[string]any{"m": []oldFlowRow{oldFlowRow(row)}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := marshalYAML(map[string]any{"m": []flowRow{flowRow(row)}})
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Fatalf("row %v:\ngot  %s\nwant %s", row, got, want)
		}
	}
}

// scribble changes every number, string and list reachable from v
// (settable), so that a test can see whether anything it reaches is
// shared with a cache.
func scribble(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			scribble(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				scribble(v.Field(i))
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			scribble(v.Index(i))
		}
	case reflect.Array:
		for i := range v.Len() {
			scribble(v.Index(i))
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(it.Value())
			scribble(e)
			v.SetMapIndex(it.Key(), e)
		}
		if v.Type().Key().Kind() == reflect.String {
			v.SetMapIndex(reflect.ValueOf("scribbled").Convert(v.Type().Key()), reflect.New(v.Type().Elem()).Elem())
		}
	case reflect.String:
		if v.CanSet() {
			v.SetString(v.String() + "!")
		}
	case reflect.Float64:
		if v.CanSet() {
			v.SetFloat(v.Float() + 1)
		}
	case reflect.Int:
		if v.CanSet() {
			v.SetInt(v.Int() + 1)
		}
	case reflect.Bool:
		if v.CanSet() {
			v.SetBool(!v.Bool())
		}
	}
}

// TestCachedDocsPrivate checks that a cached built-in document is handed
// out as a private copy: changing everything in one changes nothing in
// the next, which equals a fresh decoding.
func TestCachedDocsPrivate(t *testing.T) {
	for _, n := range builtinNames() {
		src := builtinSrc(n)
		data, err := BuiltinSource(n)
		if err != nil {
			t.Fatal(err)
		}
		wantF, wantD := decodeFile(src.file, data)
		for range 3 {
			f, d := decodeCached(src, data)
			if !reflect.DeepEqual(f, wantF) || !reflect.DeepEqual(d.diags, wantD.diags) || !reflect.DeepEqual(d.pos, wantD.pos) ||
				!reflect.DeepEqual(d.bad, wantD.bad) || d.fatal != wantD.fatal || !reflect.DeepEqual(d.limit, wantD.limit) {
				t.Fatalf("%s: the cached document differs from a fresh decoding", n)
			}
			scribble(reflect.ValueOf(f))
			scribble(reflect.ValueOf(d).Elem())
			for k := range d.diags {
				d.diags[k].Msg += "!"
			}
		}
		if _, ok := docCache.Load(src.file); !ok {
			t.Errorf("%s: not cached", n)
		}
	}
	// Other bytes under a built-in's name are decoded afresh.
	f, _ := decodeCached(builtinSrc(DefaultScenario), []byte("title: other\n"))
	if f.Title != "other" {
		t.Errorf("title %q, want other", f.Title)
	}
}

// TestParsePrivate checks that changing a parsed scenario, even in its
// unexported parts, does not change the next Parse of the same input.
func TestParsePrivate(t *testing.T) {
	inputs := []struct {
		file string
		data []byte
		sets []string
	}{
		{"small.yaml", []byte("title: t\nextends: history\nhorizon: {end: 2027-12}\n"), []string{"market.regions.Brazil.demand_elasticity=0.45"}},
	}
	for _, n := range builtinNames() {
		data, _ := BuiltinSource(n)
		inputs = append(inputs, struct {
			file string
			data []byte
			sets []string
		}{"builtin:" + n, data, nil})
	}
	for _, in := range inputs {
		first, err := Parse(in.file, in.data, in.sets)
		if err != nil {
			t.Fatal(err)
		}
		want := string(first.Resolved)
		for range 2 {
			s, err := Parse(in.file, in.data, in.sets)
			if err != nil {
				t.Fatal(err)
			}
			if string(s.Resolved) != want || s.Hash != first.Hash || !reflect.DeepEqual(s.Sources, first.Sources) ||
				len(s.Spec.Events) != len(first.Spec.Events) || !reflect.DeepEqual(s.Spec.Market.Regions, first.Spec.Market.Regions) {
				t.Fatalf("%s: a Parse after changing the last one's scenario differs", in.file)
			}
			scribble(reflect.ValueOf(s.Spec))
			scribble(reflect.ValueOf(s.Counterfactual))
			scribble(reflect.ValueOf(s.Sources))
			for k := range s.Resolved {
				s.Resolved[k] = 'x'
			}
			for _, e := range s.events { // the documents behind the events
				scribble(reflect.ValueOf(e.doc.f))
				scribble(reflect.ValueOf(&e.ev))
			}
			scribble(reflect.ValueOf(s.mf))
		}
	}
}

// TestMarketFileYAML checks that a market written from the cached text of
// its dataset's parts has the bytes of the market encoded whole, for
// markets that differ from the dataset in random numbers, sources,
// ranges and list elements.
func TestMarketFileYAML(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, ds := range BaseDatasets() {
		base, err := cachedBaseMarketFile(ds)
		if err != nil {
			t.Fatal(err)
		}
		for trial := range 60 {
			mf := cloneMarketFile(base)
			p := []float64{0, 0.002, 0.05, 1}[trial%4]
			walkFields(reflect.ValueOf(mf), func(v reflect.Value) bool {
				switch v.Kind() {
				case reflect.Struct:
					if n, ok := v.Addr().Interface().(*Num); ok {
						if rng.Float64() < p {
							switch rng.IntN(4) {
							case 0:
								n.Value = math.Round(rng.NormFloat64() * 100)
							case 1:
								n.Value = rng.NormFloat64()
							case 2:
								n.Source, n.Range = "", nil
							default:
								n.Source = "estimated: a, b [c]: 'd'"
							}
						}
						return false
					}
				case reflect.String:
					if rng.Float64() < p/4 {
						v.SetString(v.String() + "\nsecond line: x")
					}
				}
				return true
			})
			switch trial % 5 {
			case 1:
				mf.Routes = mf.Routes[:len(mf.Routes)-1]
			case 2:
				mf.Regions = append(mf.Regions, mf.Regions[0])
			case 3:
				mf.Facilities, mf.Drivers, mf.Notes = nil, nil, ""
			case 4:
				mf.Suppliers = mf.Suppliers[1:]
			}
			want, err := marshalYAML(resolvedMarket{Inline: mf})
			if err != nil {
				t.Fatal(err)
			}
			got, err := marketYAML(resolvedMarket{Inline: mf}, ds)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Fatalf("%s, trial %d: %s", ds, trial, firstDiff(string(got), string(want)))
			}
		}
	}
}

// TestSameEventIdentical checks sameEvent's shortcut: for every pair of
// the built-ins' events (and copies of them, one with a value of -0), it
// answers as comparing their YAML does.
func TestSameEventIdentical(t *testing.T) {
	mf, err := cachedBaseMarketFile(DefaultMarket)
	if err != nil {
		t.Fatal(err)
	}
	var evs []EventFile
	for _, n := range builtinNames() {
		data, _ := BuiltinSource(n)
		f, _ := decodeFile("builtin:"+n, data)
		for _, e := range f.Events {
			evs = append(evs, e, e.clone())
			c := e.clone()
			for _, in := range instrumentTable {
				if v := in.value(&c); v.IsValid() {
					for _, fd := range in.fields {
						if fv := v.Field(fd.index); fd.role == roleNumber && !fv.IsNil() && fv.Elem().Float() == 0 {
							fv.Elem().SetFloat(math.Copysign(0, -1))
						}
					}
				}
			}
			evs = append(evs, c)
		}
	}
	same, differ := 0, 0
	for _, a := range evs {
		for _, b := range evs {
			want := eventKey(canonicalEvent(mf, a)) == eventKey(canonicalEvent(mf, b))
			if got := sameEvent(mf, a, b); got != want {
				t.Fatalf("sameEvent(%s, %s) = %v, want %v", eventKey(a), eventKey(b), got, want)
			}
			if want {
				same++
			} else {
				differ++
			}
		}
	}
	if same == 0 || differ == 0 {
		t.Fatalf("%d pairs the same, %d not", same, differ)
	}
	z, nz := 0.0, math.Copysign(0, -1)
	if identical(reflect.ValueOf(&z), reflect.ValueOf(&nz)) {
		t.Error("0 and -0 are identical")
	}
}

// TestStructYAML checks that a resolved scenario written field by field,
// with list elements from the memo or written in runs, has the bytes of
// the whole encoded at once, for the built-ins with odd text put in their
// strings.
func TestStructYAML(t *testing.T) {
	odd := []string{"", "plain", "two\nlines", "trailing\n", "  leading", "a: b", "'quoted'", "\"dq\"", "#hash", "- dash",
		"{x}", "[1, 2]", "yes", "null", "1e3", "0x10", "tab\there", "ü ä", "x\n\ny", "end: ", "*star", "&amp", "!bang", "%p", "@at", "`tick`", "|", ">"}
	rng := rand.New(rand.NewPCG(5, 6))
	memo := itemMemo{m: map[uint64][]memoEntry{}}
	for _, n := range builtinNames() {
		s, err := Load(n, nil)
		if err != nil {
			t.Fatal(err)
		}
		body := stripComments(string(s.Resolved))
		for trial := range 8 {
			var c resolvedFile
			if err := yamlUnmarshalStrict([]byte(body[:strings.Index(body, "\nmarket:\n")+1]), &c); err != nil {
				t.Fatal(err)
			}
			if trial > 0 {
				walkFields(reflect.ValueOf(&c), func(v reflect.Value) bool {
					switch v.Kind() {
					case reflect.String:
						if rng.IntN(3) == 0 {
							v.SetString(odd[rng.IntN(len(odd))])
						}
					case reflect.Float64:
						if rng.IntN(5) == 0 {
							v.SetFloat(math.Copysign(0, -1))
						}
					}
					return true
				})
			}
			if trial == 7 {
				c.Horizon, c.Events, c.Uncertainty = HorizonFile{}, nil, nil
			}
			want, err := marshalYAML(c)
			if err != nil {
				t.Fatal(err)
			}
			for pass := range 2 { // the second pass finds the elements in the memo
				// Every third element is not stored: it is written with
				// the run of such elements around it.
				got, err := structYAML(reflect.ValueOf(c), "", &memo, func(_ string, j int) bool { return j%3 != 0 })
				if err != nil {
					t.Fatal(err)
				}
				if string(got) != string(want) {
					t.Fatalf("%s, trial %d, pass %d: %s", n, trial, pass, firstDiff(string(got), string(want)))
				}
			}
		}
	}
	if memo.n == 0 {
		t.Fatal("nothing stored")
	}
}

// walkFields calls visit on v and, while visit returns true, on every
// value it reaches through non-nil pointers, slice elements and exported
// struct fields, depth first in field order: the tests that perturb a
// scenario's numbers and strings at random walk it with one walk.
func walkFields(v reflect.Value, visit func(reflect.Value) bool) {
	if !visit(v) {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			walkFields(v.Elem(), visit)
		}
	case reflect.Slice:
		for i := range v.Len() {
			walkFields(v.Index(i), visit)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				walkFields(v.Field(i), visit)
			}
		}
	}
}
