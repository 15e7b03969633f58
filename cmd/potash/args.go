package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// reorderArgs moves flags that follow positional arguments in front of
// them, so that `potash run s.yaml --draws 100` works although urfave/cli
// v2 stops parsing flags at the first positional argument. It walks the
// command path (`potash scenarios show NAME`) level by level, using each
// level's flags to know which take a value: `--set x=1` and `--set=x=1`
// both move as a unit. A "--" ends the flags: everything after it stays
// positional, in order. A positional argument that starts with "-" (only
// possible after "--") keeps its "--" in front. Shell-completion requests
// (last argument --generate-bash-completion) are left untouched.
func reorderArgs(app *cli.App, args []string) []string {
	if len(args) == 0 || args[len(args)-1] == "--generate-bash-completion" {
		return args
	}
	out := append([]string{args[0]}, reorderLevel(app.Flags, app.Commands, args[1:], true)...)
	return out
}

func reorderLevel(flags []cli.Flag, cmds []*cli.Command, args []string, root bool) []string {
	takesValue := map[string]bool{}
	for _, f := range append(flags, cli.HelpFlag, cli.VersionFlag) {
		if f == nil {
			continue
		}
		tv := false
		if d, ok := f.(cli.DocGenerationFlag); ok {
			tv = d.TakesValue()
		}
		for _, n := range f.Names() {
			takesValue[n] = tv
		}
	}
	var fl, pos []string
	dashdash := false
	for k := 0; k < len(args); k++ {
		a := args[k]
		if a == "--" {
			pos = append(pos, args[k+1:]...)
			dashdash = true
			break
		}
		if len(a) > 1 && a[0] == '-' {
			fl = append(fl, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && takesValue[name] && k+1 < len(args) {
				k++
				fl = append(fl, args[k])
			}
			continue
		}
		if len(pos) == 0 {
			// The first positional argument may name a subcommand: the
			// rest is that command's business.
			for _, c := range cmds {
				if c.HasName(a) {
					return append(append(fl, a), reorderLevel(c.Flags, c.Subcommands, args[k+1:], false)...)
				}
			}
			if root {
				// Not a command: leave the rest alone for the usage error.
				return append(fl, args[k:]...)
			}
		}
		pos = append(pos, a)
	}
	needDash := dashdash && len(pos) > 0
	for _, p := range pos {
		if strings.HasPrefix(p, "-") && p != "-" {
			needDash = true
		}
	}
	if needDash {
		fl = append(fl, "--")
	}
	return append(fl, pos...)
}
