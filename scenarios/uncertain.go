package scenarios

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/potash-sim/potash/model"
)

// distParams lists each distribution's required parameters.
var distParams = map[string][]string{
	"uniform":    {"min", "max"},
	"triangular": {"min", "mode", "max"},
	"normal":     {"mean", "sd"},
	"lognormal":  {"mu", "sigma"},
}

var distNames = []string{"lognormal", "normal", "triangular", "uniform"}

// uncChecked is a valid uncertainty entry.
type uncChecked struct {
	ref   uncRef
	dist  model.Distribution
	paths []string // concrete paths (wildcards expanded)
	unit  string
}

func (u *UncertainFile) params() map[string]*float64 {
	return map[string]*float64{"min": u.Min, "mode": u.Mode, "max": u.Max, "mean": u.Mean, "sd": u.SD, "mu": u.Mu, "sigma": u.Sigma, "lower": u.Lower, "upper": u.Upper}
}

// paramInfo is what a path names: concrete paths, unit and valid bound
// (file units).
type paramInfo struct {
	paths []string
	unit  string
	valid bound
	month bool
	str   bool
}

// lookupPath expands path against the market file and the scenario's
// events.
func lookupPath(path string, mf *MarketFile, evs []evRef) (paramInfo, error) {
	parts := strings.Split(path, ".")
	switch parts[0] {
	case "market":
		if len(parts) < 2 {
			return paramInfo{}, perr("expected market.regions.NAME.FIELD, market.suppliers.NAME.FIELD, market.suppliers.NAME.corridors.CORRIDOR.FIELD or market.routes.FROM.TO.FIELD")
		}
		ts, err := expandMarketPath(mf, strings.Join(parts[1:], "."))
		if err != nil {
			return paramInfo{}, err
		}
		pi := paramInfo{unit: ts[0].field.unit, valid: ts[0].field.valid}
		for _, t := range ts {
			pi.paths = append(pi.paths, t.path)
		}
		return pi, nil
	case "horizon":
		keys := []string{"start", "end", "report_from"}
		if len(parts) != 2 || slices.Index(keys, parts[1]) < 0 {
			last := parts[len(parts)-1]
			return paramInfo{}, perr("unknown horizon field '%s'%s", last, didYouMean(last, keys))
		}
		return paramInfo{paths: []string{path}, unit: "month", month: true}, nil
	case "events":
		if len(parts) != 3 {
			return paramInfo{}, perr("%s", eventPathHint("", parts, "events.belarus-discount.pct"))
		}
		id, field := parts[1], parts[2]
		var pi paramInfo
		var found *efield
		for _, r := range evs {
			if id != "*" && r.ev.ID != id {
				continue
			}
			kind := eventKind(&r.ev)
			f, ok := findEventField(kind, field)
			if !ok {
				if id == "*" {
					continue
				}
				return paramInfo{}, perr("event '%s' (%s) has no field '%s'%s", id, kind, field, didYouMean(field, eventFieldKeys(kind)))
			}
			if alt := altGiven(&r.ev, f); alt != "" {
				if id == "*" {
					continue
				}
				return paramInfo{}, perr("event '%s' gives %s, not %s", id, alt, f.key)
			}
			if found == nil {
				ff := f
				found = &ff
			}
			pi.paths = append(pi.paths, "events."+r.ev.ID+"."+field)
		}
		if found == nil {
			if id == "*" {
				return paramInfo{}, perr("no event has a field '%s'", field)
			}
			return paramInfo{}, perr("unknown event '%s'%s", id, didYouMean(id, eventIDs(evs)))
		}
		pi.unit, pi.valid, pi.month, pi.str = found.unit, found.valid, found.unit == "month", found.str
		return pi, nil
	}
	return paramInfo{}, perr("unknown path root '%s'%s", parts[0], didYouMean(parts[0], []string{"market", "horizon", "events"}))
}

