package tmdl

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// needsQuotes reports whether TOM writes the object name in single quotes:
// when it contains whitespace, '.', '=' or a single quote; other
// punctuation stays bare. Found by experiment: `col:1`, `a-b`, `2020`, `[x]`,
// `a"b` and `Größe` stay bare.
func needsQuotes(name string) bool {
	if name == "" {
		return true
	}
	for _, r := range name {
		if r == '.' || r == '=' || r == '\'' || unicode.IsSpace(r) {
			return true
		}
	}
	return false
}

// appendName appends name as TOM writes it in a declaration or reference.
func appendName(b []byte, name string) []byte {
	if !needsQuotes(name) {
		return append(b, name...)
	}
	b = append(b, '\'')
	for i := 0; i < len(name); i++ {
		if name[i] == '\'' {
			b = append(b, '\'', '\'')
			continue
		}
		b = append(b, name[i])
	}
	return append(b, '\'')
}

// QuoteName returns name as TOM writes it: bare, or in single quotes with
// inner quotes doubled when it contains whitespace, '.', '=' or a quote.
func QuoteName(name string) string { return string(appendName(nil, name)) }

// needsValueQuotes reports whether a property value must be written in
// double quotes: leading or trailing whitespace, or a value that both
// starts and ends with '"' (found by experiment: `"), x("y")` stays bare).
func needsValueQuotes(v string) bool {
	if v == "" {
		return false
	}
	if v[0] == '"' && v[len(v)-1] == '"' {
		return true
	}
	r, _ := utf8.DecodeRuneInString(v)
	l, _ := utf8.DecodeLastRuneInString(v)
	return unicode.IsSpace(r) || unicode.IsSpace(l)
}

func appendValue(b []byte, v string) []byte {
	if !needsValueQuotes(v) {
		return append(b, v...)
	}
	b = append(b, '"')
	for i := 0; i < len(v); i++ {
		if v[i] == '"' {
			b = append(b, '"', '"')
			continue
		}
		b = append(b, v[i])
	}
	return append(b, '"')
}

// unquoteValue reverses appendValue.
func unquoteValue(v string) string {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return v
	}
	inner := v[1 : len(v)-1]
	if !strings.Contains(inner, `"`) {
		return inner
	}
	var sb strings.Builder
	for i := 0; i < len(inner); i++ {
		if inner[i] == '"' {
			if i+1 < len(inner) && inner[i+1] == '"' {
				i++
			} else {
				return v // not a quoted value after all
			}
		}
		sb.WriteByte(inner[i])
	}
	return sb.String()
}

// CheckName returns an error when TOM cannot hold name: empty, not valid
// UTF-8, or containing a control character (TOM refuses the file).
func CheckName(name string) error {
	if name == "" {
		return fmt.Errorf("tmdl: empty name")
	}
	if r, bad := badRune(name, false); bad {
		if r == utf8.RuneError {
			return fmt.Errorf("tmdl: name %q is not valid UTF-8", name)
		}
		return fmt.Errorf("tmdl: name %q contains control character %U", name, r)
	}
	return nil
}

// badRune finds the first rune TOM cannot hold in a name (or, with
// tabOK, in a one-line property value): control characters, line
// separators and invalid UTF-8 (reported as utf8.RuneError).
func badRune(s string, tabOK bool) (rune, bool) {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && !(tabOK && c == '\t')) || c == 0x7f {
				return rune(c), true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return r, true
		}
		if r == 0x2028 || r == 0x2029 || unicode.IsControl(r) {
			return r, true
		}
		i += size
	}
	return 0, false
}

// checkValue rejects property values TOM cannot hold on one line.
func checkValue(what, v string) error {
	if r, bad := badRune(v, true); bad {
		if r == utf8.RuneError {
			return fmt.Errorf("tmdl: %s %q is not valid UTF-8", what, v)
		}
		return fmt.Errorf("tmdl: %s %q contains control character %U", what, v, r)
	}
	return nil
}

// FileName returns the file name (without .tmdl) TOM uses for an object
// name: the characters Windows forbids in file names, control characters
// and a leading space become %XX (upper-case hex); everything else, '%'
// included, stays as is.
func FileName(name string) string {
	esc := false
	for i := 0; i < len(name); i++ {
		if fileEscape(name[i]) || i == 0 && name[0] == ' ' {
			esc = true
			break
		}
	}
	if !esc {
		return name
	}
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(name)+8)
	for i := 0; i < len(name); i++ {
		c := name[i]
		if fileEscape(c) || i == 0 && c == ' ' {
			b = append(b, '%', hex[c>>4], hex[c&15])
			continue
		}
		b = append(b, c)
	}
	return string(b)
}

func fileEscape(c byte) bool {
	switch c {
	case '"', '<', '>', '|', ':', '*', '?', '\\', '/':
		return true
	}
	return c < 0x20
}
