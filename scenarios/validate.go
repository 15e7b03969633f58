package scenarios

import (
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/potash-sim/potash/model"
)

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)

// applySet applies one --set PATH=VALUE to the merged scenario and the
// counterfactual's events; it reports problems and returns whether it
// applied.
func (l *loader) applySet(m *merged, cf *[]evRef, mf *MarketFile, s string) bool {
	path, val, ok := strings.Cut(s, "=")
	path, val = strings.TrimSpace(path), strings.TrimSpace(val)
	if !ok || path == "" {
		l.setDiag(s, s, "expected PATH=VALUE, e.g. events.us-ban.end=2026-06")
		return false
	}
	parts := strings.Split(path, ".")
	cfToo := true
	if parts[0] == ScenarioOnly {
		// scenario.events.ID.FIELD: the scenario's event only, never the
		// counterfactual's. The market and the horizon are one for both
		// runs (a scenario file has no other), so only events paths can
		// be set in the scenario alone.
		switch {
		case len(parts) < 2:
			l.setDiag(s, path, "expected scenario.events.ID.FIELD, e.g. scenario.events.klaipeda-closed.end=2026-07")
			return false
		case parts[1] != "events":
			l.setDiag(s, path, "only events.ID.FIELD can be set in the scenario alone (scenario.events.ID.FIELD); %s is common to the scenario and its counterfactual: set it without 'scenario.'", quote(strings.Join(parts[1:], ".")))
			return false
		}
		parts, cfToo = parts[1:], false
	}
	switch root, _, _ := strings.Cut(parts[0], "["); root {
	case "correlations", "uncertainty":
		l.setDiag(s, path, "%s cannot be set on the command line: --set takes one number or month of a parameter; edit the scenario's %s: section (docs/SCENARIOS.md)", root, root)
		return false
	}
	switch parts[0] {
	case "market":
		v, err := parseNumber(val)
		if err != nil {
			l.setDiag(s, path, "expected a number, got '%s'", val)
			return false
		}
		if len(parts) < 2 {
			l.setDiag(s, path, "expected market.regions.NAME.FIELD, market.suppliers.NAME.FIELD, market.suppliers.NAME.corridors.CORRIDOR.FIELD or market.routes.FROM.TO.FIELD")
			return false
		}
		m.overrides = append(m.overrides, ovRef{path: strings.Join(parts[1:], "."), value: v, key: s})
		return true
	case "horizon":
		keys := []string{"start", "end", "report_from"}
		if len(parts) != 2 || slices.Index(keys, parts[1]) < 0 {
			last := parts[len(parts)-1]
			l.setDiag(s, path, "unknown horizon field '%s'%s", last, didYouMean(last, keys))
			return false
		}
		f := hzField{value: val, set: s}
		switch parts[1] {
		case "start":
			m.start = f
		case "end":
			m.end = f
		default:
			m.reportFrom = f
		}
		return true
	case "events":
		if len(parts) != 3 {
			prefix := ""
			if !cfToo {
				prefix = ScenarioOnly + "."
			}
			l.setDiag(s, path, "%s", eventPathHint(prefix, parts, "events.us-ban.end"))
			return false
		}
		id, field := parts[1], parts[2]
		var idx []int
		if id == "*" {
			for k := range m.events {
				if _, ok := findEventField(eventKind(&m.events[k].ev), field); ok {
					idx = append(idx, k)
				}
			}
			if len(idx) == 0 {
				l.setDiag(s, path, "no event has a field '%s'", field)
				return false
			}
		} else {
			k := indexEvent(m.events, id)
			if k < 0 {
				l.setDiag(s, path, "unknown event '%s'%s", id, didYouMean(id, eventIDs(m.events)))
				return false
			}
			idx = []int{k}
		}
		applied := false
		for _, k := range idx {
			ref := &m.events[k]
			before := ref.ev
			ne := before.clone()
			if err := ne.setField(field, val); err != nil {
				l.setDiag(s, path, "%v", err)
				continue
			}
			applied = true
			if c := indexEvent(*cf, ref.ev.ID); cfToo && c >= 0 && sameEvent(mf, (*cf)[c].ev, before) {
				ce := (*cf)[c].ev.clone()
				_ = ce.setField(field, val)
				(*cf)[c] = withSet((*cf)[c], ce, field, s)
			}
			*ref = withSet(*ref, ne, field, s)
		}
		return applied
	}
	l.setDiag(s, path, "unknown path root '%s'%s", parts[0], didYouMean(parts[0], []string{"market", "horizon", "events", ScenarioOnly}))
	return false
}

// eventPathHint is the message for an events path of parts that is not
// events.ID.FIELD. A path one level too deep, as the file nests an
// instrument's fields (events.us-ban.ban.supplier), is told that they are
// the event's own (events.us-ban.supplier, after prefix, "" or
// "scenario."); another gets example.
func eventPathHint(prefix string, parts []string, example string) string {
	if len(parts) > 3 && parts[1] != "" && parts[len(parts)-1] != "" {
		return fmt.Sprintf("expected events.ID.FIELD: an instrument's fields are the event's own, as in %sevents.%s.%s", prefix, parts[1], parts[len(parts)-1])
	}
	return "expected events.ID.FIELD, e.g. " + example
}

