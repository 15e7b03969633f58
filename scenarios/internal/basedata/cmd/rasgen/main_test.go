package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	refDir  = "../../../../data/reference"
	dataset = "../../../../data/base-2020.yaml"
)

// TestRunRestoresFlows: rasgen rewrites a tampered flow back to the RAS
// value and leaves the shipped dataset byte-identical.
func TestRunRestoresFlows(t *testing.T) {
	orig, err := os.ReadFile(dataset)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		edit func(string) string
	}{
		{"unchanged", func(s string) string { return s }},
		{"tampered flow", func(s string) string {
			return strings.Replace(s, "flow_mt: {value: 4.061,", "flow_mt: {value: 9.999,", 1)
		}},
		{"bare flow", func(s string) string {
			k := strings.Index(s, "flow_mt: {value: 7.557,")
			end := strings.Index(s[k:], "\n")
			return s[:k] + "flow_mt: 1" + s[k+end:]
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			edited := tc.edit(string(orig))
			if tc.name != "unchanged" && edited == string(orig) {
				t.Fatal("edit did not apply")
			}
			path := filepath.Join(t.TempDir(), "base-2020.yaml")
			if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := run(refDir, path, false); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, orig) {
				t.Error("rasgen output differs from the shipped dataset")
			}
			// No temporary file left behind.
			ents, _ := os.ReadDir(filepath.Dir(path))
			if len(ents) != 1 {
				t.Errorf("%d files in the directory, want 1", len(ents))
			}
		})
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("routes:\n  - {from: Laos, to: Brazil, flow_mt: 1}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, ref, market, err string }{
		{"no reference", filepath.Join(dir, "nowhere"), dataset, "no such file"},
		{"no dataset", refDir, filepath.Join(dir, "missing.yaml"), "no such file"},
		{"bad route", refDir, bad, "Laos→Brazil has no balanced flow"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := run(tc.ref, tc.market, false)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("err = %v, want %q", err, tc.err)
			}
		})
	}
	// A failed run leaves the file as it was.
	got, _ := os.ReadFile(bad)
	if !strings.HasPrefix(string(got), "routes:\n  - {from: Laos") {
		t.Error("failed run modified the dataset")
	}
}
