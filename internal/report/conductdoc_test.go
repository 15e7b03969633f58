package report_test

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/internal/run"
	"github.com/potash-sim/potash/model"
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

// TestConductInfoDerived: the summary reports the conduct in force at
// the base — for bpc-reunion, which states each Cournot seller's conduct
// as its whole 2020 gap, the conduct Calibrate derives, marked derived,
// with the share 1; for a conduct set by --set, that conduct and the
// share of the gap it implies — and summary.md's table shows the share.
func TestConductInfoDerived(t *testing.T) {
	sc, err := scenarios.Load("bpc-reunion", []string{"market.suppliers.Russia.conduct=0.5"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := model.Calibrate(sc.Spec.Market)
	if err != nil {
		t.Fatal(err)
	}
	info := run.ScenarioInfo(sc)
	if info.Conduct == nil || len(info.Conduct.Players) != 3 {
		t.Fatalf("conduct info %+v, want three players", info.Conduct)
	}
	for _, p := range info.Conduct.Players {
		i := c.Market.SupplierIndex(p.Supplier)
		if p.Conduct != c.Market.Suppliers[i].Conduct || p.GapShare != c.ConductGapShare[i] || p.Markup != c.ConductMarkup[i] {
			t.Errorf("%s: reported conduct %g, share %g, markup %g; calibrated %g, %g, %g", p.Supplier, p.Conduct, p.GapShare, p.Markup,
				c.Market.Suppliers[i].Conduct, c.ConductGapShare[i], c.ConductMarkup[i])
		}
		if derived := p.Supplier != "Russia"; p.Derived != derived || (derived && p.GapShare != 1) || (!derived && (p.Conduct != 0.5 || !(p.GapShare > 0 && p.GapShare < 1))) {
			t.Errorf("%s: derived %v, conduct %g, share %g", p.Supplier, p.Derived, p.Conduct, p.GapShare)
		}
	}
	var b bytes.Buffer
	if err := report.WriteMarkdown(&b, &report.Summary{Scenario: info}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Share of the base gap", "100% (stated; conduct derived)", "| Russia | 0.5 | 7"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary.md lacks %q:\n%s", want, b.String())
		}
	}
}
