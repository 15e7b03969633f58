package plots

import (
	"math"
	"strings"
	"testing"
)

// FuzzTicks: the tickers never panic, never print exponents or NaN, and
// put calendar ticks on month boundaries, whatever range they are given.
func FuzzTicks(f *testing.F) {
	f.Add(0.0, 1.0)
	f.Add(2020.0, 2028.9)
	f.Add(-3.2e9, 1e12)
	f.Add(1e-12, 2e-12)
	f.Add(5.0, 5.0)
	f.Fuzz(func(t *testing.T, lo, hi float64) {
		for _, tk := range (NumberTicks{Prefix: "$"}).Ticks(lo, hi) {
			if strings.ContainsAny(tk.Label, "eE") || strings.Contains(tk.Label, "NaN") {
				t.Fatalf("label %q for [%g, %g]", tk.Label, lo, hi)
			}
		}
		if lo >= 0 && hi <= 10000 && hi-lo < 2000 {
			for _, tk := range (CalendarTicks{}).Ticks(lo, hi) {
				if k := tk.Value * 12; math.Abs(k-math.Round(k)) > 1e-6 {
					t.Fatalf("calendar tick %v off a month boundary", tk.Value)
				}
			}
		}
		_ = moneyScaleFor(lo).Label(hi)
		_ = formatNumber(hi, 3)
	})
}
