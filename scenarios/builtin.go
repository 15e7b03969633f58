package scenarios

import (
	"embed"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// builtinFS holds the built-in scenario library (scenarios/builtin/*.yaml).
//
//go:embed builtin/*.yaml
var builtinFS embed.FS

// builtinNames lists the built-in scenario names, sorted.
func builtinNames() []string { return yamlNames(builtinFS, "builtin") }

// yamlNames lists the base names of the .yaml files in directory dir of
// fsys, sorted (nil when dir cannot be read).
func yamlNames(fsys fs.FS, dir string) []string {
	ents, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range ents {
		if !e.IsDir() && path.Ext(e.Name()) == ".yaml" {
			names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
		}
	}
	sort.Strings(names)
	return names
}

func builtins() []Info {
	var out []Info
	for _, n := range builtinNames() {
		data, err := builtinFS.ReadFile("builtin/" + n + ".yaml")
		if err != nil {
			continue
		}
		f, _ := decodeFile("builtin:"+n, data)
		out = append(out, Info{Name: n, Title: f.Title, Description: strings.TrimSpace(f.Description)})
	}
	return out
}

func builtinSource(name string) ([]byte, error) {
	if name == "" || strings.ContainsAny(name, "/\\") || strings.HasSuffix(name, ".yaml") {
		return nil, wrapf(ErrUnknownBuiltin, "scenarios: no built-in scenario %q", name)
	}
	data, err := builtinFS.ReadFile("builtin/" + name + ".yaml")
	if err != nil {
		return nil, wrapf(ErrUnknownBuiltin, "scenarios: no built-in scenario %q%s", name, didYouMean(name, builtinNames()))
	}
	return data, nil
}
