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

// TestDocTranscriptsCurrent: a transcript in the docs — a code block whose
// first line is "$ potash ..." followed by what potash printed — shows
// what the command prints today: each printed line of the block is a
// line of its stdout or stderr. A model re-fit once left SCENARIOS.md's
// conduct error quoting numbers the command no longer gave.
func TestDocTranscriptsCurrent(t *testing.T) {
	found := 0
	for _, f := range []string{"README.md", "docs/SCENARIOS.md", "docs/MODEL.md", "docs/BACKTEST.md", "docs/DATA.md"} {
		data, err := os.ReadFile("../../" + f)
		if err != nil {
			t.Fatal(err)
		}
		blocks := regexp.MustCompile("(?s)```[a-z]*\n(\\$ potash [^\n]*)\n(.*?)```").FindAllStringSubmatch(string(data), -1)
		for _, b := range blocks {
			printed := strings.TrimSpace(b[2])
			if printed == "" {
				continue // a command alone, nothing quoted
			}
			args := strings.Fields(strings.TrimPrefix(b[1], "$ potash "))
			if len(args) > 0 && args[0] == "run" {
				args = append(args, "--no-charts", "--out", t.TempDir())
			}
			found++
			t.Run(f+"/"+b[1], func(t *testing.T) {
				r := potash(t, args...)
				out := "\n" + r.stdout + "\n" + r.stderr + "\n"
				for _, l := range strings.Split(printed, "\n") {
					if !strings.Contains(out, "\n"+l+"\n") {
						t.Errorf("%s quotes a line the command no longer prints:\n  %s\nit prints:\n%s%s", f, l, r.stdout, r.stderr)
					}
				}
			})
		}
	}
	if found == 0 {
		t.Error("no transcript found in the docs; the pattern no longer finds them")
	}
}