// uncertainty checks the uncertainty entries.
func (l *loader) uncertainty(m *merged, mf *MarketFile, h hz, cf []evRef) []uncChecked {
	var out []uncChecked
	seen := map[string]bool{}
	for _, ref := range m.uncertainty {
		u := ref.u
		fp := fmt.Sprintf("uncertainty[%d]", ref.idx)
		bad := func(f, format string, args ...any) {
			p := fp
			if f != "" {
				p += "." + f
			}
			l.errAt(ref.doc, p, format, args...)
		}
		if u.Param == "" {
			continue // missing key reported by the decoder
		}
		if seen[u.Param] {
			bad("param", "parameter '%s' is listed twice", u.Param)
			continue
		}
		seen[u.Param] = true
		var pi paramInfo
		okPath := false
		if parts := strings.Split(u.Param, "."); ref.doc != m.leaf && len(parts) == 3 && parts[0] == "events" && parts[1] != "*" && indexEvent(m.events, parts[1]) < 0 {
			l.warnAt(ref.doc, fp+".param", "inherited uncertainty on %s dropped: event '%s' was removed", u.Param, parts[1])
			continue
		}
		if mf != nil {
			var err error
			pi, err = lookupPath(u.Param, mf, m.events)
			switch {
			case err != nil && m.evMisspelt && meantEvent(u.Param, m.events):
				// The events: key is misspelt (the decoder said so): the
				// event is likely among those meant. An event that is
				// there (inherited) is checked: its error is a second one.
			case err != nil:
				bad("param", "%v", err)
			case pi.month:
				bad("param", "%s is a month; uncertainty takes numeric parameters (sweep months with a sweep instead)", u.Param)
			case pi.str:
				bad("param", "%s is not a number", u.Param)
			default:
				okPath = true
			}
		}
		if u.Dist == "" {
			continue
		}
		req, known := distParams[u.Dist]
		if !known {
			bad("dist", "unknown distribution '%s'%s", u.Dist, didYouMean(u.Dist, distNames))
			continue
		}
		ps := u.params()
		okDist := true
		for _, k := range req {
			if ps[k] == nil {
				bad("", "%s distribution needs %s (it takes %s)", u.Dist, k, strings.Join(req, ", "))
				okDist = false
			}
		}
		for _, k := range []string{"min", "mode", "max", "mean", "sd", "mu", "sigma", "lower", "upper"} {
			if ps[k] == nil || slices.Contains(req, k) {
				continue
			}
			if (k == "lower" || k == "upper") && (u.Dist == "normal" || u.Dist == "lognormal") {
				continue
			}
			if k == "lower" || k == "upper" {
				bad(k, "%s is not a parameter of %s: its min and max bound it already", k, u.Dist)
			} else {
				bad(k, "%s is not a parameter of %s (it takes %s)", k, u.Dist, strings.Join(req, ", "))
			}
			okDist = false
		}
		if !okDist {
			continue
		}
		lo, hi := math.Inf(-1), math.Inf(1)
		if u.Lower != nil {
			lo = *u.Lower
		}
		if u.Upper != nil {
			hi = *u.Upper
		}
		var d model.Distribution
		var err error
		errField := ""
		switch u.Dist {
		case "uniform":
			if *u.Min >= *u.Max {
				bad("max", "uniform needs min < max, got min %g, max %g", *u.Min, *u.Max)
				continue
			}
			d, err = model.NewUniform(*u.Min, *u.Max)
		case "triangular":
			switch {
			case *u.Min >= *u.Max:
				bad("max", "triangular needs min < max, got min %g, max %g", *u.Min, *u.Max)
				continue
			case *u.Mode < *u.Min || *u.Mode > *u.Max:
				bad("mode", "mode %g is outside [min, max] = [%g, %g]", *u.Mode, *u.Min, *u.Max)
				continue
			}
			d, err = model.NewTriangular(*u.Min, *u.Mode, *u.Max)
		case "normal":
			if *u.SD <= 0 {
				bad("sd", "sd must be > 0, got %g", *u.SD)
				continue
			}
			if lo >= hi {
				bad("upper", "truncation [lower, upper] = [%g, %g] is empty", lo, hi)
				continue
			}
			d, err = model.NewNormal(*u.Mean, *u.SD, lo, hi)
			errField = "lower"
		case "lognormal":
			if *u.Sigma <= 0 {
				bad("sigma", "sigma must be > 0, got %g", *u.Sigma)
				continue
			}
			if u.Lower != nil && *u.Lower < 0 {
				bad("lower", "lognormal values are positive: lower must be ≥ 0, got %g", *u.Lower)
				continue
			}
			if lo < 0 {
				lo = 0
			}
			if lo >= hi {
				bad("upper", "truncation [lower, upper] = [%g, %g] is empty", lo, hi)
				continue
			}
			d, err = model.NewLogNormal(*u.Mu, *u.Sigma, lo, hi)
			errField = "lower"
		}
		if err != nil {
			bad(errField, "impossible %s distribution: %v", u.Dist, err)
			continue
		}
		if !okPath {
			continue
		}
		// The draws must stay within the parameter's valid range.
		q0, q1 := d.Quantile(0.001), d.Quantile(0.999)
		if u.Dist == "uniform" || u.Dist == "triangular" {
			q0, q1 = *u.Min, *u.Max
		}
		if !pi.valid.ok(q0) || !pi.valid.ok(q1) {
			bad("dist", "draws of %s reach [%.4g, %.4g] (0.1%%–99.9%% quantiles), outside its valid range: must be %s; narrow or truncate the distribution (lower/upper)", u.Param, q0, q1, pi.valid)
			continue
		}
		if math.IsNaN(d.Mean()) || math.IsInf(d.Mean(), 0) {
			bad("dist", "distribution has no finite mean")
			continue
		}
		out = append(out, uncChecked{ref: ref, dist: d, paths: pi.paths, unit: pi.unit})
	}
	if g, ok := ruleGroup(out, m.correlations); ok {
		// One correlated group draws the rules' fields: its box is
		// judged by its pilot share, not by its corners (truncate).
		l.group = &g
		return out
	}
	l.checkCropEpsDraws(out, mf)
	l.checkStockCycleDraws(out, mf) // a box is reported once (boxCorner)
	return out
}

