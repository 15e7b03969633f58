package report

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
)

// An output folder is committed whole. Its files and the hidden entries
// potash keeps in it:
//
//	DIR/.potash-manifest.json    the files of the last complete run, with
//	                             its random run id: written last, removed
//	                             first
//	DIR/.potash-staging-RUNID/   a run's files before they are committed
//	  .commit.json               the commit journal: once written, the
//	                             run's files go in whatever happens
//	  .old/                      files being replaced, until the manifest
//	                             is written
//
// A folder without a manifest is being written, or a run was killed while
// committing; the next run into it finishes that commit from the journal
// (or, when no journal was written, removes the staging folder) before it
// starts. Files of the folder that potash did not write are never
// touched: a file is removed only when the manifest lists it and its name
// is one of potash's output names (IsOutputName).

// ManifestName is the manifest of an output folder.
const ManifestName = ".potash-manifest.json"

const (
	stagingPrefix = ".potash-staging-"
	journalName   = ".commit.json"
	backupDir     = ".old"
)

// Errors of NewStage, for errors.Is.
var (
	// ErrNotFolder: the output folder, or a folder on its path, is a file.
	ErrNotFolder = errors.New("is not a folder")
	// ErrBusy: another potash run is writing into the output folder.
	ErrBusy = errors.New("another potash run is writing into this folder")
)

// manifest is the content of ManifestName.
type manifest struct {
	Tool    string   `json:"tool"`     // Tool
	Format  int      `json:"manifest"` // 1
	RunID   string   `json:"run_id"`   // 32 hex digits
	Command string   `json:"command"`  // e.g. "run"
	Files   []string `json:"files"`    // base names, sorted
}

// journal is the commit journal: the new manifest and the files of the
// old one to remove.
type journal struct {
	manifest
	Remove []string `json:"remove"`
}

var runIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// NewRunID returns a random run id: 32 hex digits.
func NewRunID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// StageOptions configure NewStage.
type StageOptions struct {
	// Command names the command in the manifest, e.g. "run".
	Command string
	// Context, when not nil, cancels writing: WriteFile and Commit fail
	// with its error once it is done, and Commit then commits nothing.
	Context context.Context
	// Log, when not nil, is told of every file removed from the folder
	// and of every staging folder cleaned up, one line each.
	Log func(msg string)
	// RunID is the run's id; "" makes a random one.
	RunID string
}

// Stage collects the files of one run in a hidden staging folder inside
// the output folder Dir, and commits them whole (see the protocol above).
// While a Stage is open it holds a lock on Dir: a second run into the
// same folder fails with ErrBusy.
type Stage struct {
	Dir   string // the output folder
	RunID string // the run's random id, recorded in the manifest

	opts    StageOptions
	staging string
	created bool // Dir did not exist before NewStage
	done    bool
	unlock  func()
}

// commitHook, when not nil, is called at each step of a commit; tests use
// it to inject failures (an error) and crashes (errCrash: the commit stops
// where it is, as if the process had been killed).
var commitHook func(step string) error

// errCrash makes a commit stop without cleaning up (tests).
var errCrash = errors.New("injected crash")

func hook(step string) error {
	if commitHook == nil {
		return nil
	}
	return commitHook(step)
}

