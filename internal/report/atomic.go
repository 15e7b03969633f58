package report

import (
	"bufio"
	"errors"
	"io"
	"os"
	"path/filepath"
)

// WriteFile writes the file at path atomically: write is called with a
// buffered writer on a temporary file in the same folder; when it returns
// nil the file is flushed, synced, given mode 0644 and renamed to path.
// On any error the temporary file is removed and path is left as it was.
func WriteFile(path string, write func(w io.Writer) error) error {
	tmp, err := writeTemp(path, write)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// writeTemp writes a complete, synced file with mode 0644 next to path,
// under a hidden temporary name, and returns that name; on any error it
// removes it.
func writeTemp(path string, write func(w io.Writer) error) (tmp string, err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return "", cannotWrite(path, err)
	}
	name := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(name)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<16)
	if err = write(bw); err != nil {
		return "", err
	}
	if err = bw.Flush(); err != nil {
		return "", err
	}
	if err = f.Chmod(0o644); err != nil {
		return "", err
	}
	if err = f.Sync(); err != nil {
		return "", err
	}
	if err = f.Close(); err != nil {
		return "", err
	}
	return name, nil
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
	tmp, err := writeTemp(path, func(w io.Writer) error { _, err := w.Write(data); return err })
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
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
