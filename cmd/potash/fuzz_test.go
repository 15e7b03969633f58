package main

import (
	"slices"
	"strings"
	"testing"
)

// FuzzReorderArgs: reordering never panics, never loses, adds or changes
// an argument (apart from one "--" it may add), and is idempotent.
func FuzzReorderArgs(f *testing.F) {
	for _, s := range []string{
		"run s.yaml --draws 100",
		"run --set a=1 s.yaml -- -x",
		"sweep s --param p --range -1:1:3 --param2",
		"scenarios show history --help",
		"--help run",
		"run -- --",
		"",
	} {
		f.Add(s)
	}
	app := newApp(&env{})
	f.Fuzz(func(t *testing.T, line string) {
		args := append([]string{"potash"}, strings.Fields(line)...)
		got := reorderArgs(app, args)
		count := func(a []string) map[string]int {
			m := map[string]int{}
			for _, x := range a {
				if x != "--" {
					m[x]++
				}
			}
			return m
		}
		a, b := count(args), count(got)
		for k, n := range a {
			if b[k] != n {
				t.Fatalf("reorderArgs(%q) = %q: %q appears %d times, want %d", args, got, k, b[k], n)
			}
		}
		if len(b) != len(a) {
			t.Fatalf("reorderArgs(%q) = %q: new arguments", args, got)
		}
		if again := reorderArgs(app, got); !slices.Equal(again, got) && !slices.Contains(args, "--") {
			t.Fatalf("not idempotent: %q → %q → %q", args, got, again)
		}
	})
}
