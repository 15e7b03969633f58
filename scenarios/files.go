package scenarios

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// MaxFileBytes is the largest scenario file Load, extends and compare_to
// read, bytes (4 MiB: the built-ins are a few KB, an inline market a few
// hundred).
const MaxFileBytes = 4 << 20

// Errors of readFile, for errors.Is.
var (
	// ErrNotRegular: the path names a directory, device, pipe or socket;
	// only regular files are read (a pipe would block, /dev/zero never
	// ends).
	ErrNotRegular = errors.New("not a regular file")
	// ErrTooLarge: the file is larger than MaxFileBytes.
	ErrTooLarge = errors.New("file too large")
)

// fileError is a readFile failure with a message for people.
type fileError struct {
	msg string
	err error // ErrNotRegular, ErrTooLarge or the *os.PathError's cause
}

func (e *fileError) Error() string { return e.msg }
func (e *fileError) Unwrap() error { return e.err }

// readFile reads the scenario file at path: a regular file of at most
// MaxFileBytes. A directory, a device such as /dev/zero, a named pipe or a
// socket is refused without reading from it (and a pipe is opened without
// waiting for a writer).
func readFile(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, &fileError{msg: unwrapPathErr(err).Error(), err: err}
	}
	if err := checkRegular(st); err != nil {
		return nil, err
	}
	f, err := openNoBlock(path)
	if err != nil {
		return nil, &fileError{msg: unwrapPathErr(err).Error(), err: err}
	}
	defer f.Close()
	// The file may have been replaced since Stat: check what was opened.
	if st, err = f.Stat(); err != nil {
		return nil, &fileError{msg: unwrapPathErr(err).Error(), err: err}
	}
	if err := checkRegular(st); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, &fileError{msg: unwrapPathErr(err).Error(), err: err}
	}
	if len(data) > MaxFileBytes {
		return nil, tooLarge()
	}
	return data, nil
}

func checkRegular(st os.FileInfo) error {
	switch m := st.Mode(); {
	case m.IsRegular():
		if st.Size() > MaxFileBytes {
			return tooLarge()
		}
		return nil
	case m.IsDir():
		return &fileError{msg: "is a directory; give a scenario file (.yaml)", err: ErrNotRegular}
	case m&os.ModeNamedPipe != 0:
		return &fileError{msg: "is a named pipe, not a scenario file; only regular files are read", err: ErrNotRegular}
	case m&(os.ModeDevice|os.ModeCharDevice) != 0:
		return &fileError{msg: "is a device, not a scenario file; only regular files are read", err: ErrNotRegular}
	default:
		return &fileError{msg: "is not a regular file; only regular files are read", err: ErrNotRegular}
	}
}

func tooLarge() error {
	return &fileError{msg: fmt.Sprintf("the file is larger than the limit of %d MiB for a scenario file", MaxFileBytes>>20), err: ErrTooLarge}
}
