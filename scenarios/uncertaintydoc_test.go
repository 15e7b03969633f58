package scenarios

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestUncertaintyDocRejections: docs/SCENARIOS.md's "Uncertainty"
// section says how many of the built-ins' candidate draws the joint rules
// reject, and its figures are history's pilot's (the section said "none
// of their draws is rejected" for two model versions after the built-ins
// began to draw the posterior, about a third of which is rejected).
func TestUncertaintyDocRejections(t *testing.T) {
	sec := docSection(t, readDoc(t, "SCENARIOS.md"), "docs/SCENARIOS.md", "## Uncertainty")
	if strings.Contains(sec, "none of their draws is rejected") {
		t.Error("docs/SCENARIOS.md, Uncertainty: says the built-ins' draws are never rejected")
	}
	q := regexp.MustCompile(`\(([0-9,]+) of a pilot of ([0-9,]+), ([0-9.]+) %`).FindStringSubmatch(sec)
	if q == nil {
		t.Fatal("docs/SCENARIOS.md, Uncertainty: no '(R of a pilot of N, P %' sentence; the pattern no longer finds it")
	}
	s, err := Load("history", nil)
	if err != nil {
		t.Fatal(err)
	}
	rej, n, _ := s.Truncation()
	num := func(c string) int {
		v, err := strconv.Atoi(strings.ReplaceAll(c, ",", ""))
		if err != nil {
			t.Fatalf("%q: %v", c, err)
		}
		return v
	}
	if num(q[1]) != rej || num(q[2]) != n || q[3] != fmt.Sprintf("%.1f", 100*float64(rej)/float64(n)) {
		t.Errorf("the doc says %s of %s (%s %%); history's pilot rejects %d of %d (%.1f %%)", q[1], q[2], q[3], rej, n, 100*float64(rej)/float64(n))
	}
}

// TestInvalidCountDoc: docs/SCENARIOS.md's Go API section counts the
// invalid inputs of invalid_test.go as there are (it said 87 while there
// were 113).
func TestInvalidCountDoc(t *testing.T) {
	sec := docSection(t, readDoc(t, "SCENARIOS.md"), "docs/SCENARIOS.md", "## Go API")
	q := regexp.MustCompile(`([0-9]+) invalid inputs with their exact messages`).FindStringSubmatch(sec)
	if q == nil {
		t.Fatal("docs/SCENARIOS.md, Go API: no 'N invalid inputs with their exact messages'; the pattern no longer finds it")
	}
	if q[1] != strconv.Itoa(len(invalidCases)) {
		t.Errorf("the doc counts %s invalid inputs; invalid_test.go has %d", q[1], len(invalidCases))
	}
}
