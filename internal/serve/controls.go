package serve

import (
	"fmt"
	"maps"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/potash-sim/potash/model"
	"github.com/potash-sim/potash/scenarios"
)

// ControlKind is the kind of value a control takes.
type ControlKind string

const (
	// KindNumber is a real number in [Min, Max].
	KindNumber ControlKind = "number"
	// KindMonth is a month "YYYY-MM" within the scenario's horizon.
	KindMonth ControlKind = "month"
	// KindOptMonth is a month, or "never" (the event stays in force for the
	// whole horizon).
	KindOptMonth ControlKind = "optmonth"
)

// Never is the value of an optional-month control meaning "not within the
// horizon".
const Never = "never"

// Runs says which runs of a scenario a control changes.
type Runs string

const (
	// RunsScenario: the scenario only, never its counterfactual (the
	// control's event path under scenarios.ScenarioOnly,
	// scenario.events.ID.FIELD). The default of every event control: the
	// headline then moves by the effect of that one change.
	RunsScenario Runs = "scenario"
	// RunsBoth: the scenario and its counterfactual alike. Always so for
	// a market parameter (the two runs share one market); for an event
	// only when the counterfactual holds the same event and the request
	// lists the control in both=ID,… (--set events.ID.FIELD).
	RunsBoth Runs = "both"
)

// Control is one what-if control of the page: a query parameter of
// /api/run mapped to a scenario `--set` path.
type Control struct {
	ID    string      `json:"id"`    // query parameter, e.g. "belarus_discount"
	Label string      `json:"label"` // what the page shows
	Unit  string      `json:"unit"`  // e.g. "%", "Mt/yr", "month"
	Kind  ControlKind `json:"kind"`
	// Path is the --set path that changes both runs where they share
	// what it sets (a market parameter, an inherited event); an event
	// control changes the scenario only by default, with
	// scenario.PATH (see Runs).
	Path string `json:"path"`
	// Event is the id of the scenario event the control changes ("" for a
	// market parameter); the control is unavailable when the scenario has
	// no such event.
	Event string `json:"event,omitempty"`
	// Min, Max and Step bound a number control (its documented range).
	Min  float64 `json:"min"`
	Max  float64 `json:"max"`
	Step float64 `json:"step"`
	Help string  `json:"help"`
	// Never labels the choice "never" of a KindOptMonth control, e.g.
	// "Stays closed".
	Never string `json:"never,omitempty"`
}

// Controls lists the page's what-if controls, in page order. Ranges of the
// elasticities are the model's valid ranges (model.RangeEps(),
// model.RangeSigma()); the others are the page's documented ranges.
var Controls = []Control{
	{
		ID: "demand_elasticity", Label: "Demand elasticity (all regions)", Unit: "ε, unitless",
		Kind: KindNumber, Path: "market.regions.*.demand_elasticity",
		Min: model.RangeEps().Lo, Max: model.RangeEps().Hi, Step: 0.05,
		Help: "Long-run price elasticity of potash demand, as a positive number; one value for every region.",
	},
	{
		ID: "substitution_elasticity", Label: "Substitution elasticity between origins (all regions)", Unit: "σ, unitless",
		Kind: KindNumber, Path: "market.regions.*.substitution_elasticity",
		Min: model.RangeSigma().Lo, Max: model.RangeSigma().Hi, Step: 0.01,
		Help: "Armington elasticity: how easily buyers switch between suppliers (must exceed 1).",
	},
	{
		ID: "belarus_discount", Label: "Buyers' risk cost on Belarusian potash", Unit: "%",
		Kind: KindNumber, Path: "events.belarus-discount.pct", Event: "belarus-discount",
		Min: 0, Max: 60, Step: 1,
		Help: "Sanction risk, compliance and insurance costs buyers bear on Belarusian potash; nobody collects them. Belarus bears part as a lower price (the \"sanction discount\"). How much US relief shrinks it is not published: us-relief-2025 keeps it in its central case and draws cuts of up to two thirds.",
	},
	{
		ID: "relief", Label: "US relief month", Unit: "month",
		Kind: KindOptMonth, Path: "events.us-ban.end", Event: "us-ban",
		Help:  "First month the US sanctions on Belarusian potash are no longer in force; \"never\" keeps them.",
		Never: "No relief (sanctions stay in force)",
	},
	{
		ID: "klaipeda", Label: "Klaipėda corridor reopens", Unit: "month",
		Kind: KindOptMonth, Path: "events.klaipeda-closed.end", Event: "klaipeda-closed",
		Help:  "First month Belarus can ship through Klaipėda (Lithuania) again; \"never\" keeps it closed.",
		Never: "Stays closed",
	},
	{
		ID: "russian_ports", Label: "Russian-port corridor capacity", Unit: "Mt/yr",
		Kind: KindNumber, Path: "events.russian-ports.capacity_mt", Event: "russian-ports",
		Min: 0, Max: 20, Step: 0.1,
		Help: "Capacity Belarus reaches through Russian ports after the ramp-up.",
	},
	{
		ID: "jansen_start", Label: "BHP Jansen start", Unit: "month",
		Kind: KindMonth, Path: "events.jansen.start", Event: "jansen",
		Help: "First month of BHP Jansen Stage 1 output (Canada, +4.15 Mt/yr at full ramp).",
	},
}

