package scenarios

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// hdr starts a scenario on the embedded base-2020 market: line 1 title,
// line 2 horizon, line 3 "events:", so the first event is on line 4.
const hdr = "title: t\nhorizon: {start: 2020-01, end: 2022-12}\nevents:\n"

// invalidCases are inputs that must be rejected, each with every error
// message it must produce (Diagnostic.Error: file:line:col: field: msg).
var invalidCases = []struct {
	name string
	file string // default "bad.yaml"
	src  string
	sets []string
	want []string
}{
	{name: "unknown top-level key", src: "titel: t\nhorizon: {end: 2021-12}\n", want: []string{
		"bad.yaml:1:1: titel: unknown key 'titel' at the top level; did you mean 'title'?",
	}},
	// A key of a section written at the top level: where it belongs.
	{name: "market key at the top level", src: "title: t\nhorizon: {end: 2021-12}\noverrides:\n  regions.Brazil.demand_elasticity: 0.4\n", want: []string{
		"bad.yaml:3:1: overrides: unknown key 'overrides' at the top level; it belongs under market (market.overrides)",
	}},
	{name: "horizon key at the top level", src: "title: t\nhorizon: {end: 2028-12}\nreport_from: 2026-01\n", want: []string{
		"bad.yaml:3:1: report_from: unknown key 'report_from' at the top level; it belongs inside horizon: write horizon: {end: 2028-12, report_from: 2026-01}",
	}},
	// A section's key written beside the section: one error, where it is,
	// saying what to write; not also "missing key 'add_mt'" in capacity.
	{name: "capacity key beside capacity", src: hdr + "  - id: j\n    capacity: {supplier: Canada}\n    add_mt: 4.15\n    start: 2021-01\n", want: []string{
		"bad.yaml:6:5: events[0].add_mt: unknown key 'add_mt' in events[0]; it belongs inside capacity: write capacity: {supplier: Canada, add_mt: 4.15}",
	}},
	{name: "capacity key beside a block capacity", src: hdr + "  - id: j\n    capacity:\n      supplier: Canada\n    add_mt: 4.15\n    start: 2021-01\n", want: []string{
		"bad.yaml:7:5: events[0].add_mt: unknown key 'add_mt' in events[0]; it belongs inside capacity: write capacity: {supplier: Canada, add_mt: 4.15}",
	}},
	{name: "unknown supplier", src: hdr + "  - {id: b, ban: {supplier: Belarussia, region: Brazil}, start: 2021-01}\n", want: []string{
		"bad.yaml:4:29: events[0].ban.supplier: unknown supplier 'Belarussia'; did you mean 'Belarus'?",
	}},
	{name: "unknown region", src: hdr + "  - {id: b, ban: {supplier: Belarus, region: Brasil}, start: 2021-01}\n", want: []string{
		"bad.yaml:4:46: events[0].ban.region: unknown region 'Brasil'; did you mean 'Brazil'?",
	}},
	{name: "unknown corridor", src: hdr + "  - {id: k, corridor: {supplier: Belarus, name: Klaipda, capacity_mt: 0}, start: 2021-01}\n", want: []string{
		"bad.yaml:4:49: events[0].corridor.name: unknown corridor 'Klaipda' of Belarus; did you mean 'Klaipeda'?",
	}},
	// One error for one typo: not also "missing key 'start'".
	{name: "misspelled event key", src: hdr + "  - id: b\n    ban: {supplier: Belarus, region: Brazil}\n    strat: 2021-01\n", want: []string{
		"bad.yaml:6:5: events[0].strat: unknown key 'strat' in events[0]; did you mean 'start'?",
	}},
	// One error for one typo, but a second, real error is still reported.
	{name: "misspelled horizon key and a bad month", src: "title: t\nhorizon: {start: 2020-13, edn: 2028-12}\n", want: []string{
		"bad.yaml:2:18: horizon.start: expected a month YYYY-MM (year 1900..2200, month 01..12), got '2020-13'",
		"bad.yaml:2:27: horizon.edn: unknown key 'edn' in horizon; did you mean 'end'?",
	}},
	{name: "misspelled horizon key and a bad step", src: "title: t\nstep: weekly\nhorizon: {end: 2028-12, report_frm: 2026-01}\n", want: []string{
		"bad.yaml:2:7: step: unsupported step 'weekly': only 'monthly' is supported",
		"bad.yaml:3:25: horizon.report_frm: unknown key 'report_frm' in horizon; did you mean 'report_from'?",
	}},
	// A misspelt events: key hides "unknown event" in an uncertainty, not
	// the error of an inherited event's misspelt field.
	{name: "misspelled events key and a bad field", src: "name: t\nextends: history\nhorizon: {end: 2028-12}\nevnts: []\nuncertainty:\n  - {param: events.us-ban.ramp_mnths, dist: uniform, min: 3, max: 5}\n", want: []string{
		"bad.yaml:4:1: evnts: unknown key 'evnts' at the top level; did you mean 'events'?",
		"bad.yaml:6:13: uncertainty[0].param: event 'us-ban' (ban) has no field 'ramp_mnths'; expected one of: end, label, region, start, supplier",
	}},
	// Not also "event 'b' has no instrument".
	{name: "misspelled instrument", src: hdr + "  - id: b\n    bna: {supplier: Belarus, region: Brazil}\n    start: 2021-01\n", want: []string{
		"bad.yaml:5:5: events[0].bna: unknown key 'bna' in events[0]; did you mean 'ban'?",
	}},
	{name: "two instruments", src: hdr + "  - {id: b, ban: {supplier: Belarus, region: Brazil}, wedge: {supplier: Belarus, region: all, pct: 5}, start: 2021-01}\n", want: []string{
		"bad.yaml:4:62: events[0].wedge: event 'b' has more than one instrument (ban, wedge): give each its own event",
	}},
	{name: "no instrument", src: hdr + "  - {id: b, start: 2021-01}\n", want: []string{
		"bad.yaml:4:5: events[0]: event 'b' has no instrument: expected exactly one of ban, wedge, export_cap, corridor, capacity, demand, crop_prices, stock_target, cost, tariff_quota, concession, risk_cost, export_tax, conduct, coalition",
	}},
	{name: "end before start", src: hdr + "  - {id: b, ban: {supplier: Belarus, region: Brazil}, start: 2021-06, end: 2021-01}\n", want: []string{
		"bad.yaml:4:76: events[0].end: end 2021-01 is not after start 2021-06 (end is the first month no longer in force)",
	}},
	{name: "end equals start", src: hdr + "  - {id: b, ban: {supplier: Belarus, region: Brazil}, start: 2021-06, end: 2021-06}\n", want: []string{
		"bad.yaml:4:76: events[0].end: end 2021-06 is not after start 2021-06 (end is the first month no longer in force)",
	}},
	{name: "bad month", src: hdr + "  - {id: b, ban: {supplier: Belarus, region: Brazil}, start: 2021-13}\n", want: []string{
		"bad.yaml:4:62: events[0].start: expected a month YYYY-MM (year 1900..2200, month 01..12), got '2021-13'",
	}},
	{name: "ramp longer than horizon", src: hdr + "  - {id: w, wedge: {supplier: Belarus, region: all, pct: 5}, start: 2021-01, ramp_months: 40}\n", want: []string{
		"bad.yaml:4:91: events[0].ramp_months: ramp_months 40 is longer than the horizon (36 months, 2020-01..2022-12)",
	}},
	{name: "ramp on a ban", src: hdr + "  - {id: b, ban: {supplier: Belarus, region: Brazil}, start: 2021-01, ramp_months: 3}\n", want: []string{
		"bad.yaml:4:84: events[0].ramp_months: a ban cannot ramp (a route is open or closed); phase a sanction in with a wedge event instead",
	}},
	{name: "negative ramp", src: hdr + "  - {id: w, wedge: {supplier: Belarus, region: all, pct: 5}, start: 2021-01, ramp_months: -2}\n", want: []string{
		"bad.yaml:4:91: events[0].ramp_months: ramp_months = -2 is outside its valid range: must be ≥ 0",
	}},
	{name: "export cap below zero", src: hdr + "  - {id: q, export_cap: {supplier: Russia, mt: -1}, start: 2021-01}\n", want: []string{
		"bad.yaml:4:48: events[0].export_cap.mt: export cap (mt) = -1 is outside its valid range: must be in [0, 1000]",
	}},
	{name: "corridor capacity below zero", src: hdr + "  - {id: k, corridor: {supplier: Belarus, name: Klaipeda, capacity_mt: -3}, start: 2021-01}\n", want: []string{
		"bad.yaml:4:72: events[0].corridor.capacity_mt: corridor capacity (capacity_mt) = -3 is outside its valid range: must be in [0, 1000]",
	}},
	{name: "production capacity below zero", src: hdr + "  - {id: c, capacity: {supplier: Belarus, add_mt: -20}, start: 2021-01}\n", want: []string{
		"bad.yaml:4:51: events[0].capacity.add_mt: capacity below zero: Belarus's capacity 13 Mt/yr plus add_mt -20 is negative",
	}},
	{name: "wedge of -100 percent", src: hdr + "  - {id: w, wedge: {supplier: Belarus, region: all, pct: -100}, start: 2021-01}\n", want: []string{
		"bad.yaml:4:58: events[0].wedge.pct: pct = -100 is outside its valid range: must be in [-50, 500]",
	}},
	{name: "overlapping corridor levels", src: hdr + "  - {id: k1, corridor: {supplier: Belarus, name: Klaipeda, capacity_mt: 0}, start: 2021-01}\n  - {id: k2, corridor: {supplier: Belarus, name: Klaipeda, capacity_mt: 5}, start: 2022-01}\n", want: []string{
		"bad.yaml:5:84: events[1].start: event 'k2' overlaps event 'k1': both set the capacity of corridor Belarus/Klaipeda from 2022-01; end the earlier one (end: YYYY-MM) before the later one starts",
	}},
	// Issue 16 item 3: two bans on one route at once, and a misspelt id
	// meant to replace an inherited ban, are flagged.
	{name: "two bans on one route", src: hdr + "  - {id: b1, ban: {supplier: Belarus, region: Europe}, start: 2021-01}\n  - {id: b2, ban: {supplier: Belarus, region: Europe}, start: 2022-01}\n", want: []string{
		"bad.yaml:5:63: events[1].start: event 'b2' overlaps event 'b1': both set the ban on Belarus → Europe from 2022-01; end the earlier one (end: YYYY-MM) before the later one starts",
	}},
	{name: "a ban of all regions over a route ban", src: hdr + "  - {id: eu, ban: {supplier: Belarus, region: Europe}, start: 2021-01, end: 2021-06}\n  - {id: all, ban: {supplier: Belarus, region: all}, start: 2021-03}\n", want: []string{
		"bad.yaml:5:61: events[1].start: event 'all' overlaps event 'eu': both set the ban on Belarus → Europe from 2021-03; end the earlier one (end: YYYY-MM) before the later one starts",
	}},
	{name: "misspelt id meant to replace an inherited ban", src: "extends: history\nevents:\n  - {id: eu-bam, ban: {supplier: Belarus, region: Europe}, start: 2022-03, end: 2024-01}\n", want: []string{
		"bad.yaml:3:67: events[0].start: event 'eu-bam' overlaps event 'eu-ban': both set the ban on Belarus → Europe from 2022-03; did you mean id 'eu-ban'? an event replaces an inherited one only under the same id: to replace 'eu-ban', use its id; else remove it (remove_events: [eu-ban]) or end it before this one starts",
	}},
	{name: "two tariff-rate quotas on one route", src: hdr + "  - {id: t1, tariff_quota: {supplier: Russia, region: Europe, in_pct: 0, out_pct: 50, quota_mt: 0.8}, start: 2021-01}\n  - {id: t2, tariff_quota: {supplier: Russia, region: Europe, in_pct: 0, out_pct: 90, quota_mt: 0.5}, start: 2022-01}\n", want: []string{
		"bad.yaml:5:110: events[1].start: event 't2' overlaps event 't1': both set the tariff-rate quota on Russia → Europe from 2022-01; end the earlier one (end: YYYY-MM) before the later one starts",
	}},
	{name: "overlapping export caps", src: hdr + "  - {id: q1, export_cap: {supplier: Russia, mt: 9}, start: 2021-01, end: 2022-01, ramp_out_months: 3}\n  - {id: q2, export_cap: {supplier: Russia, mt: 8}, start: 2022-02}\n", want: []string{
		"bad.yaml:5:60: events[1].start: event 'q2' overlaps event 'q1': both set the export cap of Russia from 2022-02; end the earlier one (end: YYYY-MM) before the later one starts",
	}},
	{name: "duplicate event id", src: hdr + "  - {id: b, ban: {supplier: Belarus, region: Brazil}, start: 2021-01}\n  - {id: b, ban: {supplier: Belarus, region: India}, start: 2021-01}\n", want: []string{
		"bad.yaml:5:10: events[1].id: duplicate event id 'b' (also events[0]); ids must be unique",
	}},
	{name: "id with a space", src: hdr + "  - {id: us ban, ban: {supplier: Belarus, region: Brazil}, start: 2021-01}\n", want: []string{
		"bad.yaml:4:10: events[0].id: event id 'us ban' may hold only ASCII letters (a-z, A-Z), digits, '-' and '_' (it is used in paths like events.ID.FIELD)",
	}},
	// 'ė' is a letter, but not one an id may hold: the message says ASCII.
	{name: "id with a non-ASCII letter", src: hdr + "  - {id: klaipėda-2, ban: {supplier: Belarus, region: Brazil}, start: 2021-01}\n", want: []string{
		"bad.yaml:4:10: events[0].id: event id 'klaipėda-2' may hold only ASCII letters (a-z, A-Z), digits, '-' and '_' (it is used in paths like events.ID.FIELD)",
	}},
	{name: "remove_events without extends", src: "title: t\nhorizon: {end: 2021-12}\nremove_events: [us-ban]\n", want: []string{
		"bad.yaml:3:16: remove_events: remove_events needs extends: there are no inherited events to remove",
	}},
	{name: "remove unknown inherited event", src: "title: t\nextends: history\nremove_events: [us-bann]\n", want: []string{
		"bad.yaml:3:17: remove_events[0]: no inherited event 'us-bann' to remove; did you mean 'us-ban'?",
	}},
	{name: "extends unknown built-in", src: "title: t\nextends: histroy\n", want: []string{
		"bad.yaml:2:10: extends: unknown built-in scenario 'histroy'; did you mean 'history'? (a file path must end in .yaml or contain '/')",
	}},
	{name: "extends cycle", file: "testdata/invalid/cycle-a.yaml", want: []string{
		"testdata/invalid/cycle-b.yaml:2:10: extends: extends cycle: testdata/invalid/cycle-a.yaml → testdata/invalid/cycle-b.yaml → testdata/invalid/cycle-a.yaml",
	}},
	{name: "extends itself", file: "testdata/invalid/self.yaml", want: []string{
		"testdata/invalid/self.yaml:2:10: extends: extends cycle: testdata/invalid/self.yaml → testdata/invalid/self.yaml",
	}},
	{name: "extends missing file", src: "title: t\nextends: nowhere/none.yaml\n", want: []string{
		"bad.yaml:2:10: extends: cannot read 'nowhere/none.yaml' (relative to .): no such file or directory",
	}},
	{name: "override path typo", src: "title: t\nmarket:\n  overrides:\n    regions.Brazil.demand_elastcity: 0.4\nhorizon: {end: 2021-12}\n", want: []string{
		"bad.yaml:4:5: market.overrides.regions.Brazil.demand_elastcity: unknown region field 'demand_elastcity'; did you mean 'demand_elasticity'?",
	}},
	{name: "override out of valid range", src: "title: t\nmarket:\n  overrides:\n    regions.Brazil.substitution_elasticity: 0.9\nhorizon: {end: 2021-12}\n", want: []string{
		"bad.yaml:4:45: market.overrides.regions.Brazil.substitution_elasticity: substitution_elasticity = 0.9 is outside its valid range: must be in [1.75, 30]",
	}},
	{name: "override unknown region", src: "title: t\nmarket:\n  overrides:\n    market.regions.Brazl.demand_elasticity: 0.4\nhorizon: {end: 2021-12}\n", want: []string{
		"bad.yaml:4:5: market.overrides.market.regions.Brazl.demand_elasticity: unknown region 'Brazl'; did you mean 'Brazil'?",
	}},
	{name: "unknown dataset", src: "title: t\nmarket: {base: base-2021}\nhorizon: {end: 2021-12}\n", want: []string{
		"bad.yaml:2:16: market.base: unknown dataset 'base-2021'; did you mean 'base-2020'?",
	}},
	{name: "base and inline", src: "title: t\nmarket: {base: base-2020, inline: {}}\nhorizon: {end: 2021-12}\n", want: []string{
		"bad.yaml:2:35: market.inline.base_year: missing key 'base_year': expected an integer",
		"bad.yaml:2:35: market.inline.benchmark: missing key 'benchmark': expected a string",
		"bad.yaml:2:35: market.inline.regions: missing key 'regions': expected a list of mappings",
		"bad.yaml:2:35: market.inline.routes: missing key 'routes': expected a list of mappings",
		"bad.yaml:2:35: market.inline.suppliers: missing key 'suppliers': expected a list of mappings",
		"bad.yaml:2:35: market.inline: give either market.base or market.inline, not both",
	}},
	{name: "unknown distribution", src: "title: t\nhorizon: {end: 2021-12}\nuncertainty:\n  - {param: market.regions.Brazil.demand_elasticity, dist: normla, mean: 0.3, sd: 0.1}\n", want: []string{
		"bad.yaml:4:60: uncertainty[0].dist: unknown distribution 'normla'; did you mean 'normal'?",
	}},
	{name: "sd not positive", src: "title: t\nhorizon: {end: 2021-12}\nuncertainty:\n  - {param: market.regions.Brazil.demand_elasticity, dist: normal, mean: 0.3, sd: 0}\n", want: []string{
		"bad.yaml:4:83: uncertainty[0].sd: sd must be > 0, got 0",
	}},
	{name: "mode outside min max", src: "title: t\nhorizon: {end: 2021-12}\nuncertainty:\n  - {param: market.regions.Brazil.demand_elasticity, dist: triangular, min: 0.1, mode: 0.9, max: 0.6}\n", want: []string{
		"bad.yaml:4:88: uncertainty[0].mode: mode 0.9 is outside [min, max] = [0.1, 0.6]",
	}},
	{name: "min above max", src: "title: t\nhorizon: {end: 2021-12}\nuncertainty:\n  - {param: market.regions.Brazil.demand_elasticity, dist: uniform, min: 0.6, max: 0.1}\n", want: []string{
		"bad.yaml:4:84: uncertainty[0].max: uniform needs min < max, got min 0.6, max 0.1",
	}},
	{name: "empty truncation", src: "title: t\nhorizon: {end: 2021-12}\nuncertainty:\n  - {param: market.regions.Brazil.demand_elasticity, dist: normal, mean: 0.3, sd: 0.01, lower: 2, upper: 3}\n", want: []string{
		"bad.yaml:4:96: uncertainty[0].lower: impossible normal distribution: normal(0.3, 0.01) truncated to [2, 3]: the interval holds probability 0, too little to draw from",
	}},
	{name: "lower above upper", src: "title: t\nhorizon: {end: 2021-12}\nuncertainty:\n  - {param: market.regions.Brazil.demand_elasticity, dist: normal, mean: 0.3, sd: 0.1, lower: 0.5, upper: 0.2}\n", want: []string{
		"bad.yaml:4:107: uncertainty[0].upper: truncation [lower, upper] = [0.5, 0.2] is empty",
	}},
	{name: "draws outside valid range", src: "title: t\nhorizon: {end: 2021-12}\nuncertainty:\n  - {param: market.regions.*.substitution_elasticity, dist: uniform, min: 0.5, max: 3}\n", want: []string{
		"bad.yaml:4:61: uncertainty[0].dist: draws of market.regions.*.substitution_elasticity reach [0.5, 3] (0.1%–99.9% quantiles), outside its valid range: must be in [1.75, 30]; narrow or truncate the distribution (lower/upper)",
	}},
	{name: "uncertain month", src: "title: t\nextends: history\nuncertainty:\n  - {param: events.us-ban.end, dist: uniform, min: 1, max: 3}\n", want: []string{
		"bad.yaml:4:13: uncertainty[0].param: events.us-ban.end is a month; uncertainty takes numeric parameters (sweep months with a sweep instead)",
	}},
	{name: "parameter of another distribution", src: "title: t\nhorizon: {end: 2021-12}\nuncertainty:\n  - {param: market.regions.Brazil.demand_elasticity, dist: normal, mean: 0.3, sd: 0.1, mode: 0.3}\n", want: []string{
		"bad.yaml:4:94: uncertainty[0].mode: mode is not a parameter of normal (it takes mean, sd)",
	}},
	{name: "missing distribution parameter", src: "title: t\nhorizon: {end: 2021-12}\nuncertainty:\n  - {param: market.regions.Brazil.demand_elasticity, dist: lognormal, mu: -1}\n", want: []string{
		"bad.yaml:4:5: uncertainty[0]: lognormal distribution needs sigma (it takes mu, sigma)",
	}},
	{name: "uncertain unknown supplier", src: "title: t\nhorizon: {end: 2021-12}\nuncertainty:\n  - {param: market.suppliers.Belarussia.supply_elasticity, dist: uniform, min: 0.5, max: 2}\n", want: []string{
		"bad.yaml:4:13: uncertainty[0].param: unknown supplier 'Belarussia'; did you mean 'Belarus'?",
	}},
	{name: "step not monthly", src: "title: t\nhorizon: {end: 2021-12}\nstep: quarterly\n", want: []string{
		"bad.yaml:3:7: step: unsupported step 'quarterly': only 'monthly' is supported",
	}},
	{name: "horizon end before start", src: "title: t\nhorizon: {start: 2022-01, end: 2021-12}\n", want: []string{
		"bad.yaml:2:32: horizon.end: horizon end 2021-12 is before its start 2022-01",
	}},
	{name: "report_from outside horizon", src: "title: t\nhorizon: {start: 2020-01, end: 2021-12, report_from: 2023-01}\n", want: []string{
		"bad.yaml:2:54: horizon.report_from: report_from 2023-01 is outside the horizon 2020-01..2021-12",
	}},
	{name: "horizon before base year", src: "title: t\nhorizon: {start: 2019-01, end: 2021-12}\n", want: []string{
		"bad.yaml:2:18: horizon.start: horizon start 2019-01 is before the market's base year 2020: paths start from the base-year equilibrium",
	}},
	{name: "missing horizon end", src: "title: t\n", want: []string{
		"bad.yaml:1:1: horizon: missing horizon.end: the last simulated month, YYYY-MM",
	}},
	{name: "percent sign", src: hdr + "  - {id: w, wedge: {supplier: Belarus, region: all, pct: 15%}, start: 2021-01}\n", want: []string{
		"bad.yaml:4:58: events[0].wedge.pct: expected a number (%), got '15%' (write the percentage without the % sign)",
	}},
	{name: "not a finite number", src: hdr + "  - {id: w, wedge: {supplier: Belarus, region: all, pct: .nan}, start: 2021-01}\n", want: []string{
		"bad.yaml:4:58: events[0].wedge.pct: expected a finite number, got '.nan'",
	}},
	{name: "duplicate key", src: "title: t\ntitle: u\nhorizon: {end: 2021-12}\n", want: []string{
		"bad.yaml:2:1: title: duplicate key 'title'",
	}},
	{name: "YAML syntax error", src: "title: t\nhorizon: {end: 2021-12\n", want: []string{
		"bad.yaml:3:1: YAML syntax: did not find expected ',' or '}' (while parsing a flow mapping at line 2, column 10)",
	}},
	{name: "NUL byte", src: "title: t\nhorizon: {end: 2021-12}\ndescription: a\x00b\n", want: []string{
		"bad.yaml:3:15: a NUL character: a scenario file is text",
	}},
	{name: "not UTF-8", src: "title: t\nhorizon: {end: 2021-12}\ndescription: caf\xe9\n", want: []string{
		"bad.yaml:3:17: invalid UTF-8 (byte 0xe9): a scenario file must be UTF-8 text",
	}},
	{name: "UTF-16", src: "\xff\xfet\x00i\x00", want: []string{
		"bad.yaml:1:1: the file is UTF-16 text; save it as UTF-8",
	}},
	{name: "raw terminal escape", src: "title: t\x1b[2J\nhorizon: {end: 2021-12}\n", want: []string{
		"bad.yaml:1:9: control character U+001B is not allowed in YAML",
	}},
	{name: "second document", src: "title: t\nhorizon: {end: 2021-12}\n---\ntitle: u\n", want: []string{
		"bad.yaml:3:1: a second YAML document (after '---') is not allowed: a scenario file holds one document",
	}},
	{name: "binary tag", src: "title: t\nhorizon: {end: 2021-12}\ndescription: !!binary aGVsbG8=\n", want: []string{
		"bad.yaml:3:14: description: the tag '!!binary' is not allowed: a scenario holds plain strings, numbers, lists and mappings",
	}},
	{name: "application tag", src: "title: !foo t\nhorizon: {end: 2021-12}\n", want: []string{
		"bad.yaml:1:8: title: the tag '!foo' is not allowed: a scenario holds plain strings, numbers, lists and mappings",
	}},
	{name: "tab indents", src: "title: t\nhorizon:\n  end: 2021-12\n\tstart: 2020-01\n", want: []string{
		"bad.yaml:4:1: YAML syntax: a tab character indents this line; YAML indents with spaces only (replace the tab with spaces)",
	}},
	// A quote left open runs the value on to the next quote, an
	// apostrophe lines below: the error is at the open quote.
	{name: "quote not closed", src: "title: 'Belarus relief\nhorizon: {end: 2028-12}\ndescription: history's view: more\n", want: []string{
		"bad.yaml:1:8: YAML syntax: this ' is not closed on its line: the value runs on to the ' on line 3, and the file no longer parses at line 3, column 28 (mapping values are not allowed in this context)",
	}},
	{name: "double quote not closed", src: "title: t\ndescription: \"Belarus relief\nhorizon: {end: 2028-12}\nsources:\n  - \"a: b\"\n", want: []string{
		"bad.yaml:2:14: YAML syntax: this \" is not closed on its line: the value runs on to the \" on line 5, and the file no longer parses at line 5, column 7 (mapping values are not allowed in this context)",
	}},
	// Apostrophes in a block scalar, and a quoted value over two lines
	// that the file means, are not taken for an open quote.
	{name: "block scalar and a two-line quote", src: "title: t\ndescription: |\n  history's view: 'more\nsources:\n  - 'one, and\n    two'\nhorizon: {end: 2028-12\n", want: []string{
		"bad.yaml:8:1: YAML syntax: did not find expected ',' or '}' (while parsing a flow mapping at line 7, column 10)",
	}},
	{name: "quote opening a block scalar's line", src: "title: t\ndescription: >-\n  'tis the season\nsources:\n  - it's: a: b\n", want: []string{
		"bad.yaml:5:12: YAML syntax: mapping values are not allowed in this context",
	}},
	{name: "tab indents the first key", src: "title: t\nhorizon:\n\tend: 2021-12\n", want: []string{
		"bad.yaml:3:1: YAML syntax: a tab character indents this line; YAML indents with spaces only (replace the tab with spaces)",
	}},
	{name: "NaN override", src: "title: t\nextends: us-relief-2025\nmarket:\n  overrides:\n    regions.Brazil.demand_elasticity: .nan\n", want: []string{
		"bad.yaml:5:39: market.overrides.regions.Brazil.demand_elasticity: expected a finite number, got '.nan'",
	}},
	{name: "events not a list", src: "title: t\nhorizon: {end: 2021-12}\nevents: {id: x}\n", want: []string{
		"bad.yaml:3:9: events: expected a list of mappings, got a mapping",
	}},
	{name: "empty file", src: "", want: []string{
		"bad.yaml:1:1: the file is empty; expected a mapping with title, horizon, events, ...",
	}},
	{name: "demand pct and series", src: hdr + "  - {id: d, demand: {region: all, pct: 5, series_pct: [1, 2]}, start: 2021-01}\n", want: []string{
		"bad.yaml:4:55: events[0].demand.series_pct: give pct or series_pct, not both",
	}},
	{name: "corridor event without level", src: hdr + "  - {id: k, corridor: {supplier: Belarus, name: Klaipeda}, start: 2021-01}\n", want: []string{
		"bad.yaml:4:23: events[0].corridor: a corridor event needs capacity_mt and/or cost_usd_per_t",
	}},
	{name: "from_capacity without capacity", src: hdr + "  - {id: k, corridor: {supplier: Belarus, name: Klaipeda, from_capacity_mt: 3, cost_usd_per_t: 30}, start: 2021-01}\n", want: []string{
		"bad.yaml:4:77: events[0].corridor.from_capacity_mt: from_capacity_mt needs capacity_mt (the level the ramp goes to)",
	}},
	{name: "ban all to all", src: hdr + "  - {id: b, ban: {supplier: all, region: all}, start: 2021-01}\n", want: []string{
		"bad.yaml:4:42: events[0].ban.region: a ban needs a supplier or a region: supplier and region cannot both be 'all'",
	}},
	{name: "missing instrument key", src: hdr + "  - {id: w, wedge: {supplier: Belarus, region: all}, start: 2021-01}\n", want: []string{
		"bad.yaml:4:20: events[0].wedge.pct: missing key 'pct': expected a number (%)",
	}},
	{name: "inline route to unknown supplier", src: "title: t\nmarket:\n  inline:\n    base_year: 2020\n    benchmark: A\n    suppliers:\n      - {name: S, fob_usd_per_t: 100, capacity_mt: 2, supply_elasticity: 1, supply_adjustment_per_month: 0.1, corridors: [{name: P, capacity_mt: 2, cost_usd_per_t: 10}]}\n    regions:\n      - {name: A, demand_elasticity: 0.3, substitution_elasticity: 4, demand_adjustment_per_month: 0.1, demand_growth_pct_per_year: 0}\n    routes:\n      - {from: Z, to: A, flow_mt: 1, freight_usd_per_t: 5}\nhorizon: {end: 2021-12}\n", want: []string{
		"bad.yaml:11:16: market.inline.routes[0].from: unknown supplier 'Z'; expected one of: S",
	}},
	{name: "inline corridor serves unknown region, unknown facility", src: "title: t\nmarket:\n  inline:\n    base_year: 2020\n    benchmark: A\n    facilities:\n      - {name: BalticPorts, capacity_mt: 3}\n    suppliers:\n      - name: S\n        fob_usd_per_t: 100\n        capacity_mt: 2\n        supply_elasticity: 1\n        supply_adjustment_per_month: 0.1\n        corridors:\n          - {name: P, capacity_mt: 2, cost_usd_per_t: 10, facility: BalticPort}\n          - {name: Rail, capacity_mt: 1, cost_usd_per_t: 20, serves: [{region: Chna}]}\n    regions:\n      - {name: A, demand_elasticity: 0.3, substitution_elasticity: 4, demand_adjustment_per_month: 0.1, demand_growth_pct_per_year: 0}\n      - {name: China, demand_elasticity: 0.3, substitution_elasticity: 4, demand_adjustment_per_month: 0.1, demand_growth_pct_per_year: 0}\n    routes:\n      - {from: S, to: A, flow_mt: 1, freight_usd_per_t: 5}\n      - {from: S, to: China, flow_mt: 1, freight_usd_per_t: 5}\nhorizon: {end: 2021-12}\n", want: []string{
		"bad.yaml:15:69: market.inline.suppliers[0].corridors[0].facility: corridor S/P uses unknown facility 'BalticPort'; did you mean 'BalticPorts'?",
		"bad.yaml:16:80: market.inline.suppliers[0].corridors[1].serves[0].region: corridor S/Rail serves unknown region 'Chna'; did you mean 'China'?",
	}},
	// An anchored value that is wrong where an alias or a merge key uses
	// it is located at the use, not at the anchor (where it may be valid).
	{name: "alias used where it is wrong", src: "title: t\nextends: history\nevents:\n  - {id: a, ban: {supplier: &s Belarus, region: Brazil}, start: 2021-01}\n  - {id: b, ban: {supplier: Canada, region: *s}, start: 2021-01}\n", want: []string{
		"bad.yaml:5:45: events[1].ban.region: unknown region 'Belarus'; expected one of: Brazil, China, Europe, India, Other, Southeast Asia, United States, all",
	}},
	{name: "aliased mapping wrong at anchor and use", src: "title: t\nextends: history\nevents:\n  - {id: w1, wedge: &body {supplier: Belarus, region: Brasil, pct: x}, start: 2021-01}\n  - {id: w2, wedge: *body, start: 2023-01}\n", want: []string{
		"bad.yaml:4:55: events[0].wedge.region: unknown region 'Brasil'; did you mean 'Brazil'?",
		"bad.yaml:4:68: events[0].wedge.pct: expected a number (%), got 'x'",
		"bad.yaml:5:21: events[1].wedge.pct: expected a number (%), got 'x'",
		"bad.yaml:5:21: events[1].wedge.region: unknown region 'Brasil'; did you mean 'Brazil'?",
	}},
	{name: "merge key brings a value wrong where it is merged", src: "title: t\nextends: history\nevents:\n  - &w {id: w1, wedge: {supplier: Belarus, region: Brazil, pct: 5}, start: 2021-01, end: 2022-01}\n  - <<: *w\n    id: w2\n    start: 2022-06\n", want: []string{
		"bad.yaml:5:5: events[1].end: end 2022-01 is not after start 2022-06 (end is the first month no longer in force)",
	}},
	// A coalition of an inline market is checked at its own line, not
	// reported as one error at market.inline.
	{name: "inline coalitions", src: "title: t\nmarket:\n  inline:\n    base_year: 2020\n    benchmark: A\n    suppliers:\n      - {name: S, fob_usd_per_t: 100, capacity_mt: 2, supply_elasticity: 1, supply_adjustment_per_month: 0.1, corridors: [{name: P, capacity_mt: 2, cost_usd_per_t: 10}]}\n      - {name: T, fob_usd_per_t: 100, capacity_mt: 2, supply_elasticity: 1, supply_adjustment_per_month: 0.1, corridors: [{name: P, capacity_mt: 2, cost_usd_per_t: 10}]}\n    regions:\n      - {name: A, demand_elasticity: 0.3, substitution_elasticity: 4, demand_adjustment_per_month: 0.3, demand_growth_pct_per_year: 0}\n    routes:\n      - {from: S, to: A, flow_mt: 1, freight_usd_per_t: 5}\n      - {from: T, to: A, flow_mt: 1, freight_usd_per_t: 5}\n    coalitions:\n      - name: C\n        members: [S, U]\n        weight: 0\n      - {name: D, members: [T], weight: 2}\n      - {name: E, members: [S, T], weight: 1}\nhorizon: {end: 2021-12}\n", want: []string{
		"bad.yaml:16:22: market.inline.coalitions[0].members[1]: unknown supplier 'U'; expected one of: S, T",
		"bad.yaml:18:28: market.inline.coalitions[1].members: coalition D has 1 member(s): a coalition needs at least two (a lone seller is a Cournot player: set its conduct)",
		"bad.yaml:18:41: market.inline.coalitions[1].weight: coalition D weight = 2 is outside its valid range: must be in [0, 1]",
		"bad.yaml:19:29: market.inline.coalitions[2].members[0]: S is a member of coalition C already (a supplier belongs to at most one)",
		"bad.yaml:19:32: market.inline.coalitions[2].members[1]: T is a member of coalition D already (a supplier belongs to at most one)",
	}},
	// A supplier's conduct stated twice by one document (docs/MODEL.md,
	// section 4.2): located at the form applied last; a later document
	// replaces the other form instead (TestConductFormReplaces).
	{name: "conduct and gap share in one overrides section", src: "title: t\nextends: bpc-reunion\nmarket:\n  overrides:\n    suppliers.Russia.conduct_gap_share: 0.8\n    suppliers.Russia.conduct: 0.5\nhorizon: {end: 2027-12}\n", want: []string{
		"bad.yaml:5:41: market.overrides.suppliers.Russia.conduct_gap_share: supplier Russia states conduct 0.5 and conduct_gap_share 0.8: state the conduct or the share of the base gap it takes, not both",
	}},
	{name: "inline conduct and gap share", src: "title: t\nmarket:\n  inline:\n    base_year: 2020\n    benchmark: A\n    suppliers:\n      - {name: S, fob_usd_per_t: 100, capacity_mt: 2, supply_elasticity: 1, supply_adjustment_per_month: 0.1, marginal_cost_usd_per_t: 50, conduct: 0.2, conduct_gap_share: 0.5, corridors: [{name: P, capacity_mt: 2, cost_usd_per_t: 10}]}\n    regions:\n      - {name: A, demand_elasticity: 0.3, substitution_elasticity: 4, demand_adjustment_per_month: 0.3, demand_growth_pct_per_year: 0}\n    routes:\n      - {from: S, to: A, flow_mt: 1, freight_usd_per_t: 5}\nhorizon: {end: 2021-12}\n", want: []string{
		"bad.yaml:7:173: market.inline.suppliers[0].conduct_gap_share: supplier S states conduct 0.2 and conduct_gap_share 0.5: state the conduct or the share of the base gap it takes, not both",
	}},
	{name: "set conduct and gap share", src: "title: t\nhorizon: {end: 2021-12}\n", sets: []string{"market.suppliers.Russia.conduct=0.5", "market.suppliers.Russia.conduct_gap_share=0.5"}, want: []string{
		"--set: market.suppliers.Russia.conduct_gap_share: supplier Russia states conduct 0.5 and conduct_gap_share 0.5: state the conduct or the share of the base gap it takes, not both",
	}},
	{name: "inline market missing keys", src: "title: t\nmarket:\n  inline:\n    base_year: 2020\n    benchmark: A\n    suppliers: []\n    regions:\n      - {name: A, demand_elasticity: 0.3, substitution_elasticity: 4}\n    routes: []\nhorizon: {end: 2021-12}\n", want: []string{
		"bad.yaml:6:16: market.inline.suppliers: the market has no suppliers",
		"bad.yaml:8:9: market.inline.regions[0].demand_adjustment_per_month: missing key 'demand_adjustment_per_month': expected a number or {value, source, range}",
		"bad.yaml:8:9: market.inline.regions[0].demand_growth_pct_per_year: missing key 'demand_growth_pct_per_year': expected a number or {value, source, range}",
	}},
	{name: "demand elasticity too low for the crop driver", src: "title: t\nmarket:\n  overrides:\n    regions.Brazil.demand_elasticity: 0.1\nhorizon: {end: 2021-12}\n", want: []string{
		"bad.yaml:4:39: market.overrides.regions.Brazil.demand_elasticity: " + cropEpsMessage("Brazil", 0.1, baseCropElasticity()),
	}},
	{name: "set demand elasticity too low", src: "title: t\nhorizon: {end: 2021-12}\n", sets: []string{"market.regions.*.demand_elasticity=0.1"}, want: []string{
		"--set: market.regions.*.demand_elasticity: " + cropEpsMessage("Brazil", 0.1, baseCropElasticity()),
	}},
	// The stock-cycle rule (docs/MODEL.md §9.1): at the override and at
	// the --set. A box of draws with a corner beyond a joint rule is a
	// warning, not an error (TestBoxTruncation).
	{name: "stock cycle too weakly damped", src: "title: t\nmarket:\n  overrides:\n    regions.Brazil.price_expectation_speed_per_month: 0.18\nhorizon: {end: 2021-12}\n", want: []string{
		"bad.yaml:4:55: market.overrides.regions.Brazil.price_expectation_speed_per_month: " + brazilStockMessage("price_expectation_speed_per_month", 0.18),
	}},
	{name: "set demand adjustment breaks the stock cycle", src: "title: t\nhorizon: {end: 2021-12}\n", sets: []string{"market.regions.*.demand_adjustment_per_month=0.1"}, want: []string{
		"--set: market.regions.*.demand_adjustment_per_month: " + brazilStockMessage("demand_adjustment_per_month", 0.1),
	}},
	{name: "set unknown event", src: "title: t\nextends: history\n", sets: []string{"events.us-bam.end=2026-01"}, want: []string{
		"--set: events.us-bam.end: unknown event 'us-bam'; did you mean 'us-ban'?",
	}},
	{name: "set bad month", src: "title: t\nextends: history\n", sets: []string{"events.us-ban.end=June"}, want: []string{
		"--set: events.us-ban.end: expected a month YYYY-MM, or never, got 'June'",
	}},
	{name: "set unknown root", src: "title: t\nextends: history\n", sets: []string{"evnts.us-ban.end=2026-01"}, want: []string{
		"--set: evnts.us-ban.end: unknown path root 'evnts'; did you mean 'events'?",
	}},
	{name: "set field the event lacks", src: "title: t\nextends: history\n", sets: []string{"events.us-ban.pct=3"}, want: []string{
		"--set: events.us-ban.pct: event 'us-ban' (ban) has no field 'pct'; expected one of: end, label, region, start, supplier",
	}},
	// A path nested as the file nests an instrument's fields is told
	// that they are the event's own.
	{name: "set instrument field nested", src: "title: t\nextends: history\n", sets: []string{"events.us-ban.ban.supplier=Russia", "scenario.events.us-ban.ban.region=Brazil", "events.us-ban=2026-01"}, want: []string{
		"--set: events.us-ban.ban.supplier: expected events.ID.FIELD: an instrument's fields are the event's own, as in events.us-ban.supplier",
		"--set: scenario.events.us-ban.ban.region: expected events.ID.FIELD: an instrument's fields are the event's own, as in scenario.events.us-ban.region",
		"--set: events.us-ban: expected events.ID.FIELD, e.g. events.us-ban.end",
	}},
	{name: "set without value", src: "title: t\nextends: history\n", sets: []string{"events.us-ban.end"}, want: []string{
		"--set: events.us-ban.end: expected PATH=VALUE, e.g. events.us-ban.end=2026-06",
	}},
	{name: "set market typo", src: "title: t\nextends: history\n", sets: []string{"market.regions.Brazil.demand_elastisity=0.4"}, want: []string{
		"--set: market.regions.Brazil.demand_elastisity: unknown region field 'demand_elastisity'; did you mean 'demand_elasticity'?",
	}},
	{name: "set out of range", src: "title: t\nextends: history\n", sets: []string{"market.regions.Brazil.substitution_elasticity=1"}, want: []string{
		"--set: market.regions.Brazil.substitution_elasticity: substitution_elasticity = 1 is outside its valid range: must be in [1.75, 30]",
	}},
	{name: "set makes end before start", src: "title: t\nextends: history\n", sets: []string{"events.us-ban.end=2021-06"}, want: []string{
		"--set: events.us-ban.end: end 2021-06 is not after start 2021-12 (end is the first month no longer in force)",
	}},
	{name: "errors in an inherited file point into it", file: "testdata/invalid/child-of-bad.yaml", want: []string{
		"testdata/invalid/bad-parent.yaml:4:46: events[0].ban.region: unknown region 'Brasil'; did you mean 'Brazil'?",
		"testdata/invalid/child-of-bad.yaml:4:30: events[0].cost.supplier: unknown supplier 'Canda'; did you mean 'Canada'?",
	}},
	{name: "load unknown built-in", file: "histroy", want: []string{
		"histroy: no such file, and no built-in scenario 'histroy'; did you mean 'history'?",
	}},
	{name: "load unknown built-in, none close", file: "nosuch", want: []string{
		"nosuch: no such file, and no built-in scenario 'nosuch'; the built-ins are bpc-breakup, bpc-reunion, eu-relief, history, " +
			"jansen-ramp, jansen-ramp-relief, klaipeda-reopens, no-sanctions, relief-no-jansen, sanctions-cost, sanctions-stay, us-relief-2025, western-ban-russia",
	}},
	{name: "compare_to itself", file: "testdata/invalid/compare-self.yaml", want: []string{
		"testdata/invalid/compare-self.yaml:3:13: compare_to: compare_to names this scenario itself",
	}},
	{name: "every problem reported", src: "titel: t\nhorizon: {end: 2021-12}\nevents:\n  - {id: a, ban: {supplier: Belarussia, region: Brasil}, start: 2021-01}\n  - {id: b, wedge: {supplier: Canada, region: all, pct: 5}, start: 2021-13}\n", want: []string{
		"bad.yaml:1:1: titel: unknown key 'titel' at the top level; did you mean 'title'?",
		"bad.yaml:4:29: events[0].ban.supplier: unknown supplier 'Belarussia'; did you mean 'Belarus'?",
		"bad.yaml:4:49: events[0].ban.region: unknown region 'Brasil'; did you mean 'Brazil'?",
		"bad.yaml:5:68: events[1].start: expected a month YYYY-MM (year 1900..2200, month 01..12), got '2021-13'",
	}},
}

