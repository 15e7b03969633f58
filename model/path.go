package model

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
)

// Event is one instrument switched on at Start, optionally off at End,
// phased in over RampIn months and out over RampOut months. Its intensity
// w(t) is 0 before Start, rises linearly to 1 over RampIn months
// (w = (t−Start+1)/RampIn, capped at 1), stays 1, and after End falls
// linearly back to 0 over RampOut months. Deltas are scaled by w; levels
// move from their base (or From) to Value by w. See docs/MODEL.md, "Events".
type Event struct {
	ID    string // unique within a Spec; used to match events across specs
	Label string // short label for chart markers, e.g. "Klaipėda closed"
	Kind  EventKind

	Supplier int // supplier index, or −1 where the kind allows "all"
	Region   int // region index, or −1
	Corridor int // corridor index within the supplier, for corridor kinds
	// Coalition is the coalition index in Market.Coalitions, for
	// EventCoalition.
	Coalition int

	Value   float64
	From    float64 // starting level for level kinds when HasFrom
	HasFrom bool
	// Relative makes Value of a level instrument a factor of the level in
	// force (or of From when HasFrom) rather than the level itself:
	// "relief keeps 60% of the risk cost" is Value 0.6. Only the
	// concession and risk-cost instruments accept it.
	Relative bool
	// Aux holds the further values of an instrument that takes more than
	// one (see its EventKind); unused otherwise.
	Aux [2]float64

	Start   Month
	End     Month // first month no longer in force; 0 for never
	RampIn  int   // months, 0 = step
	RampOut int   // months, 0 = step

	// Series, if not empty, gives Value month by month from Start (one
	// entry per month; the last entry holds afterwards). Used for recorded
	// drivers such as a demand index.
	Series []float64
}

// Spec is everything needed to simulate one path.
type Spec struct {
	Name   string
	Market *Market
	Events []Event
	// Drivers are the recorded exogenous drivers the market runs on (a
	// crop-price index entering demand: EventDemandDriver), applied each
	// month after the events in the same way. They are part of the
	// market's environment, not of the scenario's policy: a scenario and
	// its counterfactual carry the same drivers, and they are not listed
	// or marked as events.
	Drivers []Event
	Start   Month // first simulated month (the path starts from the base-year equilibrium)
	End     Month // last simulated month, inclusive
	// ReportStart is the first month of the window over which headline
	// metrics are computed (defaults to Start when zero).
	ReportStart Month
}

// Clone returns a deep copy of s.
func (s *Spec) Clone() *Spec {
	var mem specMem // not kept: every slice a new allocation
	return s.cloneIn(&mem)
}

// cloneIn is Clone carving the copy's slices from mem.
func (s *Spec) cloneIn(mem *specMem) *Spec {
	c := *s
	c.Market = s.Market.cloneIn(mem)
	c.Events = cloneEvents(s.Events, mem)
	c.Drivers = cloneEvents(s.Drivers, mem)
	return &c
}

// cloneEvents returns a copy of evs, the events' series carved from one
// allocation (each one's capacity its length; a nil or empty series
// stays nil, as a copy by append leaves it), both from mem.
func cloneEvents(evs []Event, mem *specMem) []Event {
	if evs == nil {
		return nil
	}
	n := 0
	for k := range evs {
		n += len(evs[k].Series)
	}
	flat := mem.f.take(n)
	out := mem.ev.take(len(evs))
	for k, e := range evs {
		if l := len(e.Series); l > 0 {
			e.Series = flat[:l:l]
			copy(e.Series, evs[k].Series)
			flat = flat[l:]
		} else {
			e.Series = nil
		}
		out[k] = e
	}
	return out
}

// specMem is the storage of a Spec's clone (Spec.cloneIn), a carver per
// element type, each slice of its own. The zero specMem makes every
// slice anew (Clone); one from newSpecMem keeps its chunks, so that
// after rewind the next clone of a spec of the same shape is carved from
// the last one's, as a Monte Carlo worker's draws clone theirs
// (mcRunner.specs).
type specMem struct {
	f    carver[float64]
	rows carver[[]float64]
	sup  carver[Supplier]
	cor  carver[Corridor]
	srv  carver[Serve]
	fac  carver[Facility]
	reg  carver[Region]
	coal carver[Coalition]
	str  carver[string]
	ev   carver[Event]
}

// newSpecMem returns an empty specMem that keeps its chunks.
func newSpecMem() *specMem {
	m := &specMem{}
	m.each(memCarver.keepChunks)
	return m
}