// Limits are the bounds the server enforces, as the page shows them.
type Limits struct {
	MaxDraws       int   `json:"max_draws"`
	DefaultDraws   int   `json:"default_draws"`
	MaxMonths      int   `json:"max_months"`
	MaxUploadBytes int64 `json:"max_upload_bytes"`
	TimeoutSeconds int   `json:"timeout_seconds"`
}

// RunParams is a validated /api/run request.
type RunParams struct {
	Scenario string            // built-in name ("" for an upload)
	File     string            // uploaded file's name
	Source   []byte            // uploaded file's text
	Values   map[string]string // control id → canonical value
	// Both are the event controls that change the counterfactual too
	// (query parameter both=ID,…); the others change the scenario only.
	Both  map[string]bool
	Draws int
	Seed  uint64
}

// inputError is a problem with the request itself (HTTP 400).
type inputError struct {
	Field string
	Msg   string
}

func (e *inputError) Error() string {
	if e.Field == "" {
		return e.Msg
	}
	return e.Field + ": " + e.Msg
}

func controlByID(id string) (Control, bool) {
	k := slices.IndexFunc(Controls, func(c Control) bool { return c.ID == id })
	if k < 0 {
		return Control{}, false
	}
	return Controls[k], true
}

// DefaultSeed is the seed used when a request gives none.
const DefaultSeed = 1

// parseRunQuery validates the query of /api/run. Scenario names are checked
// against builtins unless upload is true.
func parseRunQuery(q url.Values, upload bool, builtins []scenarios.Info, lim Limits) (*RunParams, error) {
	p := &RunParams{Values: map[string]string{}, Both: map[string]bool{}, Draws: lim.DefaultDraws, Seed: DefaultSeed}
	for key, vs := range q {
		if len(vs) != 1 {
			return nil, &inputError{key, fmt.Sprintf("given %d times; give it once", len(vs))}
		}
		v := strings.TrimSpace(vs[0])
		switch key {
		case "scenario":
			if upload {
				return nil, &inputError{key, "an uploaded scenario cannot also name a built-in"}
			}
			p.Scenario = v
		case "file":
			if !upload {
				return nil, &inputError{key, "only an upload (POST with the file as body) has a file name"}
			}
			p.File = v
		case "draws":
			n, err := strconv.Atoi(v)
			if err != nil {
				return nil, &inputError{key, fmt.Sprintf("%q is not a whole number", v)}
			}
			if n < 0 || n > lim.MaxDraws {
				return nil, &inputError{key, fmt.Sprintf("%d is outside the allowed range 0–%d", n, lim.MaxDraws)}
			}
			p.Draws = n
		case "seed":
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return nil, &inputError{key, fmt.Sprintf("%q is not a whole number from 0 to %d", v, uint64(math.MaxUint64))}
			}
			p.Seed = n
		case "both":
			for _, id := range strings.Split(v, ",") {
				id = strings.TrimSpace(id)
				if id == "" {
					continue
				}
				c, ok := controlByID(id)
				switch {
				case !ok:
					return nil, &inputError{key, fmt.Sprintf("%q is not a control; give the ids of event controls that change both runs, e.g. both=klaipeda", clip(id, 40))}
				case c.Event == "":
					return nil, &inputError{key, fmt.Sprintf("%s is a market parameter and always changes both runs; leave it out of both", c.ID)}
				}
				p.Both[id] = true
			}
		default:
			c, ok := controlByID(key)
			if !ok {
				return nil, &inputError{key, "unknown parameter; known: " + strings.Join(paramNames(), ", ")}
			}
			cv, err := c.canonical(v)
			if err != nil {
				return nil, err
			}
			p.Values[key] = cv
		}
	}
	if upload {
		if p.File == "" {
			p.File = "upload.yaml"
		}
		if err := checkFileName(p.File); err != nil {
			return nil, err
		}
		return p, nil
	}
	if p.Scenario == "" {
		p.Scenario = scenarios.DefaultScenario
	}
	if !isBuiltin(builtins, p.Scenario) {
		return nil, notBuiltin(builtins, p.Scenario)
	}
	return p, nil
}

