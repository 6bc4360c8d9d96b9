package tmdl

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// writer is the one primitive every TMDL byte goes through: indentation
// with tabs, quoting of names and values, /// descriptions and
// expressions indented the way TOM writes them.
type writer struct {
	b   []byte
	err error // first text TMDL cannot represent
}

const tabs = "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t"

func (w *writer) indent(depth int) {
	for depth > len(tabs) {
		w.b = append(w.b, tabs...)
		depth -= len(tabs)
	}
	w.b = append(w.b, tabs[:depth]...)
}

func (w *writer) blank() { w.b = append(w.b, '\n') }

// desc writes a description as /// lines. TOM trims each line, and
// writes an empty line as "/// ".
func (w *writer) desc(depth int, text string) {
	if text == "" {
		return
	}
	if !simpleLine(text) {
		if text = NormalizeDescription(text); text == "" {
			return
		}
	}
	for {
		line := text
		i := strings.IndexByte(text, '\n')
		if i >= 0 {
			line, text = text[:i], text[i+1:]
		}
		w.indent(depth)
		w.b = append(w.b, "/// "...)
		w.b = append(w.b, line...)
		w.b = append(w.b, '\n')
		if i < 0 {
			return
		}
	}
}

// simpleLine reports whether text is one ASCII line without control
// characters or surrounding spaces: the common case, written as is.
func simpleLine(text string) bool {
	if text[0] == ' ' || text[len(text)-1] == ' ' {
		return false
	}
	for i := 0; i < len(text); i++ {
		if c := text[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// descLines splits a description into the trimmed lines TOM keeps. Line
// breaks of any kind end a line; other control characters except tab are
// dropped, since TOM cannot hold them.
func descLines(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.Map(func(r rune) rune {
		switch {
		case r == '\r' || r == '\v' || r == '\f' || r == 0x85 || r == 0x2028 || r == 0x2029:
			return '\n'
		case r == '\n' || r == '\t':
			return r
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, text)
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return lines
}

// NormalizeDescription returns text as it reads back after a trip through
// TMDL: line endings as \n and every line trimmed.
func NormalizeDescription(text string) string {
	if text == "" || simpleLine(text) {
		return text
	}
	return strings.Join(descLines(text), "\n")
}

// decl writes "keyword name" without the line end.
func (w *writer) decl(depth int, keyword, name string) {
	w.indent(depth)
	w.b = append(w.b, keyword...)
	w.b = append(w.b, ' ')
	w.b = appendName(w.b, name)
}

// line ends the current line.
func (w *writer) eol() { w.b = append(w.b, '\n') }

// prop writes "key: value" when value is not empty.
func (w *writer) prop(depth int, key, value string) {
	if value == "" {
		return
	}
	w.indent(depth)
	w.b = append(w.b, key...)
	w.b = append(w.b, ':', ' ')
	w.b = appendValue(w.b, value)
	w.b = append(w.b, '\n')
}

// raw writes "key: value" with value as is.
func (w *writer) raw(depth int, key, value string) {
	w.indent(depth)
	w.b = append(w.b, key...)
	w.b = append(w.b, ':', ' ')
	w.b = append(w.b, value...)
	w.b = append(w.b, '\n')
}

func (w *writer) propInt(depth int, key string, v int) {
	w.indent(depth)
	w.b = append(w.b, key...)
	w.b = append(w.b, ':', ' ')
	w.b = strconv.AppendInt(w.b, int64(v), 10)
	w.b = append(w.b, '\n')
}

// propName writes "key: name" with name quoted as an object name.
func (w *writer) propName(depth int, key, name string) {
	if name == "" {
		return
	}
	w.indent(depth)
	w.b = append(w.b, key...)
	w.b = append(w.b, ':', ' ')
	w.b = appendName(w.b, name)
	w.b = append(w.b, '\n')
}

// propRef writes "key: Table.Column" with each part quoted.
func (w *writer) propRef(depth int, key string, r ColumnRef) {
	if r.Table == "" && r.Column == "" {
		return
	}
	w.indent(depth)
	w.b = append(w.b, key...)
	w.b = append(w.b, ':', ' ')
	w.b = appendName(w.b, r.Table)
	w.b = append(w.b, '.')
	w.b = appendName(w.b, r.Column)
	w.b = append(w.b, '\n')
}

// flag writes a bare boolean property when v is true.
func (w *writer) flag(depth int, key string, v bool) {
	if !v {
		return
	}
	w.indent(depth)
	w.b = append(w.b, key...)
	w.b = append(w.b, '\n')
}

// boolProp writes "key: false" when v is set and false.
func (w *writer) boolFalse(depth int, key string, v *bool) {
	if v == nil || *v {
		return
	}
	w.indent(depth)
	w.b = append(w.b, key...)
	w.b = append(w.b, ": false\n"...)
}

// exprProp writes "key = <expression>" on its own line(s).
func (w *writer) exprProp(depth int, key, text string) {
	w.indent(depth)
	w.b = append(w.b, key...)
	w.expr(depth, text)
}

// expr finishes a line that owns an expression (the line at depth):
// " = text" when it fits on one line, otherwise " =" and the lines two
// levels deeper, fenced with ``` when whitespace would otherwise be lost.
func (w *writer) expr(depth int, text string) { w.exprAt(depth+2, text) }

// exprDepth is how much deeper than its owning line TOM indents an
// expression: two levels for objects (a measure, an annotation, a
// partition's source, which TOM holds as an object), one level for
// properties (a kpi's targetExpression).
func exprDepth(n *Node) int {
	if n.isObject() || n.Keyword == "source" {
		return 2
	}
	return 1
}

// exprAt finishes a line that owns an expression, writing a multi-line
// expression at indentation body.
func (w *writer) exprAt(body int, text string) {
	if strings.TrimSpace(text) == "" && w.err == nil {
		// TOM reads a bare "=" as the start of a multi-line expression
		// and refuses what follows it.
		w.err = invalidf("an empty expression or annotation value cannot be written in TMDL")
	}
	if !strings.ContainsAny(text, "\n\r") && !strings.HasPrefix(strings.TrimSpace(text), "```") {
		w.b = append(w.b, " = "...)
		w.b = append(w.b, strings.TrimSpace(text)...)
		w.b = append(w.b, '\n')
		return
	}
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	if !strings.Contains(text, "\n") {
		text = strings.TrimSpace(text)
	}
	fenced := needsFence(text) || strings.HasPrefix(text, "```")
	if fenced && w.err == nil && hasFenceLine(text) {
		w.err = invalidf("expression %q has a line that is only ``` and cannot be written in TMDL", trunc(text))
	}
	if fenced {
		w.b = append(w.b, " = ```\n"...)
	} else {
		w.b = append(w.b, " =\n"...)
	}
	for {
		line := text
		i := strings.IndexByte(text, '\n')
		if i >= 0 {
			line, text = text[:i], text[i+1:]
		}
		w.indent(body)
		w.b = append(w.b, line...)
		w.b = append(w.b, '\n')
		if i < 0 {
			break
		}
	}
	if fenced {
		w.indent(body)
		w.b = append(w.b, "```\n"...)
	}
}

func hasFenceLine(text string) bool {
	for _, l := range strings.Split(text, "\n") {
		if strings.TrimSpace(l) == "```" {
			return true
		}
	}
	return false
}

// needsFence reports whether a multi-line expression keeps its exact text
// only inside ``` fences: TOM trims trailing whitespace from the lines of
// an unfenced block, drops its trailing blank lines, and removes the
// leading whitespace all its lines share.
func needsFence(text string) bool {
	if strings.HasSuffix(text, "\n") {
		return true
	}
	for rest := text; rest != ""; {
		line := rest
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		if r, _ := utf8.DecodeLastRuneInString(line); line != "" && unicode.IsSpace(r) {
			return true
		}
	}
	// Leading whitespace shared by every non-blank line.
	shared := true
	for rest := text; rest != "" && shared; {
		line := rest
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		if strings.TrimSpace(line) != "" && line[0] != ' ' && line[0] != '\t' {
			shared = false
		}
	}
	return shared
}

// node writes an untyped node and its children.
func (w *writer) node(depth int, n *Node) {
	w.desc(depth, n.Description)
	w.indent(depth)
	w.b = append(w.b, n.Keyword...)
	if n.HasName {
		w.b = append(w.b, ' ')
		w.b = appendName(w.b, n.Name)
	}
	switch n.Op {
	case ':':
		w.b = append(w.b, ':', ' ')
		w.b = append(w.b, n.Value...)
		w.b = append(w.b, '\n')
	case '=':
		w.exprAt(depth+exprDepth(n), n.Value)
	default:
		w.b = append(w.b, '\n')
	}
	w.nodeProps(depth+1, n.Children)
	w.nodeObjects(depth+1, n.Children)
}

func (w *writer) nodeProps(depth int, nodes []*Node) {
	for _, c := range nodes {
		if !c.isObject() {
			w.node(depth, c)
		}
	}
}

func (w *writer) nodeObjects(depth int, nodes []*Node) {
	for _, c := range nodes {
		if c.isObject() {
			w.blank()
			w.node(depth, c)
		}
	}
}

// unnamedObjects are TMDL objects declared without a name; TOM writes
// them after the properties, each after a blank line.
var unnamedObjects = map[string]bool{
	"changedProperty": true, "linguisticMetadata": true, "kpi": true,
	"calculationGroup": true, "relatedColumnDetails": true,
	"formatStringDefinition": true, "detailRowsDefinition": true,
	"alternateOf": true, "refreshPolicy": true, "excludedArtifact": true,
	"multipleOrEmptySelectionExpression": true, "noSelectionExpression": true,
	"annotation": true, "extendedProperty": true,
}

func (n *Node) isObject() bool { return n.HasName || unnamedObjects[n.Keyword] }