// rewind rewinds every carver of m (carver.rewind): the clones made in m
// before must no longer be used.
func (m *specMem) rewind() { m.each(memCarver.rewind) }

// each calls f with each carver of m.
func (m *specMem) each(f func(memCarver)) {
	f(&m.f)
	f(&m.rows)
	f(&m.sup)
	f(&m.cor)
	f(&m.srv)
	f(&m.fac)
	f(&m.reg)
	f(&m.coal)
	f(&m.str)
	f(&m.ev)
}

// cloneSlice returns a copy of src taken from c, nil when src is empty
// (as append([]T(nil), src...) gives).
func cloneSlice[T any](c *carver[T], src []T) []T {
	if len(src) == 0 {
		return nil
	}
	v := c.take(len(src))
	copy(v, src)
	return v
}

// Months returns the number of simulated months.
func (s *Spec) Months() int { return int(s.End-s.Start) + 1 }

// Path is a simulated monthly path.
type Path struct {
	Spec    *Spec
	Cal     *Calibrated
	Months  []Month
	Sol     []*Solution // one per month (read-only: a SimulatePair counterfactual shares the months identical to its scenario's)
	Results []Result    // the solver's report per month
	// Failed counts months whose solve did not converge (any Status but
	// Converged); Implausible counts those among them that converged to
	// prices outside the plausible band (Status Implausible).
	Failed      int
	Implausible int
}

// Run is a scenario simulated next to its counterfactual with the same
// parameters (common random numbers): every result is a level and a
// difference.
type Run struct {
	Scenario       *Path
	Counterfactual *Path
}

// Simulate steps spec month by month from the calibrated base-year
// equilibrium: each month applies the events in force, the demand trend and
// partial adjustment, and solves warm-started from last month. A month that
// does not converge is counted in Path.Failed and its Result kept; the path
// goes on from the best point found. Every month's Solution is stored.
func Simulate(ctx context.Context, spec *Spec) (*Path, error) {
	if err := checkSpec(spec); err != nil {
		return nil, err
	}
	cal, err := Calibrate(spec.Market)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", specName(spec), err)
	}
	ps, err := newPathSim(cal, spec)
	if err != nil {
		return nil, err
	}
	path := newPath(spec, cal, ps.sol)
	ps.into = func(k int) *Solution { return path.Sol[k] }
	for k := range path.Months {
		if k%12 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		t := path.Months[k]
		ps.setPolicy(k, t)
		res, err := ps.solve(k, t)
		if err != nil {
			return nil, err
		}
		path.count(k, res)
	}
	return path, nil
}

// SimulatePair simulates scenario and counterfactual (which must share
// the horizon and should share the same Market values: common parameters)
// and returns them as a Run. The market is calibrated once when both
// Markets hold the same values; months before the two policies first
// differ are solved once and stored in both paths.
func SimulatePair(ctx context.Context, scenario, counterfactual *Spec) (*Run, error) {
	if err := checkSpec(scenario); err != nil {
		return nil, err
	}
	if err := checkSpec(counterfactual); err != nil {
		return nil, err
	}
	calS, calC, err := calibratePair(scenario, counterfactual)
	if err != nil {
		return nil, err
	}
	old, _ := pairPool.Get().(*pairSim)
	p, err := newPairSimFrom(old, scenario, counterfactual, calS, calC)
	if err != nil {
		return nil, err // old may have lent part of its storage: dropped
	}
	ownS, ownC := p.s.sol, p.c.sol // into moves them to the stored months
	run := &Run{
		Scenario:       newPath(scenario, calS, p.s.sol),
		Counterfactual: newPathLazy(counterfactual, calC),
	}
	cf := run.Counterfactual
	// Each month is solved straight into its stored Solution. The
	// counterfactual's own months are carved on runSplit's second
	// goroutine before the month the policies are expected to part
	// (p.shared) and published in ahead; a month the chain needs before
	// that (runSplit's splitChain) is carved where it is solved, as many
	// at once as its holder says (p.cCarve: a few between the scenario's
	// own months, else the rest).
	p.s.into = func(k int) *Solution { return run.Scenario.Sol[k] }
	var ahead atomic.Pointer[[]*Solution] // months p.shared … End
	tmpl := p.c.sol                       // the shape; p.c.sol moves with into
	p.c.into = func(k int) *Solution {
		if cf.Sol[k] == nil {
			switch a := ahead.Swap(nil); {
			case a != nil && k >= p.shared:
				copy(cf.Sol[k:], (*a)[k-p.shared:])
			case p.cCarve > 0:
				copy(cf.Sol[k:], solutionSlab(tmpl, min(p.cCarve, len(cf.Sol)-k)))
			default:
				copy(cf.Sol[k:], solutionSlab(tmpl, len(cf.Sol)-k))
			}
		}
		return cf.Sol[k]
	}
	// From the first month the policies differ, the counterfactual's
	// months are solved apart from the scenario's, mostly on a second
	// goroutine (runSplit).
	err = p.runSplit(ctx, func() {
		if n := len(cf.Sol); p.shared < n {
			a := solutionSlab(tmpl, n-p.shared)
			ahead.Store(&a)
		}
	}, func(k int, shared bool, rs Result) {
		run.Scenario.count(k, rs)
		if shared {
			// The month is the scenario's (same inputs, same solution):
			// both paths hold the same read-only Solution.
			cf.Sol[k] = run.Scenario.Sol[k]
			cf.count(k, rs)
		}
	}, cf.count)
	if err != nil {
		return nil, err
	}
	// runSplit's goroutines are done: the simulators go back to the pool
	// holding nothing of run's (their own Solutions, no into).
	p.s.sol, p.c.sol, p.s.into, p.c.into = ownS, ownC, nil, nil
	pairPool.Put(p)
	return run, nil
}

