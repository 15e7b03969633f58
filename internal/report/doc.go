// Package report writes the outputs of a potash run: a tidy CSV of every
// variable by month, a JSON summary, a Markdown summary ready for a
// briefing, and the headline table printed by the command-line tool.
//
// Every file is written atomically: into a temporary file in the same
// folder, synced, then renamed over its final name, so an interrupted or
// failed run never leaves a half-written file. A Stage groups the files of
// one run: they are written into a hidden staging folder inside the output
// folder and moved into place only once every one of them succeeded.
//
// Numbers are written with '.' decimals and full precision
// (strconv.FormatFloat(v, 'g', -1, 64)); a NaN or an infinity is an error,
// never an output. Text cells of CSV files are made safe against formula
// injection when opened in a spreadsheet (see SafeCell).
//
// The package knows nothing of the command line; cmd/potash calls it.
package report
