package serve

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"testing"

	"github.com/potash-sim/potash/internal/run"
	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/plots"
	"github.com/potash-sim/potash/scenarios"
)

// BenchmarkRunRequest is one uncached /api/run of the default scenario on
// the real backend, as the page sends it when a control moves (a new seed
// each time, so the cache never answers): load, simulate, 50 draws, PNG
// charts. The target: under a second on the development machine.
func BenchmarkRunRequest(b *testing.B) {
	for _, draws := range []int{0, DefaultDraws} {
		b.Run(fmt.Sprintf("draws=%d", draws), func(b *testing.B) {
			s := New(Config{CacheEntries: 1})
			seed := 0
			for b.Loop() {
				seed++
				w := httptest.NewRecorder()
				s.ServeHTTP(w, httptest.NewRequest("GET", fmt.Sprintf("http://127.0.0.1/api/run?draws=%d&seed=%d", draws, seed), nil))
				if w.Code != 200 {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}

// BenchmarkRunStages times the stages of one run separately.
func BenchmarkRunStages(b *testing.B) {
	sc, err := scenarios.Load(scenarios.DefaultScenario, nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.Run("load", func(b *testing.B) {
		for b.Loop() {
			if _, err := scenarios.Load(scenarios.DefaultScenario, []string{"events.belarus-discount.pct=30"}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("simulate", func(b *testing.B) {
		for b.Loop() {
			if _, err := model.SimulatePair(ctx, sc.Spec, sc.Counterfactual); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("montecarlo50", func(b *testing.B) {
		for b.Loop() {
			if _, err := model.MonteCarlo(ctx, sc.Spec, sc.Counterfactual, sc.Uncertain, model.MCOptions{Draws: 50, Seed: 1}); err != nil {
				b.Fatal(err)
			}
		}
	})
	pair, err := model.SimulatePair(ctx, sc.Spec, sc.Counterfactual)
	if err != nil {
		b.Fatal(err)
	}
	mc, err := model.MonteCarlo(ctx, sc.Spec, sc.Counterfactual, sc.Uncertain, model.MCOptions{Draws: 50, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("charts-main-png", func(b *testing.B) {
		for b.Loop() {
			charts, err := plots.RunCharts(pair, mc, run.ChartMeta(sc, 1, 50), chartOptions)
			if err != nil {
				b.Fatal(err)
			}
			for _, ch := range charts {
				if ch.Main {
					if err := ch.Render(io.Discard, "png", chartOptions); err != nil {
						b.Fatal(err)
					}
				}
			}
		}
	})
}
