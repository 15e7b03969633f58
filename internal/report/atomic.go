package report

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// WriteFile writes the file at path atomically: write is called with a
// buffered writer on a temporary file in the same folder; when it returns
// nil the file is flushed, synced, given mode 0644 and renamed to path.
// On any error the temporary file is removed and path is left as it was.
func WriteFile(path string, write func(w io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return cannotWrite(path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<16)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// cannotWrite reports a failure to create the temporary file for path in
// terms of path, not of the temporary name.
func cannotWrite(path string, err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &os.PathError{Op: "write", Path: path, Err: err}
}

// CreateNew writes data to path atomically and fails with an error
// satisfying errors.Is(err, fs.ErrExist) when path already exists: it never
// overwrites a file, even one created while it was writing.
func CreateNew(path string, data []byte) error {
	if _, err := os.Lstat(path); err == nil {
		return &os.PathError{Op: "create", Path: path, Err: os.ErrExist}
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return cannotWrite(path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	// Link fails if path exists: no overwrite, no race.
	if err := os.Link(tmp, path); err != nil {
		var le *os.LinkError
		if errors.As(err, &le) && errors.Is(le.Err, os.ErrExist) {
			return &os.PathError{Op: "create", Path: path, Err: os.ErrExist}
		}
		return err
	}
	return nil
}

// Stage collects the files of one run in a hidden staging folder inside
// the output folder Dir. Files written with WriteFile or by other packages
// into StagingDir appear in Dir only on Commit; Abort removes them. Files
// in Dir that the stage did not write are never touched.
type Stage struct {
	Dir     string // the output folder
	staging string
	created bool // Dir did not exist before NewStage
	done    bool
}

// stagingPrefix names staging folders; a leftover one (after a crash) is
// safe to delete.
const stagingPrefix = ".potash-staging-"

// NewStage creates the output folder dir (and its parents) if needed and a
// staging folder inside it.
func NewStage(dir string) (*Stage, error) {
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return nil, fmt.Errorf("output folder %s exists and is not a folder", dir)
	}
	_, statErr := os.Stat(dir)
	created := errors.Is(statErr, os.ErrNotExist)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	staging, err := os.MkdirTemp(dir, stagingPrefix+"*")
	if err != nil {
		return nil, err
	}
	return &Stage{Dir: dir, staging: staging, created: created}, nil
}

// StagingDir is the folder to write into.
func (s *Stage) StagingDir() string { return s.staging }

// WriteFile writes name (a base name) into the staging folder atomically.
func (s *Stage) WriteFile(name string, write func(w io.Writer) error) error {
	if name != filepath.Base(name) || strings.HasPrefix(name, stagingPrefix) {
		return fmt.Errorf("report: bad output file name %q", name)
	}
	return WriteFile(filepath.Join(s.staging, name), write)
}

// Commit moves every staged file into the output folder, replacing files
// of the same name, removes the staging folder, and returns the paths
// written (in Dir), sorted. Temporary files are not moved.
func (s *Stage) Commit() ([]string, error) {
	if s.done {
		return nil, errors.New("report: stage already committed or aborted")
	}
	entries, err := os.ReadDir(s.staging)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		names = append(names, e.Name())
	}
	sort.Strings(names)
	// Check every destination first, so that a predictable failure moves
	// nothing.
	for _, n := range names {
		dst := filepath.Join(s.Dir, n)
		if fi, err := os.Lstat(dst); err == nil && fi.IsDir() {
			s.Abort()
			return nil, fmt.Errorf("cannot write %s: a folder of that name exists", dst)
		}
	}
	var out []string
	for _, n := range names {
		dst := filepath.Join(s.Dir, n)
		if err := os.Rename(filepath.Join(s.staging, n), dst); err != nil {
			s.Abort()
			return out, err
		}
		out = append(out, dst)
	}
	s.done = true
	return out, os.RemoveAll(s.staging)
}

// RemoveStale removes from the output folder the files of a previous run
// (previous: base names it wrote, e.g. from its summary.json) that this
// run did not write (written: paths returned by Commit), so the folder
// never mixes the outputs of two runs. Names that are not plain base names
// and anything that is not a regular file are left alone; so are files no
// run of the tool wrote. It returns the paths removed.
func (s *Stage) RemoveStale(previous, written []string) []string {
	keep := map[string]bool{}
	for _, w := range written {
		keep[filepath.Base(w)] = true
	}
	var removed []string
	for _, p := range previous {
		if p == "" || p != filepath.Base(p) || p == "." || p == ".." || keep[p] || strings.HasPrefix(p, ".") {
			continue
		}
		path := filepath.Join(s.Dir, p)
		if fi, err := os.Lstat(path); err != nil || !fi.Mode().IsRegular() {
			continue
		}
		if os.Remove(path) == nil {
			removed = append(removed, path)
		}
	}
	return removed
}

// Abort removes the staging folder and everything in it, and the output
// folder too when NewStage created it and it is still empty. It is safe to
// call after Commit (it then does nothing).
func (s *Stage) Abort() {
	if s.done {
		return
	}
	s.done = true
	os.RemoveAll(s.staging)
	if s.created {
		os.Remove(s.Dir) // fails, harmlessly, unless empty
	}
}
