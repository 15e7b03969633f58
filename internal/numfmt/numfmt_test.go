package numfmt

import (
	"math"
	"testing"
)

func ptr(v float64) *float64 { return &v }

// TestZeroAndSign: the one rule for zero and for signs. A value that
// prints as zero has no sign and keeps its decimals, whichever way it
// got there (0, −0, a small loss or gain); a change carries its sign.
func TestZeroAndSign(t *testing.T) {
	for _, tc := range []struct {
		v            float64
		dec          int
		number, sign string
	}{
		{0, 2, "0.00", "0.00"},
		{math.Copysign(0, -1), 2, "0.00", "0.00"},
		{-0.004, 2, "0.00", "0.00"},
		{0.004, 2, "0.00", "0.00"},
		{0, 0, "0", "0"},
		{-0.4, 0, "0", "0"},
		{0.05, 1, "0.1", "+0.1"},
		{-0.05, 1, "−0.1", "−0.1"},
		{1234567.891, 2, "1,234,567.89", "+1,234,567.89"},
		{-1234.6, 0, "−1,235", "−1,235"},
		{math.NaN(), 1, "n/a", "n/a"},
		{math.Inf(1), 1, "n/a", "n/a"},
	} {
		if got := Number(tc.v, tc.dec); got != tc.number {
			t.Errorf("Number(%v, %d) = %q, want %q", tc.v, tc.dec, got, tc.number)
		}
		if got := Signed(tc.v, tc.dec); got != tc.sign {
			t.Errorf("Signed(%v, %d) = %q, want %q", tc.v, tc.dec, got, tc.sign)
		}
	}
}

// TestChange: a change with its percentage reads the same in every
// table: the percentage always with PercentDecimals, a zero change
// "0.00 (0.0%)" whatever its unit's decimals, and a non-zero percentage
// never as zero.
func TestChange(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		dec  int
		pct  *float64
		want string
	}{
		{0, 2, ptr(0), "0.00 (0.0%)"},
		{0, 1, ptr(0), "0.0 (0.0%)"},
		{0, 2, nil, "0.00"},
		{0.75, 2, ptr(12.34), "+0.75 (+12.3%)"},
		{-12.3, 1, ptr(-4.1), "−12.3 (−4.1%)"},
		{-0.001, 2, ptr(-0.04), "0.00 (−0.04%)"},
		{0.0001, 2, ptr(0.001), "0.00 (<0.01%)"},
		{1.5, 2, ptr(1e-12), "+1.50 (0.0%)"},
	} {
		if got := Change(tc.v, tc.dec, tc.pct); got != tc.want {
			t.Errorf("Change(%v, %d, %v) = %q, want %q", tc.v, tc.dec, tc.pct, got, tc.want)
		}
	}
}

func TestIsZero(t *testing.T) {
	for s, want := range map[string]bool{"0": true, "0.00": true, "+0.0": true, "−0.000": true, "0,000.0": true, "0.01": false, "−1": false, "10": false} {
		if IsZero(s) != want {
			t.Errorf("IsZero(%q) = %v, want %v", s, !want, want)
		}
	}
}
