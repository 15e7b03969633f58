package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// sweepExamples returns the `potash sweep` command lines in text (the
// sweep command's help or the README), with backslash continuations
// joined and comments dropped.
func sweepExamples(text string) [][]string {
	text = regexp.MustCompile(`\\\n\s*`).ReplaceAllString(text, "")
	var out [][]string
	for _, line := range strings.Split(text, "\n") {
		line, _, _ = strings.Cut(strings.TrimSpace(line), "#")
		f := strings.Fields(line)
		if len(f) > 2 && f[0] == "potash" && f[1] == "sweep" {
			out = append(out, f[1:])
		}
	}
	return out
}

// TestSweepExamplesRun: every sweep example the sweep command's help
// and the docs (README.md, docs/SCENARIOS.md) give runs (exit 0). A valid range narrowed by a re-fit
// (the joint rules move with the fitted values) once left both examples
// refused with exit 2.
func TestSweepExamplesRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs each example sweep")
	}
	srcs := []struct{ name, text string }{{"help", newSweepCommand().Description}}
	for _, f := range []string{"README.md", "docs/SCENARIOS.md"} {
		data, err := os.ReadFile("../../" + f)
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, struct{ name, text string }{f, string(data)})
	}
	for _, src := range srcs {
		exs := sweepExamples(src.text)
		if len(exs) == 0 {
			t.Errorf("%s: no potash sweep example found", src.name)
		}
		for _, args := range exs {
			t.Run(src.name+"/"+strings.Join(args, " "), func(t *testing.T) {
				potash(t, append(args, "--no-charts", "--format", "csv")...).want(t, 0)
			})
		}
	}
}
