package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progressBar draws "label [#####     ]  45%  4,500/10,000" on a terminal,
// redrawing the line in place at most ten times a second.
type progressBar struct {
	w     io.Writer
	label string
	start time.Time
	last  time.Time
	shown bool
}

// newProgress returns a progress callback for model.MCOptions.Progress and
// a function to end the bar, or nils when stderr is not a terminal:
// nothing is written to a pipe or a file.
func newProgress(e *env, label string) (update func(done, total int), finish func()) {
	if !e.stderrTTY {
		return nil, func() {}
	}
	p := &progressBar{w: e.stderr, label: label, start: time.Now()}
	return p.update, p.finish
}

const barWidth = 30

func (p *progressBar) update(done, total int) {
	now := time.Now()
	if done < total && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	p.shown = true
	fmt.Fprint(p.w, "\r"+renderBar(p.label, done, total, now.Sub(p.start)))
}

func (p *progressBar) finish() {
	if p.shown {
		fmt.Fprintln(p.w)
	}
}

// renderBar formats one line of the bar.
func renderBar(label string, done, total int, elapsed time.Duration) string {
	if total <= 0 {
		total = 1
	}
	done = max(0, min(done, total))
	n := barWidth * done / total
	eta := ""
	if done > 0 && done < total {
		rem := time.Duration(float64(elapsed) * float64(total-done) / float64(done))
		eta = fmt.Sprintf("  ~%s left", rem.Round(time.Second))
	}
	return fmt.Sprintf("%s [%s%s] %3d%%  %d/%d%s\x1b[K", label, strings.Repeat("#", n), strings.Repeat(" ", barWidth-n),
		100*done/total, done, total, eta)
}
