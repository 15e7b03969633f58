package plots

import (
	"strings"
	"testing"

	"github.com/potash-sim/potash/model"
)

// TestDataSourceLine: an embedded dataset is credited to its main
// sources; a market of the user's own data only to what it cites (issue
// 16 item 8).
func TestDataSourceLine(t *testing.T) {
	base := &model.Market{Name: "base-2020", Version: "1.0.0"}
	own := &model.Market{Name: "tiny", Version: "0.1"}
	long := "Trade Data Monitor, destinations of potash exports (HS 3104) in 2020 from national customs statistics"
	for _, tc := range []struct {
		name     string
		m        *model.Market
		embedded bool
		cites    []string
		want     string
	}{
		{"embedded", base, true, []string{"FAOSTAT …", "Pink Sheet …"}, "Data: base-2020 v1.0.0 (FAOSTAT and World Bank Pink Sheet; see docs/DATA.md)"},
		{"own data", own, false, []string{"My survey 2024", "estimated"}, "Data: tiny v0.1, own market data (sources: My survey 2024; estimated)"},
		{"own data named like the base", base, false, []string{"My survey 2024"}, "Data: base-2020 v1.0.0, own market data (sources: My survey 2024)"},
		{"no name, no sources", &model.Market{}, false, nil, "Data: own market (no sources cited)"},
		{"no version", &model.Market{Name: "mine"}, false, []string{" "}, "Data: mine, own market data (no sources cited)"},
		{"long citation", own, false, []string{long}, "Data: tiny v0.1, own market data (sources: Trade Data Monitor, destinations of…)"},
		{"many", own, false, []string{"a", "b", "c", "d", "e"}, "Data: tiny v0.1, own market data (sources: a; b; c; 2 more)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := DataSourceLine(tc.m, tc.embedded, tc.cites)
			if got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
			// A comma or full stop after a T is kerned under its bar,
			// lost at a footer's size on screen ("FAOSTAT, World").
			if strings.Contains(got, "T,") || strings.Contains(got, "T.") {
				t.Errorf("credit %q puts a comma or full stop after a T", got)
			}
			if !tc.embedded && (strings.Contains(got, "FAOSTAT") || strings.Contains(got, "Pink Sheet")) {
				t.Errorf("own data credited to FAOSTAT or the Pink Sheet: %q", got)
			}
		})
	}
}
