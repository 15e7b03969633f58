package scenarios

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// maxSuggestRunes bounds the names did-you-mean compares: the edit
// distance costs len(a)·len(b), and a name longer than this is no
// misspelling of a short one.
const maxSuggestRunes = 64

// editDistance is the optimal-string-alignment (restricted
// Damerau–Levenshtein) distance between a and b, counted in runes:
// insertions, deletions, substitutions and transpositions of two adjacent
// runes each cost 1.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	n, m := len(ra), len(rb)
	// Three rows suffice for OSA.
	prev2 := make([]int, m+1)
	prev := make([]int, m+1)
	cur := make([]int, m+1)
	for j := 0; j <= m; j++ {
		prev[j] = j
	}
	for i := 1; i <= n; i++ {
		cur[0] = i
		for j := 1; j <= m; j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[m]
}

// normName folds case and drops the separators people mix up ('-', '_',
// ' ', '.'): "US_Relief" and "us-relief" are the same name.
func normName(x string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '_' || r == ' ' || r == '.' {
			return -1
		}
		return r
	}, strings.ToLower(x))
}

// Suggest returns the candidate that s most likely misspells, or "". It is
// potash's one did-you-mean: the scenario diagnostics, the command line
// (commands, metrics, built-ins) and the web page all use it.
//
// The rules, in order, on names folded to lower case without '-', '_', ' '
// and '.': a candidate equal to s; a candidate that s begins (s has at
// least 3 letters; the closest such one); the candidate at the least edit
// distance when that distance is at most max(2, len(s)/3) and less than
// len(s). Ties go to the first candidate in sorted order. Names longer
// than 64 runes are not compared.
func Suggest(s string, candidates []string) string {
	ns := normName(s)
	if ns == "" || utf8.RuneCountInString(s) > maxSuggestRunes || len(candidates) == 0 {
		return ""
	}
	cs := slices.Clone(candidates)
	slices.Sort(cs)
	cs = slices.Compact(cs)
	cs = slices.DeleteFunc(cs, func(c string) bool { return c == s || utf8.RuneCountInString(c) > maxSuggestRunes })
	norms := make([]string, len(cs))
	for k, c := range cs {
		norms[k] = normName(c)
		if norms[k] == ns {
			return c
		}
	}
	n := utf8.RuneCountInString(ns)
	best, bestD := "", 1<<30
	if n >= 3 {
		for k, c := range cs {
			if strings.HasPrefix(norms[k], ns) {
				if d := utf8.RuneCountInString(norms[k]) - n; d < bestD {
					best, bestD = c, d
				}
			}
		}
		if best != "" {
			return best
		}
	}
	limit := max(2, n/3)
	for k, c := range cs {
		if abs(utf8.RuneCountInString(norms[k])-n) > limit {
			continue // the distance is at least the difference in length
		}
		if d := editDistance(ns, norms[k]); d < bestD {
			best, bestD = c, d
		}
	}
	if bestD <= limit && bestD < n {
		return best
	}
	return ""
}

func suggest(s string, candidates []string) string { return Suggest(s, candidates) }

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// didYouMean formats "; did you mean 'X'?" or, with no close candidate, a
// list of the allowed values when there are few of them.
func didYouMean(s string, candidates []string) string {
	if c := Suggest(s, candidates); c != "" {
		return fmt.Sprintf("; did you mean %s?", quote(c))
	}
	if len(candidates) > 0 && len(candidates) <= 12 {
		cs := slices.Sorted(slices.Values(candidates))
		for k, c := range cs {
			cs[k] = clipText(c, 40)
		}
		return "; expected one of: " + strings.Join(cs, ", ")
	}
	return ""
}
