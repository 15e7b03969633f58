package run

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/potash-sim/potash/internal/report"
	"github.com/potash-sim/potash/plots"
)

// File is an output file: its base name and how to write it.
type File struct {
	Name  string
	Write func(w io.Writer) error
}

// Output is what one command writes into its output folder: data files,
// charts, and last the summary files, which list them all.
type Output struct {
	// Command names the command in the folder's manifest, e.g. "run".
	Command string
	// Prov is the provenance embedded in the summary; Write fills in its
	// RunID and Files before it writes the summary files.
	Prov   *report.Provenance
	Files  []File
	Charts []*plots.Chart
	// Summary returns the summary files (summary.json, …), called once
	// Prov is complete, with the charts written.
	Summary func(charts []report.ChartInfo) []File
}

// WriteOptions control Write.
type WriteOptions struct {
	// Charts are the chart formats, size and DPI; nil writes no charts.
	Charts *plots.Options
	// Log, if not nil, is told of every file removed from the folder (the
	// outputs of its previous run that this one does not rewrite) and of
	// leftovers of interrupted runs cleaned up.
	Log func(msg string)
	// Staged, if not nil, is told of each file as it is staged, before
	// the commit (progress; tests interrupt the write phase with it).
	Staged func(name string)
}

// Write writes o into the folder dir, whole or not at all (report.Stage):
// the charts in every format, the files, then the summary; it returns the
// paths written. It stops, writing nothing, once ctx is done. A dir that
// is, or runs through, a file is an ErrInput error.
func Write(ctx context.Context, dir string, o *Output, opts WriteOptions) ([]string, error) {
	stage, err := report.NewStage(dir, report.StageOptions{Command: o.Command, Context: ctx, Log: opts.Log})
	if err != nil {
		if errors.Is(err, report.ErrNotFolder) || errors.Is(err, report.ErrBusy) {
			return nil, &Error{Kind: ErrInput, Err: err}
		}
		return nil, &Error{Kind: ErrModel, Err: fmt.Errorf("output folder %s: %w", dir, plainPathErr{err})}
	}
	defer stage.Abort()
	var infos []report.ChartInfo
	staged := func(name string) {
		if opts.Staged != nil {
			opts.Staged(name)
		}
	}
	if opts.Charts != nil && len(o.Charts) > 0 {
		infos, err = writeCharts(ctx, stage, o.Charts, *opts.Charts, staged)
		if err != nil {
			return nil, fail(ctx, "charts", err)
		}
	}
	for _, f := range o.Files {
		if err := stage.WriteFile(f.Name, f.Write); err != nil {
			return nil, fail(ctx, f.Name, err)
		}
		staged(f.Name)
	}
	if o.Prov != nil {
		o.Prov.RunID = stage.RunID
	}
	var summary []File
	if o.Summary != nil {
		summary = o.Summary(infos)
	}
	if o.Prov != nil {
		files := stage.Files()
		for _, f := range summary {
			files = append(files, f.Name)
		}
		slices.Sort(files)
		o.Prov.Files = slices.Compact(files)
	}
	for _, f := range summary {
		if err := stage.WriteFile(f.Name, f.Write); err != nil {
			return nil, fail(ctx, f.Name, err)
		}
		staged(f.Name)
	}
	files, err := stage.Commit()
	if err != nil {
		return nil, fail(ctx, "writing "+dir, err)
	}
	return files, nil
}

// CheckOut returns an ErrInput error when dir cannot be an output folder:
// it is, or runs through, a file (report.ErrNotFolder), or it cannot be
// created or written in (under /proc, on a read-only disk, without
// permission). Commands call it before any solving, so that a bad --out
// fails at once, not after the run. It leaves nothing behind: it makes a
// hidden folder in the nearest existing folder on dir's path (dir itself
// when it exists) and removes it.
func CheckOut(dir string) error {
	if err := report.CheckFolder(dir); err != nil {
		return &Error{Kind: ErrInput, Err: err}
	}
	// The nearest existing folder on dir's path, and the first folder
	// under it that Write would create (dir itself when it exists).
	p, first := filepath.Clean(dir), ""
	for {
		if _, err := os.Stat(p); err == nil {
			break
		} else if !errors.Is(err, fs.ErrNotExist) {
			return &Error{Kind: ErrInput, Err: fmt.Errorf("%s: %w", dir, plainPathErr{err})}
		}
		parent := filepath.Dir(p)
		if parent == p {
			break
		}
		p, first = parent, p
	}
	probe, err := os.MkdirTemp(p, ".potash-check-")
	if err != nil {
		// Say the folder the user would have to make, "cannot create
		// /proc/x", not the probe's random name.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			if first == "" {
				err = fmt.Errorf("cannot write in it: %w", pe.Err)
			} else {
				err = plainPathErr{&fs.PathError{Op: "mkdir", Path: first, Err: pe.Err}}
			}
		}
		return &Error{Kind: ErrInput, Err: fmt.Errorf("%s: %w", dir, err)}
	}
	if err := os.Remove(probe); err != nil {
		return &Error{Kind: ErrInput, Err: fmt.Errorf("%s: %w", dir, plainPathErr{err})}
	}
	return nil
}

