package model

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
)

// TestDocsRanges: every valid range docs/MODEL.md quotes as "`RangeX`
// [lo, hi]" is the code's (a bound in percent, "[−13 %, 8 %]", is read as
// hundredths). The ranges move as the solver allows; the docs must not
// keep a hand copy of an older one.
func TestDocsRanges(t *testing.T) {
	doc, err := os.ReadFile("../docs/MODEL.md")
	if err != nil {
		t.Fatal(err)
	}
	ranges := map[string]Range{
		"RangeConduct": RangeConduct(), "RangeEps": RangeEps(), "RangeSigma": RangeSigma(), "RangeEta": RangeEta(),
		"RangeSupplyAdjust": RangeSupplyAdjust(), "RangeDemandAdjust": RangeDemandAdjust(), "RangeGrowth": RangeGrowth(),
		"RangeStockMonths": RangeStockMonths(), "RangeStockAdjust": RangeStockAdjust(), "RangeStockResponse": RangeStockResponse(),
		"RangeCarryCost": RangeCarryCost(), "RangeExpectAdjust": RangeExpectAdjust(), "RangeWedge": RangeWedge(),
	}
	const tol = 1e-12
	re := regexp.MustCompile("`(Range[A-Za-z]+)`\\s+\\[([^\\],]+),\\s*([^\\]]+)\\]([^,;)\\n]*)")
	quoted := 0
	for _, m := range re.FindAllStringSubmatch(string(doc), -1) {
		want, ok := ranges[m[1]]
		if !ok {
			t.Errorf("docs/MODEL.md quotes %s, which the model does not have", m[1])
			continue
		}
		num := func(s string) (float64, bool) {
			s = strings.TrimSpace(strings.ReplaceAll(s, "−", "-"))
			pct := strings.HasSuffix(s, "%")
			v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(s, "%")), 64)
			if pct {
				v /= 100
			}
			return v, err == nil
		}
		lo, ok1 := num(m[2])
		hi, ok2 := num(m[3])
		if strings.Contains(m[4], "%/month") { // the carrying cost, quoted in percent a month
			lo, hi = lo/100, hi/100
		}
		quoted++
		if !ok1 || !ok2 || !scalar.EqualWithinAbsOrRel(lo, want.Lo, tol, tol) || !scalar.EqualWithinAbsOrRel(hi, want.Hi, tol, tol) {
			t.Errorf("docs/MODEL.md: %s [%s, %s]%s, the code's is [%g, %g]", m[1], m[2], m[3], m[4], want.Lo, want.Hi)
		}
	}
	if quoted < 10 {
		t.Errorf("docs/MODEL.md quotes %d ranges; the pattern no longer finds them", quoted)
	}
}
