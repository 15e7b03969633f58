package scenarios

import (
	"crypto/sha256"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/potash-sim/potash/model"
)

// TestParentPilotCache checks the cache of overrideRise's "without"
// pilot (parentPilots): an embedded built-in loaded with --sets of the
// joint rules' fields stores it once per set of fixed draws and finds it
// on the next load, and a load that finds it gives the scenario a load
// that measures it gives (its warnings, among them two of a rise that
// give the pilot's counts, its pilot, its refusal); a
// user's file with the built-in's bytes or others, and --sets of other
// fields alongside, are measured afresh and not kept.
func TestParentPilotCache(t *testing.T) {
	parentPilots.reset()
	t.Cleanup(parentPilots.reset)
	src, err := BuiltinSource(DefaultScenario)
	if err != nil {
		t.Fatal(err)
	}
	type look struct {
		warnings string
		rej, n   int
		first    string
		refused  string
	}
	load := func(t *testing.T, file string, data []byte, sets []string) look {
		t.Helper()
		s, err := Parse(file, data, sets)
		if err != nil {
			t.Fatal(err)
		}
		var lk look
		for _, w := range s.Warnings {
			lk.warnings += fmt.Sprintf("%+v\n", w)
		}
		lk.rej, lk.n, lk.first = s.Truncation()
		lk.refused = fmt.Sprint(s.DrawsRefused())
		return lk
	}
	builtin := "builtin:" + DefaultScenario
	for _, tc := range []struct {
		name    string
		file    string
		data    []byte
		sets    []string
		entries int  // kept after the first load
		found   bool // the first load finds its pilot (kept by an earlier case)
		kept    bool // the second load finds it
		rise    bool // a warning of the sets' rise, which gives the pilot's counts
	}{
		{"a stock field", builtin, src, []string{"market.regions.Brazil.stock_to_use_months=2.15"}, 1, false, true, true},
		{"the same field, another value", builtin, src, []string{"market.regions.Brazil.stock_to_use_months=1.9"}, 1, true, true, false},
		// The draws of ε are fixed: another pilot. This value raises the
		// share by 2.27 points (a warning that gives the pilot's count).
		{"a drawn field, every region", builtin, src, []string{"market.regions.*.demand_elasticity=0.35"}, 2, false, true, true},
		{"two rule fields", builtin, src, []string{"market.regions.*.demand_elasticity=0.5", "market.regions.Brazil.stock_to_use_months=2.15"}, 2, true, true, false},
		{"and an event", builtin, src, []string{"market.regions.*.demand_elasticity=0.45", "scenario.events.belarus-discount.pct=60"}, 2, false, false, false},
		{"a user's file", "us-relief-2025.yaml", src, []string{"market.regions.*.demand_elasticity=0.45"}, 2, false, false, false},
		{"a user's bytes named as the built-in", builtin, append([]byte("# mine\n"), src...), []string{"market.regions.*.demand_elasticity=0.45"}, 2, false, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, h0 := parentPilots.stats()
			first := load(t, tc.file, tc.data, tc.sets)
			entries, h1 := parentPilots.stats()
			if entries != tc.entries || (h1-h0 == 1) != tc.found {
				t.Errorf("after the load %d pilots kept, the load found its own: %v; want %d, %v", entries, h1-h0 == 1, tc.entries, tc.found)
			}
			if rise := strings.Contains(first.warnings, "raises the share"); rise != tc.rise {
				t.Errorf("a warning of the sets' rise: %v, want %v: %s", rise, tc.rise, first.warnings)
			}
			second := load(t, tc.file, tc.data, tc.sets)
			if _, h2 := parentPilots.stats(); (h2-h1 == 1) != tc.kept {
				t.Errorf("the second load found its pilot: %v, want %v", h2-h1 == 1, tc.kept)
			}
			if !reflect.DeepEqual(first, second) {
				t.Errorf("the second load differs from the first:\n%+v\n%+v", second, first)
			}
			// Measured afresh, with nothing kept, then the cache restored.
			parentPilots.mu.Lock()
			saved, order := parentPilots.m, parentPilots.order
			parentPilots.mu.Unlock()
			parentPilots.reset()
			fresh := load(t, tc.file, tc.data, tc.sets)
			parentPilots.mu.Lock()
			parentPilots.m, parentPilots.order = saved, order
			parentPilots.mu.Unlock()
			if !reflect.DeepEqual(fresh, second) {
				t.Errorf("a load that finds the pilot differs from a fresh one:\n%+v\n%+v", second, fresh)
			}
		})
	}
}