// checkCropEpsDraws checks the joint rule of the crop-price elasticity θ
// and the demand elasticities ε (θ/ε ≤ model.MaxCropEpsRatio) over the
// whole box of draws: the largest θ drawn (or the market's) against each
// region's smallest ε drawn (or its own). A box that breaks it is a
// warning (boxCorner) at the entry that draws ε (or θ): the Monte Carlo
// rejects and redraws the draws beyond the rule.
func (l *loader) checkCropEpsDraws(unc []uncChecked, mf *MarketFile) {
	if mf == nil || mf.Drivers == nil || mf.Drivers.CropPrices == nil {
		return
	}
	const thetaPath = "market.drivers.crop_prices.elasticity"
	theta, thetaAt := mf.Drivers.CropPrices.Elasticity.Value, -1
	epsLo := map[string]float64{}
	epsAt := map[string]int{}
	for _, g := range mf.Regions {
		epsLo[g.Name], epsAt[g.Name] = g.Eps.Value, -1
	}
	for k, u := range unc {
		lo, hi := u.dist.Quantile(0), u.dist.Quantile(1)
		for _, p := range u.paths {
			if p == thetaPath {
				theta, thetaAt = hi, k
				continue
			}
			name, okR := strings.CutPrefix(p, "market.regions.")
			if name, okE := strings.CutSuffix(name, ".demand_elasticity"); okR && okE {
				epsLo[name], epsAt[name] = lo, k
			}
		}
	}
	for _, g := range mf.Regions {
		eps := epsLo[g.Name]
		if !(eps > 0) || eps*(1+1e-9) >= model.MinEpsForCrop(theta) || (epsAt[g.Name] < 0 && thetaAt < 0) {
			continue
		}
		if g.Eps.Value < model.MinEpsForCrop(mf.Drivers.CropPrices.Elasticity.Value) {
			continue // a market breaking the rule is validateDrivers' error
		}
		k := epsAt[g.Name]
		if k < 0 {
			k = thetaAt
		}
		u := unc[k].ref
		l.boxCorner(RuleCrop, ovRef{}, false, u.doc, fmt.Sprintf("uncertainty[%d].dist", u.idx), fmt.Sprintf("the draws reach a crop-price elasticity of %.4g with a demand elasticity of %.4g: %s",
			theta, eps, cropEpsMessage(g.Name, eps, theta)))
		return
	}
}

