package basedata

import (
	"bytes"
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v4"
)

// FlowDecimals is the number of decimals (Mt) the dataset's flows are
// rounded to: 1 kt.
const FlowDecimals = 3

// UpdateMarketYAML rewrites the flow_mt entries of the routes in a dataset
// YAML with res's balanced flows (rounded to FlowDecimals), as
// {value, source} mappings, leaving every other node as it was. Every
// route with a balanced flow must be listed in the YAML (its freight is
// hand-written) and every listed route must have one.
func UpdateMarketYAML(data []byte, res *Result) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("not a YAML mapping")
	}
	routes := lookup(doc.Content[0], "routes")
	if routes == nil || routes.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("no routes list")
	}
	seen := map[[2]int]bool{}
	for _, rt := range routes.Content {
		from, to := lookup(rt, "from"), lookup(rt, "to")
		if from == nil || to == nil {
			return nil, fmt.Errorf("line %d: route without from/to", rt.Line)
		}
		i, r := index(res.Suppliers, from.Value), index(res.Regions, to.Value)
		if i < 0 || r < 0 {
			return nil, fmt.Errorf("line %d: route %s→%s: unknown supplier or region", rt.Line, from.Value, to.Value)
		}
		if res.Flows[i][r] <= 0 {
			return nil, fmt.Errorf("line %d: route %s→%s has no balanced flow: remove it", rt.Line, from.Value, to.Value)
		}
		seen[[2]int{i, r}] = true
		flow := &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle, Content: []*yaml.Node{
			strNode("value"), {Kind: yaml.ScalarNode, Tag: "!!float", Value: strconv.FormatFloat(round(res.Flows[i][r], FlowDecimals), 'f', FlowDecimals, 64)},
			strNode("source"), {Kind: yaml.ScalarNode, Tag: "!!str", Value: res.FlowSource(i, r), Style: yaml.DoubleQuotedStyle},
		}}
		set(rt, "flow_mt", flow)
	}
	for i := range res.Suppliers {
		for r := range res.Regions {
			if res.Flows[i][r] > 0 && !seen[[2]int{i, r}] {
				return nil, fmt.Errorf("route %s→%s has a balanced flow of %.3f Mt but is not in the dataset: add it with its freight",
					res.Suppliers[i], res.Regions[r], res.Flows[i][r])
			}
		}
	}
	var buf bytes.Buffer
	// The layout of yaml.v3's encoder with 2-space indents: no line
	// wrapping, block lists indented under their key.
	enc, err := yaml.NewDumper(&buf, yaml.WithV3Defaults(), yaml.WithIndent(2), yaml.WithLineWidth(-1))
	if err != nil {
		return nil, err
	}
	if err := enc.Dump(&doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func strNode(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func lookup(m *yaml.Node, key string) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for k := 0; k+1 < len(m.Content); k += 2 {
		if m.Content[k].Value == key {
			return m.Content[k+1]
		}
	}
	return nil
}

func set(m *yaml.Node, key string, v *yaml.Node) {
	for k := 0; k+1 < len(m.Content); k += 2 {
		if m.Content[k].Value == key {
			v.LineComment = m.Content[k+1].LineComment
			m.Content[k+1] = v
			return
		}
	}
	m.Content = append(m.Content, strNode(key), v)
}
