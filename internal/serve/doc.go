// Package serve is `potash serve`: a local what-if web page for students.
//
// The page (embedded under assets/, plain HTML, CSS and JavaScript, no CDN,
// works offline) picks a built-in scenario or an uploaded scenario file,
// offers controls for the questions students ask — demand and substitution
// elasticities, the sanction discount on Belarusian sales, the US relief
// month, the reopening of the Klaipėda corridor, the capacity of Belarus's
// Russian-port corridor, the start of BHP Jansen, the number of Monte Carlo
// draws and the seed — and shows the run's headline table and charts. Every
// control maps to a scenario `--set` path (see Controls) and says which
// runs it changes: a control on an event changes the scenario only
// (scenario.events.ID.FIELD), so that the headline moves by the effect of
// that one change, unless the request's both=ID asks for the
// counterfactual's identical event too (events.ID.FIELD); a market
// parameter changes both runs, which share one market. The page names
// the counterfactual, its URL records the settings (with the pinned
// result's, pin=, and the result the sensitivity view explains,
// tornado=), so that a link opens the same page, and every run offers
// its charts (PNG, SVG), its data (results.csv, and with draws bands.csv
// and draws.csv) and the equivalent `potash run` command line, which gives
// the same numbers. A result can be pinned and compared with the next
// ones: both headlines side by side with their difference, and both runs
// on one chart (/api/compare).
//
// Endpoints (all answers to /api/ are JSON unless a file is asked for;
// errors are {"error": "...", "diagnostics": [...]} with a 4xx status):
//
//	GET  /                         the page
//	GET  /assets/NAME              its script and style sheet
//	GET  /api/scenarios            built-in scenarios, controls and limits
//	GET  /api/scenario?scenario=N  one built-in's title, horizon and control defaults
//	POST /api/validate?file=F      validate an uploaded scenario (body: YAML), as `potash validate`
//	GET  /api/run?scenario=N&...   run a built-in with control values (see Controls)
//	POST /api/run?file=F&...       run an uploaded scenario (body: YAML)
//	GET  /api/sensitivity?scenario=N&metric=M&...  the tornado of metric M (see below)
//	POST /api/sensitivity?file=F&metric=M&...      the same for an uploaded scenario
//	GET  /api/chart/ID/NAME.EXT    a chart of run ID (EXT png or svg; ?download=1 to save it)
//	GET  /api/charts/ID.zip?format=png|svg  every chart of run ID
//	GET  /api/csv/ID               the tidy CSV of run ID (results.csv; sensitivity.csv for an analysis)
//	GET  /api/bands/ID             its Monte Carlo bands (bands.csv; with draws)
//	GET  /api/draws/ID             each draw's totals (draws.csv; with draws)
//	GET  /api/compare/A/B          runs A and B side by side: headlines and difference
//	GET  /api/compare/A/B/NAME.EXT a chart of both runs (EXT png or svg)
//	GET  /healthz                  "ok"
//
// The sensitivity view (/api/sensitivity) answers "which uncertain
// parameters matter most for this metric": it takes the settings /api/run
// takes (scenario or upload, control values, both=) but draws and seed,
// and a metric (default revenue_change.Belarus), and runs the command
// line's `potash sensitivity` through the same pipeline
// (run.Engine.Sensitivity: each parameter of the scenario's uncertainty
// section at its 5th and 95th percentile in turn, the others central,
// 1 + 2 per parameter simulations of the pair). A control that fixes an
// uncertain parameter takes it out of the ranking, with a note. Its
// answer ranks the parameters by swing, names the equivalent `potash
// sensitivity` command line, and links its tornado chart (PNG, SVG, as
// /api/chart/ID/tornado.EXT) and its sensitivity.csv; it is bounded,
// shared and cached as a run is.
//
// A run draws its main charts (price path with bands, revenue change by
// supplier, volumes, shares, trade-flow heat map) as PNG before it answers;
// the other charts, every SVG and the comparison charts are drawn on first
// request and kept with the run. Charts are drawn at plots.SizeWeb (600 ×
// 375 pt, no text under 11 pt) and the page never shows one narrower than
// 600 CSS px (it scrolls instead), so no chart text is under 11 CSS px.
// The CSVs are the command line's (internal/report).
//
// Bounded work: draws, horizon and upload size are capped, each request has
// a time limit, at most Config.MaxConcurrent runs and CSV downloads compute
// at once (one that cannot start within Config.QueueWait gets 429 Too Many
// Requests with Retry-After), the Monte Carlo memory of the runs computing
// at once is bounded by Config.MaxRunMemory and handed back after large
// runs, identical requests share one computation (singleflight) and a
// small LRU cache keeps recent runs (a comparison whose run has left it
// is a 404; the page runs it again). A CSV (results, bands or draws) is
// written once, streamed, counted against the runs computing at once, and
// stopped when its client leaves; a download cut short breaks the
// connection, never ends as a short 200.
//
// Uploads: an uploaded scenario is parsed by scenarios.ParseWith with
// NoFiles and nothing else, so no file of the server's is ever read on its
// behalf (extends and compare_to may name built-ins only, however the
// YAML spells them), and the scenarios package's limits on expanded input
// hold.
//
// Nothing on the server is reachable from another web site: every request's
// Host must be a loopback name, the IP address it came in on, or one of
// Config.AllowHosts (--allow-host), whatever the address the server binds
// (DNS rebinding); requests marked Sec-Fetch-Site cross-site or same-site
// may open the page but not call the API; a POST with a foreign Origin is
// refused, and a POST must send YAML (application/x-yaml), so a text/plain
// or form post from another page starts no work. The server binds
// 127.0.0.1 by default and shuts down cleanly when its context is
// cancelled.
package serve
