package scenarios

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"fmt"
	"sync"

	"github.com/potash-sim/potash/model"
)

// The pilot without a scenario's own overrides of the joint rules' fields
// (overrideRise's "without" side) is, for an embedded built-in loaded
// with --sets of those fields only, the same pilot on every load: the
// built-in's values before its own overrides, with its draws less those
// the --sets fix. The web page asks it on every move of a slider of such
// a field (the demand elasticity), and a load from the command line asks
// it once more than it needs. parentPilots keeps those pilots' counts.

// maxParentPilots is the most pilots parentPilots keeps: a few per
// built-in (each set of drawn fields the --sets fix gives one), far
// fewer than the 13 built-ins' combinations would fill.
const maxParentPilots = 64

// parentPilots caches the counts of the pilots (model.Truncation) of the
// "without" side of overrideRise for embedded built-ins loaded with
// --sets of the joint rules' fields only (pilotCacheable). It is safe for
// concurrent use.
var parentPilots = pilotCache{max: maxParentPilots}

// pilotCounts is what overrideRise reads of the "without" pilot: rej of
// n candidates rejected.
type pilotCounts struct{ rej, n int }

// pilotCache maps a pilotKey to the counts of its pilot, holding at most
// max entries (the oldest is dropped first).
type pilotCache struct {
	mu    sync.Mutex
	max   int
	m     map[[sha256.Size]byte]pilotCounts
	order [][sha256.Size]byte // keys, oldest first
	hits  int                 // gets that found their key (tests)
}

// get returns the counts stored under k, and whether there are any.
func (c *pilotCache) get(k [sha256.Size]byte) (pilotCounts, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	if ok {
		c.hits++
	}
	return v, ok
}

// put stores v under k, dropping the oldest entry when the cache is full.
func (c *pilotCache) put(k [sha256.Size]byte, v pilotCounts) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[[sha256.Size]byte]pilotCounts{}
	}
	if _, ok := c.m[k]; ok {
		return
	}
	if len(c.order) >= c.max {
		delete(c.m, c.order[0])
		c.order = c.order[1:]
	}
	c.m[k] = v
	c.order = append(c.order, k)
}

// reset empties the cache (tests).
func (c *pilotCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m, c.order, c.hits = nil, nil, 0
}

// stats returns the number of entries and of hits (tests).
func (c *pilotCache) stats() (entries, hits int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m), c.hits
}

// pilotKey returns the key of the pilot model.TruncationRule(s, c, unc)
// measures: a SHA-256 of what it reads, and false when that cannot be
// written down (the pilot is then not cached). It holds the model's
// version and the pilot's size (model.Version, model.PilotDraws; the
// pilot's seed is fixed within a version), both specs whole (gob: every
// field of a Spec is exported data) and each draw's parameter, its
// distribution (its own description, model.Describer: kind and exact
// parameters; a distribution that gives none is not cached) and its
// copula (its correlation matrix and row, the copulas numbered in order
// of first use). A draw's Apply is the
// setter of its parameter's path on the spec it is given, so the path
// and the specs stand for it.
func pilotKey(s, c *model.Spec, unc []model.Uncertain) ([sha256.Size]byte, bool) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "potash pilot\x00model %s\x00draws %d\x00", model.Version, model.PilotDraws)
	enc := gob.NewEncoder(&b)
	if err := enc.Encode(s); err != nil {
		return [sha256.Size]byte{}, false
	}
	if err := enc.Encode(c); err != nil {
		return [sha256.Size]byte{}, false
	}
	copulas := map[*model.Copula]int{}
	for _, u := range unc {
		d, ok := u.Dist.(model.Describer)
		if !ok {
			// A distribution that cannot say exactly what it is
			// gives no key.
			return [sha256.Size]byte{}, false
		}
		fmt.Fprintf(&b, "\x00param %q dist %s", u.Name, d.Describe())
		if u.Copula != nil {
			k, ok := copulas[u.Copula]
			if !ok {
				k = len(copulas)
				copulas[u.Copula] = k
				fmt.Fprintf(&b, " copula %d %v", k, u.Copula.Matrix())
			}
			fmt.Fprintf(&b, " copula %d row %d", k, u.CopulaRow)
		}
	}
	return sha256.Sum256(b.Bytes()), true
}

// pilotCacheable reports whether overrideRise's "without" pilot may be
// cached: the scenario's document is an embedded built-in with its
// embedded bytes (l.embedded; never a user's file), and each of its
// --sets is one of the own overrides in own whose fields are all fields
// of a joint rule (so the "without" side holds none of them: it is the
// embedded files' alone).
func (l *loader) pilotCacheable(own []ownRule, mf *MarketFile) bool {
	if !l.embedded {
		return false
	}
	for _, s := range l.sets {
		found := false
		for _, r := range own {
			if r.o.doc != nil || r.o.key != s {
				continue
			}
			ts, err := expandMarketPath(mf, r.o.path)
			found = err == nil && len(ts) == len(r.paths)
			break
		}
		if !found {
			return false
		}
	}
	return true
}
