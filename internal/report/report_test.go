package report

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestSafeCell(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"Belarus", "Belarus"},
		{"=1+1", "'=1+1"},
		{"+SUM(A1)", "'+SUM(A1)"},
		{"-2+3", "'-2+3"},
		{"@cmd", "'@cmd"},
		{"\t=x", "'\t=x"},
		{"\r=x", "'\r=x"},
		{"Canada→Brazil", "Canada→Brazil"},
		{"a=b", "a=b"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := SafeCell(tc.in); got != tc.want {
				t.Errorf("SafeCell(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestFormatFloat(t *testing.T) {
	tenth, fifth := 0.1, 0.2 // variables: a constant 0.1+0.2 would be exact
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "0"},
		{241.1, "241.1"},
		{-12.5, "-12.5"},
		{tenth + fifth, "0.30000000000000004"}, // full precision: reads back exactly
		{1234567.0, "1.234567e+06"},
	} {
		got, err := FormatFloat(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("FormatFloat(%v) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
		back, _ := strconv.ParseFloat(got, 64)
		if back != tc.in && !(tc.in == 0 && back == 0) {
			t.Errorf("FormatFloat(%v) = %q does not read back", tc.in, got)
		}
	}
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if _, err := FormatFloat(bad); err == nil {
			t.Errorf("FormatFloat(%v): no error", bad)
		}
	}
}

func TestCSVWriter(t *testing.T) {
	var b bytes.Buffer
	cw, err := NewCSVWriter(&b, "name", "value")
	if err != nil {
		t.Fatal(err)
	}
	// A negative number is a number, not a formula: written as is.
	if err := cw.Row(Text("=HYPERLINK(\"x\")"), Num(-1.5)); err != nil {
		t.Fatal(err)
	}
	if err := cw.Row(Text("a,b \"q\""), Num(1e-7)); err != nil {
		t.Fatal(err)
	}
	if err := cw.Row(Text("nan"), Num(math.NaN())); err == nil {
		t.Error("NaN cell: no error")
	}
	if err := cw.Flush(); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"name", "value"}, {"'=HYPERLINK(\"x\")", "-1.5"}, {"a,b \"q\"", "1e-07"}}
	if len(recs) != len(want) {
		t.Fatalf("got %d records %q, want %q", len(recs), recs, want)
	}
	for k := range want {
		if strings.Join(recs[k], "|") != strings.Join(want[k], "|") {
			t.Errorf("record %d = %q, want %q", k, recs[k], want[k])
		}
	}
}

func TestFormatNumber(t *testing.T) {
	for _, tc := range []struct {
		v      float64
		dec    int
		signed bool
		want   string
	}{
		{1234567.891, 1, false, "1,234,567.9"},
		{1234.5, 2, true, "+1,234.50"},
		{-4.321, 2, true, "−4.32"},
		{-0.001, 2, true, "0.00"},
		{0, 1, true, "0.0"},
		{999.96, 1, false, "1,000.0"},
		{12, 0, false, "12"},
	} {
		if got := FormatNumber(tc.v, tc.dec, tc.signed); got != tc.want {
			t.Errorf("FormatNumber(%v, %d, %v) = %q, want %q", tc.v, tc.dec, tc.signed, got, tc.want)
		}
	}
}

// TestFormatPercent: a non-zero percentage never prints as 0 (the
// summary's "+0.04 (0%)"); it gains decimals, up to two, then reads
// "<0.01".
func TestFormatPercent(t *testing.T) {
	for _, tc := range []struct {
		p    float64
		dec  int
		want string
	}{
		{12.34, 0, "+12"},
		{-1.06, 1, "−1.1"},
		{0.3, 0, "+0.3"},
		{-0.3, 0, "−0.3"},
		{0.04, 0, "+0.04"},
		{0.04, 1, "+0.04"},
		{0.004, 0, "<0.01"},
		{0.004, 3, "+0.004"},
		{0, 0, "0"},
		{1e-12, 1, "0.0"},
	} {
		t.Run(fmt.Sprintf("%g,%d", tc.p, tc.dec), func(t *testing.T) {
			if got := FormatPercent(tc.p, tc.dec); got != tc.want {
				t.Errorf("FormatPercent(%v, %d) = %q, want %q", tc.p, tc.dec, got, tc.want)
			}
		})
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.txt")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteFile(p, func(w io.Writer) error {
		io.WriteString(w, "half")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Errorf("after a failed write the file holds %q, want old", b)
	}
	assertOnly(t, dir, "out.txt")
	if err := WriteFile(p, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "new" {
		t.Errorf("file holds %q, want new", b)
	}
	assertOnly(t, dir, "out.txt")
}

func TestCreateNew(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "s.yaml")
	if err := CreateNew(p, []byte("a: 1\n")); err != nil {
		t.Fatal(err)
	}
	err := CreateNew(p, []byte("b: 2\n"))
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second CreateNew: err = %v, want ErrExist", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "a: 1\n" {
		t.Errorf("file overwritten: %q", b)
	}
	assertOnly(t, dir, "s.yaml")
	// A missing folder is reported under the file's name, not the temporary one.
	missing := filepath.Join(dir, "no", "x.yaml")
	if err := CreateNew(missing, nil); err == nil || !strings.Contains(err.Error(), missing) || strings.Contains(err.Error(), ".tmp-") {
		t.Errorf("CreateNew in a missing folder: %v", err)
	}
}