// NewStage creates the output folder dir (and its parents) if needed,
// locks it, finishes or cleans up what an interrupted run left in it,
// and opens a staging folder inside it. A path that is, or runs through,
// a file fails with an error matching ErrNotFolder.
func NewStage(dir string, opts StageOptions) (*Stage, error) {
	if opts.Context == nil {
		opts.Context = context.Background()
	}
	if opts.RunID == "" {
		opts.RunID = NewRunID()
	}
	if !runIDPattern.MatchString(opts.RunID) {
		return nil, fmt.Errorf("report: bad run id %q", opts.RunID)
	}
	if err := CheckFolder(dir); err != nil {
		return nil, err
	}
	_, statErr := os.Stat(dir)
	created := errors.Is(statErr, fs.ErrNotExist)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		if errors.Is(err, syscall.ENOTDIR) {
			return nil, CheckFolder(dir)
		}
		return nil, err
	}
	unlock, err := lockDir(dir)
	if err != nil {
		if errors.Is(err, ErrBusy) {
			return nil, fmt.Errorf("%s: %w", dir, ErrBusy)
		}
		return nil, err
	}
	s := &Stage{Dir: dir, RunID: opts.RunID, opts: opts, created: created, unlock: unlock}
	if err := s.recoverLeftovers(); err != nil {
		unlock()
		return nil, err
	}
	s.staging = filepath.Join(dir, stagingPrefix+s.RunID)
	if err := os.Mkdir(s.staging, 0o755); err != nil {
		unlock()
		return nil, err
	}
	return s, nil
}

// CheckFolder returns an error matching ErrNotFolder when dir, or a
// folder on its path, exists and is not a folder; nil otherwise (dir may
// not exist yet). Commands call it before a long run, NewStage again.
func CheckFolder(dir string) error {
	for p := filepath.Clean(dir); ; p = filepath.Dir(p) {
		if fi, err := os.Stat(p); err == nil {
			if !fi.IsDir() {
				if p == filepath.Clean(dir) {
					return fmt.Errorf("%s exists and %w", dir, ErrNotFolder)
				}
				return fmt.Errorf("%s: %s %w", dir, p, ErrNotFolder)
			}
			return nil
		}
		if parent := filepath.Dir(p); parent == p {
			return nil
		}
	}
}

func (s *Stage) log(format string, a ...any) {
	if s.opts.Log != nil {
		s.opts.Log(fmt.Sprintf(format, a...))
	}
}

// recoverLeftovers finishes the commit of a run killed while committing
// (its journal is written) and removes the staging folders of runs killed
// before (no journal).
func (s *Stage) recoverLeftovers() error {
	ents, err := os.ReadDir(s.Dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), stagingPrefix) {
			continue
		}
		staging := filepath.Join(s.Dir, e.Name())
		if j, err := readJournal(staging); err == nil {
			if err := s.finish(staging, j); err != nil {
				return fmt.Errorf("finishing the interrupted commit of run %s in %s: %w", j.RunID, s.Dir, err)
			}
			s.log("finished writing the outputs of an interrupted run (%s) in %s", j.RunID, s.Dir)
			continue
		}
		if err := os.RemoveAll(staging); err != nil {
			return err
		}
		s.log("removed %s, left by an interrupted run", staging)
	}
	return nil
}

// StagingDir is the folder the stage writes into.
func (s *Stage) StagingDir() string { return s.staging }

// ctxWriter fails writes once ctx is done.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// WriteFile writes name (a base name) into the staging folder atomically.
// It fails once the stage's context is done.
func (s *Stage) WriteFile(name string, write func(w io.Writer) error) error {
	if s.done {
		return errors.New("report: stage already committed or aborted")
	}
	if name != filepath.Base(name) || strings.HasPrefix(name, ".") {
		return fmt.Errorf("report: bad output file name %q", name)
	}
	if err := s.opts.Context.Err(); err != nil {
		return err
	}
	return WriteFile(filepath.Join(s.staging, name), func(w io.Writer) error {
		return write(ctxWriter{s.opts.Context, w})
	})
}