// TestInvalid checks that every invalid input gives exactly the expected
// errors, with file, line, column and field.
func TestInvalid(t *testing.T) {
	if len(invalidCases) < 30 {
		t.Fatalf("only %d invalid cases; the issue asks for at least 30", len(invalidCases))
	}
	for _, tc := range invalidCases {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.src == "" && tc.file != "" {
				_, err = Load(tc.file, tc.sets)
			} else {
				file := tc.file
				if file == "" {
					file = "bad.yaml"
				}
				_, err = Parse(file, []byte(tc.src), tc.sets)
			}
			if err == nil {
				t.Fatalf("no error; want %q", tc.want)
			}
			var ds Diagnostics
			if !errors.As(err, &ds) {
				t.Fatalf("error %T is not Diagnostics: %v", err, err)
			}
			var got []string
			for _, d := range ds.Errors() {
				got = append(got, d.Error())
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", quoteLines(got), quoteLines(tc.want))
			}
		})
	}
}

func quoteLines(ls []string) string {
	var b strings.Builder
	for _, l := range ls {
		b.WriteString("\t\t" + strconvQuote(l) + ",\n")
	}
	return b.String()
}

func strconvQuote(s string) string { return strconv.Quote(s) }

// baseCropElasticity is base-2020's crop-price elasticity (the back-test's
// estimate).
// brazilStockMessage is the stock-cycle rule's message for Brazil of
// base-2020 with its field key at v (file units).
func brazilStockMessage(key string, v float64) string {
	f, err := BaseMarketFile(DefaultMarket)
	if err != nil {
		panic(err)
	}
	for r := range f.Regions {
		if f.Regions[r].Name == "Brazil" {
			g := stockRegion(f, r)
			setStockKey(&g, key, v)
			return stockCycleMessage(&g)
		}
	}
	panic("no Brazil")
}

