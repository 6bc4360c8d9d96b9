package tmdl

import (
	"bytes"
	"fmt"
	"strings"
)

// SyntaxError is a TMDL file the decoder cannot read. Line is 1-based.
type SyntaxError struct {
	File    string
	Line    int
	Message string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("tmdl: %s:%d: %s", e.File, e.Line, e.Message)
}

// maxDepth bounds object nesting so hostile input cannot exhaust the stack.
const maxDepth = 64

type parser struct {
	file  string
	lines []string
	i     int
}

// parseFile reads one TMDL document into untyped nodes. Each node's
// line number is returned through the lines map for typed decoding errors.
func parseFile(file string, data []byte) ([]*Node, map[*Node]int, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	p := &parser{file: file, lines: strings.Split(text, "\n")}
	lines := make(map[*Node]int)
	nodes, err := p.block(0, lines)
	if err != nil {
		return nil, nil, err
	}
	return nodes, lines, nil
}

func (p *parser) errorf(line int, format string, args ...any) error {
	return &SyntaxError{File: p.file, Line: line + 1, Message: fmt.Sprintf(format, args...)}
}

func countTabs(s string) int {
	n := 0
	for n < len(s) && s[n] == '\t' {
		n++
	}
	return n
}

func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

func (p *parser) block(depth int, lines map[*Node]int) ([]*Node, error) {
	if depth > maxDepth {
		return nil, p.errorf(p.i, "objects nested more than %d levels", maxDepth)
	}
	var out []*Node
	var desc []string
	descLine := 0
	for p.i < len(p.lines) {
		line := p.lines[p.i]
		if isBlank(line) {
			p.i++
			continue
		}
		ind := countTabs(line)
		if ind < depth {
			break
		}
		if ind > depth {
			return nil, p.errorf(p.i, "unexpected indentation (%d tabs where %d or fewer were expected)", ind, depth)
		}
		content := line[ind:]
		if content[0] == ' ' {
			return nil, p.errorf(p.i, "indentation must use tabs, not spaces")
		}
		if strings.HasPrefix(content, "///") {
			if desc == nil {
				descLine = p.i
			}
			desc = append(desc, strings.TrimSpace(content[3:]))
			p.i++
			continue
		}
		start := p.i
		n, err := p.line(content, depth)
		if err != nil {
			return nil, err
		}
		lines[n] = start + 1
		if desc != nil {
			n.Description = NormalizeDescription(strings.Join(desc, "\n"))
			desc = nil
		}
		// A property's expression owns the deeper lines; only objects
		// and plain properties (dataAccessOptions, say) have children.
		if n.Op != '=' || n.isObject() {
			if n.Children, err = p.block(depth+1, lines); err != nil {
				return nil, err
			}
		}
		out = append(out, n)
	}
	if desc != nil {
		return nil, p.errorf(descLine, "/// description is not followed by a declaration")
	}
	return out, nil
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func skipSpace(s string) string { return strings.TrimLeft(s, " \t") }

// line parses one declaration or property line (and, for expressions,
// the lines that follow it).
func (p *parser) line(content string, depth int) (*Node, error) {
	lineNo := p.i
	p.i++
	k := 0
	for k < len(content) && isWordByte(content[k]) {
		k++
	}
	if k == 0 {
		return nil, p.errorf(lineNo, "expected a keyword, found %q", trunc(content))
	}
	n := &Node{Keyword: content[:k]}
	rest := skipSpace(content[k:])
	if n.Keyword == "ref" {
		j := 0
		for j < len(rest) && isWordByte(rest[j]) {
			j++
		}
		if j == 0 {
			return nil, p.errorf(lineNo, "ref without an object type")
		}
		n.Value = rest[:j]
		rest = skipSpace(rest[j:])
		name, r, err := parseName(rest)
		if err != nil {
			return nil, p.errorf(lineNo, "%v", err)
		}
		n.Name, n.HasName = name, true
		if strings.TrimSpace(r) != "" {
			return nil, p.errorf(lineNo, "unexpected %q after ref name", trunc(r))
		}
		return n, nil
	}
	switch {
	case k < len(content) && content[k] == ':':
		// "key: value". A ':' after a space starts a name instead: TOM
		// writes a column named ":a" as `column :a`.
		n.Op = ':'
		n.Value = strings.TrimSpace(content[k+1:])
		return n, nil
	case rest == "":
		return n, nil
	case rest[0] == '=':
		n.Op = '='
		// A property's expression may sit one level deeper (kpi
		// expressions do); an object's sits two levels deeper, below
		// its properties.
		body := depth + exprDepth(n)
		v, err := p.expr(rest[1:], body, body, lineNo)
		n.Value = v
		return n, err
	}
	name, r, err := parseName(rest)
	if err != nil {
		return nil, p.errorf(lineNo, "%v", err)
	}
	n.Name, n.HasName = name, true
	r = skipSpace(r)
	switch {
	case r == "":
		return n, nil
	case r[0] == '=':
		n.Op = '='
		v, err := p.expr(r[1:], depth+2, depth+2, lineNo)
		n.Value = v
		return n, err
	}
	return nil, p.errorf(lineNo, "unexpected %q after name %s", trunc(r), QuoteName(name))
}

func trunc(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// parseName reads a bare or single-quoted name and returns the rest.
func parseName(s string) (name, rest string, err error) {
	if s == "" {
		return "", "", fmt.Errorf("expected a name")
	}
	if s[0] == '\'' {
		var sb strings.Builder
		for i := 1; i < len(s); i++ {
			if s[i] == '\'' {
				if i+1 < len(s) && s[i+1] == '\'' {
					sb.WriteByte('\'')
					i++
					continue
				}
				return sb.String(), s[i+1:], nil
			}
			sb.WriteByte(s[i])
		}
		return "", "", fmt.Errorf("unterminated quoted name %s", trunc(s))
	}
	i := 0
	for i < len(s) && s[i] != ' ' && s[i] != '\t' && s[i] != '=' {
		i++
	}
	return s[:i], s[i:], nil
}

// parseRef reads a `Table.Column` reference.
func parseRef(s string) (ColumnRef, error) {
	t, rest, err := parseNameDot(s)
	if err != nil {
		return ColumnRef{}, err
	}
	if rest == "" || rest[0] != '.' {
		return ColumnRef{}, fmt.Errorf("expected Table.Column, found %q", trunc(s))
	}
	c, rest, err := parseNameDot(rest[1:])
	if err != nil {
		return ColumnRef{}, err
	}
	if strings.TrimSpace(rest) != "" {
		return ColumnRef{}, fmt.Errorf("unexpected %q after column reference", trunc(rest))
	}
	return ColumnRef{Table: t, Column: c}, nil
}

func parseNameDot(s string) (string, string, error) {
	if s != "" && s[0] == '\'' {
		return parseName(s)
	}
	i := strings.IndexByte(s, '.')
	if i < 0 {
		i = len(s)
	}
	if i == 0 {
		return "", "", fmt.Errorf("expected a name in %q", trunc(s))
	}
	return s[:i], s[i:], nil
}

// unquoteName reads a property value that holds an object name.
func unquoteName(v string) string {
	if v != "" && v[0] == '\'' {
		if name, rest, err := parseName(v); err == nil && strings.TrimSpace(rest) == "" {
			return name
		}
	}
	return v
}

// expr reads the expression after '=': inline text, a block of lines
// indented at least minBody tabs, or a ``` fenced block. The common
// indentation of the block is removed, but no more than indent tabs (the
// indentation TOM writes), so tabs that belong to the text survive.
func (p *parser) expr(rest string, minBody, indent, lineNo int) (string, error) {
	rest = strings.TrimSpace(rest)
	var lines []string
	if rest == "```" {
		for p.i < len(p.lines) {
			l := p.lines[p.i]
			p.i++
			if strings.TrimSpace(l) == "```" {
				return dedentTabs(lines, indent), nil
			}
			lines = append(lines, l)
		}
		return "", p.errorf(lineNo, "``` block is not closed")
	}
	last := p.i
	for j := p.i; j < len(p.lines); j++ {
		l := p.lines[j]
		if isBlank(l) {
			continue
		}
		if countTabs(l) < minBody {
			break
		}
		last = j + 1
	}
	lines = append(lines, p.lines[p.i:last]...)
	p.i = last
	body := dedent(lines)
	if rest != "" {
		if body == "" && len(lines) == 0 {
			return rest, nil
		}
		return rest + "\n" + body, nil
	}
	return body, nil
}

// dedentTabs removes the tabs all non-blank lines of a fenced block
// share, at most max (the indentation TOM writes), and joins the lines:
// inside fences every other character is the expression's.
func dedentTabs(lines []string, max int) string {
	common := -1
	for _, l := range lines {
		if isBlank(l) {
			continue
		}
		if n := countTabs(l); common < 0 || n < common {
			common = n
		}
	}
	if common < 0 || common > max {
		common = max
	}
	var sb strings.Builder
	for i, l := range lines {
		if i > 0 {
			sb.WriteByte('\n')
		}
		sb.WriteString(stripTabs(l, common))
	}
	return sb.String()
}

// dedent removes the leading whitespace all non-blank lines of an
// unfenced block share, tabs and spaces alike, as TOM does, and joins
// the lines. Blank lines lose their whitespace up to that prefix.
func dedent(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	prefix := ""
	first := true
	for _, l := range lines {
		if isBlank(l) {
			continue
		}
		ws := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if first {
			prefix, first = ws, false
			continue
		}
		n := 0
		for n < len(prefix) && n < len(ws) && prefix[n] == ws[n] {
			n++
		}
		prefix = prefix[:n]
	}
	var sb strings.Builder
	for i, l := range lines {
		if i > 0 {
			sb.WriteByte('\n')
		}
		if strings.HasPrefix(l, prefix) {
			l = l[len(prefix):]
		} else {
			l = strings.TrimLeft(l, " \t") // a blank line shorter than the prefix
		}
		sb.WriteString(l)
	}
	return sb.String()
}

func stripTabs(l string, n int) string {
	for i := 0; i < n && len(l) > 0 && l[0] == '\t'; i++ {
		l = l[1:]
	}
	return l
}
