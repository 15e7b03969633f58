package scenarios

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v4"

	"github.com/potash-sim/potash/model"
)

// source says where a scenario document came from.
type source struct {
	key     string // cycle-detection key: "builtin:NAME" or a cleaned path
	file    string // for diagnostics: the path as given, or "builtin:NAME"
	name    string // default scenario name
	dir     string // directory for relative paths (within the embedded FS for built-ins)
	builtin bool
}

// doc is one parsed scenario document.
type doc struct {
	src source
	f   *File
	pos map[string]pos
	// fatal is set when the document could not be read as YAML at all.
	fatal bool
	// bad holds paths whose node had the wrong shape.
	bad map[string]bool
}

// evRef is an event with the document that defined it.
type evRef struct {
	ev   EventFile
	doc  *doc
	idx  int               // index in its list of doc.f
	sets map[string]string // fields changed by --set: field → the set text
	// list is the field path of the list holding the event: "" for
	// "events", or "counterfactual.events".
	list string
}

// path is the event's field path in its document, e.g. "events[2]".
func (r evRef) path() string {
	list := r.list
	if list == "" {
		list = "events"
	}
	return fmt.Sprintf("%s[%d]", list, r.idx)
}

// ovRef is one market override with where it was written.
type ovRef struct {
	path  string // without the "market." prefix
	value float64
	doc   *doc   // nil for --set
	key   string // the key as written (for positions), or the --set text
}

// uncRef is one uncertainty entry with its document.
type uncRef struct {
	u   UncertainFile
	doc *doc
	idx int
}

// corrRef is one correlations entry with its document.
type corrRef struct {
	c   CorrelationFile
	doc *doc
	idx int
}

// hzField is a horizon value with its document.
type hzField struct {
	value string
	doc   *doc
	set   string // the --set text when set on the command line
}

// merged is a scenario with its extends chain applied.
type merged struct {
	leaf        *doc
	name        string
	title       string
	description string
	sources     []string

	marketBase     string
	marketBaseDoc  *doc
	marketInline   *MarketFile
	marketInlineAt *doc
	overrides      []ovRef

	start, end, reportFrom hzField
	step                   hzField

	events      []evRef
	uncertainty []uncRef
	// correlations are the groups in force: a child's group replaces
	// the inherited groups that share a param with it.
	correlations []corrRef
	parent       *merged
	chain        []string // names from the leaf up
	// broken is set when the extends chain could not be followed or a
	// document in it is unreadable (follow-on checks are skipped).
	broken bool
	// hzMisspelt and evMisspelt are set when a document of the chain
	// misspells horizon (or one of its keys) or events: the decoder
	// reported it, and the checks of what the user meant to write there
	// (events outside the horizon, uncertainty on an event) are skipped.
	hzMisspelt, evMisspelt bool
}

// loader parses and resolves documents, collecting diagnostics.
type loader struct {
	diags Diagnostics
	docs  map[string]*doc
	names map[string]string // document key → display name
	// inlineDoc is the document holding the inline market, if any.
	inlineDoc *doc
	// noFiles forbids reading files for extends and compare_to
	// (ParseOptions.NoFiles).
	noFiles bool
	// limited holds the diagnostics of documents that hit a decoder limit:
	// they are then the only ones reported.
	limited Diagnostics
	// overriddenBy maps a concrete market path (market.regions.NAME.FIELD)
	// to the last override that set it (applyOverrides), to locate errors
	// of rules that join fields.
	overriddenBy map[string]ovRef
	// overrideSeq maps the same paths to the number of the override that
	// set them last, in the order they apply (1 the first).
	overrideSeq map[string]int
	// box is the index in diags of the warning of the first corner of
	// the box of draws that breaks a joint rule (boxCorner), −1 if none.
	box int
	// inside is where a box of draws of the stock-cycle rule's fields
	// whose corners keep the rule is refused when its inside does not
	// (pilotCheck), nil when the draws reach none of them.
	inside *Diagnostic
	// group is the correlations group that draws every field of a joint
	// rule the uncertainty entries draw (ruleGroup), nil if none: its box
	// is judged by its pilot share, not by its corners.
	group *corrRef
	// embedded is set when the scenario's document is an embedded
	// built-in with its embedded bytes, and sets holds the --sets it was
	// given (pilotCacheable).
	embedded bool
	sets     []string
}

func newLoader() *loader {
	return &loader{docs: map[string]*doc{}, names: map[string]string{}, box: -1}
}

