package scenarios

import (
	"embed"
	"io/fs"
	"sort"
	"strings"
)

// The reference data the project ships (copies of public data with their
// sources, described in data/reference/README.md): the Pink Sheet monthly
// prices as published, FAOSTAT potash rows filtered to the countries and
// years the project uses, the USGS potash files, the destination shares
// behind the base flows and the sourced facts.
//
//go:embed data/reference/*.csv data/reference/*.md
var referenceFS embed.FS

// ReferenceFiles lists the embedded reference files by name (e.g.
// "pinksheet-fertilizer-monthly.csv"), sorted.
func ReferenceFiles() []string {
	ents, err := fs.ReadDir(referenceFS, "data/reference")
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range ents {
		if !e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names
}

// Reference returns the contents of the embedded reference file name, one
// of ReferenceFiles(). The returned slice is a fresh copy.
func Reference(name string) ([]byte, error) {
	if name == "" || strings.ContainsAny(name, `/\`) {
		return nil, wrapf(ErrUnknownReference, "scenarios: bad reference file name %q", name)
	}
	data, err := referenceFS.ReadFile("data/reference/" + name)
	if err != nil {
		return nil, wrapf(ErrUnknownReference, "scenarios: no reference file %q (have %s)", name, strings.Join(ReferenceFiles(), ", "))
	}
	return data, nil
}
