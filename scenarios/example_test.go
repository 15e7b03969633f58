package scenarios_test

import (
	"fmt"

	"github.com/potash-sim/potash/scenarios"
)

// Load a built-in scenario by name, with a --set override that moves the
// US relief to June 2026 in the scenario only (the counterfactual keeps
// sanctions in place).
func ExampleLoad() {
	s, err := scenarios.Load("us-relief-2025", []string{"events.us-ban.end=2026-06"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.Title)
	fmt.Println("horizon:", s.Spec.Start, "to", s.Spec.End, "reported from", s.Spec.ReportStart)
	fmt.Println("compared with:", s.CounterfactualName)
	for _, e := range s.Spec.Events {
		if e.ID == "us-ban" {
			fmt.Println("US ban in force", e.Start, "until", e.End)
		}
	}
	for _, e := range s.Counterfactual.Events {
		if e.ID == "us-ban" {
			fmt.Println("counterfactual US ban from", e.Start, "never lifted:", e.End == 0)
		}
	}
	// Output:
	// US lifts sanctions on Belarusian potash (Dec 2025)
	// horizon: 2020-01 to 2028-12 reported from 2025-12
	// compared with: sanctions-stay
	// US ban in force 2021-12 until 2026-06
	// counterfactual US ban from 2021-12 never lifted: true
}

// Parse reports every problem of a file at once, with line, column, field
// and a suggestion for misspelled names.
func ExampleParse() {
	src := `title: Ban on a misspelled supplier
extends: history
events:
  - id: ban-brazil
    ban: {supplier: Belarussia, region: Brasil}
    start: 2022-13
`
	_, err := scenarios.Parse("my.yaml", []byte(src), nil)
	fmt.Println(err)
	// Output:
	// my.yaml:5:21: events[0].ban.supplier: unknown supplier 'Belarussia'; did you mean 'Belarus'?
	// my.yaml:5:41: events[0].ban.region: unknown region 'Brasil'; did you mean 'Brazil'?
	// my.yaml:6:12: events[0].start: expected a month YYYY-MM (year 1900..2200, month 01..12), got '2022-13'
}

// Param returns a sweepable parameter by path; Apply sets it on a Spec.
func ExampleScenario_Param() {
	s, err := scenarios.Load("history", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := s.Param("market.regions.*.demand_elasticity")
	if err != nil {
		fmt.Println(err)
		return
	}
	spec := s.Spec.Clone()
	if err := p.Apply(spec, 0.6); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p.Name, "=", spec.Market.Regions[0].Eps, "in", spec.Market.Regions[0].Name, "and", spec.Market.Regions[len(spec.Market.Regions)-1].Name, "=", spec.Market.Regions[len(spec.Market.Regions)-1].Eps)
	_, err = s.Param("market.regions.Brazil.demand_elastcity")
	fmt.Println(err)
	// Output:
	// market.regions.*.demand_elasticity = 0.6 in Brazil and Other = 0.6
	// scenarios: parameter market.regions.Brazil.demand_elastcity: unknown region field 'demand_elastcity'; did you mean 'demand_elasticity'?
}

// Builtins lists the embedded library.
func ExampleBuiltins() {
	for _, b := range scenarios.Builtins() {
		fmt.Println(b.Name)
	}
	// Output:
	// bpc-breakup
	// bpc-reunion
	// eu-relief
	// history
	// jansen-ramp
	// jansen-ramp-relief
	// klaipeda-reopens
	// no-sanctions
	// relief-no-jansen
	// sanctions-cost
	// sanctions-stay
	// us-relief-2025
	// western-ban-russia
}

// ExampleSeasonalFactors prints Brazil's monthly demand factors from
// ANDA's 2013 deliveries: the second-half season (July–November) above
// the year's average, the first half below it.
func ExampleSeasonalFactors() {
	f, ok, err := scenarios.SeasonalFactors("Brazil")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("supported:", ok)
	for m, v := range f {
		fmt.Printf("%02d %.2f\n", m+1, v)
	}
	// Output:
	// supported: true
	// 01 0.65
	// 02 0.65
	// 03 0.79
	// 04 0.79
	// 05 0.79
	// 06 0.79
	// 07 1.11
	// 08 1.41
	// 09 1.41
	// 10 1.41
	// 11 1.41
	// 12 0.80
}