// altGiven returns the key of the series field that replaces number field
// f in event e when e gives it ("" otherwise).
func altGiven(e *EventFile, f efield) string {
	if f.inst == nil || f.inst.alt == "" {
		return ""
	}
	in := instrumentOf(e)
	if in == nil {
		return ""
	}
	if af := in.field(f.inst.alt); af != nil {
		if v := af.get(in.value(e)); v.series != nil || v.num != nil {
			return af.key
		}
	}
	return ""
}

// specSetter is one concrete parameter on a model.Spec.
type specSetter struct {
	path  string
	event string // event id for events paths, "" otherwise
	get   func(s *model.Spec) (float64, bool)
	set   func(s *model.Spec, v float64)
}

// specSetterFor builds the setter of a concrete path on specs whose market
// has the shape of mk.
func specSetterFor(path string, mk *model.Market) (specSetter, error) {
	parts := strings.Split(path, ".")
	ss := specSetter{path: path}
	switch parts[0] {
	case "market":
		kind := parts[1]
		if kind == "drivers" && len(parts) == 4 {
			fd, ok := findDriverField(parts[3])
			if !ok {
				return ss, fmt.Errorf("unknown field in %s", path)
			}
			ss.get, ss.set = fd.get, fd.set
			return ss, nil
		}
		var fs []mfield
		var t mtarget
		switch {
		case kind == "regions":
			fs, t = regionFields, mtarget{kind: "regions", nameA: parts[2]}
		case kind == "suppliers" && len(parts) == 4:
			fs, t = supplierFields, mtarget{kind: "suppliers", nameA: parts[2]}
		case kind == "suppliers":
			fs, t = corridorFields, mtarget{kind: "corridors", nameA: parts[2], nameB: parts[4]}
		case kind == "routes":
			fs, t = routeFields, mtarget{kind: "routes", nameA: parts[2], nameB: parts[3]}
		case kind == "facilities":
			fs, t = facilityFields, mtarget{kind: "facilities", nameA: parts[2]}
		case kind == "coalitions":
			fs, t = coalitionFields, mtarget{kind: "coalitions", nameA: parts[2]}
		}
		f, ok := findField(fs, parts[len(parts)-1])
		if !ok {
			return ss, fmt.Errorf("unknown field in %s", path)
		}
		a, b, err := t.modelIndices(mk)
		if err != nil {
			return ss, err
		}
		scale := f.scale
		ss.get = func(s *model.Spec) (float64, bool) { return f.get(s.Market, a, b) / scale, true }
		ss.set = func(s *model.Spec, v float64) { f.set(s.Market, a, b, v*scale) }
		return ss, nil
	case "horizon":
		switch parts[1] {
		case "start":
			ss.get = func(s *model.Spec) (float64, bool) { return float64(s.Start), true }
			ss.set = func(s *model.Spec, v float64) { s.Start = model.Month(math.Round(v)) }
		case "end":
			ss.get = func(s *model.Spec) (float64, bool) { return float64(s.End), true }
			ss.set = func(s *model.Spec, v float64) { s.End = model.Month(math.Round(v)) }
		default:
			ss.get = func(s *model.Spec) (float64, bool) { return float64(s.ReportStart), true }
			ss.set = func(s *model.Spec, v float64) { s.ReportStart = model.Month(math.Round(v)) }
		}
		return ss, nil
	case "events":
		id, field := parts[1], parts[2]
		ss.event = id
		// An event may be several model events (a corridor event that
		// sets capacity and cost: ID and ID/cost); the field's instrument
		// entry says which kind of model event holds it. The setters
		// run for every candidate of a draw or a pilot: what they look
		// up is looked up here, once.
		idCost := id + costSuffix
		var get func(e *model.Event) (float64, bool)
		var set func(e *model.Event, v float64)
		switch field {
		case "start":
			get = func(e *model.Event) (float64, bool) { return float64(e.Start), true }
			set = func(e *model.Event, v float64) { e.Start = model.Month(math.Round(v)) }
		case "end":
			get = func(e *model.Event) (float64, bool) { return float64(e.End), true }
			set = func(e *model.Event, v float64) { e.End = model.Month(math.Round(v)) }
		case "ramp_months":
			get = func(e *model.Event) (float64, bool) { return float64(e.RampIn), true }
			set = func(e *model.Event, v float64) { e.RampIn = max(0, int(math.Round(v))) }
		case "ramp_out_months":
			get = func(e *model.Event) (float64, bool) { return float64(e.RampOut), true }
			set = func(e *model.Event, v float64) { e.RampOut = max(0, int(math.Round(v))) }
		default:
			fields := modelFieldsByKind(field)
			get = func(e *model.Event) (float64, bool) {
				f := fields[e.Kind]
				if f == nil {
					return 0, false
				}
				return (*f.slotPtr(e) - f.offset) / f.scale, true
			}
			set = func(e *model.Event, v float64) {
				if f := fields[e.Kind]; f != nil {
					*f.slotPtr(e) = v*f.scale + f.offset
					if f.slot == slotFrom {
						e.HasFrom = true
					}
				}
			}
		}
		ss.get = func(s *model.Spec) (float64, bool) {
			for k := range s.Events {
				if e := &s.Events[k]; e.ID == id || e.ID == idCost {
					if v, ok := get(e); ok {
						return v, true
					}
				}
			}
			return 0, false
		}
		ss.set = func(s *model.Spec, v float64) {
			for k := range s.Events {
				if e := &s.Events[k]; e.ID == id || e.ID == idCost {
					set(e, v)
				}
			}
		}
		return ss, nil
	}
	return ss, fmt.Errorf("unknown path %s", path)
}