// dropFixed drops the uncertainty entries that draw a parameter one of
// sets fixes (one of their concrete paths is one of the set's): a what-if
// that sets a value means that value, in the central run and in every
// draw, rather than a draw that replaces it. Each entry dropped is a
// warning naming the --set.
func (l *loader) dropFixed(unc []uncChecked, sets []string, mf *MarketFile, evs []evRef) []uncChecked {
	if len(sets) == 0 || len(unc) == 0 || mf == nil {
		return unc
	}
	fixed := map[string]string{} // concrete path → the --set that fixes it
	for _, s := range sets {
		path, _, _ := strings.Cut(s, "=")
		path = strings.TrimPrefix(strings.TrimSpace(path), ScenarioOnly+".")
		pi, err := lookupPath(path, mf, evs)
		if err != nil {
			continue
		}
		for _, p := range pi.paths {
			fixed[p] = s
		}
	}
	// A supplier's conduct in either form fixes both (replaceConduct).
	for p, s := range fixed {
		for k, other := range conductForms {
			if base, ok := strings.CutSuffix(p, "."+k); ok && strings.HasPrefix(p, "market.suppliers.") && fixed[base+"."+other] == "" {
				fixed[base+"."+other] = s
			}
		}
	}
	var out []uncChecked
	for _, u := range unc {
		k := slices.IndexFunc(u.paths, func(p string) bool { return fixed[p] != "" })
		if k < 0 {
			out = append(out, u)
			continue
		}
		set := fixed[u.paths[k]]
		path, _, _ := strings.Cut(set, "=")
		path = strings.TrimSpace(path)
		// Every parameter of the entry this set fixes (a wildcard set
		// fixes several).
		var hit []string
		for _, p := range u.paths {
			if fixed[p] == set {
				hit = append(hit, p)
			}
		}
		// The diagnostic's Field is the path as written: the message
		// names the parameters drawn and the uncertainty's param only
		// where they differ from it.
		what := "the uncertainty section draws it"
		switch {
		case len(hit) == 1 && hit[0] == path:
		case len(hit) == len(u.paths) && u.ref.u.Param == path:
			what += " (" + namePaths(hit) + ")"
		case len(hit) == 1:
			what = "fixes " + quote(hit[0]) + ", which the uncertainty section draws"
		default:
			what = "fixes " + namePaths(hit) + ", which the uncertainty section draws"
		}
		if u.ref.u.Param != path {
			what += " (param " + quote(u.ref.u.Param) + ")"
		}
		l.diags = append(l.diags, Diagnostic{Severity: SeverityWarning, File: "--set", Field: path,
			Msg: what + ": the Monte Carlo draws no longer vary it"})
	}
	return out
}

// namePaths names several concrete paths: "N regions: a, b, c" when
// they differ only in the name of a region or supplier
// (market.regions.NAME.FIELD, market.suppliers.NAME.FIELD), else each
// path quoted.
func namePaths(ps []string) string {
	first := strings.Split(ps[0], ".")
	names := []string{first[len(first)-2]}
	same := len(first) == 4 && first[0] == "market" && (first[1] == "regions" || first[1] == "suppliers")
	for _, p := range ps[1:] {
		f := strings.Split(p, ".")
		if !same || len(f) != 4 || f[1] != first[1] || f[3] != first[3] {
			same = false
			break
		}
		names = append(names, f[2])
	}
	if same {
		return fmt.Sprintf("%d %s: %s", len(ps), first[1], strings.Join(names, ", "))
	}
	q := make([]string, len(ps))
	for i, p := range ps {
		q[i] = quote(p)
	}
	return fmt.Sprintf("%d parameters: %s", len(ps), strings.Join(q, ", "))
}

// ScenarioOnly is the root that limits a --set to the scenario:
// "scenario.events.ID.FIELD=VALUE" changes event ID in the scenario and
// never in its counterfactual, where "events.ID.FIELD=VALUE" changes the
// counterfactual's too when it holds the same inherited event.
const ScenarioOnly = "scenario"

func withSet(r evRef, e EventFile, field, s string) evRef {
	sets := map[string]string{}
	for k, v := range r.sets {
		sets[k] = v
	}
	sets[field] = s
	r.ev, r.sets = e, sets
	return r
}

// applyOverrides applies market overrides in order to mf.
func (l *loader) applyOverrides(mf *MarketFile, ovs []ovRef) {
	for _, o := range ovs {
		ts, err := expandMarketPath(mf, o.path)
		fp := "market.overrides." + o.key
		if err != nil {
			if o.doc == nil {
				l.setDiag(o.key, "market."+o.path, "%v", err)
			} else {
				l.errAt(o.doc, "key:"+fp, "%v", err)
			}
			continue
		}
		if f := ts[0].field; !f.valid.ok(o.value) {
			// Every target of a path has the same field: one message,
			// naming the path as written. The diagnostic's Field names
			// it (the --set path, or the override's key): the message
			// does not say it again.
			p := ts[0].path
			if len(ts) > 1 {
				p = "market." + o.path
			}
			msg := outOfRange(f.key, o.value, f.valid)
			if o.doc == nil {
				l.setDiag(o.key, p, "%s", msg)
			} else {
				l.errAt(o.doc, fp, "%s", msg)
			}
			continue
		}
		for _, t := range ts {
			src := "override in " + docName(o.doc)
			if o.doc == nil {
				src = "--set " + o.key
			}
			if r := t.fileNumPtr.Range; r != nil && (o.value < r[0] || o.value > r[1]) {
				msg := fmt.Sprintf("%g is outside the dataset's documented range [%g, %g]", o.value, r[0], r[1])
				if o.doc == nil {
					l.diags = append(l.diags, Diagnostic{Severity: SeverityWarning, File: "--set", Field: t.path, Msg: msg})
				} else {
					// Field is the override's key, which may be a
					// wildcard: the message names the target.
					l.warnAt(o.doc, fp, "%s = %s", t.path, msg)
				}
			}
			*t.fileNumPtr = Num{Value: o.value, Source: src, Range: t.fileNumPtr.Range}
			l.replaceConduct(mf, t, o)
			if l.overriddenBy == nil {
				l.overriddenBy, l.overrideSeq = map[string]ovRef{}, map[string]int{}
			}
			l.overriddenBy[t.path] = o
			l.overrideSeq[t.path] = len(l.overrideSeq) + 1
		}
	}
}

