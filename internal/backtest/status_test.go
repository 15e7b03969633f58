package backtest

import (
	"strings"
	"testing"
)

// TestStatusWords: the report says the optimizer's status in words, not
// as gonum's identifier, and keeps a note appended to it.
func TestStatusWords(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"FunctionEvaluationLimit", "stopped at its limit of simulations"},
		{"FunctionConvergence (start kept: no improvement)", "converged (the sum of squares stopped falling) (start kept: no improvement)"},
		{"Success", "Success"},
	} {
		if got := statusWords(tc.in); got != tc.want {
			t.Errorf("statusWords(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := statusWords(tc.in); strings.Contains(got, "Function") {
			t.Errorf("statusWords(%q) = %q: an identifier", tc.in, got)
		}
	}
}
