//go:build !unix

package scenarios

import "os"

// openNoBlock opens path for reading (Stat has already refused anything
// but a regular file).
func openNoBlock(path string) (*os.File, error) { return os.Open(path) }
