package scenarios

import (
	"testing"

	"github.com/potash-sim/potash/model"
)

// TestModelFieldsByKind: the events setters' table of fields by kind
// (modelFieldsByKind, looked up once per setter) gives modelField's
// answer for every key and every kind, including kinds no field sets.
func TestModelFieldsByKind(t *testing.T) {
	keys := map[string]bool{"no-such-field": true}
	maxKind := model.EventKind(0)
	for _, in := range instrumentTable {
		for _, f := range in.fields {
			keys[f.key] = true
			maxKind = max(maxKind, f.kind)
		}
	}
	n := 0
	for key := range keys {
		fields := modelFieldsByKind(key)
		for kind := model.EventKind(-1); kind <= maxKind+1; kind++ {
			want, ok := modelField(kind, key)
			if got := fields[kind]; got != want || (got != nil) != ok {
				t.Errorf("%s of kind %d: table %p, modelField %p (%v)", key, kind, got, want, ok)
			}
			if ok {
				n++
			}
		}
	}
	if n == 0 {
		t.Fatal("no key sets a field of any kind")
	}
}