// modelFieldsByKind returns, for each kind of model event that has one,
// the field that sets value key of it (modelField's answer, looked up
// once for all kinds).
func modelFieldsByKind(key string) map[model.EventKind]*ifield {
	fields := map[model.EventKind]*ifield{}
	for _, in := range instrumentTable {
		for k := range in.fields {
			f := &in.fields[k]
			if _, ok := fields[f.kind]; !ok && f.key == key && f.role == roleNumber {
				fields[f.kind] = f
			}
		}
	}
	return fields
}

// applyFunc builds the Apply closure for concrete paths: market and horizon
// paths change any spec; an events path changes the scenario, and the
// counterfactual only when it holds the identical event (common[id]).
func applyFunc(sc *Scenario, paths []string, common map[string]bool) (func(*model.Spec, float64) error, float64, error) {
	var setters []specSetter
	for _, p := range paths {
		ss, err := specSetterFor(p, sc.Spec.Market)
		if err != nil {
			return nil, 0, err
		}
		setters = append(setters, ss)
	}
	central := math.NaN()
	for _, ss := range setters {
		if v, ok := ss.get(sc.Spec); ok {
			central = v
			break
		}
	}
	cfName := sc.Counterfactual.Name
	// onlyScen[k]: setter k's event is the scenario's own (not common).
	onlyScen := make([]bool, len(setters))
	for k, ss := range setters {
		onlyScen[k] = ss.event != "" && !common[ss.event]
	}
	apply := func(s *model.Spec, v float64) error {
		if s == nil || s.Market == nil {
			return wrapf(ErrUnresolved, "scenarios: Apply on a nil spec")
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return wrapf(ErrOutOfRange, "scenarios: %s: value %g is not finite", strings.Join(paths, ","), v)
		}
		isCf := s.Name == cfName
		for k := range setters {
			if isCf && onlyScen[k] {
				continue
			}
			setters[k].set(s, v)
		}
		return nil
	}
	return apply, central, nil
}

