// Package plots draws briefing-quality charts of potash results with
// gonum/plot: price paths with Monte Carlo fans, revenue and volume paths,
// trade-flow heat maps, corridor use, tornado, sweep and comparison charts,
// written atomically as PNG, SVG (fonts embedded) or PDF. It knows nothing
// of solving: it draws model results it is given.
package plots
