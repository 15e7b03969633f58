package plots

import "testing"

// TestCellNumber: a sweep heat map's cells take the decimals of their
// spread, and on a diverging map (values on both sides of zero, read
// against a colour bar centred on it) an explicit sign, as the flows
// heat map's cells do: "+0.05" beside "−0.19", not "0.05".
func TestCellNumber(t *testing.T) {
	for _, tc := range []struct {
		v, spread float64
		diverging bool
		want      string
	}{
		{0.05, 0.39, true, "+0.05"},
		{-0.19, 0.39, true, "−0.19"},
		{0.001, 0.39, true, "0.00"},
		{-0.001, 0.39, true, "0.00"},
		{0.05, 0.39, false, "0.05"},
		{1234.6, 500, false, "1,235"},
		{1234.6, 500, true, "+1,235"},
		{0.0123, 0.05, true, "+0.012"},
		{7.26, 5, true, "+7.3"},
	} {
		if got := cellNumber(tc.v, tc.spread, tc.diverging); got != tc.want {
			t.Errorf("cellNumber(%v, %v, %v) = %q, want %q", tc.v, tc.spread, tc.diverging, got, tc.want)
		}
	}
}
