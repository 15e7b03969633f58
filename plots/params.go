package plots

import (
	"math"
	"strconv"
	"strings"

	"github.com/potash-sim/potash/model"
)

// fieldNames are the readable names of the scenario format's numeric
// fields (market paths and event fields; docs/SCENARIOS.md).
var fieldNames = map[string]string{
	"demand_elasticity":           "Demand elasticity",
	"substitution_elasticity":     "Substitution elasticity",
	"armington_sigma":             "Substitution elasticity",
	"demand_adjustment_per_month": "Demand adjustment speed",
	"demand_growth_pct_per_year":  "Demand growth",
	"fob_usd_per_t":               "FOB price",
	"capacity_mt":                 "Capacity",
	"supply_elasticity":           "Supply elasticity",
	"supply_adjustment_per_month": "Supply adjustment speed",
	"domestic_mt":                 "Domestic sales",
	"cost_usd_per_t":              "Cost",
	"flow_mt":                     "Base flow",
	"freight_usd_per_t":           "Freight",
	"wedge_pct":                   "Trade wedge",
	// the stock-cycle fields of a region (docs/MODEL.md §10)
	"stock_to_use_months":               "Stock-to-use ratio",
	"stock_adjustment_per_month":        "Stock adjustment speed",
	"stock_response":                    "Stock response",
	"carrying_cost_pct_per_month":       "Carrying cost",
	"price_expectation_speed_per_month": "Price expectation speed",
	// event fields
	"pct":              "size, %",
	"mt":               "cap, Mt/yr",
	"from_capacity_mt": "capacity before, Mt/yr",
	"add_mt":           "added capacity, Mt/yr",
	"usd_per_t":        "cost change, $/t",
	"start":            "start month",
	"end":              "end month",
	"ramp_months":      "ramp, months",
	"ramp_out_months":  "ramp-out, months",
}

// driverNames are the readable names of the demand drivers' fields
// (market.drivers.NAME.FIELD).
var driverNames = map[string]string{
	"crop_prices.elasticity":     "Crop-price elasticity of demand",
	"crop_prices.lag_months":     "Crop-price lag",
	"crop_prices.projection_pct": "Crop-price projection",
}

// ParamLabel returns a short readable label for a parameter path of the
// scenario format (the paths of --set, sweeps, uncertainty and the
// tornado): "market.regions.Brazil.demand_elasticity" → "Demand
// elasticity, Brazil"; "market.regions.*.substitution_elasticity" →
// "Substitution elasticity, all regions";
// "market.suppliers.Belarus.corridors.Klaipeda.capacity_mt" → "Corridor
// capacity, Belarus via Klaipėda" when events maps "Belarus/Klaipeda" to
// the corridor's label (CorridorLabels; "via Klaipeda" otherwise);
// "market.routes.Russia.Europe.freight_usd_per_t"
// → "Freight, Russia → Europe"; "events.us-ban.end" → "US sanctions: end
// month" when events maps the event id "us-ban" to its label "US
// sanctions" ("US ban: end month" from the id otherwise);
// "scenario.events.us-ban.end" → "US sanctions (scenario only): end
// month". A path of another form is returned as it is.
func ParamLabel(path string, events map[string]string) string {
	only := ""
	if rest, ok := strings.CutPrefix(path, "scenario.events."); ok {
		path, only = "events."+rest, " (scenario only)"
	}
	parts := strings.Split(path, ".")
	field := func(f string) string {
		if n, ok := fieldNames[f]; ok {
			return n
		}
		s := strings.ReplaceAll(f, "_", " ")
		return strings.ToUpper(s[:1]) + s[1:]
	}
	name := func(n, all string) string {
		if n == "*" {
			return all
		}
		return n
	}
	switch {
	case len(parts) == 4 && parts[0] == "market" && parts[1] == "drivers":
		if n, ok := driverNames[parts[2]+"."+parts[3]]; ok {
			return n
		}
		return field(parts[3]) + ", " + idWords(parts[2]) + " driver"
	case len(parts) == 4 && parts[0] == "market" && parts[1] == "regions":
		return field(parts[3]) + ", " + name(parts[2], "all regions")
	case len(parts) == 4 && parts[0] == "market" && parts[1] == "suppliers":
		return field(parts[3]) + ", " + name(parts[2], "all suppliers")
	case len(parts) == 6 && parts[0] == "market" && parts[1] == "suppliers" && parts[3] == "corridors":
		f := field(parts[5])
		if parts[5] == "capacity_mt" || parts[5] == "cost_usd_per_t" {
			f = "Corridor " + strings.ToLower(f[:1]) + f[1:]
		}
		via := name(parts[4], "every corridor")
		if l := events[parts[2]+"/"+parts[4]]; l != "" {
			via = l
		}
		return f + ", " + name(parts[2], "all suppliers") + " via " + via
	case len(parts) == 5 && parts[0] == "market" && parts[1] == "routes":
		return field(parts[4]) + ", " + name(parts[2], "all suppliers") + " → " + name(parts[3], "all regions")
	case len(parts) == 3 && parts[0] == "events" && parts[2] != "":
		ev := events[parts[1]]
		if ev == "" {
			ev = idWords(parts[1])
		}
		f := field(parts[2])
		if _, ok := fieldNames[parts[2]]; !ok {
			f = strings.ToLower(f[:1]) + f[1:]
		}
		return ev + only + ": " + f
	}
	return path
}

