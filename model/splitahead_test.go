package model

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestSplitHandoff: the month given first is the one waited for, whether
// the waiter is still spinning or already blocked (after splitSpin), and
// a negative month reads as none.
func TestSplitHandoff(t *testing.T) {
	for _, tc := range []struct {
		name  string
		gives []int
		delay time.Duration // before the first give
		want  int
	}{
		{name: "given before the wait", gives: []int{7}, want: 7},
		{name: "given while spinning", gives: []int{3}, delay: splitSpin / 4, want: 3},
		{name: "given after the spin", gives: []int{5}, delay: 2 * splitSpin, want: 5},
		{name: "the first give counts", gives: []int{4, -1, 9}, want: 4},
		{name: "none", gives: []int{-1, 6}, delay: splitSpin / 4, want: -1},
		{name: "month 0", gives: []int{0}, delay: 2 * splitSpin, want: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newSplitHandoff()
			got := make(chan int, 1)
			go func() { got <- h.wait() }()
			time.Sleep(tc.delay)
			for _, k := range tc.gives {
				h.give(k)
			}
			select {
			case k := <-got:
				if k != tc.want {
					t.Errorf("wait = %d, want %d", k, tc.want)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("wait did not return")
			}
		})
	}
}

// TestRunSplitStopsBeforeSplit: a pair whose scenario stops (here its
// context is cancelled) after the counterfactual's goroutine was started
// ahead of the split, but before the split, returns the error and leaves
// no goroutine behind: the goroutine is told there is no split, never
// solves a month and runSplit waits for it.
func TestRunSplitStopsBeforeSplit(t *testing.T) {
	start := NewMonth(2020, 1)
	n, split := 48, 40
	ban := Event{ID: "ban", Kind: EventBan, Supplier: 2, Region: 0, Start: start + Month(split)}
	s := &Spec{Market: testMarket(), Start: start, End: start + Month(n-1), Events: []Event{ban}}
	c := s.Clone()
	c.Events = nil
	cal, err := Calibrate(s.Market)
	if err != nil {
		t.Fatal(err)
	}
	p, err := newPairSim(s, c, cal, cal)
	if err != nil {
		t.Fatal(err)
	}
	if p.shared != split {
		t.Fatalf("shared = %d, want %d", p.shared, split)
	}
	// Cancelled after the goroutine starts (split − splitLead), seen at
	// the next month divisible by 12, before the split.
	stopAt := split - splitLead + 1
	if stopAt/12 == split/12 {
		t.Fatalf("test set-up: month %d and the split %d fall in one 12-month stretch", stopAt, split)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ahead, cfMonths := false, 0
	done := make(chan error, 1)
	go func() {
		done <- p.runSplit(ctx, func() { ahead = true }, func(k int, _ bool, _ Result) {
			if k == stopAt {
				cancel()
			}
		}, func(int, Result) { cfMonths++ })
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("runSplit = %v, want context.Canceled", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("runSplit did not return")
	}
	// runSplit returned after its wait for the goroutine: both fields
	// are safe to read.
	if !ahead {
		t.Error("the counterfactual's goroutine did not run ahead")
	}
	if cfMonths != 0 {
		t.Errorf("the counterfactual solved %d months before any split", cfMonths)
	}
}
