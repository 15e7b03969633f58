package backtest

import "testing"

// TestShareOf: a factor's share of the model's rise reads in whole
// percents, but one that is not zero never reads "0%" (numfmt.Percent):
// gas costs' +1 $/t of a +271 $/t rise is "0.4%", not "0%".
func TestShareOf(t *testing.T) {
	for _, c := range []struct {
		v, total float64
		want     string
	}{
		{1, 271, "0.4%"},
		{-1, 271, "−0.4%"},
		{0.001, 271, "<0.01%"},
		{0, 271, "0%"},
		{122, 271, "45%"},
		{-30, 271, "−11%"},
		{1, 0, "n/a"},
	} {
		if got := shareOf(c.v, c.total); got != c.want {
			t.Errorf("shareOf(%g, %g) = %q, want %q", c.v, c.total, got, c.want)
		}
	}
}