func makeUncertain(sc *Scenario, u uncChecked, common map[string]bool) (model.Uncertain, error) {
	apply, central, err := applyFunc(sc, u.paths, common)
	if err != nil {
		return model.Uncertain{}, err
	}
	if math.IsNaN(central) {
		central = u.dist.Mean()
	}
	return model.Uncertain{Name: u.ref.u.Param, Unit: u.unit, Dist: u.dist, Central: central, Apply: apply}, nil
}

// param implements Scenario.Param.
func (s *Scenario) param(path string) (model.Param, error) {
	if s == nil || s.Spec == nil || s.mf == nil {
		return model.Param{}, wrapf(ErrUnresolved, "scenarios: Param on an unresolved scenario")
	}
	// scenario.events.ID.FIELD: the scenario's event only (as --set).
	name, common := path, s.common
	path, only, err := scenarioOnly(path)
	if err != nil {
		return model.Param{}, wrapf(ErrUnknownParam, "scenarios: parameter %s: %v", name, err)
	}
	if only {
		common = nil
	}
	pi, err := lookupPath(path, s.mf, s.events)
	if err != nil {
		return model.Param{}, wrapf(ErrUnknownParam, "scenarios: parameter %s: %v", name, err)
	}
	if pi.str {
		return model.Param{}, wrapf(ErrUnknownParam, "scenarios: parameter %s is not a number", name)
	}
	apply, _, err := applyFunc(s, pi.paths, common)
	if err != nil {
		return model.Param{}, fmt.Errorf("scenarios: parameter %s: %v", name, err)
	}
	crop := cropRuleBound(path, pi.valid, s.mf)
	valid, month := stockRuleBound(path, crop, s.mf), pi.month
	// A range a joint rule narrowed ends at a bisected edge: it is shown
	// to 4 significant digits, rounded inward, with the rule named.
	shown, why := valid, ""
	switch {
	case valid != crop && crop != pi.valid:
		why = " (the crop rule θ ≤ 3·ε and the stock-cycle rule, with the other values as they are; docs/MODEL.md §9.1)"
	case valid != crop:
		why = " (the stock-cycle rule, with the region's other values as they are; docs/MODEL.md §9.1)"
	case crop != pi.valid:
		why = " (the crop rule θ ≤ 3·ε, with the other elasticities as they are; docs/MODEL.md §9.1)"
	}
	if why != "" {
		shown = valid.inward(4)
	}
	checked := func(sp *model.Spec, v float64) error {
		if !month && !valid.ok(v) {
			return wrapf(ErrOutOfRange, "scenarios: %s = %g is outside its valid range: must be %s%s", name, v, shown, why)
		}
		return apply(sp, v)
	}
	return model.Param{Name: name, Unit: pi.unit, Apply: checked}, nil
}

// scenarioOnly strips the root "scenario." (ScenarioOnly) from path and
// reports whether it was there; only events paths take it.
func scenarioOnly(path string) (string, bool, error) {
	rest, ok := strings.CutPrefix(path, ScenarioOnly+".")
	if !ok {
		if path == ScenarioOnly {
			return path, false, perr("expected scenario.events.ID.FIELD, e.g. scenario.events.klaipeda-closed.end")
		}
		return path, false, nil
	}
	if root, _, _ := strings.Cut(rest, "."); root != "events" {
		return path, false, perr("only events.ID.FIELD can be changed in the scenario alone (scenario.events.ID.FIELD); %s is common to the scenario and its counterfactual: give it without 'scenario.'", quote(rest))
	}
	return rest, true, nil
}