// Files returns the base names of the files staged so far, sorted.
func (s *Stage) Files() []string {
	ents, _ := os.ReadDir(s.staging)
	var names []string
	for _, e := range ents {
		if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	return names
}

// Commit moves every staged file into the output folder, replacing files
// of the same name, removes the files of the folder's previous run that
// this one did not rewrite (printed through StageOptions.Log), writes the
// manifest last, and returns the paths written (in Dir), sorted.
//
// Commit is whole: when it fails, the folder holds the previous run's
// files, as before; when the process dies while it runs, the next run
// into the folder finishes it. Once it has begun it is not cancelled: the
// stage's context is checked only before.
func (s *Stage) Commit() ([]string, error) {
	if s.done {
		return nil, errors.New("report: stage already committed or aborted")
	}
	if err := s.opts.Context.Err(); err != nil {
		s.Abort()
		return nil, err
	}
	names := s.Files()
	for _, n := range names {
		if fi, err := os.Lstat(filepath.Join(s.Dir, n)); err == nil && !fi.Mode().IsRegular() {
			s.Abort()
			return nil, fmt.Errorf("cannot write %s: something other than a file has that name", filepath.Join(s.Dir, n))
		}
	}
	oldBytes, old := readManifest(s.Dir)
	j := journal{manifest: manifest{Tool: Tool, Format: 1, RunID: s.RunID, Command: s.opts.Command, Files: names}}
	if old != nil {
		for _, f := range old.Files {
			if !slices.Contains(names, f) && removable(s.Dir, f) {
				j.Remove = append(j.Remove, f)
			}
		}
	}
	b, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		s.Abort()
		return nil, err
	}
	if err := WriteFile(filepath.Join(s.staging, journalName), func(w io.Writer) error { _, err := w.Write(b); return err }); err != nil {
		s.Abort()
		return nil, err
	}
	if err := hook("journal"); err != nil {
		return s.failed(err, oldBytes, names)
	}
	// The commit point: from here on the outputs go in.
	if err := s.finish(s.staging, j); err != nil {
		return s.failed(err, oldBytes, names)
	}
	s.done = true
	s.release()
	out := make([]string, len(names))
	for k, n := range names {
		out[k] = filepath.Join(s.Dir, n)
	}
	return out, nil
}

// failed handles an error of a commit in progress: it puts the previous
// run's files back (rollback) and aborts, unless the error is an injected
// crash.
func (s *Stage) failed(err error, oldManifest []byte, names []string) ([]string, error) {
	if errors.Is(err, errCrash) {
		s.done = true
		s.release()
		return nil, err
	}
	if rerr := s.rollback(oldManifest, names); rerr != nil {
		err = fmt.Errorf("%w; and the previous files could not all be put back (%v): the next run into %s finishes this one's commit", err, rerr, s.Dir)
		s.done = true
		s.release()
		return nil, err
	}
	s.Abort()
	return nil, err
}

