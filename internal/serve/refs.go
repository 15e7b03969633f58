package serve

import (
	"fmt"

	"github.com/potash-sim/potash/scenarios"
	"gopkg.in/yaml.v3"
)

// checkReferences rejects an uploaded scenario whose `extends` or
// `compare_to` names something other than a built-in scenario: the server
// never reads files from its own disk on behalf of an upload. YAML that does
// not parse is left to scenarios.Parse, which reports it with line and
// column.
func checkReferences(data []byte, builtins []scenarios.Info) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil
	}
	for k := 0; k+1 < len(root.Content); k += 2 {
		key, val := root.Content[k], root.Content[k+1]
		if key.Value != "extends" && key.Value != "compare_to" {
			continue
		}
		if val.Kind == yaml.ScalarNode && (val.Value == "" || isBuiltin(builtins, val.Value)) {
			continue
		}
		return &inputError{key.Value, fmt.Sprintf("line %d col %d: %q: an uploaded scenario may name only a built-in scenario here (%s); the server does not read other files",
			val.Line, val.Column, val.Value, builtinNames(builtins))}
	}
	return nil
}