// checkCalibrates reports a market that the model cannot calibrate to
// its base year (a capacity below base sales, a netback of zero or less)
// as an error of the scenario, so that validate rejects what run would
// (issue 16 item 6). The error is located at the first override, in the
// order they apply, after which the market no longer calibrates, else at
// the market.
func (l *loader) checkCalibrates(mkt *model.Market, m *merged) {
	_, err := model.Calibrate(mkt)
	if err == nil {
		return
	}
	for k, o := range m.overrides {
		probe := newLoader()
		mf := probe.marketFile(m)
		if mf == nil {
			break
		}
		probe.applyOverrides(mf, m.overrides[:k+1])
		pm, perr := mf.Market()
		if perr != nil {
			continue
		}
		if _, cerr := model.Calibrate(pm); cerr != nil {
			if o.doc == nil {
				l.setDiag(o.key, "market."+o.path, "the model cannot calibrate the market with this value: %v", cerr)
			} else {
				l.errAt(o.doc, "market.overrides."+o.key, "the model cannot calibrate the market with this override: %v", cerr)
			}
			return
		}
	}
	l.errAt(m.marketDoc(), m.marketField(), "market: the model cannot calibrate it: %v", err)
}

// docName names the document of an override in the resolved market: a
// built-in by its name, a file by its base name, so that the resolved
// scenario and its hash do not depend on the path the file was given by
// or the working folder, and name no folder of the user's machine
// (issue 16 item 5).
func docName(d *doc) string {
	if d == nil {
		return "--set"
	}
	if d.src.builtin || d.src.file == "<input>" {
		return d.src.file
	}
	return filepath.Base(d.src.file)
}

// validateMarket checks names and parameter ranges of the market after
// overrides. Problems in an inline market point into its file; problems in
// an embedded dataset are reported at market.base.
func (l *loader) validateMarket(mf *MarketFile, m *merged) {
	d := m.marketDoc()
	inline := m.marketInline != nil
	if inline {
		l.inlineDoc = d
	}
	at := func(fp string) string {
		if inline {
			return "market.inline." + fp
		}
		return "market.base"
	}
	written := func(fp string) bool {
		if !inline || d == nil {
			return true
		}
		_, ok := d.pos[at(fp)]
		return ok
	}
	if len(mf.Suppliers) == 0 && written("suppliers") {
		l.errAt(d, at("suppliers"), "the market has no suppliers")
	}
	if len(mf.Regions) == 0 && written("regions") {
		l.errAt(d, at("regions"), "the market has no regions")
	}
	sn, rn := map[string]bool{}, map[string]bool{}
	for i, s := range mf.Suppliers {
		fp := fmt.Sprintf("suppliers[%d]", i)
		if s.Name == "" {
			l.errAt(d, at(fp+".name"), "supplier without a name")
		} else if sn[s.Name] {
			l.errAt(d, at(fp+".name"), "duplicate supplier '%s'", s.Name)
		}
		sn[s.Name] = true
		l.checkNums(d, at, fp, supplierFields, func(f mfield) *Num { return f.num(mf, i, 0) }, "supplier "+s.Name)
		if s.Conduct.Value != 0 && s.ConductGapShare.Value != 0 {
			l.conductBoth(s, d, at(fp+".conduct_gap_share"))
		}
		cn := map[string]bool{}
		for k, c := range s.Corridors {
			cfp := fmt.Sprintf("%s.corridors[%d]", fp, k)
			if cn[c.Name] {
				l.errAt(d, at(cfp+".name"), "duplicate corridor '%s' of %s", c.Name, s.Name)
			}
			cn[c.Name] = true
			l.checkNums(d, at, cfp, corridorFields, func(f mfield) *Num { return f.num(mf, i, k) }, "corridor "+s.Name+"/"+c.Name)
		}
	}
	for r, g := range mf.Regions {
		fp := fmt.Sprintf("regions[%d]", r)
		if g.Name == "" {
			l.errAt(d, at(fp+".name"), "region without a name")
		} else if rn[g.Name] {
			l.errAt(d, at(fp+".name"), "duplicate region '%s'", g.Name)
		}
		rn[g.Name] = true
		l.checkNums(d, at, fp, regionFields, func(f mfield) *Num { return f.num(mf, r, 0) }, "region "+g.Name)
	}
	for i, s := range mf.Suppliers {
		if s.Home != "" && !rn[s.Home] {
			l.errAt(d, at(fmt.Sprintf("suppliers[%d].home", i)), "unknown region '%s'%s", s.Home, didYouMean(s.Home, regionNamesOf(mf)))
		}
	}
	l.validateRoutes(mf, d, at, rn)
	if mf.Benchmark != "" && !rn[mf.Benchmark] {
		l.errAt(d, at("benchmark"), "unknown region '%s'%s", mf.Benchmark, didYouMean(mf.Benchmark, regionNamesOf(mf)))
	}
	seen := map[string]int{}
	for k, rt := range mf.Routes {
		fp := fmt.Sprintf("routes[%d]", k)
		if !sn[rt.From] {
			l.errAt(d, at(fp+".from"), "unknown supplier '%s'%s", rt.From, didYouMean(rt.From, supplierNamesOf(mf)))
		}
		if !rn[rt.To] {
			l.errAt(d, at(fp+".to"), "unknown region '%s'%s", rt.To, didYouMean(rt.To, regionNamesOf(mf)))
		}
		key := rt.From + "→" + rt.To
		if j, dup := seen[key]; dup {
			l.errAt(d, at(fp), "duplicate route %s (also routes[%d])", key, j)
		}
		seen[key] = k
		l.checkNums(d, at, fp, routeFields, func(f mfield) *Num { return f.num(mf, k, 0) }, "route "+key)
	}
	l.validateCoalitions(mf, d, at, sn)
	n := len(l.diags.Errors())
	l.validateDrivers(mf, d, at)
	if len(l.diags.Errors()) == n { // a region breaking the crop rule is reported once
		l.validateStockCycle(mf, d, at)
	}
}