// CorridorLabels maps each corridor of m whose label differs from its
// name, as SUPPLIER/NAME ("Belarus/Klaipeda", a key no event id can be),
// to its label ("Klaipėda"): Meta.EventLabels holds them too, so that
// ParamLabel says a corridor as the charts do.
func CorridorLabels(m *model.Market) map[string]string {
	out := map[string]string{}
	if m == nil {
		return out
	}
	for _, s := range m.Suppliers {
		for _, c := range s.Corridors {
			if c.Label != "" && c.Label != c.Name {
				out[s.Name+"/"+c.Name] = c.Label
			}
		}
	}
	return out
}

// idWords makes an event id readable when the event has no label:
// "belarus-discount" → "Belarus discount", "us-ban" → "US ban".
func idWords(id string) string {
	words := strings.FieldsFunc(id, func(r rune) bool { return r == '-' || r == '_' })
	for i, w := range words {
		switch w {
		case "us", "eu", "uk", "un", "bpc", "fob", "cfr":
			words[i] = strings.ToUpper(w)
		}
	}
	if len(words) == 0 {
		return id
	}
	s := strings.Join(words, " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// EventLabels maps each event's id to its label (events without a label
// are left out), for ParamLabel and Meta.EventLabels.
func EventLabels(events []model.Event) map[string]string {
	out := map[string]string{}
	for _, e := range events {
		if e.ID != "" && e.Label != "" {
			out[e.ID] = e.Label
		}
	}
	return out
}

// sig3 formats v to 3 significant digits, with thousands separators and a
// typographic minus, never in exponent notation between 10⁻³ and 10⁶:
// 0.0123 → "0.0123", 23.25 → "23.3", 2025.5 → "2,030", 0.1 → "0.1".
// Others use "×10^": 1.2e-05 → "1.2×10^−5".
func sig3(v float64) string {
	a := math.Abs(v)
	switch {
	case v == 0:
		return "0"
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "n/a"
	case a >= 1e6 || a < 1e-3:
		s := strconv.FormatFloat(v, 'e', 2, 64)
		mant, exp, _ := strings.Cut(s, "e")
		mant = strings.TrimSuffix(strings.TrimRight(mant, "0"), ".")
		e, _ := strconv.Atoi(exp)
		es := strconv.Itoa(e)
		if e < 0 {
			es = minus + strconv.Itoa(-e)
		}
		return strings.Replace(mant, "-", minus, 1) + "×10^" + es
	}
	mag := int(math.Floor(math.Log10(a)))
	dec := max(0, 2-mag)
	r := math.Round(v*math.Pow10(2-mag)) / math.Pow10(2-mag)
	s := formatNumber(r, dec)
	if dec > 0 {
		s = strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
	}
	return s
}
