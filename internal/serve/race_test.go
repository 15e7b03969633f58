//go:build race

package serve

// raceEnabled: the race detector multiplies memory, so memory bounds are
// only logged under it.
const raceEnabled = true