// conductForms are the two forms of a supplier's conduct: the conduct
// itself and the share of the base gap it takes (docs/MODEL.md, section
// 4.2), each the other's sibling.
var conductForms = map[string]string{"conduct": "conduct_gap_share", "conduct_gap_share": "conduct"}

// replaceConduct makes override o of one form of a supplier's conduct
// (target t) replace the other form stated before by another document
// (a parent, the dataset, a file under a --set): the later statement of
// a supplier's conduct is the one in force. Both forms stated by one
// document (one overrides section, or --sets) stay, for conductBoth to
// report.
func (l *loader) replaceConduct(mf *MarketFile, t mtarget, o ovRef) {
	other, ok := conductForms[t.field.key]
	if t.kind != "suppliers" || !ok {
		return
	}
	f := supplierFields[slices.IndexFunc(supplierFields, func(f mfield) bool { return f.key == other })]
	n := f.num(mf, t.fileA, 0)
	if n.Value == 0 {
		return
	}
	if prev, ok := l.overriddenBy["market.suppliers."+t.nameA+"."+other]; ok && prev.doc == o.doc {
		return
	}
	*n = Num{Range: n.Range}
}

// conductBoth reports supplier s, which states both a conduct and the
// share of the base gap it takes (docs/MODEL.md, section 4.2): at the
// override (a file's or a --set) of the two applied last, else at field
// of document d (an inline market's conduct_gap_share).
func (l *loader) conductBoth(s SupplierFile, d *doc, field string) {
	msg := fmt.Sprintf("supplier %s states conduct %g and conduct_gap_share %g: state the conduct or the share of the base gap it takes, not both",
		s.Name, s.Conduct.Value, s.ConductGapShare.Value)
	var o ovRef
	ok, seq := false, 0
	for _, k := range []string{"conduct", "conduct_gap_share"} {
		p := "market.suppliers." + s.Name + "." + k
		if n := l.overrideSeq[p]; n > seq {
			o, ok, seq = l.overriddenBy[p], true, n
		}
	}
	l.diags = append(l.diags, jointRuleDiag("", SeverityError, o, ok, d, field, msg))
}

// validateCoalitions checks the market's coalitions as MarketFile.Market
// does (a name, a weight in [0, 1], at least two members, each a known
// supplier in at most one coalition), each problem at its own field: in
// an inline market its line, not market.inline's.
func (l *loader) validateCoalitions(mf *MarketFile, d *doc, at func(string) string, sn map[string]bool) {
	member := map[string]string{}
	for g, c := range mf.Coalitions {
		fp := fmt.Sprintf("coalitions[%d]", g)
		if c.Name == "" {
			l.errAt(d, at(fp+".name"), "coalition without a name")
		}
		l.checkNums(d, at, fp, coalitionFields, func(f mfield) *Num { return f.num(mf, g, 0) }, "coalition "+c.Name)
		if len(c.Members) < 2 {
			l.errAt(d, at(fp+".members"), "coalition %s has %d member(s): a coalition needs at least two (a lone seller is a Cournot player: set its conduct)", c.Name, len(c.Members))
		}
		for j, name := range c.Members {
			mp := fmt.Sprintf("%s.members[%d]", fp, j)
			if !sn[name] {
				l.errAt(d, at(mp), "unknown supplier '%s'%s", name, didYouMean(name, supplierNamesOf(mf)))
			} else if other, dup := member[name]; dup {
				l.errAt(d, at(mp), "%s is a member of coalition %s already (a supplier belongs to at most one)", name, other)
			}
			member[name] = c.Name
		}
	}
}

// stockKeys are the optional region fields of stocks: 0 (or absent) means
// the region holds no stocks (docs/MODEL.md, section 10).
var stockKeys = map[string]bool{"stock_to_use_months": true, "stock_adjustment_per_month": true, "stock_response": true,
	"carrying_cost_pct_per_month": true, "price_expectation_speed_per_month": true}

