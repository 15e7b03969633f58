//go:build unix

package scenarios

import (
	"os"
	"syscall"
)

// openNoBlock opens path for reading without blocking on a named pipe that
// has no writer (the caller then refuses it as not a regular file).
func openNoBlock(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
