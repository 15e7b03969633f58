// Package numfmt formats numbers the one way every potash output shows
// them: the tables and summaries (internal/report), the charts' labels
// (plots) and the web page.
//
// The rules:
//
//   - Thousands are separated by commas and a negative number carries
//     the minus sign U+2212: "−1,234.5".
//   - A number that prints as zero at its decimals is zero: it carries no
//     sign and keeps the decimals of its neighbours ("0.00" in a column
//     of "+1.25", never "−0.00", "+0.00" or a bare "0").
//   - A change carries its sign: "+" for a gain, "−" for a loss (Signed).
//   - A percentage of a change has PercentDecimals decimals everywhere,
//     and a non-zero one never reads as zero: it gains decimals, up to
//     two, then reads "<0.01" (Percent). The change it goes with keeps
//     its own decimals, so a change too small for them reads "0.00
//     (−0.04%)": zero at its decimals, its percentage telling the sign.
//   - A change with its percentage reads "+1.25 (+4.1%)", a zero one
//     "0.00 (0.0%)" (Change).
package numfmt

import (
	"math"
	"strconv"
	"strings"
)

// Minus is the typographic minus sign, U+2212.
const Minus = "−"

// PercentDecimals is the number of decimals of a percentage change in
// every table and summary.
const PercentDecimals = 1

// Number formats v with dec decimals, a comma every three digits and
// the minus sign U+2212: 1234567.891, 2 → "1,234,567.89"; −0.5, 1 →
// "−0.5"; −0.004, 2 → "0.00". NaN and ±Inf are "n/a".
func Number(v float64, dec int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', max(dec, 0), 64)
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	if v < 0 && !IsZero(s) {
		b.WriteString(Minus)
	}
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// Signed is Number with a "+" before a positive value that does not print
// as zero: "+1.20", "−0.35", "0.00".
func Signed(v float64, dec int) string {
	s := Number(v, dec)
	if v > 0 && !IsZero(s) && s != "n/a" {
		return "+" + s
	}
	return s
}

// IsZero reports whether the formatted number s (digits, separators and
// a sign) is zero.
func IsZero(s string) bool {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "+"), Minus)
	return strings.Trim(s, "0.,") == ""
}

// Percent formats a percentage p with dec decimals and a sign (Signed),
// adding decimals, up to two, when a non-zero p would print as zero, so
// that a change never reads as 0%: 0.3 with dec 0 is "+0.3", 0.04 is
// "+0.04", and a smaller one is "<0.01". Only a p within float noise of
// zero (below 1e-9) prints as zero.
func Percent(p float64, dec int) string {
	if math.Abs(p) < 1e-9 {
		return Number(0, dec)
	}
	for d := dec; d <= max(dec, 2); d++ {
		if s := Signed(p, d); !IsZero(s) {
			return s
		}
	}
	return "<0.01"
}

// Change formats a change v with dec decimals and its sign, followed by
// its percentage pct (nil: none) with PercentDecimals: "+1.25 (+4.1%)",
// "−12.3 (−4.1%)", "0.00 (0.0%)".
func Change(v float64, dec int, pct *float64) string {
	s := Signed(v, dec)
	if pct != nil {
		s += " (" + Percent(*pct, PercentDecimals) + "%)"
	}
	return s
}
