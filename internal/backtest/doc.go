// Package backtest holds the potash model against what actually happened
// in 2020–2025 (docs/BACKTEST.md).
//
// It simulates the built-in history scenario month by month from 2020-01
// with its recorded events, plus recorded drivers added as events: a
// crop-price index (Pink Sheet maize, soybeans and wheat, 2020 = 1) that
// shifts potash demand with an estimated elasticity and lag, and the
// European gas price as a cost of German producers. It compares the path
// with the record: the Pink Sheet's monthly potassium chloride price
// (Brazil CFR since January 2020) against the model's benchmark price, and
// FAOSTAT's annual exports of Canada, Russia and Belarus (t K2O converted
// to t KCl by K2OToKCl) against the model's exports.
//
// Fitting is explicit: Fit estimates the parameters a Model lists (each
// with a documented range) by least squares on log prices, plus annual log
// export changes, with gonum/optimize's Nelder–Mead under a bounded number
// of simulations; bounds hold by a logistic transform. Fit receives an
// InSample, the only view of the data before the cut-off, made by
// Record.Before, which copies what it keeps: the fit cannot see later
// data. Run fits on 2020-01..2023-12 and reports the error on 2024-01 to
// the data end (2025-10) next to a naive forecast (the last in-sample
// price carried forward) and the model's change since the last in-sample
// month applied to its price, the 2022 peak, turning points, export
// errors and a Shapley decomposition of the 2021–22 rise into sanctions,
// crop demand and gas costs. RunRolling adds rolling-origin forecasts and
// the nowcast; DieboldMariano tests each comparison with the naive
// forecast for equal accuracy.
//
// Units: prices in $/t KCl (nominal), exports in Mt KCl/yr, log errors in
// natural-log units (0.10 ≈ 10%). The data are the embedded reference
// files of the scenarios package (scenarios.Reference); nothing is read
// from outside the binary.
package backtest
