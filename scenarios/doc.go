// Package scenarios reads, validates and resolves potash scenario files
// (YAML), holds the embedded base dataset and the built-in scenario
// library, and turns a scenario into model Specs. It knows nothing of
// solving or charts.
package scenarios
