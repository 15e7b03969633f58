// Package serve is `potash serve`: a local what-if web page for students.
//
// The page (embedded under assets/, plain HTML, CSS and JavaScript, no CDN,
// works offline) picks a built-in scenario or an uploaded scenario file,
// offers controls for the questions students ask — demand and substitution
// elasticities, the sanction discount on Belarusian sales, the US relief
// month, the reopening of the Klaipėda corridor, the capacity of Belarus's
// Russian-port corridor, the start of BHP Jansen, the number of Monte Carlo
// draws and the seed — and shows the run's headline table and charts. Every
// control maps to a scenario `--set` path (see Controls), the page's URL
// records the settings, and every run offers its charts (PNG, SVG), its data
// (CSV) and the equivalent `potash run` command line for download.
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
//	GET  /api/chart/ID/NAME.EXT    a chart of run ID (EXT png or svg; ?download=1 to save it)
//	GET  /api/charts/ID.zip?format=png|svg  every chart of run ID
//	GET  /api/csv/ID               the tidy CSV of run ID
//	GET  /healthz                  "ok"
//
// A run draws its main charts (price path with bands, revenue change by
// supplier, volumes, shares, trade-flow heat map) as PNG before it answers;
// the other charts and every SVG are drawn on first request and kept with
// the run. The CSV is the command line's tidy CSV (internal/report).
//
// Bounded work: draws, horizon and upload size are capped, each request has
// a time limit, at most Config.MaxConcurrent runs and CSV downloads compute
// at once (one that cannot start within Config.QueueWait gets 429 Too Many
// Requests with Retry-After), the Monte Carlo memory of the runs computing
// at once is bounded by Config.MaxRunMemory and handed back after large
// runs, identical requests share one computation (singleflight) and a
// small LRU cache keeps recent runs. A CSV is written once, streamed, and
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
