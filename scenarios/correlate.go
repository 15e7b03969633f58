package scenarios

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/potash-sim/potash/model"
)

// corrChecked is a valid correlations entry: its params and matrix.
type corrChecked struct {
	ref    corrRef
	params []string
	matrix [][]float64
}

// decodeErrUnder reports whether the decoder reported an error at field
// path fp of document d or under it (a matrix entry that is not a
// number): the checks of what was meant there are skipped.
func (l *loader) decodeErrUnder(d *doc, fp string) bool {
	for _, dg := range l.diags {
		if dg.Severity == SeverityError && dg.File == d.src.file && (dg.Field == fp || strings.HasPrefix(dg.Field, fp+".") || strings.HasPrefix(dg.Field, fp+"[")) {
			return true
		}
	}
	return d.bad[fp]
}

// correlations checks the correlations entries in force (m.correlations)
// against the merged uncertainty list. Each error names the field
// (correlations[i].params[j], correlations[i].matrix[i][j]).
func (l *loader) correlations(m *merged) []corrChecked {
	var out []corrChecked
	uncParams := make([]string, 0, len(m.uncertainty))
	for _, u := range m.uncertainty {
		uncParams = append(uncParams, u.u.Param)
	}
	inGroup := map[string]string{} // param → the group (field path) holding it
	for _, ref := range m.correlations {
		c := ref.c
		fp := fmt.Sprintf("correlations[%d]", ref.idx)
		ok := true
		if l.decodeErrUnder(ref.doc, fp) {
			continue // the decoder said what is wrong
		}
		n := len(c.Params)
		if n < 2 {
			l.errAt(ref.doc, fp+".params", "a correlation group needs at least 2 params, got %d", n)
			ok = false
		}
		for j, p := range c.Params {
			at := fmt.Sprintf("%s.params[%d]", fp, j)
			switch k := slices.Index(c.Params, p); {
			case k < j:
				l.errAt(ref.doc, at, "param %s is listed twice in this group (also params[%d])", quote(p), k)
				ok = false
			case !slices.Contains(uncParams, p):
				l.errAt(ref.doc, at, "param %s is not in the uncertainty list: a correlation group names params of the uncertainty list, exactly as written there%s", quote(p), didYouMean(p, uncParams))
				ok = false
			case inGroup[p] != "":
				l.errAt(ref.doc, at, "param %s is also in %s: a param is in at most one correlation group (merge the groups into one matrix)", quote(p), inGroup[p])
				ok = false
			default:
				inGroup[p] = fp
			}
		}
		if len(c.Matrix) != n {
			l.errAt(ref.doc, fp+".matrix", "the matrix has %s, want %d (one per param, in the order of params)", plural(len(c.Matrix), "row"), n)
			continue
		}
		for i, row := range c.Matrix {
			if len(row) != n {
				l.errAt(ref.doc, fmt.Sprintf("%s.matrix[%d]", fp, i), "matrix[%d] has %s, want %d (one per param)", i, plural(len(row), "entry"), n)
				ok = false
			}
		}
		if !ok {
			continue
		}
		for i, row := range c.Matrix {
			for j, v := range row {
				at := fmt.Sprintf("%s.matrix[%d][%d]", fp, i, j)
				switch {
				case i == j && math.Abs(v-1) > model.CopulaTol:
					l.errAt(ref.doc, at, "a diagonal entry of a correlation matrix is 1, got %g", v)
					ok = false
				case j > i && math.Abs(v) > 1:
					l.errAt(ref.doc, at, "correlation %g of %s and %s is outside [-1, 1]", v, c.Params[i], c.Params[j])
					ok = false
				case j < i && math.Abs(v-c.Matrix[j][i]) > model.CopulaTol:
					// (an entry equal to its mirror is checked there)
					l.errAt(ref.doc, at, "the matrix is not symmetric: matrix[%d][%d] = %g but matrix[%d][%d] = %g (both are the correlation of %s and %s)", i, j, v, j, i, c.Matrix[j][i], c.Params[j], c.Params[i])
					ok = false
				}
			}
		}
		if !ok {
			continue
		}
		if i, j, ok := unitCorrelation(c.Matrix); ok {
			v := c.Matrix[i][j]
			l.errAt(ref.doc, fp+".matrix", "the correlation matrix of %s is not positive definite: matrix[%d][%d] is %g, which makes %s and %s one parameter (the matrix is singular); give a correlation inside (-1, 1), e.g. %g, or leave one of them out of the group",
				strings.Join(c.Params, ", "), i, j, v, c.Params[i], c.Params[j], 0.99*v)
			continue
		}
		if _, err := model.NewCopula(c.Matrix); err != nil {
			l.errAt(ref.doc, fp+".matrix", "the correlation matrix of %s is not positive definite: its smallest eigenvalue is %.3g (at least %g is needed), so some of its correlations contradict each other (e.g. a–b 0.9, a–c 0.9 and b–c 0 cannot hold together); make it consistent: shrink the correlations towards 0 (multiply them all by a factor below 1) or use the nearest correlation matrix",
				strings.Join(c.Params, ", "), model.MinEigen(c.Matrix), float64(model.CopulaMinEigen))
			continue
		}
		out = append(out, corrChecked{ref: ref, params: slices.Clone(c.Params), matrix: c.Matrix})
	}
	return out
}