// checkNums checks every field of one market entity against the model's
// valid range (an error) and the dataset's documented range (a warning).
func (l *loader) checkNums(d *doc, at func(string) string, fp string, fs []mfield, num func(mfield) *Num, what string) {
	for _, f := range fs {
		if p := at(fp + "." + f.key); p != "market.base" && d != nil {
			if _, written := d.pos[p]; !written {
				continue // missing key: reported by the decoder
			}
		}
		n := num(f)
		v := n.Value
		if math.IsNaN(v) || math.IsInf(v, 0) {
			l.errAt(d, at(fp+"."+f.key), "%s %s is not a finite number", what, f.key)
			continue
		}
		if v == 0 && (f.key == "wedge_pct" || stockKeys[f.key]) {
			continue // 0: none (no base wedge, no stocks)
		}
		if !f.valid.ok(v) {
			l.errAt(d, at(fp+"."+f.key), "%s %s", what, outOfRange(f.key, v, f.valid))
			continue
		}
		if d != nil && d == l.inlineDoc && n.Range != nil && (v < n.Range[0] || v > n.Range[1]) && !strings.HasPrefix(n.Source, "override in ") && !strings.HasPrefix(n.Source, "--set ") {
			l.warnAt(d, at(fp+"."+f.key), "%s %s = %g is outside the dataset's documented range [%g, %g]", what, f.key, v, n.Range[0], n.Range[1])
		}
	}
}

// maxHorizonYears is how far past its base year a path may run: every
// built-in converges to plausible prices through December of the base
// year + 30 (2050 for base-2020) and fails from the late 2050s, when the
// demand trend has outgrown the fixed capacities (TestValidRangesWork).
const maxHorizonYears = 30

// lastValidMonth is December of base year + maxHorizonYears.
func lastValidMonth(baseYear int) model.Month { return model.NewMonth(baseYear+maxHorizonYears, 12) }

// hz is the resolved horizon.
type hz struct {
	start, end, report model.Month
	ok                 bool
}

func (h hz) months() int { return int(h.end-h.start) + 1 }

// hzDiag reports a problem with a horizon field.
func (l *loader) hzDiag(sev Severity, f hzField, fp, format string, args ...any) {
	if f.set != "" {
		l.diags = append(l.diags, Diagnostic{Severity: sev, File: "--set", Field: fp, Msg: fmt.Sprintf(format, args...)})
		return
	}
	l.at(sev, f.doc, fp, format, args...)
}

// horizon parses and checks the horizon and step.
func (l *loader) horizon(m *merged, mf *MarketFile) hz {
	var h hz
	// A misspelt horizon key (the decoder reported it) is the one error
	// about what it left out: no "missing horizon.end", no checks of the
	// months against each other or the base year. The months and step
	// that are given are still checked: a second error is reported.
	ok := !m.hzMisspelt
	parse := func(f hzField, fp string) model.Month {
		t, err := model.ParseMonth(f.value)
		if err != nil {
			l.hzDiag(SeverityError, f, fp, "expected a month YYYY-MM (year 1900..2200, month 01..12), got '%s'", f.value)
			ok = false
		}
		return t
	}
	baseYear := 0
	if mf != nil {
		baseYear = mf.BaseYear
	}
	if m.start.value != "" {
		h.start = parse(m.start, "horizon.start")
	} else if baseYear > 0 {
		h.start = model.NewMonth(baseYear, 1)
	} else {
		ok = false
	}
	if m.end.value == "" {
		if !m.broken && !m.hzMisspelt {
			l.errAt(m.leaf, "horizon", "missing horizon.end: the last simulated month, YYYY-MM")
		}
		ok = false
	} else {
		h.end = parse(m.end, "horizon.end")
	}
	if m.reportFrom.value != "" {
		h.report = parse(m.reportFrom, "horizon.report_from")
	} else {
		h.report = h.start
	}
	if m.step.value != "" && m.step.value != "monthly" {
		l.hzDiag(SeverityError, m.step, "step", "unsupported step '%s': only 'monthly' is supported", m.step.value)
	}
	if !ok {
		return h
	}
	if h.end < h.start {
		l.hzDiag(SeverityError, m.end, "horizon.end", "horizon end %s is before its start %s", h.end, h.start)
		return h
	}
	if h.end-h.start >= 12*200 {
		l.hzDiag(SeverityError, m.end, "horizon.end", "horizon %s..%s is longer than 200 years", h.start, h.end)
		return h
	}
	if baseYear > 0 && h.end > lastValidMonth(baseYear) {
		l.hzDiag(SeverityError, m.end, "horizon.end", "horizon end %s is after %s: the model is valid up to %d years past its base year %d (beyond, demand trends outgrow fixed capacities and prices leave the plausible range)", h.end, lastValidMonth(baseYear), maxHorizonYears, baseYear)
		return h
	}
	if m.reportFrom.value != "" && (h.report < h.start || h.report > h.end) {
		l.hzDiag(SeverityError, m.reportFrom, "horizon.report_from", "report_from %s is outside the horizon %s..%s", h.report, h.start, h.end)
		return h
	}
	if baseYear > 0 {
		if h.start.Year() < baseYear {
			l.hzDiag(SeverityError, m.start, "horizon.start", "horizon start %s is before the market's base year %d: paths start from the base-year equilibrium", h.start, baseYear)
			return h
		}
		if h.start != model.NewMonth(baseYear, 1) {
			l.hzDiag(SeverityWarning, m.start, "horizon.start", "horizon starts %s, not in January of the base year %d: the path jumps from the base-year equilibrium to %s with no months in between", h.start, baseYear, h.start)
		}
	}
	h.ok = true
	return h
}

// evDiag reports a problem with field fp (relative to the event) of ref.
func (l *loader) evDiag(sev Severity, ref evRef, fp, format string, args ...any) {
	last := fp
	if i := strings.LastIndex(fp, "."); i >= 0 {
		last = fp[i+1:]
	}
	full := ref.path()
	if fp != "" {
		full += "." + fp
	}
	if _, ok := ref.sets[last]; ok {
		l.diags = append(l.diags, Diagnostic{Severity: sev, File: "--set", Field: "events." + ref.ev.ID + "." + last, Msg: fmt.Sprintf(format, args...)})
		return
	}
	l.at(sev, ref.doc, full, format, args...)
}

