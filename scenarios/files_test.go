//go:build unix

package scenarios

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLoadOnlyRegularFiles: Load, extends and compare_to read regular files
// of at most MaxFileBytes only; a directory, /dev/zero, a named pipe or an
// oversized file is a clear error at once (no hang, no unbounded read).
func TestLoadOnlyRegularFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatalf("mkfifo: %v", err)
	}
	big := filepath.Join(dir, "big.yaml")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxFileBytes + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name, path, want string
		sentinel         error
	}{
		{"directory", sub, "is a directory", ErrNotRegular},
		{"directory with a slash", sub + string(filepath.Separator), "is a directory", ErrNotRegular},
		{"/dev/zero", "/dev/zero", "is a device", ErrNotRegular},
		{"named pipe", fifo, "is a named pipe", ErrNotRegular},
		{"too large", big, "larger than the limit of 4 MiB", ErrTooLarge},
		{"extends /dev/zero", write("ext-zero.yaml", "title: t\nextends: /dev/zero\n"), "ext-zero.yaml:2:10: extends: cannot read '/dev/zero' (relative to " + dir + "): is a device", nil},
		{"extends a pipe", write("ext-pipe.yaml", "title: t\nextends: pipe.yaml\n"), "extends: cannot read 'pipe.yaml' (relative to " + dir + "): is a named pipe", nil},
		{"merge key extends a pipe", write("merge-pipe.yaml", "<<: {extends: pipe.yaml}\ntitle: t\n"), "extends: cannot read 'pipe.yaml'", nil},
		{"compare_to a directory", write("cmp-dir.yaml", "title: t\ncompare_to: sub/\n"), "compare_to: cannot read 'sub/' (relative to " + dir + "): is a directory", nil},
		{"extends a big file", write("ext-big.yaml", "title: t\nextends: big.yaml\n"), "larger than the limit", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				_, err := Load(tc.path, nil)
				done <- err
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("Load did not return: it is reading or waiting on a non-regular file")
			}
			var ds Diagnostics
			if !errors.As(err, &ds) || len(ds.Errors()) == 0 {
				t.Fatalf("err = %v, want Diagnostics", err)
			}
			if !strings.Contains(ds.Error(), tc.want) {
				t.Errorf("error %q, want it to contain %q", ds.Error(), tc.want)
			}
			if tc.sentinel != nil {
				if _, err := readFile(tc.path); !errors.Is(err, tc.sentinel) {
					t.Errorf("readFile: %v, want %v", err, tc.sentinel)
				}
			}
		})
	}
}