// display names a document key for messages: the path as given, or the
// built-in name.
func (l *loader) display(key string) string {
	if n, ok := l.names[key]; ok {
		return n
	}
	return strings.TrimSuffix(strings.TrimPrefix(key, "builtin:"), ".yaml")
}

func (l *loader) add(ds Diagnostics) { l.diags = append(l.diags, ds...) }

// at makes a diagnostic at field path fp of document d, falling back to the
// nearest recorded parent path for the position.
func (l *loader) at(sev Severity, d *doc, fp string, format string, args ...any) {
	l.diags = append(l.diags, diagAt(sev, d, fp, fmt.Sprintf(format, args...)))
}

// diagAt is the diagnostic msg at field path fp of document d (nil: no
// file position).
func diagAt(sev Severity, d *doc, fp, msg string) Diagnostic {
	dg := Diagnostic{Severity: sev, Field: strings.TrimPrefix(fp, "key:"), Msg: msg}
	if d != nil {
		dg.File = d.src.file
		dg.Line, dg.Col = lookupPos(d.pos, fp)
	}
	return dg
}

func (l *loader) errAt(d *doc, fp string, format string, args ...any) {
	l.at(SeverityError, d, fp, format, args...)
}

func (l *loader) warnAt(d *doc, fp string, format string, args ...any) {
	l.at(SeverityWarning, d, fp, format, args...)
}

// setDiag reports a problem with a --set argument.
func (l *loader) setDiag(set, fp, format string, args ...any) {
	_ = set
	l.setAt(SeverityError, fp, format, args...)
}

// setAt reports a diagnostic of severity sev at --set path fp.
func (l *loader) setAt(sev Severity, fp, format string, args ...any) {
	l.diags = append(l.diags, setDiagAt(sev, fp, fmt.Sprintf(format, args...)))
}

// setDiagAt is the diagnostic msg about the --set of field path fp.
func setDiagAt(sev Severity, fp, msg string) Diagnostic {
	return Diagnostic{Severity: sev, File: "--set", Field: fp, Msg: msg}
}

func lookupPos(m map[string]pos, fp string) (int, int) {
	for p := fp; ; {
		if q, ok := m[p]; ok {
			return q.Line, q.Col
		}
		i := strings.LastIndexAny(p, ".[")
		if i < 0 {
			if q, ok := m[""]; ok {
				return q.Line, q.Col
			}
			return 0, 0
		}
		p = p[:i]
	}
}

// parse decodes one document (cached by key).
func (l *loader) parse(src source, data []byte) *doc {
	if d, ok := l.docs[src.key]; ok {
		return d
	}
	if !src.builtin {
		l.names[src.key] = src.file
	}
	f, dec := decodeCached(src, data)
	l.add(dec.diags)
	if dec.limit != nil {
		l.limited = append(l.limited, *dec.limit)
	}
	d := &doc{src: src, f: f, pos: dec.pos, fatal: dec.fatal, bad: dec.bad}
	l.docs[src.key] = d
	return d
}

// locate finds the scenario ref names, relative to document d: a path when
// it ends in .yaml/.yml or contains a slash, else a built-in name.
func (l *loader) locate(d *doc, ref, field string) (source, []byte, bool) {
	if isPathRef(ref) {
		if d.src.builtin {
			p := filepath.ToSlash(filepath.Clean(filepath.Join(d.src.dir, ref)))
			data, err := builtinFS.ReadFile(filepath.ToSlash(filepath.Join("builtin", p)))
			if err != nil {
				l.errAt(d, field, "no embedded scenario file '%s'", ref)
				return source{}, nil, false
			}
			name := strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
			return source{key: "builtin:" + p, file: "builtin:" + p, name: name, dir: filepath.Dir(p), builtin: true}, data, true
		}
		if l.noFiles {
			l.errAt(d, field, "'%s' is a file; here only built-in scenarios may be named (%s)", ref, strings.Join(builtinNames(), ", "))
			return source{}, nil, false
		}
		p := ref
		if !filepath.IsAbs(p) {
			p = filepath.Join(d.src.dir, ref)
		}
		data, err := readFile(p)
		if err != nil {
			l.errAt(d, field, "cannot read '%s' (relative to %s): %v", ref, dirName(d.src.dir), err)
			return source{}, nil, false
		}
		return fileSource(p), data, true
	}
	data, err := BuiltinSource(ref)
	if err != nil {
		l.errAt(d, field, "unknown built-in scenario '%s'%s (a file path must end in .yaml or contain '/')", ref, didYouMean(ref, builtinNames()))
		return source{}, nil, false
	}
	return builtinSrc(ref), data, true
}