func paramNames() []string {
	names := []string{"scenario", "draws", "seed", "both"}
	for _, c := range Controls {
		names = append(names, c.ID)
	}
	return names
}

func isBuiltin(bs []scenarios.Info, name string) bool {
	return slices.ContainsFunc(bs, func(b scenarios.Info) bool { return b.Name == name })
}

func builtinNames(bs []scenarios.Info) string {
	if len(bs) == 0 {
		return "(none available)"
	}
	return strings.Join(names(bs), ", ")
}

func names(bs []scenarios.Info) []string {
	out := make([]string, len(bs))
	for k, b := range bs {
		out[k] = b.Name
	}
	return out
}

// notBuiltin is the error for a scenario parameter that names no
// built-in, with potash's did-you-mean.
func notBuiltin(bs []scenarios.Info, name string) error {
	msg := fmt.Sprintf("%q is not a built-in scenario", clip(name, 80))
	if s := scenarios.Suggest(name, names(bs)); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	return &inputError{"scenario", msg + "; built-ins: " + builtinNames(bs)}
}

// checkFileName accepts a plain base name of a YAML file.
func checkFileName(f string) error {
	if len(f) > 100 || strings.ContainsAny(f, "/\\\x00") || strings.HasPrefix(f, ".") {
		return &inputError{"file", fmt.Sprintf("%q: give a plain file name such as my-scenario.yaml", f)}
	}
	for _, r := range f {
		if r < 0x20 || r == 0x7f {
			return &inputError{"file", "file name has control characters"}
		}
	}
	return nil
}

// canonical validates v for c (without the scenario's horizon) and returns
// its canonical text.
func (c Control) canonical(v string) (string, error) {
	switch c.Kind {
	case KindNumber:
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return "", &inputError{c.ID, fmt.Sprintf("%q is not a number", v)}
		}
		if x < c.Min || x > c.Max {
			return "", &inputError{c.ID, fmt.Sprintf("%s is outside the allowed range %s", c.valueText(fmtNum(x)), c.valueText(fmtNum(c.Min)+"–"+fmtNum(c.Max)))}
		}
		return fmtNum(x), nil
	case KindMonth, KindOptMonth:
		if c.Kind == KindOptMonth && strings.EqualFold(v, Never) {
			return Never, nil
		}
		m, err := model.ParseMonth(v)
		if err != nil {
			want := "a month YYYY-MM"
			if c.Kind == KindOptMonth {
				want += " or \"never\""
			}
			return "", &inputError{c.ID, fmt.Sprintf("%q is not %s", v, want)}
		}
		return m.String(), nil
	}
	return "", &inputError{c.ID, "unsupported control"}
}

