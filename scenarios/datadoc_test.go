package scenarios

import (
	"os"
	"regexp"
	"testing"
)

// TestDataDocVersion keeps docs/DATA.md's "(version X)" equal to the
// embedded dataset's version.
func TestDataDocVersion(t *testing.T) {
	doc, err := os.ReadFile("../docs/DATA.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("`scenarios/data/" + DefaultMarket + `\.yaml` + "`" + ` \(version ([0-9.]+)\)`).FindSubmatch(doc)
	if m == nil {
		t.Fatal("docs/DATA.md does not give the dataset's version")
	}
	f, err := BaseMarketFile(DefaultMarket)
	if err != nil {
		t.Fatal(err)
	}
	if string(m[1]) != f.Version {
		t.Errorf("docs/DATA.md says version %s, %s.yaml is %s", m[1], DefaultMarket, f.Version)
	}
}
