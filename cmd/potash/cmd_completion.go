package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"
)

func init() { registerCommand(newCompletionCommand) }

// bashCompletion asks potash itself for candidates (urfave/cli's
// --generate-bash-completion), so it stays right as commands are added.
const bashCompletion = `# bash completion for potash
# Load it now:        source <(potash completion bash)
# Or install it:      potash completion bash > ~/.local/share/bash-completion/completions/potash
_potash_complete() {
  local cur words
  COMPREPLY=()
  cur="${COMP_WORDS[COMP_CWORD]}"
  words=("${COMP_WORDS[@]:0:$COMP_CWORD}")
  local opts
  if [[ "$cur" == -* ]]; then
    opts=$("${words[@]}" "$cur" --generate-bash-completion 2>/dev/null)
  else
    opts=$("${words[@]}" --generate-bash-completion 2>/dev/null)
  fi
  COMPREPLY=($(compgen -W "${opts}" -- "${cur}"))
  if [[ ${#COMPREPLY[@]} -eq 0 ]]; then
    COMPREPLY=($(compgen -f -- "${cur}"))
  fi
  return 0
}
complete -o default -F _potash_complete potash
`

const zshCompletion = `#compdef potash
# zsh completion for potash
# Load it now:        source <(potash completion zsh)
# Or install it:      potash completion zsh > "${fpath[1]}/_potash"
_potash() {
  local -a opts
  local cur
  cur=${words[-1]}
  if [[ "$cur" == -* ]]; then
    opts=("${(@f)$(${words[@]:0:#words[@]-1} ${cur} --generate-bash-completion 2>/dev/null)}")
  else
    opts=("${(@f)$(${words[@]:0:#words[@]-1} --generate-bash-completion 2>/dev/null)}")
  fi
  if [[ "${opts[1]}" != "" ]]; then
    _describe 'values' opts
  else
    _files
  fi
}
if [[ "$(basename -- ${(%):-%x})" != "_potash" ]]; then
  compdef _potash potash
fi
`

func newCompletionCommand() *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script for bash, zsh or fish",
		ArgsUsage: "bash|zsh|fish",
		UsageText: "potash completion bash|zsh|fish",
		Description: "Prints a script that completes potash's commands, flags and built-in scenario names.\n\n" +
			"Examples:\n" +
			"  source <(potash completion bash)                                   # bash, this shell\n" +
			"  potash completion zsh > \"${fpath[1]}/_potash\"                      # zsh\n" +
			"  potash completion fish > ~/.config/fish/completions/potash.fish    # fish",
		BashComplete: func(c *cli.Context) {
			for _, s := range []string{"bash", "zsh", "fish"} {
				fmt.Fprintln(c.App.Writer, s)
			}
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return badInputf("completion needs one shell: bash, zsh or fish")
			}
			w := envOf(c).stdout
			switch strings.ToLower(c.Args().First()) {
			case "bash":
				_, err := io.WriteString(w, bashCompletion)
				return err
			case "zsh":
				_, err := io.WriteString(w, zshCompletion)
				return err
			case "fish":
				s, err := c.App.ToFishCompletion()
				if err != nil {
					return runFailed(err)
				}
				_, err = io.WriteString(w, "# fish completion for potash\n# Install: potash completion fish > ~/.config/fish/completions/potash.fish\n"+s)
				return err
			}
			return badInputf("completion: unknown shell %q; want bash, zsh or fish", c.Args().First())
		},
	}
}
