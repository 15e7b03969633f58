//go:build !unix

package main

// supervise is not available here: potash runs in one process, and a
// crash of the Go runtime exits 2.
func supervise() (code int, ok bool) { return 0, false }

func reportExit(code int) {}
