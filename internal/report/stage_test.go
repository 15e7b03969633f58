package report

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// commitRun writes files (name → content) through a Stage into dir and
// commits them; it returns what the stage logged.
func commitRun(t *testing.T, dir string, files map[string]string) []string {
	t.Helper()
	var log []string
	st, err := NewStage(dir, StageOptions{Command: "run", Log: func(m string) { log = append(log, m) }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Abort()
	stageFiles(t, st, files)
	if _, err := st.Commit(); err != nil {
		t.Fatal(err)
	}
	return log
}

func stageFiles(t *testing.T, st *Stage, files map[string]string) {
	t.Helper()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		c := files[n]
		if err := st.WriteFile(n, func(w io.Writer) error { _, err := io.WriteString(w, c); return err }); err != nil {
			t.Fatal(err)
		}
	}
}

// folder returns the visible files of dir with their contents, and
// whether the manifest is there and lists exactly them.
func folder(t *testing.T, dir string) (map[string]string, *manifest) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		got[e.Name()] = string(b)
	}
	_, m := readManifest(dir)
	return got, m
}

func equalFiles(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// hidden lists dir's hidden entries other than the manifest.
func hidden(t *testing.T, dir string) []string {
	ents, _ := os.ReadDir(dir)
	var out []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") && e.Name() != ManifestName {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestStage(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	os.MkdirAll(out, 0o755)
	// A file the tool did not write, and an output of an earlier version
	// of potash (no manifest): replaced, never removed.
	os.WriteFile(filepath.Join(out, "notes.txt"), []byte("mine"), 0o644)
	os.WriteFile(filepath.Join(out, "results.csv"), []byte("old"), 0o644)

	st, err := NewStage(out, StageOptions{Command: "run"})
	if err != nil {
		t.Fatal(err)
	}
	stageFiles(t, st, map[string]string{"results.csv": "new", "summary.json": "{}"})
	if b, _ := os.ReadFile(filepath.Join(out, "results.csv")); string(b) != "old" {
		t.Errorf("results.csv changed before Commit: %q", b)
	}
	if got := st.Files(); !slices.Equal(got, []string{"results.csv", "summary.json"}) {
		t.Errorf("Files() = %q", got)
	}
	files, err := st.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || filepath.Base(files[0]) != "results.csv" || filepath.Base(files[1]) != "summary.json" {
		t.Errorf("Commit returned %q", files)
	}
	st.Abort() // no-op after Commit
	got, m := folder(t, out)
	if want := map[string]string{"notes.txt": "mine", "results.csv": "new", "summary.json": "{}"}; !equalFiles(got, want) {
		t.Errorf("folder holds %v, want %v", got, want)
	}
	if m == nil || m.RunID != st.RunID || !slices.Equal(m.Files, []string{"results.csv", "summary.json"}) || m.Command != "run" {
		t.Errorf("manifest %+v", m)
	}
	if h := hidden(t, out); len(h) > 0 {
		t.Errorf("left behind: %q", h)
	}
}

// TestStageRemovesOnlyItsOwnOutputs: a run removes the files of the
// folder's previous run that it does not rewrite, logging each, and
// nothing else: not a file a forged summary.json or manifest lists, not a
// file whose name is not one of potash's, not a link.
func TestStageRemovesOnlyItsOwnOutputs(t *testing.T) {
	out := t.TempDir()
	commitRun(t, out, map[string]string{"results.csv": "1", "price.png": "1", "draws.csv": "1"})
	os.WriteFile(filepath.Join(out, "thesis.docx"), []byte("years of work"), 0o644)
	log := commitRun(t, out, map[string]string{"results.csv": "2"})
	got, m := folder(t, out)
	if want := map[string]string{"results.csv": "2", "thesis.docx": "years of work"}; !equalFiles(got, want) {
		t.Errorf("folder holds %v, want %v", got, want)
	}
	if len(log) != 2 || !strings.Contains(log[0], "draws.csv") || !strings.Contains(log[1], "price.png") {
		t.Errorf("log %q, want the two removed files", log)
	}
	if m == nil || !slices.Equal(m.Files, []string{"results.csv"}) {
		t.Errorf("manifest %+v", m)
	}

	// A forged summary.json (what earlier versions read) and a forged
	// manifest: thesis.docx and a folder are never removed, with or
	// without a run id.
	forged := []string{
		`{"tool":"potash","command":"potash run","files":["thesis.docx","results.csv"]}`,
	}
	for _, id := range []string{"", "not-an-id", strings.Repeat("a", 32)} {
		forged = append(forged, fmt.Sprintf(`{"tool":"potash","manifest":1,"run_id":%q,"files":["thesis.docx","sub","../x","results.csv"]}`, id))
	}
	for k, f := range forged {
		name := ManifestName
		if k == 0 {
			name = FileSummary
		}
		os.WriteFile(filepath.Join(out, name), []byte(f), 0o644)
		os.Mkdir(filepath.Join(out, "sub"), 0o755)
		commitRun(t, out, map[string]string{"sweep.csv": "s"})
		if b, err := os.ReadFile(filepath.Join(out, "thesis.docx")); err != nil || string(b) != "years of work" {
			t.Fatalf("forged %s %s: thesis.docx: %q %v", name, f, b, err)
		}
		if _, err := os.Stat(filepath.Join(out, "sub")); err != nil {
			t.Fatalf("forged %s: the folder sub went: %v", f, err)
		}
		os.Remove(filepath.Join(out, FileSummary))
	}
	// results.csv went only with the forged manifest that carries a valid
	// run id (it is a potash name): a manifest is trusted only then.
	if _, err := os.Stat(filepath.Join(out, "results.csv")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("results.csv listed by a valid manifest: %v", err)
	}

	// A link named like an output is not followed or removed.
	out2 := t.TempDir()
	target := filepath.Join(t.TempDir(), "precious.txt")
	os.WriteFile(target, []byte("x"), 0o644)
	commitRun(t, out2, map[string]string{"price.svg": "1"})
	os.Remove(filepath.Join(out2, "price.svg"))
	if err := os.Symlink(target, filepath.Join(out2, "price.svg")); err != nil {
		t.Skip(err)
	}
	commitRun(t, out2, map[string]string{"results.csv": "1"})
	if _, err := os.Lstat(filepath.Join(out2, "price.svg")); err != nil {
		t.Errorf("the link was removed: %v", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "x" {
		t.Errorf("the link's target changed: %q", b)
	}
}

// TestStageCommitCrash is the crash-injection test of output commits: a
// commit stopped at any step, by an I/O error or by the process dying,
// leaves the previous run's files or the new run's, never a mix. An
// error rolls back at once; after a crash the next run into the folder
// finishes the commit before it starts.
func TestStageCommitCrash(t *testing.T) {
	oldSet := map[string]string{"results.csv": "old", "price.png": "old", "draws.csv": "old", "summary.json": "old"}
	newSet := map[string]string{"results.csv": "new", "summary.json": "new", "bands.csv": "new"}
	mine := map[string]string{"notes.txt": "mine"}
	with := func(a, b map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range a {
			out[k] = v
		}
		for k, v := range b {
			out[k] = v
		}
		return out
	}
	// The steps of a commit, found by a commit with a hook that records.
	var steps []string
	commitHook = func(step string) error { steps = append(steps, step); return nil }
	commitRun(t, t.TempDir(), newSet)
	commitHook = nil
	defer func() { commitHook = nil }()
	if len(steps) < 6 {
		t.Fatalf("steps %q", steps)
	}
	for _, crash := range []bool{false, true} {
		for _, step := range steps {
			name := "error at " + step
			if crash {
				name = "crash at " + step
			}
			t.Run(name, func(t *testing.T) {
				out := t.TempDir()
				os.WriteFile(filepath.Join(out, "notes.txt"), []byte("mine"), 0o644)
				commitRun(t, out, oldSet)
				inject := errors.New("injected I/O error")
				if crash {
					inject = errCrash
				}
				commitHook = func(s string) error {
					if s == step {
						return inject
					}
					return nil
				}
				st, err := NewStage(out, StageOptions{Command: "run"})
				if err != nil {
					t.Fatal(err)
				}
				stageFiles(t, st, newSet)
				_, err = st.Commit()
				commitHook = nil
				if !errors.Is(err, inject) {
					t.Fatalf("Commit: %v, want the injected failure", err)
				}
				got, m := folder(t, out)
				switch {
				case !crash:
					// Rolled back: the old set, its manifest, no leftovers.
					if !equalFiles(got, with(oldSet, mine)) || m == nil || len(m.Files) != len(oldSet) {
						t.Errorf("after an error the folder holds %v (manifest %+v), want the old set", got, m)
					}
					if h := hidden(t, out); len(h) > 0 {
						t.Errorf("left behind: %q", h)
					}
				case m != nil && len(m.Files) == len(oldSet):
					// Crashed before the commit point's effects: old set.
					if !equalFiles(got, with(oldSet, mine)) {
						t.Errorf("manifest of the old set over %v", got)
					}
				case m != nil:
					if !equalFiles(got, with(newSet, mine)) {
						t.Errorf("manifest of the new set over %v", got)
					}
				}
				// The next run finishes (or cleans up) first.
				var log []string
				st2, err := NewStage(out, StageOptions{Log: func(s string) { log = append(log, s) }})
				if err != nil {
					t.Fatal(err)
				}
				st2.Abort()
				got, m = folder(t, out)
				// After a crash the commit goes through: the journal, written
				// before any step, is its commit point. An error rolled back.
				want := with(oldSet, mine)
				if crash {
					want = with(newSet, mine)
				}
				if !equalFiles(got, want) || m == nil || len(m.Files) != len(want)-1 {
					t.Errorf("after recovery the folder holds %v (manifest %+v), want %v", got, m, want)
				}
				if h := hidden(t, out); len(h) > 0 {
					t.Errorf("left behind after recovery: %q", h)
				}
				if crash && len(log) == 0 {
					t.Error("recovery logged nothing")
				}
			})
		}
	}
}

// TestStageLeftovers: a staging folder of a run killed before its commit
// (no journal), or of an earlier version, is removed by the next run.
func TestStageLeftovers(t *testing.T) {
	out := t.TempDir()
	commitRun(t, out, map[string]string{"results.csv": "1"})
	st, err := NewStage(out, StageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stageFiles(t, st, map[string]string{"results.csv": "2"})
	st.release() // killed: the lock goes with the process, the folder stays
	os.MkdirAll(filepath.Join(out, ".potash-staging-123456", "x"), 0o755)
	var log []string
	st2, err := NewStage(out, StageOptions{Log: func(s string) { log = append(log, s) }})
	if err != nil {
		t.Fatal(err)
	}
	st2.Abort()
	if h := hidden(t, out); len(h) > 0 {
		t.Errorf("left behind: %q", h)
	}
	if len(log) != 2 {
		t.Errorf("log %q", log)
	}
	if got, _ := folder(t, out); got["results.csv"] != "1" {
		t.Errorf("results.csv = %q", got["results.csv"])
	}
}

// TestStageCancel: once the context is done, nothing more is written and
// Commit commits nothing.
func TestStageCancel(t *testing.T) {
	out := t.TempDir()
	commitRun(t, out, map[string]string{"results.csv": "1"})
	ctx, cancel := context.WithCancel(context.Background())
	st, err := NewStage(out, StageOptions{Context: ctx})
	if err != nil {
		t.Fatal(err)
	}
	stageFiles(t, st, map[string]string{"draws.csv": "2"})
	cancel()
	err = st.WriteFile("results.csv", func(w io.Writer) error {
		_, err := w.Write(make([]byte, 1<<20))
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("WriteFile after cancel: %v", err)
	}
	if _, err := st.Commit(); !errors.Is(err, context.Canceled) {
		t.Errorf("Commit after cancel: %v", err)
	}
	if got, _ := folder(t, out); !equalFiles(got, map[string]string{"results.csv": "1"}) {
		t.Errorf("folder holds %v", got)
	}
	if h := hidden(t, out); len(h) > 0 {
		t.Errorf("left behind: %q", h)
	}
}

func TestStageBusyAndNotFolder(t *testing.T) {
	out := t.TempDir()
	st, err := NewStage(out, StageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewStage(out, StageOptions{}); !errors.Is(err, ErrBusy) {
		t.Errorf("a second stage on the folder: %v, want ErrBusy", err)
	}
	st.Abort()
	if st, err := NewStage(out, StageOptions{}); err != nil {
		t.Errorf("after Abort: %v", err)
	} else {
		st.Abort()
	}
	file := filepath.Join(t.TempDir(), "afile")
	os.WriteFile(file, nil, 0o644)
	for _, dir := range []string{file, filepath.Join(file, "sub"), filepath.Join(file, "sub", "deeper")} {
		if _, err := NewStage(dir, StageOptions{}); !errors.Is(err, ErrNotFolder) || !strings.Contains(err.Error(), file) {
			t.Errorf("NewStage(%s): %v, want ErrNotFolder naming %s", dir, err, file)
		}
	}
}

func TestStageAbortAndConflict(t *testing.T) {
	dir := t.TempDir()
	fresh := filepath.Join(dir, "fresh")
	st, err := NewStage(fresh, StageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st.WriteFile("a.csv", func(w io.Writer) error { return nil })
	st.Abort()
	if _, err := os.Stat(fresh); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("aborted stage left the folder it created: %v", err)
	}

	out := filepath.Join(dir, "out")
	os.MkdirAll(filepath.Join(out, "b.json"), 0o755) // a folder where a file goes
	st, err = NewStage(out, StageOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st.WriteFile("a.csv", func(w io.Writer) error { return nil })
	st.WriteFile("b.json", func(w io.Writer) error { return nil })
	if _, err := st.Commit(); err == nil {
		t.Fatal("Commit over a folder: no error")
	}
	// Nothing moved: a.csv must not appear without b.json.
	assertOnly(t, out, "b.json")
	if err := st.WriteFile("../x", func(w io.Writer) error { return nil }); err == nil {
		t.Error("WriteFile with a path: no error")
	}
}

func TestIsOutputName(t *testing.T) {
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"results.csv", true}, {"bands.csv", true}, {"summary.json", true}, {"price.png", true},
		{"corridors_Belarus.pdf", true}, {"sweep_revenue_change_Belarus.svg", true}, {"backtest-factors.png", true},
		{"thesis.docx", false}, {"photo.png", false}, {"results.csv.bak", false}, {"../results.csv", false},
		{".potash-manifest.json", false}, {"price.png.tmp", false}, {"corridors_.png", false},
	} {
		if got := IsOutputName(tc.name); got != tc.want {
			t.Errorf("IsOutputName(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}