// assertOnly checks that dir holds exactly names (no temporary files).
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Errorf("%s holds %q, want %q", dir, got, names)
	}
}

func TestCommandLine(t *testing.T) {
	got := CommandLine([]string{"/usr/bin/potash", "run", "my file.yaml", "--set", "market.regions.*.x=1", "--set", "a=it's", "--set", ""})
	want := `potash run 'my file.yaml' --set 'market.regions.*.x=1' --set 'a=it'\''s' --set ''`
	if got != want {
		t.Errorf("CommandLine = %s, want %s", got, want)
	}
	for in, want := range map[string]string{
		"us-relief-2025": "us-relief-2025", "events.us-ban.end=2026-06": "events.us-ban.end=2026-06",
		"a/b.yaml": "a/b.yaml", "$HOME": "'$HOME'", "x;rm -rf": "'x;rm -rf'", "Klaipėda": "'Klaipėda'",
	} {
		if got := ShellQuote(in); got != want {
			t.Errorf("ShellQuote(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSensitivityTableCuts: the printed tornado stars an end cut by a
// joint rule and notes its stated end and the rule under the table; a
// tornado with no end cut has neither.
func TestSensitivityTableCuts(t *testing.T) {
	cut := fixtureSensitivity()
	uncut := fixtureSensitivity()
	uncut.Bars = uncut.Bars[:1]
	cases := []struct {
		name     string
		s        *SensitivitySummary
		markdown bool
		want     []string
		notWant  []string
	}{
		{"cut, text", cut, false, []string{"0.0108*", "0.2*",
			"* market.regions.*.stock_response: high end 0.0108, cut by the stock-cycle rule from its stated 95th percentile 0.012",
			"* market.regions.*.demand_elasticity: low end 0.2, cut by the crop rule from its stated 5th percentile 0.15"}, []string{"0.7*", "0.0071*"}},
		{"cut, markdown", cut, true, []string{"0.0108\\*", "* market.regions.\\*.stock\\_response: high end 0.0108, cut by the stock-cycle rule"}, nil},
		{"none cut", uncut, false, nil, []string{"*", "cut by"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			if err := WriteSensitivityTable(&b, tc.s, tc.markdown); err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("table lacks %q:\n%s", w, b.String())
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(b.String(), w) {
					t.Errorf("table has %q:\n%s", w, b.String())
				}
			}
		})
	}
}

// TestSensitivityTableSaysMetric: the printed tornado says, in text and
// in Markdown, what it ranks by — in the headline's words with its
// window when the summary has them, beside the name --metric takes — and
// the base value (the Markdown table alone said neither).
func TestSensitivityTableSaysMetric(t *testing.T) {
	s := fixtureSensitivity()
	s.Label = "Belarus export revenue (FOB), cumulative change 2025-12 to 2028-12"
	for md, want := range map[bool]string{
		false: "Belarus export revenue (FOB), cumulative change 2025-12 to 2028-12 (revenue_change.Belarus) of fixture at central values: +0.0525 $ bn\n",
		true:  "Belarus export revenue (FOB), cumulative change 2025-12 to 2028-12 (`revenue_change.Belarus`) of fixture at central values: +0.0525 $ bn\n",
	} {
		var b strings.Builder
		if err := WriteSensitivityTable(&b, s, md); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(b.String(), want) {
			t.Errorf("markdown %v: starts\n%s\nwant\n%s", md, b.String(), want)
		}
	}
}

// TestZeroReadsAlike: a zero change reads the same in the headline table
// and the exports by year, whatever its unit's decimals: no sign, and its
// percentage with the same decimals ("0.0 (0.0%)" for $/t, "0.00 (0.0%)"
// for $ bn and Mt), as does a non-zero one ("+1.6%" in both).
func TestZeroReadsAlike(t *testing.T) {
	zero, small := 0.0, 1.64
	s := &Summary{
		Headline: []Headline{
			{Unit: "$/t", Value: 0, Percent: &zero},
			{Unit: "$M", Value: 0, Percent: &zero},
			{Unit: "$M", Value: 120, Percent: &small},
		},
		ExportsByYear: []YearExports{
			{Supplier: "Canada", Year: 2026, Months: 12, Change: 0, Percent: &zero},
			{Supplier: "Belarus", Year: 2026, Months: 12, Change: 0.1, Percent: &small},
		},
	}
	var got []string
	for _, h := range s.Headline {
		v, _, _ := h.Display()
		got = append(got, v)
	}
	tb := ExportsByYearTable(s)
	for _, r := range tb.Rows {
		got = append(got, r[1])
	}
	want := []string{"0.0 (0.0%)", "0.00 (0.0%)", "+0.12 (+1.6%)", "0.00 (0.0%)", "+0.10 (+1.6%)"}
	if strings.Join(got, " | ") != strings.Join(want, " | ") {
		t.Errorf("cells:\n got %q\nwant %q", got, want)
	}
}

// TestCompareTableSaysMeasure: the comparison names each headline row as
// the headline table does, with its measure: a revenue change is
// cumulative over the window, a price change a mean.
func TestCompareTableSaysMeasure(t *testing.T) {
	p := 1.5
	s := &CompareSummary{Scenarios: []CompareEntry{{Name: "a", Headline: []Headline{
		{Metric: "benchmark_price_change", What: "Benchmark potash price (Brazil CFR)", Measure: "mean change", Unit: "$/t", Value: 4.2, Percent: &p},
		{Metric: "revenue_change.Canada", What: "Canada export revenue (FOB)", Measure: "cumulative change", Unit: "$M", Value: 120},
	}}}}
	tb := CompareTable(s)
	var got []string
	for _, r := range tb.Rows[2:] {
		got = append(got, r[0]+" = "+r[1])
	}
	want := []string{"Benchmark potash price (Brazil CFR), mean change ($/t) = +4.2 (+1.5%)", "Canada export revenue (FOB), cumulative change ($ bn) = +0.12"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestCompareMoney: the comparison says in which dollars its money is,
// as a run's table and summary.md do, on screen and in summary.md: one
// base year for all, or each scenario's when their markets' differ.
func TestCompareMoney(t *testing.T) {
	h := []Headline{{Metric: "revenue_change.Canada", What: "Canada export revenue (FOB)", Measure: "cumulative change", Unit: "$M", Value: 120}}
	same := &CompareSummary{Scenarios: []CompareEntry{{Name: "a", DollarsOf: 2020, Headline: h}, {Name: "b", DollarsOf: 2020, Headline: h}}}
	mixed := &CompareSummary{Scenarios: []CompareEntry{{Name: "a", DollarsOf: 2020, Headline: h}, {Name: "b", DollarsOf: 2015, Headline: h}}}
	for _, tc := range []struct {
		s    *CompareSummary
		want string
	}{
		{same, "Money in constant 2020 US dollars (the market's base year)."},
		{mixed, "Money in constant US dollars of each scenario's market's base year: a 2020, b 2015."},
	} {
		for _, md := range []bool{false, true} {
			var b strings.Builder
			if err := WriteCompareTable(&b, tc.s, md); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), tc.want) {
				t.Errorf("markdown %v: lacks %q:\n%s", md, tc.want, b.String())
			}
		}
	}
}

// TestEndNotes: an end on a cut side that moves in reads "cut by the rule
// from" its stated end; one that moves out, because the other side's cut
// is larger (us-relief-2025's stock_adjustment_per_month: low 0.24 from
// 0.258), reads "out from" and names both rules; never "cut ... from" a
// stated end the end lies beyond.
func TestEndNotes(t *testing.T) {
	b := TornadoBar{Param: "p", Low: 0.24, High: 0.683, StatedLow: 0.258, StatedHigh: 0.919,
		LowCutBy: "stock-release", HighCutBy: "stock-cycle"}
	want := []string{
		"low end 0.24, out from its stated 5th percentile 0.258: the 5th percentile of what is left when the stock-release rule cuts it below the central value and the stock-cycle rule above",
		"high end 0.683, cut by the stock-cycle rule from its stated 95th percentile 0.919",
	}
	if got := EndNotes(b); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("EndNotes(out and in) =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	b = TornadoBar{Param: "p", Low: 0.337, High: 0.546, StatedLow: 0.2, StatedHigh: 0.546, LowCutBy: "stock-cycle"}
	want = []string{"low end 0.337, cut by the stock-cycle rule from its stated 5th percentile 0.2"}
	if got := EndNotes(b); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("EndNotes(in) =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := EndNotes(TornadoBar{Low: 1, High: 2, StatedLow: 0.9, StatedHigh: 2.1}); got != nil {
		t.Errorf("EndNotes(uncut) = %q, want none", got)
	}
}