func dirName(dir string) string {
	if dir == "" {
		return "."
	}
	return dir
}

func unwrapPathErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

func isPathRef(ref string) bool {
	return strings.Contains(ref, "/") || strings.Contains(ref, string(filepath.Separator)) ||
		strings.HasSuffix(ref, ".yaml") || strings.HasSuffix(ref, ".yml")
}

func fileSource(path string) source {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = filepath.Clean(path)
	}
	base := filepath.Base(path)
	name := strings.TrimSuffix(base, filepath.Ext(base))
	file := path
	if path == "" || name == "" || name == "." || name == string(filepath.Separator) {
		name = "scenario"
	}
	if path == "" {
		file, abs = "<input>", "<input>"
	}
	return source{key: abs, file: file, name: name, dir: filepath.Dir(path)}
}

func builtinSrc(name string) source {
	return source{key: "builtin:" + name + ".yaml", file: "builtin:" + name, name: name, dir: ".", builtin: true}
}

// resolve applies d's extends chain. stack holds the keys being resolved
// (for cycles).
func (l *loader) resolve(d *doc, stack []string) *merged {
	f := d.f
	m := &merged{leaf: d, broken: d.fatal}
	if f.Extends != "" {
		psrc, data, ok := l.locate(d, f.Extends, "extends")
		if ok {
			for i, k := range stack {
				if k == psrc.key {
					var names []string
					for _, s := range stack[i:] {
						names = append(names, l.display(s))
					}
					names = append(names, l.display(psrc.key))
					l.errAt(d, "extends", "extends cycle: %s", strings.Join(names, " → "))
					ok = false
					m.broken = true
					break
				}
			}
		}
		if !ok {
			m.broken = true
		}
		if ok {
			pd := l.parse(psrc, data)
			parent := l.resolve(pd, append(append([]string(nil), stack...), psrc.key))
			broken := m.broken || parent.broken
			*m = *parent
			m.broken = broken
			m.parent = parent
			m.leaf = d
			m.events = append([]evRef(nil), parent.events...)
			m.uncertainty = append([]uncRef(nil), parent.uncertainty...)
			m.correlations = append([]corrRef(nil), parent.correlations...)
			m.overrides = append([]ovRef(nil), parent.overrides...)
			m.sources = append([]string(nil), parent.sources...)
			m.chain = append([]string(nil), parent.chain...)
		}
	}
	m.name = f.Name
	if m.name == "" {
		m.name = d.src.name
	}
	m.chain = append([]string{m.name}, m.chain...)
	if f.Title != "" {
		m.title = f.Title
	}
	if f.Description != "" {
		m.description = f.Description
	}
	for _, s := range f.Sources {
		if !slices.Contains(m.sources, s) {
			m.sources = append(m.sources, s)
		}
	}
	// Market.
	if mk := f.Market; mk != nil {
		if mk.Base != "" && mk.Inline != nil {
			l.errAt(d, "market.inline", "give either market.base or market.inline, not both")
		}
		switch {
		case mk.Inline != nil:
			m.marketInline, m.marketInlineAt, m.marketBase, m.marketBaseDoc = mk.Inline, d, "", nil
			m.overrides = nil
		case mk.Base != "":
			m.marketBase, m.marketBaseDoc, m.marketInline, m.marketInlineAt = mk.Base, d, nil, nil
			m.overrides = nil
		}
		for _, k := range sortedOverrideKeys(mk.Overrides) {
			m.overrides = append(m.overrides, ovRef{path: strings.TrimPrefix(k, "market."), value: mk.Overrides[k], doc: d, key: k})
		}
	}
	if m.marketBase == "" && m.marketInline == nil {
		m.marketBase, m.marketBaseDoc = DefaultMarket, d
	}
	// Horizon and step.
	if d.bad["horizon"] || d.bad["horizon.start"] || d.bad["horizon.end"] || d.bad["horizon.report_from"] {
		m.hzMisspelt = true
	}
	if d.bad["events"] {
		m.evMisspelt = true
	}
	if h := f.Horizon; h != nil {
		if h.Start != "" {
			m.start = hzField{value: h.Start, doc: d}
		}
		if h.End != "" {
			m.end = hzField{value: h.End, doc: d}
		}
		if h.ReportFrom != "" {
			m.reportFrom = hzField{value: h.ReportFrom, doc: d}
		}
	}
	if f.Step != "" {
		m.step = hzField{value: f.Step, doc: d}
	}
	// remove_events, then replacements and additions.
	if len(f.RemoveEvents) > 0 && f.Extends == "" {
		l.errAt(d, "remove_events", "remove_events needs extends: there are no inherited events to remove")
	}
	if f.Extends != "" && m.parent != nil {
		for i, id := range f.RemoveEvents {
			k := indexEvent(m.events, id)
			if k < 0 {
				l.errAt(d, fmt.Sprintf("remove_events[%d]", i), "no inherited event '%s' to remove%s", id, didYouMean(id, eventIDs(m.events)))
				continue
			}
			m.events = append(m.events[:k:k], m.events[k+1:]...)
		}
	}
	seen := map[string]int{}
	for i, e := range f.Events {
		fp := fmt.Sprintf("events[%d]", i)
		if e.ID != "" {
			if j, dup := seen[e.ID]; dup {
				l.errAt(d, fp+".id", "duplicate event id '%s' (also events[%d]); ids must be unique", e.ID, j)
				continue
			}
			seen[e.ID] = i
			if slices.Contains(f.RemoveEvents, e.ID) {
				l.errAt(d, fp+".id", "event '%s' is both removed (remove_events) and defined here; to change an inherited event, just define it with the same id", e.ID)
			}
		}
		ref := evRef{ev: e.clone(), doc: d, idx: i}
		if k := indexEvent(m.events, e.ID); k >= 0 && e.ID != "" {
			m.events[k] = ref
		} else {
			m.events = append(m.events, ref)
		}
	}
	// Uncertainty: child entries replace parent entries with the same param.
	for i, u := range f.Uncertainty {
		ref := uncRef{u: u, doc: d, idx: i}
		replaced := false
		for k := range m.uncertainty {
			if m.uncertainty[k].u.Param == u.Param && m.uncertainty[k].doc != d {
				m.uncertainty[k] = ref
				replaced = true
				break
			}
		}
		if !replaced {
			m.uncertainty = append(m.uncertainty, ref)
		}
	}
	// Correlations: a child's group replaces the inherited groups that
	// share a param with it.
	for i, c := range f.Correlations {
		m.correlations = slices.DeleteFunc(m.correlations, func(p corrRef) bool {
			return p.doc != d && slices.ContainsFunc(p.c.Params, func(q string) bool { return slices.Contains(c.Params, q) })
		})
		m.correlations = append(m.correlations, corrRef{c: c, doc: d, idx: i})
	}
	return m
}

