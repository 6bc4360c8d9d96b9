package tmdl

import "unicode/utf8"

// MString returns s as an M text literal: in double quotes, '"' doubled,
// control characters as #(cr), #(lf), #(tab) or #(XXXX), and "#(" as
// "#(#)(" so that no escape sequence can be smuggled in. Nothing in the
// result can end the literal early, so no input can inject M.
func MString(s string) string { return string(appendMString(make([]byte, 0, len(s)+2), s)) }

// appendMString appends s as an M text literal (see MString).
func appendMString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		// Copy the run of bytes that need no escape in one go.
		j := i
		for j < len(s) {
			c := s[j]
			if c == '"' || c == '#' || c < 0x20 || c == 0x7f || c >= 0x80 {
				break
			}
			j++
		}
		b = append(b, s[i:j]...)
		if j == len(s) {
			break
		}
		i = j
		c := s[i]
		switch {
		case c == '"':
			b = append(b, '"', '"')
			i++
		case c == '#':
			if i+1 < len(s) && s[i+1] == '(' {
				b = append(b, "#(#)"...)
			} else {
				b = append(b, '#')
			}
			i++
		case c == '\r':
			b = append(b, "#(cr)"...)
			i++
		case c == '\n':
			b = append(b, "#(lf)"...)
			i++
		case c == '\t':
			b = append(b, "#(tab)"...)
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r < 0x20 || r == 0x7f || r == 0x85 || r == 0x2028 || r == 0x2029 || (r >= 0x80 && r < 0xa0) {
				b = appendMEscape(b, r)
			} else {
				// Valid runes are copied; an invalid byte becomes U+FFFD.
				b = utf8.AppendRune(b, r)
			}
			i += size
		}
	}
	return append(b, '"')
}

// appendMEscape appends #(XXXX), M's escape of a character by its code.
func appendMEscape(b []byte, r rune) []byte {
	const hex = "0123456789ABCDEF"
	return append(b, '#', '(', hex[r>>12&15], hex[r>>8&15], hex[r>>4&15], hex[r&15], ')')
}

// mKeywords are M's reserved words; a step with such a name must be
// written as a quoted identifier.
var mKeywords = map[string]bool{
	"and": true, "as": true, "each": true, "else": true, "error": true,
	"false": true, "if": true, "in": true, "is": true, "let": true,
	"meta": true, "not": true, "null": true, "or": true, "otherwise": true,
	"section": true, "shared": true, "then": true, "true": true, "try": true,
	"type": true,
}

// MIdentifier returns name as an M identifier: bare when it is a plain
// identifier, otherwise the quoted form #"…" with MString escaping.
func MIdentifier(name string) string {
	plain := name != "" && !mKeywords[name]
	for i := 0; i < len(name) && plain; i++ {
		c := name[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			plain = false
		}
	}
	if plain {
		return name
	}
	return string(appendMString([]byte{'#'}, name))
}