// pairPool keeps the simulators of SimulatePair's finished pairs, whose
// storage (policies, Solvers and their workspaces, vectors) the next
// pair takes as a Monte Carlo worker's draws do (newPairSimFrom: every
// value it takes is written before it is read, TestMCDrawsReuse,
// TestSolverRenewal), instead of allocating about 150 KB anew.
var pairPool sync.Pool

// MonthFailure is a month of a path whose solve did not converge (its
// Result says why: Result.Status, Result.Reason, Result.Err).
type MonthFailure struct {
	Path   string // "scenario" or "counterfactual"
	Month  Month
	Result Result
}

// Failures lists the months of the run whose solve did not converge, the
// scenario's first, each in month order (nil when every month converged).
// The results of such a month are the best point found; writers mark them
// (docs/MODEL.md, section 8).
func (r *Run) Failures() []MonthFailure {
	var out []MonthFailure
	for _, p := range r.paths() {
		for k, res := range p.path.Results {
			if res.Status != Converged {
				out = append(out, MonthFailure{Path: p.name, Month: p.path.Months[k], Result: res})
			}
		}
	}
	return out
}

// NotTraded is a run of months in which no supplier could serve a region:
// the region has no price and no demand (Solution.Traded false).
type NotTraded struct {
	Path     string // "scenario" or "counterfactual"
	Region   string
	From, To Month // inclusive
}

// NotTraded lists the runs of months in which a region of either path had
// no supplier, in path, region and month order.
func (r *Run) NotTraded() []NotTraded {
	var out []NotTraded
	for _, p := range r.paths() {
		if p.path.Cal == nil || p.path.Cal.Market == nil {
			continue
		}
		n := min(len(p.path.Sol), len(p.path.Months))
		for reg, g := range p.path.Cal.Market.Regions {
			open := -1
			for k := 0; k <= n; k++ {
				traded := k == n || p.path.Sol[k].tradedIn(reg)
				switch {
				case !traded && open < 0:
					open = k
				case traded && open >= 0:
					out = append(out, NotTraded{Path: p.name, Region: g.Name, From: p.path.Months[open], To: p.path.Months[k-1]})
					open = -1
				}
			}
		}
	}
	return out
}

// tradedIn reports whether region r is traded in s. A Solution that does
// not say (nil, or built by hand without Traded flags) counts as traded.
func (s *Solution) tradedIn(r int) bool {
	return s == nil || r >= len(s.Traded) || s.Traded[r]
}

// Warnings returns what a user of the run should be told in words: the
// regions left with no supplier. (Months that did not converge are in
// Failures.)
func (r *Run) Warnings() []string {
	var out []string
	for _, n := range r.NotTraded() {
		out = append(out, fmt.Sprintf("%s: %s has no supplier from %v to %v (every route into it banned or closed): it is reported as not traded, with no price and no demand", n.Path, n.Region, n.From, n.To))
	}
	return out
}

type namedPath struct {
	name string
	path *Path
}

func (r *Run) paths() []namedPath {
	var out []namedPath
	if r.Scenario != nil {
		out = append(out, namedPath{"scenario", r.Scenario})
	}
	if r.Counterfactual != nil {
		out = append(out, namedPath{"counterfactual", r.Counterfactual})
	}
	return out
}