// checkedEvent is a valid event with its parsed months.
type checkedEvent struct {
	ref        evRef
	kind       string
	start, end model.Month // end 0: never
	x          *evCheck    // its instrument's fields
}

// validateEvents checks evs against the market and horizon; it returns the
// valid events (nil entries dropped).
func (l *loader) validateEvents(evs []evRef, mf *MarketFile, h hz) []checkedEvent {
	var out []checkedEvent
	for _, ref := range evs {
		if ce, ok := l.checkEvent(ref, mf, h); ok {
			out = append(out, ce)
		}
	}
	l.checkOverlaps(out)
	l.checkUntraded(out, mf)
	return out
}

// checkUntraded warns about a region whose every base route is banned at
// once: no supplier can serve it, so it has no price and no demand in
// those months (reported as not traded; docs/MODEL.md, section 6). Only
// bans are seen here; the model also reports regions left without a
// supplier for other reasons (Run.NotTraded).
func (l *loader) checkUntraded(evs []checkedEvent, mf *MarketFile) {
	if mf == nil {
		return
	}
	var bans []checkedEvent
	for _, ce := range evs {
		if ce.kind == "ban" && ce.x != nil && ce.x.sup > -2 && ce.x.reg > -2 {
			bans = append(bans, ce)
		}
	}
	banned := func(sup, reg string, t model.Month) *checkedEvent {
		for k := range bans {
			b := &bans[k]
			if (b.x.sup < 0 || mf.Suppliers[b.x.sup].Name == sup) && (b.x.reg < 0 || mf.Regions[b.x.reg].Name == reg) &&
				t >= b.start && (b.end == 0 || t < b.end) {
				return b
			}
		}
		return nil
	}
	for _, g := range mf.Regions {
		for _, b := range bans {
			t := b.start // a region loses its last supplier when some ban starts
			var last *checkedEvent
			all := true
			for _, rt := range mf.Routes {
				if rt.To != g.Name || rt.Flow.Value == 0 {
					continue
				}
				e := banned(rt.From, g.Name, t)
				if e == nil {
					all = false
					break
				}
				if last == nil || e.start >= last.start {
					last = e
				}
			}
			if all && last != nil {
				l.evDiag(SeverityWarning, last.ref, "ban", "from %s every supplier of %s is banned: it is reported as not traded (no price, no demand) while the bans last", t, g.Name)
				break
			}
		}
	}
}

func (l *loader) checkEvent(ref evRef, mf *MarketFile, h hz) (checkedEvent, bool) {
	e := ref.ev
	if ref.doc.bad[ref.path()] {
		return checkedEvent{}, false // not a mapping: reported by the decoder
	}
	ok := true
	name := "event"
	if e.ID != "" {
		name = fmt.Sprintf("event '%s'", e.ID)
	}
	bad := func(fp, format string, args ...any) {
		l.evDiag(SeverityError, ref, fp, format, args...)
		ok = false
	}
	if e.ID == "" {
		if _, had := ref.doc.pos[ref.path()+".id"]; had {
			bad("id", "event id must not be empty")
		}
		ok = false
	} else if !idPattern.MatchString(e.ID) {
		bad("id", "event id '%s' may hold only ASCII letters (a-z, A-Z), digits, '-' and '_' (it is used in paths like events.ID.FIELD)", e.ID)
	}
	ks := e.kinds()
	kind := ""
	switch len(ks) {
	case 0:
		if slices.ContainsFunc(eventKinds, func(k string) bool { return ref.doc.bad[ref.path()+"."+k] }) {
			ok = false // a misspelt instrument ("bna:"): the decoder said so
			break
		}
		bad("", "%s has no instrument: expected exactly one of %s", name, strings.Join(eventKinds, ", "))
	case 1:
		kind = ks[0]
	default:
		bad(ks[1], "%s has more than one instrument (%s): give each its own event", name, strings.Join(ks, ", "))
	}
	ce := checkedEvent{ref: ref, kind: kind}
	// Months.
	if e.Start != "" {
		t, err := model.ParseMonth(e.Start)
		if err != nil {
			bad("start", "expected a month YYYY-MM (year 1900..2200, month 01..12), got '%s'", e.Start)
		}
		ce.start = t
	} else {
		ok = false // missing key already reported by the decoder
	}
	if e.End != "" {
		t, err := model.ParseMonth(e.End)
		if err != nil {
			bad("end", "expected a month YYYY-MM (year 1900..2200, month 01..12), got '%s'", e.End)
		} else if e.Start != "" && ce.start != 0 && t <= ce.start {
			bad("end", "end %s is not after start %s (end is the first month no longer in force)", e.End, e.Start)
		}
		ce.end = t
	}
	if e.RampMonths < 0 {
		bad("ramp_months", "%s", outOfRange("ramp_months", float64(e.RampMonths), bound{hi: math.Inf(1)}))
	}
	if e.RampOutMonths < 0 {
		bad("ramp_out_months", "%s", outOfRange("ramp_out_months", float64(e.RampOutMonths), bound{hi: math.Inf(1)}))
	}
	if h.ok {
		if e.RampMonths > h.months() {
			bad("ramp_months", "ramp_months %d is longer than the horizon (%d months, %s..%s)", e.RampMonths, h.months(), h.start, h.end)
		}
		if e.RampOutMonths > h.months() {
			bad("ramp_out_months", "ramp_out_months %d is longer than the horizon (%d months, %s..%s)", e.RampOutMonths, h.months(), h.start, h.end)
		}
	}
	if e.RampOutMonths > 0 && e.End == "" {
		l.evDiag(SeverityWarning, ref, "ramp_out_months", "ramp_out_months has no effect without end")
	}
	if mf == nil {
		return ce, false
	}
	if in := instrumentByKey(kind); in != nil {
		x := &evCheck{l: l, ref: ref, in: in, mf: mf, ok: true}
		v := in.value(&e)
		x.vals = make([]fieldVal, len(in.fields))
		for k := range in.fields {
			x.vals[k] = in.fields[k].get(v)
		}
		if !in.ramp && (e.RampMonths > 0 || e.RampOutMonths > 0) {
			f := "ramp_months"
			if e.RampMonths == 0 {
				f = "ramp_out_months"
			}
			x.bad(f, "%s", in.rampMsg)
		}
		x.checkFields()
		if in.check != nil {
			in.check(x) // also when a name is unknown (its index is −2)
		}
		ok = ok && x.ok
		ce.x = x
	}
	if ok && h.ok {
		end := ce.end
		if end != 0 {
			end += model.Month(e.RampOutMonths)
		}
		if ce.start > h.end || (end != 0 && end <= h.start) {
			l.evDiag(SeverityWarning, ref, "start", "event '%s' (%s..%s) lies entirely outside the horizon %s..%s: it has no effect", e.ID, e.Start, orNever(e.End), h.start, h.end)
		}
	}
	return ce, ok
}

