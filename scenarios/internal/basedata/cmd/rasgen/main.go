// Command rasgen rebuilds the base-year flow matrix of the potash base
// dataset by RAS from the shipped reference data and rewrites the flow_mt
// entries of the dataset's routes (run by `go generate ./scenarios/`).
//
// Usage:
//
//	rasgen -ref scenarios/data/reference -market scenarios/data/base-2020.yaml [-print]
//
// With -print it writes the totals, prior and flows as CSV to stdout and
// leaves the dataset alone.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/potash-sim/potash/scenarios/internal/basedata"
)

func main() {
	ref := flag.String("ref", "data/reference", "directory of the reference data")
	market := flag.String("market", "data/base-2020.yaml", "dataset YAML whose route flows to rewrite")
	print := flag.Bool("print", false, "print totals, prior and flows as CSV instead of rewriting the dataset")
	flag.Parse()
	if err := run(*ref, *market, *print); err != nil {
		fmt.Fprintln(os.Stderr, "rasgen:", err)
		os.Exit(1)
	}
}

func run(ref, market string, print bool) error {
	in, err := basedata.LoadInputs(ref)
	if err != nil {
		return err
	}
	res, err := basedata.Build(in)
	if err != nil {
		return err
	}
	if print {
		return res.WriteCSV(os.Stdout)
	}
	data, err := os.ReadFile(market)
	if err != nil {
		return err
	}
	out, err := basedata.UpdateMarketYAML(data, res)
	if err != nil {
		return fmt.Errorf("%s: %w", market, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(market), ".rasgen-*.yaml")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(out); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), market)
}
