package model

import (
	"context"
	"errors"
	"reflect"
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

// splitTestPair returns a 48-month pair of testMarket whose policies part
// at month 40 (split): the scenario bans supplier 2 from region 0 from
// then on, the counterfactual does not.
func splitTestPair() (s, c *Spec, n, split int) {
	start := NewMonth(2020, 1)
	n, split = 48, 40
	ban := Event{ID: "ban", Kind: EventBan, Supplier: 2, Region: 0, Start: start + Month(split)}
	s = &Spec{Market: testMarket(), Start: start, End: start + Month(n-1), Events: []Event{ban}}
	c = s.Clone()
	c.Events = nil
	return s, c, n, split
}

// TestRunSplitStopsBeforeSplit: a pair whose scenario stops (here its
// context is cancelled) after the counterfactual's goroutine was started
// ahead of the split, but before the split, returns the error and leaves
// no goroutine behind: the goroutine is told there is no split, never
// solves a month and runSplit waits for it.
func TestRunSplitStopsBeforeSplit(t *testing.T) {
	s, c, _, split := splitTestPair()
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

// TestSplitChainEitherGoroutine: the counterfactual's months after the
// split are solved once each, in order, and as the path alone gives
// them, whichever of runSplit's goroutines solves them: the scenario's
// alone when the second never takes the chain before the scenario's
// last month, or the second first and the scenario's for the rest when
// the second is slow (splitChain.finish takes the chain back).
func TestSplitChainEitherGoroutine(t *testing.T) {
	s, c, n, split := splitTestPair()
	alone, err := Simulate(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := Calibrate(s.Market)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		// late: the second goroutine waits for the counterfactual's
		// last month before it looks for the chain; slow: each of its
		// months takes that long.
		late bool
		slow time.Duration
	}{
		{name: "second goroutine late", late: true},
		{name: "second goroutine slow", slow: 5 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := newPairSim(s, c, cal, cal)
			if err != nil {
				t.Fatal(err)
			}
			sols := make([]*Solution, n)
			p.c.into = func(k int) *Solution {
				if sols[k] == nil {
					sols[k] = solutionSlab(p.c.sol, 1)[0]
				}
				return sols[k]
			}
			var (
				order  []int
				onMain []bool
			)
			last := make(chan struct{})
			first := make(chan struct{}, 1) // the second goroutine's first month
			if tc.late {
				p.helpGate = func() { <-last }
			}
			err = p.runSplit(context.Background(), nil, func(k int, _ bool, _ Result) {
				if k == split && !tc.late {
					select { // let the second goroutine take the chain
					case <-first:
					case <-time.After(10 * time.Second):
					}
				}
			}, func(k int, _ Result) {
				if k == n-1 && tc.late {
					close(last)
				}
				order = append(order, k)
				onMain = append(onMain, p.cMain)
				if !p.cMain {
					select {
					case first <- struct{}{}:
					default:
					}
					time.Sleep(tc.slow)
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			for i, k := range order {
				if k != split+i {
					t.Fatalf("months solved in the order %v, want %d … %d", order, split, n-1)
				}
			}
			if len(order) != n-split {
				t.Fatalf("months solved: %v, want %d … %d", order, split, n-1)
			}
			for k := split; k < n; k++ {
				if !reflect.DeepEqual(sols[k], alone.Sol[k]) {
					t.Errorf("month %d differs from the path alone", k)
				}
			}
			// Who solved them: the scenario's goroutine every month when
			// the second came late; the second first and the scenario's
			// the last ones (more than chainTakeBack) when it was slow.
			switches, helper := 0, 0
			for i, m := range onMain {
				if i > 0 && m != onMain[i-1] {
					switches++
				}
				if !m {
					helper++
				}
			}
			switch {
			case tc.late && helper > 0:
				t.Errorf("the late goroutine solved %d months (%v)", helper, onMain)
			case !tc.late && (onMain[0] || switches != 1 || n-split-helper <= chainTakeBack):
				t.Errorf("solved on the scenario's goroutine: %v; want the second's first, then more than %d on the scenario's", onMain, chainTakeBack)
			}
		})
	}
}
