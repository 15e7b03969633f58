package run

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestPlainPathErr: an output folder that cannot be made is said in
// words ("cannot create X"), not with the system call's name ("mkdir
// X"), and the error still matches fs.ErrNotExist.
func TestPlainPathErr(t *testing.T) {
	err := plainPathErr{&fs.PathError{Op: "mkdir", Path: "/proc/nope", Err: syscall.ENOENT}}
	if got := err.Error(); got != "cannot create /proc/nope: no such file or directory" {
		t.Errorf("got %q", got)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Error("the error no longer matches fs.ErrNotExist")
	}
	other := plainPathErr{errors.New("disk on fire")}
	if got := other.Error(); got != "disk on fire" || strings.Contains(got, "cannot") {
		t.Errorf("a non-path error: %q", got)
	}
}

// TestCheckOut: an output folder that cannot be made is an ErrInput
// error naming the folder to make, found before any run; one that can is
// accepted, and the check leaves nothing behind.
func TestCheckOut(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "afile")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	bad := []struct{ dir, msg string }{
		{file, "exists and is not a folder"},
		{filepath.Join(file, "sub"), "is not a folder"},
	}
	if fi, err := os.Stat("/proc/self"); err == nil && fi.IsDir() {
		bad = append(bad, struct{ dir, msg string }{"/proc/potash-nope/out", "cannot create /proc/potash-nope: "})
	}
	for _, tc := range bad {
		err := CheckOut(tc.dir)
		if !errors.Is(err, ErrInput) || err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("CheckOut(%s) = %v, want an ErrInput error saying %q", tc.dir, err, tc.msg)
		}
	}
	for _, dir := range []string{tmp, filepath.Join(tmp, "new", "deeper")} {
		if err := CheckOut(dir); err != nil {
			t.Errorf("CheckOut(%s): %v", dir, err)
		}
	}
	ents, _ := os.ReadDir(tmp)
	if len(ents) != 1 || ents[0].Name() != "afile" {
		t.Errorf("CheckOut left entries behind: %v", ents)
	}
}
