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

// TestPct: an export error or change that is not zero never reads "0%"
// (Canada's 2020 exports, model 21.20 against FAOSTAT 21.30 Mt: −0.5%).
func TestPct(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want string
	}{
		{21.20/21.30 - 1, "−0.5%"},
		{0.003, "+0.3%"},
		{0, "0%"},
		{0.16, "+16%"},
		{-0.64, "−64%"},
	} {
		if got := pct(c.v); got != c.want {
			t.Errorf("pct(%g) = %q, want %q", c.v, got, c.want)
		}
	}
}
