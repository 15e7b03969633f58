package scenarios

import (
	"fmt"
	"sort"
	"strings"
)

// editDistance is the optimal-string-alignment (restricted
// Damerau–Levenshtein) distance between a and b, counted in runes, case
// folded: insertions, deletions, substitutions and transpositions of two
// adjacent runes each cost 1.
func editDistance(a, b string) int {
	ra, rb := []rune(strings.ToLower(a)), []rune(strings.ToLower(b))
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

// suggest returns the candidate closest to s if it is close enough to be a
// likely misspelling (distance ≤ max(2, len/3), or equal ignoring case and
// punctuation), else "". Ties go to the first candidate in sorted order.
func suggest(s string, candidates []string) string {
	if s == "" || len(candidates) == 0 {
		return ""
	}
	norm := func(x string) string {
		x = strings.ToLower(x)
		return strings.Map(func(r rune) rune {
			if r == '-' || r == '_' || r == ' ' || r == '.' {
				return -1
			}
			return r
		}, x)
	}
	cs := append([]string(nil), candidates...)
	sort.Strings(cs)
	best, bestD := "", 1<<30
	for _, c := range cs {
		if c == s {
			continue
		}
		if norm(c) == norm(s) {
			return c
		}
		d := editDistance(s, c)
		if d < bestD {
			best, bestD = c, d
		}
	}
	// A unique candidate that starts with s (at least 3 letters) is meant.
	if len(s) >= 3 {
		var pre []string
		for _, c := range cs {
			if strings.HasPrefix(strings.ToLower(c), strings.ToLower(s)) {
				pre = append(pre, c)
			}
		}
		if len(pre) == 1 {
			return pre[0]
		}
	}
	limit := max(2, len([]rune(s))/3)
	if bestD <= limit && bestD < len([]rune(s)) {
		return best
	}
	return ""
}

// didYouMean formats "; did you mean 'X'?" or, with no close candidate, a
// list of the allowed values when there are few of them.
func didYouMean(s string, candidates []string) string {
	if c := suggest(s, candidates); c != "" {
		return fmt.Sprintf("; did you mean '%s'?", c)
	}
	if len(candidates) > 0 && len(candidates) <= 12 {
		cs := append([]string(nil), candidates...)
		sort.Strings(cs)
		return "; expected one of: " + strings.Join(cs, ", ")
	}
	return ""
}
