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
	_, err = Parse("f.yaml", src, []string{"market.facilities.RussianBalticPort.capacity_mt=15"})
	if err == nil || !strings.Contains(err.Error(), "unknown facility 'RussianBalticPort'; did you mean 'RussianBalticPorts'?") {
		t.Errorf("error %v, want an unknown facility with a suggestion", err)
	}
}