func orNever(s string) string {
	if s == "" {
		return "never ends"
	}
	return s
}

// checkOverlaps reports level events that set the same quantity at the same
// time (which level would hold is undefined).
func (l *loader) checkOverlaps(evs []checkedEvent) {
	type span struct {
		ce       checkedEvent
		from, to model.Month // [from, to); to 0 = never
	}
	targets := map[string][]span{}
	var order []string
	add := func(key string, ce checkedEvent) {
		to := ce.end
		if to != 0 {
			to += model.Month(ce.ref.ev.RampOutMonths)
		}
		if _, ok := targets[key]; !ok {
			order = append(order, key)
		}
		targets[key] = append(targets[key], span{ce, ce.start, to})
	}
	for _, ce := range evs {
		if ce.x == nil || ce.x.in.targets == nil {
			continue
		}
		for _, key := range ce.x.in.targets(ce.x) {
			add(key, ce)
		}
	}
	type pair struct{ a, b string }
	seen := map[pair]bool{}
	for _, key := range order {
		sp := targets[key]
		for a := 0; a < len(sp); a++ {
			for b := a + 1; b < len(sp); b++ {
				x, y := sp[a], sp[b]
				if !((x.to == 0 || y.from < x.to) && (y.to == 0 || x.from < y.to)) {
					continue
				}
				xid, yid := x.ce.ref.ev.ID, y.ce.ref.ev.ID
				if seen[pair{xid, yid}] {
					continue // one message per pair of events
				}
				seen[pair{xid, yid}] = true
				hint := "end the earlier one (end: YYYY-MM) before the later one starts"
				if x.ce.ref.doc != y.ce.ref.doc {
					// One is inherited: an event replaces an inherited
					// one only under the same id.
					hint = fmt.Sprintf("an event replaces an inherited one only under the same id: to replace '%s', use its id; else remove it (remove_events: [%s]) or end it before this one starts", xid, xid)
					if didYouMean(yid, []string{xid}) != "" {
						hint = fmt.Sprintf("did you mean id '%s'? ", xid) + hint
					}
				}
				l.evDiag(SeverityError, y.ce.ref, "start", "event '%s' overlaps event '%s': both set %s from %s; %s", yid, xid, key, maxMonth(x.from, y.from), hint)
			}
		}
	}
}

func maxMonth(a, b model.Month) model.Month {
	if a > b {
		return a
	}
	return b
}

// buildEvents converts checked events to model events on market mk.
func buildEvents(evs []checkedEvent, mk *model.Market) []model.Event {
	var out []model.Event
	for _, ce := range evs {
		e := ce.ref.ev
		base := model.Event{ID: e.ID, Label: e.Label, Supplier: -1, Region: -1, Corridor: -1,
			Start: ce.start, End: ce.end, RampIn: e.RampMonths, RampOut: e.RampOutMonths}
		if base.Label == "" {
			base.Label = e.ID
		}
		out = append(out, ce.x.buildEvent(base, mk)...)
	}
	return out
}

