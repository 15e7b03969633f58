package backtest

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"gonum.org/v1/gonum/optimize"
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

// TestSearchesVerdict: the report counts the searches that converged and
// says that the others stopped at their limit of simulations.
func TestSearchesVerdict(t *testing.T) {
	const conv, lim = "FunctionConvergence", "FunctionEvaluationLimit"
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{[]string{conv}, "the search converged"},
		{[]string{lim}, "the search did not converge: it stopped at its limit of simulations"},
		{[]string{conv, "MethodConverge", conv + " (start kept: no improvement)"}, "all 3 converged"},
		{[]string{lim, lim, lim}, "none converged: each stopped at its limit"},
		{[]string{conv, lim, conv}, "2 converged, 1 stopped at its limit"},
		{[]string{lim, lim, conv}, "1 converged, 2 stopped at their limit"},
		{[]string{lim, "IterationLimit"}, "none converged, 1 stopped at its limit, 1 stopped otherwise"},
	} {
		if got := searchesVerdict(tc.in); got != tc.want {
			t.Errorf("searchesVerdict(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{conv, "converged"},
		{lim, "stopped at its limit"},
		{conv + " (start kept: no improvement)", "converged (start kept: no improvement)"},
		{"IterationLimit", "stopped at its limit of iterations"},
	} {
		if got := searchWords(tc.in); got != tc.want {
			t.Errorf("searchWords(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestTableSaysConvergence: the back-test's table says whether each
// search converged or stopped at its limit of simulations, for the
// published fit's searches, the rolling fits and the nowcast (on the
// synthetic model: a budget of 12 simulations stops every search, one of
// 2000 lets every search converge).
func TestTableSaysConvergence(t *testing.T) {
	rec, err := LoadRecord()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		evals      int
		want, lack []string
	}{
		{12, []string{
			"3 searches of at most 12 simulations each (37 in all; converged: the best objective fell by less than 1e-7 over 200 iterations). None converged: each stopped at its limit",
			"not a converged minimum", "(12 sims, stopped at its limit, kept)",
			"12 simulations from the published estimate", "in all; none converged: each stopped at its limit)",
			"its search stopped at its limit)"},
			[]string{"all 3 converged"}},
		{2000, []string{"3 searches of at most 2000 simulations each", "All 3 converged.", ", converged, kept)",
			"in all; all 16 converged)", "its search converged)"},
			[]string{"not a converged minimum", "stopped at its limit"}},
	} {
		cfg := DefaultConfig()
		cfg.Fit.MaxEvals = tc.evals
		cfg.Rolling.MaxEvals = tc.evals
		r, err := Run(context.Background(), &synthModel{}, rec, cfg)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := r.WriteTable(&b); err != nil {
			t.Fatal(err)
		}
		for _, w := range tc.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("MaxEvals %d: the table lacks %q:\n%s", tc.evals, w, b.String())
			}
		}
		for _, w := range tc.lack {
			if strings.Contains(b.String(), w) {
				t.Errorf("MaxEvals %d: the table says %q:\n%s", tc.evals, w, b.String())
			}
		}
	}
}

// TestConvergedIsNotEarly: Converged follows gonum/optimize's own
// semantics, !Status.Early(), for every status gonum names (with or
// without a note appended), not a list of some of their names.
func TestConvergedIsNotEarly(t *testing.T) {
	for s := optimize.NotTerminated; s <= optimize.HessianEvaluationLimit; s++ {
		want := s != optimize.NotTerminated && !s.Early()
		for _, status := range []string{s.String(), s.String() + " (start kept: no improvement)"} {
			if got := Converged(status); got != want {
				t.Errorf("Converged(%q) = %v, want %v (Early %v)", status, got, want, s.Early())
			}
		}
	}
	for _, status := range []string{"", "converged", "FunctionConvergenceX", "Success!"} {
		if Converged(status) {
			t.Errorf("Converged(%q) = true for a status gonum does not name", status)
		}
	}
}
