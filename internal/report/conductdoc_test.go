package report_test

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/internal/run"
	"github.com/potash-sim/potash/scenarios"
)

// TestConductLineDoc: the example line in conductLine's doc comment is
// what the summaries print for the built-in it names, so that the
// comment cannot keep an older fit's conduct values.
func TestConductLineDoc(t *testing.T) {
	src, err := os.ReadFile("markdown.go")
	if err != nil {
		t.Fatal(err)
	}
	// The comment block above func conductLine, joined into one line.
	m := regexp.MustCompile(`(?s)((?:// [^\n]*\n)+)func conductLine`).FindSubmatch(src)
	if m == nil {
		t.Fatal("markdown.go: no doc comment on conductLine")
	}
	doc := strings.Join(strings.Fields(strings.ReplaceAll(string(m[1]), "//", "")), " ")
	ex := regexp.MustCompile(`for the built-in ([a-z0-9-]+) "([^"]+)"`).FindStringSubmatch(doc)
	if ex == nil {
		t.Fatalf("conductLine's comment has no example `for the built-in NAME \"...\"`: %s", doc)
	}
	name, want := ex[1], ex[2]
	sc, err := scenarios.Load(name, nil)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := report.WriteTable(&b, &report.Summary{Scenario: run.ScenarioInfo(sc)}); err != nil {
		t.Fatal(err)
	}
	got := regexp.MustCompile(`(?m)^Market conduct: (.*)$`).FindStringSubmatch(b.String())
	if got == nil {
		t.Fatalf("%s: the table prints no market conduct:\n%s", name, b.String())
	}
	if got[1] != want {
		t.Errorf("conductLine's doc example for %s:\n  %s\nthe summaries print:\n  %s", name, want, got[1])
	}
}
