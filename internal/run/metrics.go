package run

import (
	"fmt"
	"slices"
	"strings"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/scenarios"
)

// CheckMetrics returns an ErrInput error when one of names is not a
// metric of market m (model.MetricList): it suggests the likely one and
// lists the metrics grouped, one line per group.
func CheckMetrics(m *model.Market, names []string) error {
	var list []string
	for _, mt := range model.MetricList(m) {
		list = append(list, mt.Name)
	}
	for _, n := range names {
		if slices.Contains(list, n) {
			continue
		}
		msg := fmt.Sprintf("unknown metric %q", n)
		if kind, example := metricFamily(n, list); kind != "" {
			// "revenue_change": a family, not a metric ("did you mean
			// revenue_change.Laos?" named an arbitrary member).
			msg = fmt.Sprintf("metric %q needs a %s: %s.%s, e.g. %s", n, kind, n, strings.ToUpper(kind), example)
		} else if s := scenarios.Suggest(n, list); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		} else if like := metricsLike(n, list); len(like) > 0 {
			msg += "; metrics with " + fmt.Sprintf("%q", n) + " in their name: " + strings.Join(like, ", ")
		}
		return inputErr("%s\n%s", msg, MetricGroups(list))
	}
	return nil
}

// metricFamily returns, when n is the prefix of a family of per-supplier
// or per-region metrics (n.ENTITY), the family's kind ("supplier") and a
// member to show: of Belarus, the default metric's supplier, when it has
// one, else its first.
func metricFamily(n string, list []string) (kind, example string) {
	for _, g := range groupMetrics(list) {
		if g.kind == "" || !slices.Contains(g.prefixes, n) || len(g.entities) == 0 {
			continue
		}
		e := g.entities[0]
		if slices.Contains(g.entities, "Belarus") {
			e = "Belarus"
		}
		return g.kind, n + "." + e
	}
	return "", ""
}

// metricsLike returns up to 6 metric names or per-entity families
// ("price_change.REGION") that contain s.
func metricsLike(s string, list []string) []string {
	s = strings.ToLower(s)
	var out []string
	for _, g := range groupMetrics(list) {
		for _, p := range g.prefixes {
			name := p
			if g.kind != "" {
				name = p + "." + strings.ToUpper(g.kind)
			}
			if strings.Contains(strings.ToLower(p), s) && !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	if len(out) > 6 {
		out = append(out[:6], "…")
	}
	return out
}

// metricGroup is metrics sharing a set of entities: prefix.ENTITY for
// every prefix and entity (kind "" for metrics without an entity).
type metricGroup struct {
	kind     string // "supplier", "region", or "" (world), guessed from the entities
	prefixes []string
	entities []string
}

// groupMetrics groups metric names "prefix.entity" by their entity sets,
// in first-seen order.
func groupMetrics(list []string) []metricGroup {
	var world []string
	ents := map[string][]string{}
	var order []string
	for _, n := range list {
		p, e, ok := strings.Cut(n, ".")
		if !ok {
			world = append(world, n)
			continue
		}
		if _, seen := ents[p]; !seen {
			order = append(order, p)
		}
		ents[p] = append(ents[p], e)
	}
	groups := []metricGroup{{prefixes: world}}
	for _, p := range order {
		key := strings.Join(ents[p], "\x00")
		found := false
		for k := range groups[1:] {
			g := &groups[k+1]
			if strings.Join(g.entities, "\x00") == key {
				g.prefixes = append(g.prefixes, p)
				found = true
				break
			}
		}
		if !found {
			groups = append(groups, metricGroup{prefixes: []string{p}, entities: ents[p]})
		}
	}
	// A family is per region when one of its metrics is a buyers' quantity
	// (prices paid, tonnes bought, surplus, tariffs), else per supplier
	// when one is a seller's.
	regional := []string{"price_change", "tonnes", "import", "consumer", "tariff", "trq", "risk", "concession_received", "demand"}
	seller := []string{"revenue", "exports", "fob", "netback", "producer", "export_tax", "concession_paid", "market_share"}
	has := func(prefixes, words []string) bool {
		for _, p := range prefixes {
			for _, w := range words {
				if strings.HasPrefix(p, w) {
					return true
				}
			}
		}
		return false
	}
	for k := range groups[1:] {
		g := &groups[k+1]
		switch {
		case has(g.prefixes, regional):
			g.kind = "region"
		case has(g.prefixes, seller):
			g.kind = "supplier"
		default:
			g.kind = "entity"
		}
	}
	return groups
}

// MetricGroups lists metric names compactly: the world metrics, then each
// family of per-supplier and per-region metrics with its entities,
// wrapped at metricsWidth columns.
func MetricGroups(list []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "The %d metrics:", len(list))
	for _, g := range groupMetrics(list) {
		if len(g.prefixes) == 0 {
			continue
		}
		if g.kind == "" {
			b.WriteString("\n  " + report.Wrap(strings.Join(g.prefixes, ", "), ", ", metricsWidth, 2, "    "))
			continue
		}
		kind := strings.ToUpper(g.kind)
		var names []string
		for _, p := range g.prefixes {
			names = append(names, p+"."+kind)
		}
		b.WriteString("\n  " + report.Wrap(strings.Join(names, ", "), ", ", metricsWidth, 2, "    "))
		where := "    where " + kind + " is "
		b.WriteString("\n" + where + report.Wrap(strings.Join(g.entities, ", "), ", ", metricsWidth, len(where), "      "))
	}
	return b.String()
}

// metricsWidth is the width MetricGroups wraps its lines at, characters.
const metricsWidth = 100
