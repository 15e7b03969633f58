package scenarios

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestConductErrorDoc checks docs/MODEL.md §4.2's example of a conduct
// that does not calibrate against the error the model gives for it on
// the built-in the example names: the quoted text must be part of that
// error, word for word.
func TestConductErrorDoc(t *testing.T) {
	doc, err := os.ReadFile("../docs/MODEL.md")
	if err != nil {
		t.Fatal(err)
	}
	flat := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	m := regexp.MustCompile("`potash run ([a-z0-9-]+) --set (market\\.suppliers\\.([A-Za-z]+)\\.conduct=[0-9.]+)` gives\\s+`(suppliers\\[[A-Za-z]+\\]\\.conduct:[^`]+)`").FindSubmatch(doc)
	if m == nil {
		t.Fatal("docs/MODEL.md: no example \"`potash run NAME --set market.suppliers.X.conduct=V` gives `suppliers[X].conduct: ...`\"")
	}
	name, set, want := string(m[1]), string(m[2]), flat(string(m[4]))
	_, err = Load(name, []string{set})
	if err == nil {
		t.Fatalf("%s with %s calibrates; docs/MODEL.md gives it as an error", name, set)
	}
	if got := flat(err.Error()); !strings.Contains(got, want) {
		t.Errorf("docs/MODEL.md's example for %s --set %s:\n  %s\nthe error is:\n  %s", name, set, want, got)
	}
}
