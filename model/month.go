package model

import (
	"fmt"
	"strconv"
	"strings"
)

// Month is a calendar month counted from January of year 0:
// Month(y*12 + m - 1) is month m (1..12) of year y.
type Month int

// NewMonth returns the Month for year y and month m (1..12).
func NewMonth(y, m int) Month { return Month(y*12 + m - 1) }

// Year returns the calendar year of t.
func (t Month) Year() int { return int(t) / 12 }

// MonthOfYear returns the month of the year, 1..12.
func (t Month) MonthOfYear() int { return int(t)%12 + 1 }

// String formats t as YYYY-MM.
func (t Month) String() string { return fmt.Sprintf("%04d-%02d", t.Year(), t.MonthOfYear()) }

// ParseMonth parses "YYYY-MM" (year 1900..2200).
func ParseMonth(s string) (Month, error) {
	y, m, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok || len(y) != 4 || len(m) != 2 {
		return 0, &FieldError{Msg: fmt.Sprintf("month %q: want YYYY-MM", s), Kind: ErrInvalidMonth}
	}
	yy, err1 := strconv.Atoi(y)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || mm < 1 || mm > 12 || yy < 1900 || yy > 2200 {
		return 0, &FieldError{Msg: fmt.Sprintf("month %q: want YYYY-MM with year 1900..2200 and month 01..12", s), Kind: ErrInvalidMonth}
	}
	return NewMonth(yy, mm), nil
}
