package scenarios

import (
	"errors"
	"regexp"
	"strconv"
	"testing"

	"github.com/potash-sim/potash/model"
)

// TestAboveText: a value above a limit is never written as the limit.
func TestAboveText(t *testing.T) {
	for _, tc := range []struct {
		v, limit float64
		want     string
	}{
		{0.9531, 0.95, "0.9531"},
		{0.950003, 0.95, "0.950003"},
		{0.95000049, 0.95, "0.9500005"},
		{0.9499, 0.95, "0.9499"}, // not above: 4 digits as before
	} {
		t.Run(tc.want, func(t *testing.T) {
			if got := aboveText(tc.v, tc.limit); got != tc.want {
				t.Errorf("aboveText(%v, %v) = %q, want %q", tc.v, tc.limit, got, tc.want)
			}
		})
	}
}

// TestStockCycleMessageAboveLimit: a --set just past the stock-cycle
// rule's edge (Brazil's stock-to-use ratio at 2.189 months on model
// 0.6.0's fit, modulus 0.95000x) is an error whose modulus reads above
// the limit it quotes, not "modulus is 0.95 ..., at most 0.95 is valid".
func TestStockCycleMessageAboveLimit(t *testing.T) {
	_, err := Load("us-relief-2025", []string{"market.regions.Brazil.stock_to_use_months=2.189"})
	var ds Diagnostics
	if !errors.As(err, &ds) {
		t.Fatalf("Load = %v, want the stock-cycle rule's error", err)
	}
	re := regexp.MustCompile(`monthly modulus is ([0-9.]+) \(period`)
	found := false
	for _, d := range ds {
		q := re.FindStringSubmatch(d.Msg)
		if q == nil || d.Severity != SeverityError {
			continue
		}
		found = true
		if v, _ := strconv.ParseFloat(q[1], 64); !(v > model.MaxStockCycleRadius()) {
			t.Errorf("%s: the modulus reads %s, at most %g is valid", d.Field, q[1], model.MaxStockCycleRadius())
		}
	}
	if !found {
		t.Fatalf("no stock-cycle error in %v", ds)
	}
}