// meantEvent reports whether path is events.ID.FIELD (or events.*.FIELD)
// of an event not among evs: one the misspelt events: key may have held.
func meantEvent(path string, evs []evRef) bool {
	parts := strings.Split(path, ".")
	return len(parts) >= 2 && parts[0] == "events" && (parts[1] == "*" || indexEvent(evs, parts[1]) < 0)
}

// sharedEvents implements Scenario.SharedEvents.
func (s *Scenario) sharedEvents(path string) []string {
	if s == nil || s.mf == nil || !strings.HasPrefix(path, "events.") {
		return nil
	}
	pi, err := lookupPath(path, s.mf, s.events)
	if err != nil {
		return nil
	}
	var ids []string
	for _, p := range pi.paths {
		parts := strings.Split(p, ".") // events.ID.FIELD
		if len(parts) == 3 && s.common[parts[1]] && !slices.Contains(ids, parts[1]) {
			ids = append(ids, parts[1])
		}
	}
	return ids
}

// Range returns the valid range of the numeric parameter at path (same
// paths as --set and Param), in the path's unit: the interval the
// validator, --set, sweeps, uncertainty and the web page accept
// (docs/SCENARIOS.md, "Valid ranges"). lo is excluded when loOpen is set
// (a price must be positive); an open end is ±Inf. Month and text
// parameters have no range (ErrUnknownParam).
func (s *Scenario) Range(path string) (lo, hi float64, loOpen bool, err error) {
	if s == nil || s.mf == nil {
		return 0, 0, false, wrapf(ErrUnresolved, "scenarios: Range on an unresolved scenario")
	}
	name := path
	path, _, err = scenarioOnly(path)
	if err != nil {
		return 0, 0, false, wrapf(ErrUnknownParam, "scenarios: parameter %s: %v", name, err)
	}
	pi, err := lookupPath(path, s.mf, s.events)
	if err != nil {
		return 0, 0, false, wrapf(ErrUnknownParam, "scenarios: parameter %s: %v", name, err)
	}
	if pi.str || pi.month {
		return 0, 0, false, wrapf(ErrUnknownParam, "scenarios: parameter %s is not a number", name)
	}
	v := stockRuleBound(path, cropRuleBound(path, pi.valid, s.mf), s.mf)
	return v.lo, v.hi, v.loStrict, nil
}

// cropRuleBound narrows the valid bound of path by the joint rule of the
// crop-price elasticity θ and the demand elasticities ε (θ/ε ≤
// model.MaxCropEpsRatio), the other side held at mf's values: a demand
// elasticity is at least model.MinEpsForCrop(θ), the crop-price elasticity
// at most the ratio times the smallest demand elasticity.
func cropRuleBound(path string, b bound, mf *MarketFile) bound {
	if mf == nil || mf.Drivers == nil || mf.Drivers.CropPrices == nil {
		return b
	}
	if path == "market.drivers.crop_prices.elasticity" {
		for _, g := range mf.Regions {
			h := model.MaxCropEpsRatio() * g.Eps.Value
			// The rule is checked as ε ≥ θ/r: the largest θ that keeps
			// it in floating point (3·0.36 = 1.0799999999999998, whose
			// third is above 0.36).
			for h > 0 && model.MinEpsForCrop(h) > g.Eps.Value {
				h = math.Nextafter(h, 0)
			}
			b.hi = math.Min(b.hi, h)
		}
		return b
	}
	if strings.HasPrefix(path, "market.regions.") && strings.HasSuffix(path, ".demand_elasticity") {
		if lo := model.MinEpsForCrop(mf.Drivers.CropPrices.Elasticity.Value); lo > b.lo {
			b.lo, b.loStrict = lo, false
		}
	}
	return b
}