// fail makes err an ErrModel error about what, or the context's error when
// the write was cancelled.
func fail(ctx context.Context, what string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", what, ctx.Err())
	}
	return wrapKind(ErrModel, what, err)
}

// writeCharts renders every chart in every format of opts
// (plots.RenderAll: in parallel, stopping when ctx is done) and writes the
// files into stage.
func writeCharts(ctx context.Context, stage *report.Stage, charts []*plots.Chart, opts plots.Options, staged func(string)) ([]report.ChartInfo, error) {
	files, err := plots.RenderAll(ctx, charts, opts)
	if err != nil {
		return nil, err
	}
	var infos []report.ChartInfo
	for _, f := range files {
		name := f.Name()
		if err := stage.WriteFile(name, func(w io.Writer) error { _, err := w.Write(f.Data); return err }); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		staged(name)
		if len(infos) == 0 || infos[len(infos)-1].Name != f.Chart.Name {
			infos = append(infos, report.ChartInfo{Name: f.Chart.Name, Caption: f.Chart.Caption, Main: f.Chart.Main})
		}
		infos[len(infos)-1].Files = append(infos[len(infos)-1].Files, name)
	}
	return infos, nil
}

// Output returns the outputs of the run r: results.csv, with draws
// bands.csv and draws.csv, scenario.resolved.yaml, the charts, and
// summary.json and summary.md.
func (r *Result) Output() *Output {
	s := r.Scenario
	o := &Output{Command: "run", Prov: &r.Summary.Provenance, Charts: r.Charts}
	o.Files = append(o.Files, File{report.FileResults, func(w io.Writer) error { return report.WriteTidyCSV(w, s.Name, r.Run) }})
	if r.MC != nil {
		o.Files = append(o.Files,
			File{report.FileBands, func(w io.Writer) error { return report.WriteBandsCSV(w, s.Name, r.MC) }},
			File{report.FileDraws, func(w io.Writer) error { return report.WriteDrawsCSV(w, s.Name, r.MC) }})
	}
	o.Files = append(o.Files, File{report.FileResolved, r.WriteResolved})
	o.Summary = func(charts []report.ChartInfo) []File {
		r.Summary.Charts = charts
		return []File{
			{report.FileSummary, r.Summary.WriteJSON},
			{report.FileMarkdown, func(w io.Writer) error { return report.WriteMarkdown(w, r.Summary) }},
		}
	}
	return o
}

// WriteResolved writes the resolved scenario with a header recording how
// it was run (scenario.resolved.yaml).
func (r *Result) WriteResolved(w io.Writer) error {
	s, sum := r.Scenario, r.Summary
	fmt.Fprintf(w, "# Fully resolved scenario %q as run by potash.\n", s.Name)
	fmt.Fprintf(w, "# sha256: %s  (of the YAML after these comment lines)\n", s.Hash)
	fmt.Fprintf(w, "# model: %s\n", sum.ModelVersion)
	fmt.Fprintf(w, "# seed: %d\n# draws: %d\n", sum.Seed, sum.Draws)
	fmt.Fprintf(w, "# reproduce: %s\n", sum.Command)
	_, err := w.Write(s.Resolved)
	return err
}

// plainPathErr says a file-system error in words: Go's *fs.PathError
// reads "mkdir /proc/x: no such file or directory", naming the system
// call; this reads "cannot create /proc/x: no such file or directory".
// errors.Is and errors.As still see err.
type plainPathErr struct{ err error }

func (e plainPathErr) Error() string {
	var pe *fs.PathError
	if !errors.As(e.err, &pe) {
		return e.err.Error()
	}
	verb, ok := pathOpWords[pe.Op]
	if !ok {
		return e.err.Error()
	}
	return verb + " " + pe.Path + ": " + pe.Err.Error()
}

// pathOpWords says the system calls of a *fs.PathError in words.
var pathOpWords = map[string]string{"mkdir": "cannot create", "open": "cannot open", "stat": "cannot read", "lstat": "cannot read",
	"readdirent": "cannot list", "remove": "cannot remove", "rename": "cannot rename", "flock": "cannot lock"}

func (e plainPathErr) Unwrap() error { return e.err }
