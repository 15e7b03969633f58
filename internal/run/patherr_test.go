package run

import (
	"errors"
	"io/fs"
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
