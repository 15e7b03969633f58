// Package model is the numerical heart of potash: a calibrated Armington
// partial-equilibrium model of the world potash (KCl) market with mine
// capacities, export corridors and sanction instruments; its equilibrium
// solver; monthly time paths with partial adjustment; Monte Carlo
// uncertainty, sweeps and one-at-a-time sensitivity.
//
// Units, everywhere unless a name says otherwise:
//   - quantities in million tonnes of KCl product per year (Mt/yr), an
//     annual rate even when the model steps monthly;
//   - prices in nominal US dollars per tonne of KCl ($/t);
//   - money flows (revenues, rents, surpluses) in million US dollars per
//     year ($M/yr); cumulative totals over a horizon in $M.
//   - wedges and shifts as fractions (0.15 = 15%).
//
// Data flow: a Market (base-year data and parameters) is calibrated by
// Calibrate into a Calibrated market. A Solver finds the equilibrium FOB
// prices for one Policy (the instruments in force). Simulate steps a Spec
// (market, events, horizon) month by month into a Path. MonteCarlo, Sweep
// and Sensitivity run many paths.
//
// The package knows nothing of files, YAML or charts. Every equation is
// written out in docs/MODEL.md with the function that computes it.
package model
