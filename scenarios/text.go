package scenarios

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Messages quote what a scenario says, and a scenario can say anything: a
// 600 KB string, terminal escapes, right-to-left overrides. These helpers
// keep every quoted value short and inert.

// maxQuoted is the most runes of a value a message quotes.
const maxQuoted = 80

// maxMessage is the most runes of one diagnostic message.
const maxMessage = 1000

// quote returns s in single quotes for a message: at most maxQuoted runes
// (then "…"), with control, format (bidirectional) and invalid bytes
// escaped.
func quote(s string) string { return "'" + clipText(s, maxQuoted) + "'" }

// clipText escapes s (see escapeText) and shortens it to n runes.
func clipText(s string, n int) string {
	if utf8.RuneCountInString(s) > n {
		s = truncateRunes(s, n-1) + "…"
	}
	return escapeText(s)
}

// escapeText writes control characters (C0, DEL, C1), Unicode format
// characters (the bidirectional overrides and isolates, zero-width
// characters) and invalid UTF-8 bytes as Go escapes, so that nothing a
// scenario says can move a terminal's cursor or reorder a line.
func escapeText(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || unsafeRune(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x80 && unsafeRune(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

func unsafeRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029'
}

// sanitize makes a finished message safe to print: a quoted stretch
// ('…') longer than maxQuoted runes is shortened, unsafe characters are
// escaped, and the whole is cut at maxMessage runes. Messages built with
// quote are already safe; this catches those that format a value with a
// plain '%s'.
func sanitize(msg string) string {
	if len(msg) <= maxQuoted && escapeText(msg) == msg {
		return msg
	}
	var b strings.Builder
	rest := msg
	for {
		i := strings.IndexByte(rest, '\'')
		if i < 0 {
			b.WriteString(rest)
			break
		}
		j := strings.IndexByte(rest[i+1:], '\'')
		if j < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:i+1])
		inner := rest[i+1 : i+1+j]
		if utf8.RuneCountInString(inner) > maxQuoted {
			inner = truncateRunes(inner, maxQuoted-1) + "…"
		}
		b.WriteString(inner)
		b.WriteByte('\'')
		rest = rest[i+1+j+1:]
	}
	out := escapeText(b.String())
	if utf8.RuneCountInString(out) > maxMessage {
		out = truncateRunes(out, maxMessage-1) + "…"
	}
	return out
}

// truncateRunes returns the first n runes of s.
func truncateRunes(s string, n int) string {
	k := 0
	for i := range s {
		if k == n {
			return s[:i]
		}
		k++
	}
	return s
}
