package scenarios

import (
	"strings"
	"testing"
)

// TestFacilityPath: a shared facility's capacity is a market path
// (--set, overrides, sweeps, uncertainty), and a facility that does not
// exist is an error naming it.
func TestFacilityPath(t *testing.T) {
	src := []byte("title: t\nextends: history\n")
	sc, err := Parse("f.yaml", src, []string{"market.facilities.RussianBalticPorts.capacity_mt=15"})
	if err != nil {
		t.Fatal(err)
	}
	m := sc.Spec.Market
	if f := m.FacilityIndex("RussianBalticPorts"); f < 0 || m.Facilities[f].Capacity != 15 {
		t.Errorf("facilities %+v, want RussianBalticPorts at 15 Mt/yr", m.Facilities)
	}
	// The override is the scenario's own: the next scenario on the same
	// embedded dataset has the dataset's capacity (the cached dataset's
	// facilities were once shared, and an override leaked into every
	// later run of the process).
	plain, err := Load("history", nil)
	if err != nil {
		t.Fatal(err)
	}
	base, err := BaseMarket(DefaultMarket)
	if err != nil {
		t.Fatal(err)
	}
	pm := plain.Spec.Market
	if f, g := pm.FacilityIndex("RussianBalticPorts"), base.FacilityIndex("RussianBalticPorts"); f < 0 || g < 0 || pm.Facilities[f].Capacity != base.Facilities[g].Capacity {
		t.Errorf("after an override, history's facilities are %+v, the dataset's %+v", pm.Facilities, base.Facilities)
	}
	_, err = Parse("f.yaml", src, []string{"market.facilities.RussianBalticPort.capacity_mt=15"})
	if err == nil || !strings.Contains(err.Error(), "unknown facility 'RussianBalticPort'; did you mean 'RussianBalticPorts'?") {
		t.Errorf("error %v, want an unknown facility with a suggestion", err)
	}
}
