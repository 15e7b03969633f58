package scenarios

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestDocScenarioExamples: every whole scenario the docs give as a YAML
// example (a yaml block with a title: or extends: key; the others are
// fragments) validates as written and without a warning. README's tour
// example once drew Brazil's demand elasticity down to 0.1, below what
// the crop and stock-cycle rules allow with model 0.6.0's fit: a user
// who copied it got a warning and 8.6 % of the draws rejected.
func TestDocScenarioExamples(t *testing.T) {
	found := 0
	for _, f := range []string{"README.md", "docs/SCENARIOS.md"} {
		data, err := os.ReadFile("../" + f)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range regexp.MustCompile("(?s)```yaml\n(.*?)```").FindAllStringSubmatchIndex(string(data), -1) {
			src := string(data[b[2]:b[3]])
			if !regexp.MustCompile(`(?m)^(title|extends):`).MatchString(src) {
				continue
			}
			found++
			line := strings.Count(string(data[:b[0]]), "\n") + 1
			t.Run(fmt.Sprintf("%s:%d", f, line), func(t *testing.T) {
				s, err := Parse("example.yaml", []byte(src), nil)
				if err != nil {
					t.Fatalf("the example does not validate:\n%v", err)
				}
				for _, w := range s.Warnings {
					t.Errorf("the example validates with a warning: %v", w)
				}
			})
		}
	}
	if found < 3 {
		t.Errorf("%d scenario examples found in the docs, want at least 3; the pattern no longer finds them", found)
	}
}
