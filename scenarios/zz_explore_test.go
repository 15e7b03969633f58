package scenarios

import (
	"context"
	"flag"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/potash-sim/potash/model"
)

var exploreSets = flag.String("xsets", "", "semicolon-separated --set lists, | between variants")
var exploreEvent = flag.String("xevent", "", "YAML event to add (with %v for the value)")
var exploreVals = flag.String("xvals", "", "comma-separated values for xevent")

func runOne(t *testing.T, name string, sets []string, extra string) string {
	var s *Scenario
	var err error
	if extra != "" {
		src := "extends: " + name + "\nevents:\n" + extra + "\n"
		s, err = Parse("x.yaml", []byte(src), sets)
		if err == nil {
			s.Counterfactual = mustLoad(t, name).Spec // compare with the built-in
		}
	} else {
		s, err = Load(name, sets)
	}
	if err != nil {
		return "ERR " + strings.ReplaceAll(err.Error(), "\n", " | ")
	}
	run, err := model.SimulatePair(context.Background(), s.Spec, s.Counterfactual)
	if err != nil {
		return "SIMERR " + err.Error()
	}
	maxR, minR := 0.0, math.Inf(1)
	failed := run.Scenario.Failed + run.Counterfactual.Failed
	for _, p := range []*model.Path{run.Scenario, run.Counterfactual} {
		for k := range p.Sol {
			for r, P := range p.Sol[k].PriceIndex {
				q := P / p.Cal.P0[r]
				maxR, minR = math.Max(maxR, q), math.Min(minR, q)
			}
			for i, f := range p.Sol[k].FOB {
				if p.Sol[k].Binding[i] == model.BindClosed {
					continue
				}
				q := f / p.Cal.Market.Suppliers[i].FOB
				maxR, minR = math.Max(maxR, q), math.Min(minR, q)
			}
		}
	}
	return fmt.Sprintf("failed %3d  price ratio %.3g..%.3g", failed, minR, maxR)
}

func TestZZExplore(t *testing.T) {
	if *exploreSets == "" && *exploreEvent == "" {
		t.Skip()
	}
	names := builtinNames()
	if *exploreEvent != "" {
		for _, v := range strings.Split(*exploreVals, ",") {
			ev := strings.ReplaceAll(*exploreEvent, "%v", v)
			for _, n := range names {
				fmt.Printf("%-8s %-20s %s\n", v, n, runOne(t, n, nil, ev))
			}
		}
		return
	}
	for _, variant := range strings.Split(*exploreSets, "|") {
		sets := strings.Split(variant, ";")
		for _, n := range names {
			fmt.Printf("%-45s %-20s %s\n", variant, n, runOne(t, n, sets, ""))
		}
	}
}