// checkSameEvents warns when the scenario and its counterfactual apply
// the same events in every month of the horizon: every effect of the
// central run is then zero by construction, as when a --set moves the
// one event they differ by past the horizon's end
// (events.us-ban.end=2099-01 of us-relief-2025). A level set at factor 1
// of the level in force (risk_cost scale 1) keeps that level and counts
// as no event. Draws of a parameter of an event the scenario holds and
// the counterfactual does not share (unc, common) still move the
// scenario alone: the message then says so. The warning is located at
// the scenario file's counterfactual, compare_to or events when the
// events were the same as written (written), or else at the last --set
// of an event or the horizon (sets), which made them so. A scenario with
// no events at all is a base line, meant to be so (no-sanctions): no
// warning.
func (l *loader) checkSameEvents(sc *Scenario, m *merged, written bool, sets []string, unc []uncChecked, common map[string]bool) {
	if len(sc.Spec.Events) == 0 {
		return // a base line (no-sanctions): the base market, run on its own
	}
	if !model.SamePolicy(sc.Spec, sc.Counterfactual) {
		return
	}
	effect := "every effect is zero"
	var drawn []string
	for _, u := range unc {
		for _, p := range u.paths {
			ss, err := specSetterFor(p, sc.Spec.Market)
			if err == nil && ss.event != "" && !common[ss.event] && indexEvent(m.events, ss.event) >= 0 {
				drawn = append(drawn, quote(u.ref.u.Param))
				break
			}
		}
	}
	if len(drawn) > 0 {
		effect = fmt.Sprintf("every effect of the central run is zero (the draws of %s change the scenario alone)", strings.Join(drawn, ", "))
	}
	msg := fmt.Sprintf("the scenario and its counterfactual %s have the same events over the horizon: %s", quote(sc.CounterfactualName), effect)
	for i := len(sets) - 1; i >= 0 && !written; i-- {
		path, _, _ := strings.Cut(sets[i], "=")
		path = strings.TrimSpace(path)
		if root, _, _ := strings.Cut(strings.TrimPrefix(path, ScenarioOnly+"."), "."); root == "events" || root == "horizon" {
			l.setAt(SeverityWarning, path, "%s", msg)
			return
		}
	}
	fp := "events"
	switch {
	case m.leaf.f.Counterfactual != nil:
		fp = "counterfactual"
	case m.leaf.f.CompareTo != "":
		fp = "compare_to"
	case len(m.leaf.f.Events) == 0 && m.leaf.f.Extends != "":
		fp = "extends" // its events, and its counterfactual's, are inherited
	}
	l.warnAt(m.leaf, fp, "%s", msg)
}

// costSuffix marks the model event carrying the cost part of a corridor
// event that sets both capacity and cost (model events have one kind each).
const costSuffix = "/cost"

// sameEvent reports whether events a and b, of the scenario and its
// counterfactual, are one event: equal once a corridor typed by its label
// ("Klaipėda") is read as the corridor it names ("Klaipeda"), as the
// event's check reads it (corridorIndex), so that one event spelt both
// ways is common to both runs, as the model runs it. With mf nil (no
// market) the events are compared as written.
func sameEvent(mf *MarketFile, a, b EventFile) bool {
	ca, cb := canonicalEvent(mf, a), canonicalEvent(mf, b)
	if identical(reflect.ValueOf(ca), reflect.ValueOf(cb)) {
		return true // the same YAML, without writing it
	}
	return eventKey(ca) == eventKey(cb)
}

// canonicalEvent returns e with its corridor, if typed by its label,
// named by its identifier in mf; e itself otherwise.
func canonicalEvent(mf *MarketFile, e EventFile) EventFile {
	if mf == nil || e.Corridor == nil {
		return e
	}
	i := slices.IndexFunc(mf.Suppliers, func(s SupplierFile) bool { return s.Name == e.Corridor.Supplier })
	if i < 0 {
		return e
	}
	s := &mf.Suppliers[i]
	k := corridorIndex(s, e.Corridor.Name)
	if k < 0 || s.Corridors[k].Name == e.Corridor.Name {
		return e
	}
	c := e.clone()
	c.Corridor.Name = s.Corridors[k].Name
	return c
}

func eventKey(e EventFile) string {
	out, err := marshalYAML(e)
	if err != nil {
		return fmt.Sprintf("%#v", e)
	}
	return string(out)
}

// validateRoutes checks the shared facilities and what the corridors name:
// the regions they serve and the facility they use (docs/SCENARIOS.md,
// "Corridors and facilities").
func (l *loader) validateRoutes(mf *MarketFile, d *doc, at func(string) string, rn map[string]bool) {
	fn := map[string]bool{}
	var facNames []string
	for f, fc := range mf.Facilities {
		fp := fmt.Sprintf("facilities[%d]", f)
		switch {
		case fc.Name == "":
			l.errAt(d, at(fp+".name"), "facility without a name")
		case fn[fc.Name]:
			l.errAt(d, at(fp+".name"), "duplicate facility '%s'", fc.Name)
		}
		fn[fc.Name] = true
		facNames = append(facNames, fc.Name)
		if v := fc.Capacity.Value; math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			l.errAt(d, at(fp+".capacity_mt"), "facility %s capacity_mt = %g must be a finite number ≥ 0", fc.Name, v)
		}
	}
	for i, s := range mf.Suppliers {
		for k, c := range s.Corridors {
			cfp := fmt.Sprintf("suppliers[%d].corridors[%d]", i, k)
			seen := map[string]bool{}
			for j, sv := range c.Serves {
				sfp := fmt.Sprintf("%s.serves[%d]", cfp, j)
				switch {
				case !rn[sv.Region]:
					l.errAt(d, at(sfp+".region"), "corridor %s/%s serves unknown region '%s'%s", s.Name, c.Name, sv.Region, didYouMean(sv.Region, regionNamesOf(mf)))
				case seen[sv.Region]:
					l.errAt(d, at(sfp+".region"), "corridor %s/%s lists region '%s' twice", s.Name, c.Name, sv.Region)
				}
				seen[sv.Region] = true
				if fr := sv.Freight; fr != nil && (math.IsNaN(fr.Value) || math.IsInf(fr.Value, 0) || fr.Value < 0) {
					l.errAt(d, at(sfp+".freight_usd_per_t"), "corridor %s/%s freight_usd_per_t = %g must be a finite number ≥ 0", s.Name, c.Name, fr.Value)
				}
			}
			if c.Facility != "" && !fn[c.Facility] {
				l.errAt(d, at(cfp+".facility"), "corridor %s/%s uses unknown facility '%s'%s", s.Name, c.Name, c.Facility, didYouMean(c.Facility, facNames))
			}
		}
	}
}