func fmtNum(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// sets turns p's control values into --set arguments for a scenario with
// horizon [start, end], checking months against the horizon. "never"
// becomes the month after the horizon (in force for the whole horizon).
// An event control changes the scenario only (scenario.events.ID.FIELD)
// unless p.Both lists it; a market control changes both runs.
func (p *RunParams) sets(start, end model.Month) ([]string, error) {
	var out []string
	for _, c := range Controls {
		v, ok := p.Values[c.ID]
		if !ok {
			continue
		}
		if c.Kind != KindNumber {
			if v == Never {
				v = (end + 1).String()
			} else {
				m, _ := model.ParseMonth(v)
				if start != 0 && (m < start || m > end) {
					return nil, &inputError{c.ID, fmt.Sprintf("%s is outside the scenario's horizon %s to %s", v, start, end)}
				}
			}
		}
		out = append(out, c.setPath(p.Both[c.ID])+"="+v)
	}
	return out, nil
}

// runs returns which runs c changes when both is asked for.
func (c Control) runs(both bool) Runs {
	if c.Event == "" || both {
		return RunsBoth
	}
	return RunsScenario
}

// setPath is c's --set path when it changes the runs c.runs(both) says.
func (c Control) setPath(both bool) string {
	if c.runs(both) == RunsScenario {
		return scenarios.ScenarioOnly + "." + c.Path
	}
	return c.Path
}

// canonicalQuery is the request's canonical form (sorted keys), used for the
// cache key and the page's URL.
func (p *RunParams) canonicalQuery() string {
	q := url.Values{}
	if p.Scenario != "" {
		q.Set("scenario", p.Scenario)
	}
	if p.File != "" {
		q.Set("file", p.File)
	}
	for k, v := range p.Values {
		q.Set(k, v)
	}
	if len(p.Both) > 0 {
		ids := slices.Sorted(maps.Keys(p.Both))
		q.Set("both", strings.Join(ids, ","))
	}
	q.Set("draws", strconv.Itoa(p.Draws))
	q.Set("seed", strconv.FormatUint(p.Seed, 10))
	return q.Encode() // sorted by key
}

// ControlState is a control's value in one scenario.
type ControlState struct {
	Control
	Available bool   `json:"available"`
	Value     string `json:"value"` // default value in this scenario
	MinMonth  string `json:"min_month,omitempty"`
	MaxMonth  string `json:"max_month,omitempty"`
	Note      string `json:"note,omitempty"`
	// Runs is what the control changes by default: the scenario only for
	// an event, both runs for a market parameter.
	Runs Runs `json:"runs"`
	// CanBoth says the control may change both runs (both=ID): the
	// counterfactual holds the scenario's event unchanged
	// (scenarios.Scenario.CommonEvent). Always true of a market
	// parameter.
	CanBoth bool `json:"can_both"`
	// CounterfactualValue is the value in the counterfactual, "" when it
	// has no such event.
	CounterfactualValue string `json:"counterfactual_value,omitempty"`
	// ValueText and CounterfactualValueText are the values with their
	// unit, as the page shows them ("37.9%", "8.4 Mt/yr", "never").
	ValueText               string `json:"value_text"`
	CounterfactualValueText string `json:"counterfactual_value_text,omitempty"`
}

// controlStates reads each control's default value from sc, and whether
// it can change both runs (common reports an event the counterfactual
// holds unchanged).
func controlStates(sc *scenarios.Scenario, common func(*scenarios.Scenario, string) bool) []ControlState {
	var out []ControlState
	spec := sc.Spec
	for _, c := range Controls {
		st := ControlState{Control: c, Runs: c.runs(false)}
		if spec == nil || spec.Market == nil {
			st.Note = "scenario has no market"
			out = append(out, st)
			continue
		}
		if c.Kind != KindNumber {
			st.MinMonth, st.MaxMonth = spec.Start.String(), spec.End.String()
		}
		switch c.ID {
		case "demand_elasticity", "substitution_elasticity":
			st.Available, st.Value, st.Note = regionParam(spec.Market, c.ID)
			st.CanBoth = true
			st.CounterfactualValue = st.Value
		default:
			e := findEvent(spec, c.Event)
			if e == nil {
				st.Note = fmt.Sprintf("this scenario has no event %q", c.Event)
				break
			}
			st.Available = true
			st.Value = eventValue(c, e, spec.End)
			if sc.Counterfactual != nil {
				if ce := findEvent(sc.Counterfactual, c.Event); ce != nil {
					st.CounterfactualValue = eventValue(c, ce, sc.Counterfactual.End)
				}
			}
			st.CanBoth = common != nil && common(sc, c.Event)
		}
		st.ValueText, st.CounterfactualValueText = c.valueText(st.Value), c.valueText(st.CounterfactualValue)
		out = append(out, st)
	}
	return out
}

// eventValue is the value control c shows for event e of a run ending in
// end.
func eventValue(c Control, e *model.Event, end model.Month) string {
	switch c.ID {
	case "belarus_discount":
		return fmtNum(round(e.Value*100, 1e-9))
	case "russian_ports":
		return fmtNum(round(e.Value, 1e-9))
	case "jansen_start":
		return e.Start.String()
	case "relief", "klaipeda":
		if e.End == 0 || e.End > end {
			return Never
		}
		return e.End.String()
	}
	return ""
}

// round drops floating-point noise (0.15*100 = 15.000000000000002) by
// keeping 10 significant digits; q is unused beyond documenting intent.
func round(x, _ float64) float64 {
	y, err := strconv.ParseFloat(strconv.FormatFloat(x, 'g', 10, 64), 64)
	if err != nil {
		return x
	}
	return y
}

func findEvent(s *model.Spec, id string) *model.Event {
	for k := range s.Events {
		if s.Events[k].ID == id {
			return &s.Events[k]
		}
	}
	return nil
}

// regionParam returns the value shown for a market-wide regional parameter:
// the benchmark region's, with the spread across regions in the note.
func regionParam(m *model.Market, id string) (bool, string, string) {
	if len(m.Regions) == 0 {
		return false, "", "market has no regions"
	}
	get := func(r model.Region) float64 {
		if id == "demand_elasticity" {
			return r.Eps
		}
		return r.Sigma
	}
	vals := make([]float64, len(m.Regions))
	for k, r := range m.Regions {
		vals[k] = get(r)
	}
	b := m.RegionIndex(m.Benchmark)
	if b < 0 {
		b = 0
	}
	v := vals[b]
	lo, hi := slices.Min(vals), slices.Max(vals)
	note := ""
	if lo != hi {
		note = fmt.Sprintf("varies by region (%s–%s; %s: %s); moving it sets every region to one value",
			fmtNum(round(lo, 1e-6)), fmtNum(round(hi, 1e-6)), m.Regions[b].Name, fmtNum(round(v, 1e-6)))
	}
	return true, fmtNum(round(v, 1e-9)), note
}

// checkControls checks p's controls against scenario base: each control
// set must be available, and one asked to change both runs must be on an
// event the counterfactual holds unchanged.
func checkControls(p *RunParams, base *scenarios.Scenario, common func(*scenarios.Scenario, string) bool) error {
	for _, st := range controlStates(base, common) {
		_, set := p.Values[st.ID]
		if (set || p.Both[st.ID]) && !st.Available {
			return &inputError{st.ID, "not available for this scenario: " + st.Note}
		}
		if p.Both[st.ID] && !st.CanBoth {
			why := fmt.Sprintf("has no event %q", st.Event)
			if st.CounterfactualValue != "" {
				why = fmt.Sprintf("defines event %q differently (%s there)", st.Event, st.CounterfactualValue)
			}
			return &inputError{st.ID, fmt.Sprintf("cannot change both runs: the counterfactual, %s, %s; this control changes the scenario only", base.CounterfactualName, why)}
		}
	}
	return nil
}

// runsText names which runs r are, in words.
func runsText(r Runs) string {
	switch r {
	case RunsScenario:
		return "scenario only"
	case RunsBoth:
		return "both runs"
	}
	return ""
}

// valueText is value v of control c with its unit, as the page and
// its messages show it: "40%", "8.4 Mt/yr", "0.5" (a unitless number),
// "2026-07", "never".
func (c Control) valueText(v string) string {
	switch {
	case v == Never || v == "":
	case c.Unit == "%":
		v += "%"
	case c.Kind == KindNumber && !strings.Contains(c.Unit, "unitless"):
		v += " " + c.Unit
	}
	return v
}

// settingText is control c at value v, changing runs r (none named when r
// is ""), in words: "Klaipėda corridor reopens: 2026-07 (scenario only)".
func settingText(c Control, v string, r Runs) string {
	t := c.Label + ": " + c.valueText(v)
	if r != "" {
		t += " (" + runsText(r) + ")"
	}
	return t
}

// describe says in words what p changes from the scenario's values, and
// in which runs; "" when it changes nothing.
func (p *RunParams) describe() string {
	var parts []string
	for _, c := range Controls {
		if v, ok := p.Values[c.ID]; ok {
			parts = append(parts, settingText(c, v, c.runs(p.Both[c.ID])))
		}
	}
	return strings.Join(parts, "; ")
}