func baseCropElasticity() float64 {
	f, err := BaseMarketFile(DefaultMarket)
	if err != nil {
		panic(err)
	}
	return f.Drivers.CropPrices.Elasticity.Value
}

// TestSetNamesPathOnce: a --set diagnostic names its path once, as its
// Field ("--set: PATH: 1 is outside ..."), not again in the message
// ("--set: PATH: PATH = 1 is outside ...").
func TestSetNamesPathOnce(t *testing.T) {
	for _, tc := range []struct {
		name, set string
		want      string // a part of a diagnostic
	}{
		{"valid range", "market.regions.Brazil.substitution_elasticity=1", "substitution_elasticity = 1 is outside its valid range"},
		{"valid range, wildcard", "market.regions.*.stock_to_use_months=99", "stock_to_use_months = 99 is outside its valid range"},
		{"documented range", "market.regions.Brazil.demand_elasticity=0.9", "0.9 is outside the dataset's documented range"},
		{"driver", "market.drivers.crop_prices.lag_months=13", "lag_months = 13 is outside its valid range"},
		{"event end", "events.us-ban.end=2021-06", "end 2021-06 is not after start"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Load("history", []string{tc.set})
			var ds Diagnostics
			switch {
			case err == nil:
				ds = s.Warnings
			case !errors.As(err, &ds):
				t.Fatalf("error %T is not Diagnostics: %v", err, err)
			}
			path, _, _ := strings.Cut(tc.set, "=")
			found := false
			for _, d := range ds {
				if d.File != "--set" {
					continue
				}
				msg := d.Error()
				if n := strings.Count(msg, path); n != 1 {
					t.Errorf("%q names %s %d times", msg, path, n)
				}
				found = found || strings.Contains(msg, tc.want)
			}
			if !found {
				t.Errorf("no --set diagnostic contains %q: %v", tc.want, ds)
			}
		})
	}
}

