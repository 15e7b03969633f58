package serve_test

import (
	"fmt"
	"net/http/httptest"

	"github.com/potash-sim/potash/internal/serve"
)

// A Server is an http.Handler: every input is checked before any work, and
// a value out of its documented range gets a 400 with a message for the
// page.
func ExampleServer() {
	s := serve.New(serve.Config{})
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("GET", "http://localhost/api/run?scenario=us-relief-2025&belarus_discount=75", nil))
	fmt.Println(w.Code)
	fmt.Print(w.Body.String())
	// Output:
	// 400
	// {"error":"belarus_discount: 75% is outside the allowed range 0–60%","status":400,"field":"belarus_discount"}
}

// Controls maps each control of the page to a scenario --set path.
func ExampleControls() {
	for _, c := range serve.Controls {
		fmt.Printf("%-24s %-8s %s\n", c.ID, c.Kind, c.Path)
	}
	// Output:
	// demand_elasticity        number   market.regions.*.demand_elasticity
	// substitution_elasticity  number   market.regions.*.substitution_elasticity
	// belarus_discount         number   events.belarus-discount.pct
	// relief                   optmonth events.us-ban.end
	// klaipeda                 optmonth events.klaipeda-closed.end
	// russian_ports            number   events.russian-ports.capacity_mt
	// jansen_start             month    events.jansen.start
}