// unitCorrelation returns the first entry above the diagonal of r that
// is ±1 (to model.CopulaTol): such a pair is one parameter, and the
// matrix is singular whatever its other entries.
func unitCorrelation(r [][]float64) (i, j int, ok bool) {
	for i := range r {
		for j := i + 1; j < len(r[i]); j++ {
			if math.Abs(math.Abs(r[i][j])-1) <= model.CopulaTol {
				return i, j, true
			}
		}
	}
	return 0, 0, false
}

// keepDrawn restricts each group to its params that are drawn (unc): an
// uncertainty entry dropped (its event removed, its parameter fixed by
// --set) leaves its group, whose other params keep their correlations
// (the sub-matrix of a positive definite matrix is positive definite).
// A group left with fewer than 2 params is dropped.
func keepDrawn(cs []corrChecked, unc []uncChecked) []corrChecked {
	var out []corrChecked
	for _, c := range cs {
		var keep []int
		for i, p := range c.params {
			if slices.ContainsFunc(unc, func(u uncChecked) bool { return u.ref.u.Param == p }) {
				keep = append(keep, i)
			}
		}
		if len(keep) < 2 {
			continue
		}
		k := corrChecked{ref: c.ref}
		for _, i := range keep {
			k.params = append(k.params, c.params[i])
			row := make([]float64, 0, len(keep))
			for _, j := range keep {
				row = append(row, c.matrix[i][j])
			}
			k.matrix = append(k.matrix, row)
		}
		out = append(out, k)
	}
	return out
}

// attachCopulas points the Uncertain of each group's params at the
// group's model.Copula (Uncertain.Copula, CopulaRow).
func attachCopulas(unc []model.Uncertain, cs []corrChecked) error {
	for _, c := range cs {
		cop, err := model.NewCopula(c.matrix)
		if err != nil {
			return fmt.Errorf("correlations[%d]: %w", c.ref.idx, err)
		}
		for i, p := range c.params {
			k := slices.IndexFunc(unc, func(u model.Uncertain) bool { return u.Name == p })
			if k < 0 {
				return fmt.Errorf("correlations[%d]: param %s is not drawn", c.ref.idx, quote(p))
			}
			unc[k].Copula, unc[k].CopulaRow = cop, i
		}
	}
	return nil
}

// flowRow is a matrix row written in flow style ([1, 0.96]) in the
// resolved scenario.
type flowRow []float64

// MarshalYAML writes the row as a flow sequence.
func (r flowRow) MarshalYAML() (any, error) {
	n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle, Content: make([]*yaml.Node, len(r))}
	for i, v := range r {
		n.Content[i] = floatNode(v)
	}
	return n, nil
}

// floatNode is the scalar node of finite number v as the YAML
// representer makes a float64 (shortest 'g' form): written out, it is
// what yaml.Node.Encode(v) gives, without Encode's round trip through
// text (TestFloatNode).
func floatNode(v float64) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: strconv.FormatFloat(v, 'g', -1, 64)}
}

// resolvedCorr is a correlations entry of the resolved scenario.
type resolvedCorr struct {
	Params []string  `yaml:"params,flow"`
	Matrix []flowRow `yaml:"matrix"`
}

func resolvedCorrs(cs []corrChecked) []resolvedCorr {
	var out []resolvedCorr
	for _, c := range cs {
		rc := resolvedCorr{Params: c.params}
		for _, row := range c.matrix {
			rc.Matrix = append(rc.Matrix, flowRow(row))
		}
		out = append(out, rc)
	}
	return out
}

// plural is "1 row", "2 rows", "1 entry", "0 entries".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if w, ok := strings.CutSuffix(noun, "y"); ok {
		return fmt.Sprintf("%d %sies", n, w)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
