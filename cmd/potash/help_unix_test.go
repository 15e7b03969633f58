//go:build unix

package main

import (
	"strings"
	"testing"
)

// TestHelpTopicExit: a real potash asked for help on a command it does
// not have says so in its own words, with its suggestion or none, and
// exits 2 (bad input), whatever urfave/cli's own wording of the error.
func TestHelpTopicExit(t *testing.T) {
	for _, tc := range []struct{ args, want string }{
		{"help nope", `potash: no help for "nope": not a command (run 'potash --help' for the list)`},
		{"help runn", `potash: no help for "runn": not a command; did you mean "run"? (run 'potash --help' for the list)`},
	} {
		cmd, stderr := child(t, tc.args)
		if code := waitFor(t, cmd); code != exitBadInput {
			t.Errorf("potash %s: exit %d, want %d; stderr:\n%s", tc.args, code, exitBadInput, stderr)
		}
		if got := strings.TrimSpace(stderr.String()); got != tc.want {
			t.Errorf("potash %s: stderr\n%s\nwant\n%s", tc.args, got, tc.want)
		}
	}
}
