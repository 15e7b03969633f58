package report

import "regexp"

// Names of the files the commands of potash write into their output
// folder.
const (
	FileResults     = "results.csv"            // run: every variable by month (TidyHeader)
	FileBands       = "bands.csv"              // run with draws: the Monte Carlo bands (BandsHeader)
	FileDraws       = "draws.csv"              // run with draws: each draw's totals (DrawsHeader)
	FileSummary     = "summary.json"           // every command: the summary with its Provenance
	FileMarkdown    = "summary.md"             // run and compare: a Markdown summary
	FileResolved    = "scenario.resolved.yaml" // run: the resolved scenario
	FileCompare     = "compare.csv"            // compare: every metric of every scenario
	FileSweep       = "sweep.csv"              // sweep: the metrics at every grid point
	FileSensitivity = "sensitivity.csv"        // sensitivity: the tornado's bars

	FileBacktestPrices    = "backtest-prices.csv"
	FileBacktestExports   = "backtest-exports.csv"
	FileBacktestJSON      = "backtest.json"
	FileBacktestTable     = "backtest.txt"
	FileBacktestForecasts = "backtest-forecasts.csv"
)

// outputFiles are the fixed names above.
var outputFiles = map[string]bool{
	FileResults: true, FileBands: true, FileDraws: true, FileSummary: true, FileMarkdown: true,
	FileResolved: true, FileCompare: true, FileSweep: true, FileSensitivity: true,
	FileBacktestPrices: true, FileBacktestExports: true, FileBacktestJSON: true, FileBacktestTable: true, FileBacktestForecasts: true,
}

// chartFile matches the names of the charts potash draws (package plots
// and the back-test) in each format.
var chartFile = regexp.MustCompile(`^(price|price_regions|revenue|revenue_change|volumes|stocks|shares|flows|tornado|backtest|backtest-factors|` +
	`(corridors|compare|sweep)_[A-Za-z0-9_-]+)\.(png|svg|pdf)$`)

// IsOutputName reports whether name is the name of a file that a command
// of potash writes: one of the File names above or a chart. Only such
// files are ever removed from an output folder (see Stage).
func IsOutputName(name string) bool {
	return outputFiles[name] || chartFile.MatchString(name)
}