// sortedOverrideKeys returns the override paths in the order they apply:
// wildcard paths before specific ones (more '*' first), then
// alphabetically, so that a specific path always wins over a wildcard.
func sortedOverrideKeys(ov map[string]float64) []string {
	return slices.SortedFunc(maps.Keys(ov), func(a, b string) int {
		if c := cmp.Compare(strings.Count(b, "*"), strings.Count(a, "*")); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
}

func indexEvent(evs []evRef, id string) int {
	return slices.IndexFunc(evs, func(e evRef) bool { return e.ev.ID == id })
}

func eventIDs(evs []evRef) []string {
	ids := make([]string, 0, len(evs))
	for _, e := range evs {
		ids = append(ids, e.ev.ID)
	}
	return ids
}

// resolvedFile is the canonical fully expanded scenario written to
// Scenario.Resolved. It is a scenario file (File's keys only), so that it
// reruns to the same numbers: the counterfactual is written out, and the
// extends chain and --set arguments, already applied, are comments.
type resolvedFile struct {
	Name           string             `yaml:"name"`
	Title          string             `yaml:"title,omitempty"`
	Description    string             `yaml:"description,omitempty"`
	Sources        []string           `yaml:"sources,omitempty"`
	Horizon        HorizonFile        `yaml:"horizon"`
	Step           string             `yaml:"step"`
	Events         []EventFile        `yaml:"events"`
	Counterfactual CounterfactualFile `yaml:"counterfactual"`
	Uncertainty    []UncertainFile    `yaml:"uncertainty,omitempty"`
	Correlations   []resolvedCorr     `yaml:"correlations,omitempty"`
	// Market is written after the rest by resolvedYAML (cached for an
	// unmodified embedded dataset).
	Market resolvedMarket `yaml:"-"`
	// chain (the extends chain from the parent up) and sets (the --set
	// arguments applied) are written as comments.
	chain, sets []string
	// embedded says, by list path ("events", "counterfactual.events",
	// "uncertainty"), which elements come from an embedded document: the
	// text of those may be kept for the next scenario (headItems).
	embedded map[string][]bool
}

// anyKnown reports whether an element of rf's lists comes from an
// embedded document or has its text in headItems.
func (rf *resolvedFile) anyKnown() bool {
	for _, e := range rf.embedded {
		if slices.Contains(e, true) {
			return true
		}
	}
	for _, list := range []reflect.Value{reflect.ValueOf(rf.Events), reflect.ValueOf(rf.Counterfactual.Events), reflect.ValueOf(rf.Uncertainty)} {
		for j := range list.Len() {
			if _, ok := headItems.lookup(list.Index(j)); ok {
				return true
			}
		}
	}
	return false
}

// isEmbedded reports whether data, from src, is an embedded built-in's
// bytes (not a user's, even one named after a built-in).
func isEmbedded(src source, data []byte) bool {
	if !src.builtin {
		return false
	}
	name, _ := strings.CutPrefix(src.key, "builtin:")
	embedded, err := builtinFS.ReadFile("builtin/" + name)
	return err == nil && bytes.Equal(embedded, data)
}

// fromEmbedded reports whether document d is an embedded built-in.
func fromEmbedded(d *doc) bool { return d != nil && d.src.builtin }

type resolvedMarket struct {
	Inline *MarketFile `yaml:"inline"`
}

// build resolves the scenario document d fully: extends, compare_to, market,
// --set, validation, and the model Specs.
func build(src source, data []byte, sets []string) (*Scenario, error) {
	return buildWith(src, data, sets, ParseOptions{})
}

func buildWith(src source, data []byte, sets []string, opts ParseOptions) (*Scenario, error) {
	l := newLoader()
	l.noFiles = opts.NoFiles
	l.embedded, l.sets = isEmbedded(src, data), sets
	d := l.parse(src, data)
	m := l.resolve(d, []string{src.key})

	// Counterfactual events and name.
	var cfEvents []evRef
	cfName, cfDesc := "", ""
	if cf := d.f.Counterfactual; cf != nil {
		if d.f.CompareTo != "" {
			l.errAt(d, "counterfactual", "give compare_to or counterfactual, not both")
		}
		seen := map[string]int{}
		for i, e := range cf.Events {
			if j, dup := seen[e.ID]; dup && e.ID != "" {
				l.errAt(d, fmt.Sprintf("counterfactual.events[%d].id", i), "duplicate event id %s (also counterfactual.events[%d]); ids must be unique", quote(e.ID), j)
				continue
			}
			seen[e.ID] = i
			cfEvents = append(cfEvents, evRef{ev: e.clone(), doc: d, idx: i, list: "counterfactual.events"})
		}
		cfName, cfDesc = cf.Name, cf.Description
		if cfName == "" {
			cfName = m.name + " (counterfactual)"
		}
		if cfDesc == "" {
			cfDesc = "the counterfactual written out in the scenario file"
		}
	} else if ct := d.f.CompareTo; ct != "" {
		csrc, cdata, ok := l.locate(d, ct, "compare_to")
		if ok && csrc.key == src.key {
			l.errAt(d, "compare_to", "compare_to names this scenario itself")
			ok = false
		}
		if ok {
			cd := l.parse(csrc, cdata)
			cm := l.resolve(cd, []string{csrc.key})
			cfEvents = append([]evRef(nil), cm.events...)
			cfName = cm.name
			cfDesc = fmt.Sprintf("the events of scenario '%s' (compare_to), on this scenario's market and horizon", cm.name)
			if cm.marketBase != m.marketBase || cm.marketInline != m.marketInline || len(cm.overrides) != len(m.overrides) {
				l.warnAt(d, "compare_to", "scenario '%s' has its own market; the counterfactual runs its events on this scenario's market", cm.name)
			}
		}
	} else if m.parent != nil {
		cfEvents = append([]evRef(nil), m.parent.events...)
		cfName = m.parent.name
		cfDesc = fmt.Sprintf("scenario '%s' without %s's own events, removals and replacements, on %s's market and horizon", m.parent.name, m.name, m.name)
	} else {
		cfName = m.name + " (no events)"
		cfDesc = "the same market and horizon with no events"
	}
	if cfName == m.name {
		cfName += " (counterfactual)"
	}

	if len(l.limited) > 0 {
		return nil, sortDiags(l.limited)
	}

	// The market file, before the sets: they compare events with its
	// corridors' names (sameEvent); their overrides apply below.
	mf := l.marketFile(m)

	// Whether the scenario's events are its counterfactual's as written,
	// before the sets (checkSameEvents: where to locate its warning).
	sameAsWritten := len(m.events) == len(cfEvents) && !slices.ContainsFunc(m.events, func(e evRef) bool {
		k := indexEvent(cfEvents, e.ev.ID)
		return k < 0 || !sameEvent(mf, e.ev, cfEvents[k].ev)
	})

	// --set.
	var appliedSets []string
	for _, s := range sets {
		if l.applySet(m, &cfEvents, mf, s) {
			appliedSets = append(appliedSets, s)
		}
	}

	// Market.
	var mkt *model.Market
	if mf != nil {
		l.applyOverrides(mf, m.overrides)
		l.validateMarket(mf, m)
		if !l.hasErrors() {
			var err error
			mkt, err = mf.Market()
			if err != nil {
				l.errAt(m.marketDoc(), m.marketField(), "market: %v", err)
			} else {
				l.checkCalibrates(mkt, m)
			}
		}
	}

	sc := &Scenario{Name: m.name, Title: m.title, Description: m.description, Sources: m.sources, CounterfactualName: cfName}
	hz := l.horizon(m, mf)
	evs := l.validateEvents(m.events, mf, hz)
	cfs := l.validateEvents(cfEvents, mf, hz)
	unc := l.dropFixed(l.uncertainty(m, mf, hz, cfEvents), appliedSets, mf, m.events)
	if !l.hasErrors() {
		l.checkReleaseCentral(unc, mf, m)
	}
	corrs := keepDrawn(l.correlations(m), unc)

	if l.hasErrors() || mkt == nil {
		return nil, sortDiags(l.diags)
	}

	// Specs.
	sc.Spec = &model.Spec{Name: m.name, Market: mkt, Start: hz.start, End: hz.end, ReportStart: hz.report}
	sc.Spec.Events = buildEvents(evs, mkt)
	sc.Counterfactual = &model.Spec{Name: cfName, Market: mkt.Clone(), Start: hz.start, End: hz.end, ReportStart: hz.report}
	sc.Counterfactual.Events = buildEvents(cfs, sc.Counterfactual.Market)
	if cd := cropDriver(mf); cd != nil {
		// The market's drivers: the same in the scenario and the
		// counterfactual (validateDrivers built them once already).
		p, err := recordedRealCropPrices(mf.BaseYear)
		if err == nil {
			sc.Spec.Drivers, err = cd.Events(p, mf.BaseYear)
		}
		if err != nil {
			return nil, fmt.Errorf("scenarios: building the crop-price driver: %w", err)
		}
		sc.Counterfactual.Drivers = sc.Spec.Clone().Drivers
	}
	common := commonEvents(m.events, cfEvents, mf)
	for _, u := range unc {
		uu, err := makeUncertain(sc, u, common)
		if err != nil {
			l.errAt(u.ref.doc, fmt.Sprintf("uncertainty[%d].param", u.ref.idx), "%v", err)
			continue
		}
		sc.Uncertain = append(sc.Uncertain, uu)
	}
	if !l.hasErrors() {
		if err := attachCopulas(sc.Uncertain, corrs); err != nil {
			l.errAt(m.leaf, "correlations", "%v", err)
		}
	}
	if !l.hasErrors() {
		l.truncate(sc, m, mf)
	}
	if l.hasErrors() {
		return nil, sortDiags(l.diags)
	}
	l.checkSameEvents(sc, m, sameAsWritten, appliedSets, unc, common)
	sc.common = common
	sc.mf = mf
	sc.events = m.events
	sc.Warnings = sortDiags(l.diags.Warnings())

	// Canonical YAML.
	rf := resolvedFile{
		Name: m.name, Title: m.title, Description: m.description, Sources: m.sources,
		sets:    appliedSets,
		Horizon: HorizonFile{Start: hz.start.String(), End: hz.end.String(), ReportFrom: hz.report.String()},
		Step:    "monthly",
		Counterfactual: CounterfactualFile{
			Name: cfName, Description: cfDesc,
		},
		Market: resolvedMarket{Inline: mf},
	}
	if len(m.chain) > 1 {
		rf.chain = m.chain[1:]
	}
	rf.embedded = map[string][]bool{}
	rf.Events = []EventFile{}
	for _, e := range m.events {
		rf.Events = append(rf.Events, e.ev)
		rf.embedded["events"] = append(rf.embedded["events"], fromEmbedded(e.doc))
	}
	rf.Counterfactual.Events = []EventFile{}
	for _, e := range cfEvents {
		rf.Counterfactual.Events = append(rf.Counterfactual.Events, e.ev)
		rf.embedded["counterfactual.events"] = append(rf.embedded["counterfactual.events"], fromEmbedded(e.doc))
	}
	for _, u := range unc {
		rf.Uncertainty = append(rf.Uncertainty, u.ref.u)
		rf.embedded["uncertainty"] = append(rf.embedded["uncertainty"], fromEmbedded(u.ref.doc))
	}
	rf.Correlations = resolvedCorrs(corrs)
	dataset := m.marketBase
	if m.marketInline != nil {
		dataset = ""
	}
	out, err := resolvedYAML(rf, len(m.overrides) == 0 && dataset != "", dataset)
	if err != nil {
		return nil, fmt.Errorf("scenarios: writing the resolved scenario: %w", err)
	}
	// The hash is of the YAML after the comment lines, so that a resolved
	// scenario rerun has the hash of the run that wrote it.
	sum := sha256.Sum256(out)
	sc.Hash = hex.EncodeToString(sum[:])
	sc.Resolved = append(resolvedComments(rf), out...)
	return sc, nil
}

func marshalYAML(v any) ([]byte, error) {
	var b strings.Builder
	// yaml.v3's layout with 2-space indents: no line wrapping, block
	// lists indented under their key.
	enc, err := yaml.NewDumper(&b, yaml.WithV3Defaults(), yaml.WithIndent(2), yaml.WithLineWidth(-1))
	if err != nil {
		return nil, err
	}
	if err := enc.Dump(v); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}

func (l *loader) hasErrors() bool { return len(l.diags.Errors()) > 0 }

// maxErrors is the most errors a Diagnostics lists; one more says how many
// were left out.
const maxErrors = 100

// sortDiags orders diagnostics by file, line, column (stable), errors first
// within the same place, and drops exact duplicates. Every message is made
// safe to print (sanitize), and past maxErrors errors one line says how
// many more there are.
func sortDiags(ds Diagnostics) Diagnostics {
	out := slices.Clone(ds)
	for k := range out {
		out[k].Msg = sanitize(out[k].Msg)
		out[k].Field = clipText(out[k].Field, 2*maxQuoted)
		out[k].File = clipText(out[k].File, 4*maxQuoted)
	}
	slices.SortStableFunc(out, func(x, y Diagnostic) int {
		if c := strings.Compare(x.File, y.File); c != 0 {
			return c
		}
		if c := x.Line - y.Line; c != 0 {
			return c
		}
		return x.Col - y.Col
	})
	out = slices.Compact(out)
	if n := len(out.Errors()); n > maxErrors {
		var kept Diagnostics
		errs := 0
		for _, d := range out {
			if d.Severity == SeverityError {
				if errs++; errs > maxErrors {
					continue
				}
			}
			kept = append(kept, d)
		}
		out = append(kept, Diagnostic{Severity: SeverityError, File: out[0].File,
			Msg: fmt.Sprintf("%d more errors are not shown; fix the ones above first", n-maxErrors)})
	}
	return out
}

// commonEvents returns the ids of events defined identically in the
// scenario and the counterfactual (common parameters; sameEvent: a
// corridor by its label or its name alike).
func commonEvents(sc, cf []evRef, mf *MarketFile) map[string]bool {
	c := map[string]bool{}
	for _, e := range sc {
		if k := indexEvent(cf, e.ev.ID); k >= 0 && sameEvent(mf, e.ev, cf[k].ev) {
			c[e.ev.ID] = true
		}
	}
	return c
}

func (m *merged) marketDoc() *doc {
	if m.marketInlineAt != nil {
		return m.marketInlineAt
	}
	return m.marketBaseDoc
}

func (m *merged) marketField() string {
	if m.marketInline != nil {
		return "market.inline"
	}
	return "market.base"
}

// marketFile returns a private copy of the scenario's market before
// overrides.
func (l *loader) marketFile(m *merged) *MarketFile {
	if m.marketInline != nil {
		return cloneMarketFile(m.marketInline)
	}
	mf, err := cachedBaseMarketFile(m.marketBase)
	if err != nil {
		if slices.Contains(BaseDatasets(), m.marketBase) {
			l.errAt(m.marketBaseDoc, "market.base", "dataset '%s': %v", m.marketBase, err)
		} else {
			l.errAt(m.marketBaseDoc, "market.base", "unknown dataset '%s'%s", m.marketBase, didYouMean(m.marketBase, BaseDatasets()))
		}
		return nil
	}
	return mf
}

// cloneMarketFile returns a copy of f that shares no memory with it (the
// corridors' serves and the numbers' ranges included), so that changing
// one market never changes the embedded dataset's cached copy
// (TestParsePrivate).
func cloneMarketFile(f *MarketFile) *MarketFile { return f.Clone() }

// baseCache holds parsed embedded datasets (they never change at run time).
var baseCache sync.Map // name → *MarketFile

// cachedBaseMarketFile returns a private copy of the embedded dataset name,
// parsing it once.
func cachedBaseMarketFile(name string) (*MarketFile, error) {
	if v, ok := baseCache.Load(name); ok {
		return cloneMarketFile(v.(*MarketFile)), nil
	}
	mf, err := BaseMarketFile(name)
	if err != nil {
		return nil, err
	}
	baseCache.Store(name, mf)
	return cloneMarketFile(mf), nil
}

// marketYAMLCache holds the YAML of unmodified embedded datasets as they
// appear in a resolved scenario.
var marketYAMLCache sync.Map // dataset name → []byte

// resolvedYAML writes rf as canonical YAML: the scenario, then its market.
// The market section of an embedded dataset without overrides is cached
// (it is most of the bytes and the same every time); with overrides, the
// text of the dataset's unchanged parts is reused (marketYAML), and so is
// that of the built-ins' events and uncertainty entries (headItems).
// TestResolvedYAMLCache checks that the result equals encoding the whole
// at once.
func resolvedYAML(rf resolvedFile, unmodified bool, dataset string) ([]byte, error) {
	var head []byte
	var err error
	if rf.anyKnown() {
		head, err = structYAML(reflect.ValueOf(rf), "", &headItems, func(path string, j int) bool {
			e := rf.embedded[path]
			return j < len(e) && e[j]
		})
	} else {
		head, err = marshalYAML(rf) // in one piece: nothing to reuse or keep
	}
	if err != nil {
		return nil, err
	}

	var mk []byte
	if v, ok := marketYAMLCache.Load(dataset); ok && unmodified {
		mk = v.([]byte)
	} else {
		mk, err = marketYAML(rf.Market, dataset)
		if err != nil {
			return nil, err
		}
		if unmodified {
			marketYAMLCache.Store(dataset, mk)
		}
	}
	return append(append(head, "market:\n"...), indentYAML(mk)...), nil
}

// marketYAML writes the market section of a resolved scenario (as
// marshalYAML(m) does). A market based on embedded dataset (not inline)
// reuses the dataset's text where the market holds it unchanged.
func marketYAML(m resolvedMarket, dataset string) ([]byte, error) {
	if dataset == "" || m.Inline == nil {
		return marshalYAML(m)
	}
	b, err := marketFileYAML(m.Inline, dataset)
	if err != nil {
		return nil, err
	}
	return append([]byte("inline:\n"), indentYAML(b)...), nil
}

// resolvedComments are the comment lines at the top of a resolved
// scenario: what it is, its extends chain and the --set arguments it
// includes (each on one line, escaped).
func resolvedComments(rf resolvedFile) []byte {
	var b strings.Builder
	b.WriteString("# The scenario as run: extends, --set and the market applied. Rerun it to\n# reproduce the numbers (potash run scenario.resolved.yaml).\n")
	if len(rf.chain) > 0 {
		parts := make([]string, len(rf.chain))
		for k, c := range rf.chain {
			parts[k] = escapeText(c)
		}
		fmt.Fprintf(&b, "# extends: %s\n", strings.Join(parts, " → "))
	}
	for _, s := range rf.sets {
		fmt.Fprintf(&b, "# --set %s\n", escapeText(s))
	}
	return []byte(b.String())
}

// indentYAML indents every non-empty line of b by two spaces.
func indentYAML(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/16)
	start := true
	for _, c := range b {
		if start && c != '\n' {
			out = append(out, ' ', ' ')
		}
		out = append(out, c)
		start = c == '\n'
	}
	return out
}
