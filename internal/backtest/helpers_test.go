package backtest

import "testing"

// historyModel returns the built-in history scenario's back-test model.
func historyModel(t *testing.T) *HistoryModel {
	t.Helper()
	h, err := LoadHistory()
	if err != nil {
		t.Fatal(err)
	}
	return h
}