// TestPilotCacheBounded fills the cache beyond maxParentPilots from many
// goroutines (run with -race): it keeps the newest maxParentPilots, and
// each key its own counts.
func TestPilotCacheBounded(t *testing.T) {
	var c pilotCache
	c.max = maxParentPilots
	key := func(i int) [sha256.Size]byte { return sha256.Sum256([]byte(fmt.Sprint(i))) }
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < 4*maxParentPilots; i += 4 {
				c.put(key(i), pilotCounts{i, 4096})
				if v, ok := c.get(key(i)); ok && v.rej != i {
					t.Errorf("key %d holds %d", i, v.rej)
				}
			}
		}()
	}
	wg.Wait()
	if n, _ := c.stats(); n != maxParentPilots {
		t.Errorf("%d entries, want %d", n, maxParentPilots)
	}
	c.put(key(-1), pilotCounts{-1, 4096})
	if _, ok := c.get(key(-1)); !ok {
		t.Error("the newest entry is not kept")
	}
	if n, _ := c.stats(); n != maxParentPilots {
		t.Errorf("%d entries after one more, want %d", n, maxParentPilots)
	}
}

// TestPilotKeyDistributions: the pilot's key holds each draw's
// distribution by its own description (model.Describer): an equal
// distribution built apart (or behind a pointer) keys alike, one that
// differs in a parameter's last bit or in its kind keys differently,
// and a distribution that cannot describe itself gives no key.
func TestPilotKeyDistributions(t *testing.T) {
	sc, err := Load("us-relief-2025", nil)
	if err != nil {
		t.Fatal(err)
	}
	key := func(k int, d model.Distribution) ([sha256.Size]byte, bool) {
		unc := slices.Clone(sc.Uncertain)
		if d != nil {
			unc[k].Dist = d
		}
		return pilotKey(sc.Spec, sc.Counterfactual, unc)
	}
	base, ok := key(0, nil)
	if !ok {
		t.Fatal("us-relief-2025's pilot has no key")
	}
	for k, u := range sc.Uncertain {
		n, isNormal := u.Dist.(model.Normal)
		if !isNormal {
			continue
		}
		up := func(x float64) float64 { return math.Nextafter(x, math.Inf(1)) }
		again, err := model.NewNormal(n.Mu, n.Sigma, n.Lower, n.Upper)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range []model.Distribution{again, &again} {
			if got, ok := key(k, d); !ok || got != base {
				t.Errorf("%s: an equal distribution (%T) keys apart (cacheable %v)", u.Name, d, ok)
			}
		}
		for _, d := range []model.Distribution{
			model.Normal{Mu: up(n.Mu), Sigma: n.Sigma, Lower: n.Lower, Upper: n.Upper},
			model.Normal{Mu: n.Mu, Sigma: up(n.Sigma), Lower: n.Lower, Upper: n.Upper},
			model.Normal{Mu: n.Mu, Sigma: n.Sigma, Lower: up(n.Lower), Upper: n.Upper},
			model.Normal{Mu: n.Mu, Sigma: n.Sigma, Lower: n.Lower, Upper: up(n.Upper)},
			model.LogNormal(n),
		} {
			if got, ok := key(k, d); !ok || got == base {
				t.Errorf("%s: %s keys as %s (cacheable %v)", u.Name, d.(model.Describer).Describe(), n.Describe(), ok)
			}
		}
		if _, ok := key(k, plainDist{n}); ok {
			t.Errorf("%s: a distribution that does not describe itself gives a key", u.Name)
		}
		return
	}
	t.Fatal("us-relief-2025 draws no normal distribution")
}

// plainDist is a distribution without a description.
type plainDist struct{ n model.Normal }

func (p plainDist) Quantile(u float64) float64 { return p.n.Quantile(u) }
func (p plainDist) Mean() float64              { return p.n.Mean() }