// finish carries out a commit journal j of staging folder staging:
// manifest removed, each staged file moved in (the file it replaces kept
// in .old), each file to remove moved to .old, the new manifest written,
// the staging folder removed. It is idempotent: an interrupted finish is
// finished by calling it again.
func (s *Stage) finish(staging string, j journal) error {
	if err := os.Remove(filepath.Join(s.Dir, ManifestName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	syncDir(s.Dir)
	if err := hook("manifest removed"); err != nil {
		return err
	}
	old := filepath.Join(staging, backupDir)
	if err := os.MkdirAll(old, 0o755); err != nil {
		return err
	}
	for _, n := range j.Files {
		if !validName(n) {
			return fmt.Errorf("journal names a bad file %q", n)
		}
		src := filepath.Join(staging, n)
		if _, err := os.Lstat(src); errors.Is(err, fs.ErrNotExist) {
			continue // moved in before an interruption
		}
		dst := filepath.Join(s.Dir, n)
		if fi, err := os.Lstat(dst); err == nil && fi.Mode().IsRegular() {
			if err := os.Rename(dst, filepath.Join(old, n)); err != nil {
				return err
			}
		}
		if err := hook("replace " + n); err != nil {
			return err
		}
		if err := os.Rename(src, dst); err != nil {
			return err
		}
		if err := hook("move " + n); err != nil {
			return err
		}
	}
	for _, n := range j.Remove {
		if slices.Contains(j.Files, n) || !removable(s.Dir, n) {
			continue
		}
		if err := os.Rename(filepath.Join(s.Dir, n), filepath.Join(old, n)); err != nil {
			return err
		}
		s.log("removed %s (an output of the previous run in this folder)", filepath.Join(s.Dir, n))
		if err := hook("remove " + n); err != nil {
			return err
		}
	}
	b, err := json.MarshalIndent(j.manifest, "", "  ")
	if err != nil {
		return err
	}
	syncDir(s.Dir)
	if err := WriteFile(filepath.Join(s.Dir, ManifestName), func(w io.Writer) error { _, err := w.Write(append(b, '\n')); return err }); err != nil {
		return err
	}
	syncDir(s.Dir)
	if err := hook("manifest written"); err != nil {
		return err
	}
	return os.RemoveAll(staging)
}

// rollback undoes a commit that failed in this process: the new files
// go, the old ones (in .old) come back, and so does the old manifest.
func (s *Stage) rollback(oldManifest []byte, names []string) error {
	var errs []error
	if err := os.Remove(filepath.Join(s.Dir, ManifestName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		errs = append(errs, err)
	}
	old := filepath.Join(s.staging, backupDir)
	for _, n := range names {
		dst := filepath.Join(s.Dir, n)
		if _, err := os.Lstat(filepath.Join(s.staging, n)); errors.Is(err, fs.ErrNotExist) {
			// Moved in: take it out again.
			if err := os.Remove(dst); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	if ents, err := os.ReadDir(old); err == nil {
		for _, e := range ents {
			if err := os.Rename(filepath.Join(old, e.Name()), filepath.Join(s.Dir, e.Name())); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if oldManifest != nil {
		if err := WriteFile(filepath.Join(s.Dir, ManifestName), func(w io.Writer) error { _, err := w.Write(oldManifest); return err }); err != nil {
			errs = append(errs, err)
		}
	}
	syncDir(s.Dir)
	return errors.Join(errs...)
}

// validName reports whether n is a plain, visible base name.
func validName(n string) bool {
	return n != "" && n == filepath.Base(n) && !strings.HasPrefix(n, ".") && !strings.ContainsAny(n, `/\`)
}

// removable reports whether file n of dir may be removed as an output of
// an earlier run: a potash output name, and a regular file (not a link).
func removable(dir, n string) bool {
	if !validName(n) || !IsOutputName(n) {
		return false
	}
	fi, err := os.Lstat(filepath.Join(dir, n))
	return err == nil && fi.Mode().IsRegular()
}

// readManifest returns dir's manifest (and its bytes), or nils when there
// is none or it is not a manifest of potash: the tool, the format and a
// run id of 32 hex digits must be there.
func readManifest(dir string) ([]byte, *manifest) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil || len(b) > 1<<20 {
		return nil, nil
	}
	var m manifest
	if json.Unmarshal(b, &m) != nil || m.Tool != Tool || m.Format != 1 || !runIDPattern.MatchString(m.RunID) {
		return nil, nil
	}
	return b, &m
}

// readJournal reads the commit journal of a staging folder.
func readJournal(staging string) (journal, error) {
	var j journal
	b, err := os.ReadFile(filepath.Join(staging, journalName))
	if err != nil {
		return j, err
	}
	if err := json.Unmarshal(b, &j); err != nil {
		return j, err
	}
	if j.Tool != Tool || !runIDPattern.MatchString(j.RunID) {
		return j, errors.New("not a commit journal of potash")
	}
	return j, nil
}

// syncDir flushes dir's entries to disk, where the system allows it.
func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		f.Sync()
		f.Close()
	}
}

// release unlocks the folder once.
func (s *Stage) release() {
	if s.unlock != nil {
		s.unlock()
		s.unlock = nil
	}
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
	s.release()
	if s.created {
		os.Remove(s.Dir) // fails, harmlessly, unless empty
	}
}
