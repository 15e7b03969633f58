package scenarios

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMarketSources: built-ins run on the embedded dataset (overrides or
// not); an inline market is the user's own data, cited by its own sources.
func TestMarketSources(t *testing.T) {
	s, err := Load("us-relief-2025", nil)
	if err != nil {
		t.Fatal(err)
	}
	embedded, cites := s.MarketSources()
	if !embedded || len(cites) == 0 || !strings.Contains(strings.Join(cites, "\n"), "FAOSTAT") {
		t.Errorf("us-relief-2025: embedded %v, cites %q", embedded, cites)
	}
	s, err = Load("us-relief-2025", []string{"market.suppliers.Canada.capacity_mt=30"})
	if err != nil {
		t.Fatal(err)
	}
	if embedded, _ := s.MarketSources(); !embedded {
		t.Error("an override made the embedded dataset own data")
	}
	s, err = Load(filepath.Join("testdata", "valid", "inline-basic.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if embedded, cites := s.MarketSources(); embedded || len(cites) != 0 {
		t.Errorf("inline-basic: embedded %v, cites %q; want own data citing nothing", embedded, cites)
	}
	// An inline market with a sources list.
	src, err := os.ReadFile(filepath.Join("testdata", "valid", "inline-basic.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	y := strings.Replace(string(src), "    name: tiny\n", "    name: tiny\n    sources: [{id: survey, citation: \"My survey 2024\"}]\n", 1)
	f := filepath.Join(t.TempDir(), "own.yaml")
	if err := os.WriteFile(f, []byte(y), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err = Load(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	if embedded, cites := s.MarketSources(); embedded || strings.Join(cites, "|") != "My survey 2024" {
		t.Errorf("own market: embedded %v, cites %q", embedded, cites)
	}
}