// TestMisspeltKeyAlone: a misspelt horizon or events key (or one of their
// keys) is one error with its did-you-mean, without the warnings and
// errors of what it left out: events "outside the horizon" inherited from
// history (which ends 2025-12), in the scenario and its counterfactual, an
// uncertainty on an event not found, a missing horizon.end.
func TestMisspeltKeyAlone(t *testing.T) {
	const ev = "  - {id: jansen2, capacity: {supplier: Canada, add_mt: 4}, start: 2027-07}\n"
	for _, tc := range []struct{ name, src, want string }{
		{"horizn", "name: t\nextends: history\nhorizn:\n  end: 2028-12\nevents:\n" + ev, "horizn: unknown key 'horizn' at the top level; did you mean 'horizon'?"},
		{"edn", "name: t\nextends: history\nhorizon:\n  edn: 2028-12\nevents:\n" + ev, "horizon.edn: unknown key 'edn' in horizon; did you mean 'end'?"},
		{"no extends", "title: t\nhorizn: {end: 2022-12}\n", "horizn: unknown key 'horizn' at the top level; did you mean 'horizon'?"},
		{"evnts", "name: t\nextends: history\nhorizon: {end: 2028-12}\nevnts:\n" + ev +
			"uncertainty:\n  - {param: events.jansen2.add_mt, dist: uniform, min: 3, max: 5}\n", "evnts: unknown key 'evnts' at the top level; did you mean 'events'?"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(tc.src), nil)
			var ds Diagnostics
			if !errors.As(err, &ds) {
				t.Fatalf("error %v, want Diagnostics", err)
			}
			if len(ds) != 1 || !strings.Contains(ds[0].Error(), tc.want) {
				var all []string
				for _, d := range ds {
					all = append(all, d.Error())
				}
				t.Errorf("diagnostics:\n%s\nwant the one error %q", quoteLines(all), tc.want)
			}
		})
	}
}
