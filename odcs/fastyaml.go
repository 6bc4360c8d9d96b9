package odcs

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// fastParse reads the plain block-style YAML that nearly every contract
// is written in (mappings, lists, single-line plain or quoted scalars,
// one-line lists of scalars, comments) straight into a node tree,
// several times faster than yaml.v3. It gives up (ok false) at the first
// thing outside that subset, or anything it is unsure of, and the caller
// then parses with yaml.v3; so it never decides what is an error. Tests
// check that whenever it succeeds its tree is the one yaml.v3 gives.
func fastParse(data []byte) (root *node, diags Diagnostics, ok bool) {
	if !simpleText(data) {
		return nil, nil, false
	}
	p := &fastParser{}
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		var line []byte
		if i < 0 {
			line, data = data, nil
		} else {
			line, data = data[:i], data[i+1:]
		}
		p.lines = append(p.lines, string(line))
	}
	p.next = 0
	p.skip()
	if p.next < len(p.lines) && p.lines[p.next] == "---" {
		p.next++
		p.skip()
	}
	for _, l := range p.lines[p.next:] {
		if documentMarker(l) {
			// A second document, an end marker, or content on a
			// marker line: yaml.v3 decides what these mean.
			return nil, nil, false
		}
	}
	if p.next >= len(p.lines) {
		return nil, nil, false
	}
	ind, _ := p.indent(p.next)
	root = p.block(ind, 1)
	p.skip()
	if p.failed || root == nil || p.next < len(p.lines) {
		return nil, nil, false
	}
	return root, p.diags, true
}

// maxKeyLen is below the longest implicit key yaml.v3 accepts (1024
// characters); longer keys are left to it to accept or refuse.
const maxKeyLen = 1000

// documentMarker reports whether line starts with a YAML document
// marker ("---" or "...") at column 0, alone or followed by a space.
func documentMarker(line string) bool {
	if !strings.HasPrefix(line, "---") && !strings.HasPrefix(line, "...") {
		return false
	}
	return len(line) == 3 || line[3] == ' '
}

// simpleText reports whether data holds only printable characters and
// newlines (no tabs, carriage returns, control characters, byte order
// marks or Unicode line separators, which yaml.v3 treats specially).
func simpleText(data []byte) bool {
	for i := 0; i < len(data); {
		c := data[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\n') || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError, r >= 0x80 && r <= 0x9f, r == 0x2028, r == 0x2029, r == 0xfeff, r == 0xfffe, r == 0xffff:
			return false
		}
		i += size
	}
	return true
}

type fastParser struct {
	lines  []string
	next   int // index of the next line to read
	failed bool
	diags  Diagnostics
}

// skip moves past blank and comment-only lines.
func (p *fastParser) skip() {
	for p.next < len(p.lines) {
		s := strings.TrimLeft(p.lines[p.next], " ")
		if s != "" && s[0] != '#' {
			return
		}
		p.next++
	}
}

// indent returns the indentation of line i and its content.
func (p *fastParser) indent(i int) (int, string) {
	l := p.lines[i]
	s := strings.TrimLeft(l, " ")
	return len(l) - len(s), s
}

func (p *fastParser) fail() *node {
	p.failed = true
	return nil
}

// isSeqItem reports whether content starts a block list item.
func isSeqItem(s string) bool {
	return s == "-" || strings.HasPrefix(s, "- ")
}

// block parses the collection starting at the next line, which has
// indentation ind.
func (p *fastParser) block(ind, depth int) *node {
	if depth > MaxDepth || p.failed {
		return p.fail()
	}
	_, s := p.indent(p.next)
	if isSeqItem(s) {
		return p.sequence(ind, depth)
	}
	return p.mapping(ind, -1, "", depth)
}

// sequence parses list items at indentation ind.
func (p *fastParser) sequence(ind, depth int) *node {
	n := &node{kind: kindSeq}
	for !p.failed {
		p.skip()
		if p.next >= len(p.lines) {
			break
		}
		li, s := p.indent(p.next)
		if li != ind || !isSeqItem(s) {
			if li > ind {
				return p.fail()
			}
			break
		}
		line := p.next
		if len(n.items) == 0 {
			n.pos = Position{line + 1, p.col(line, ind)}
		}
		rest := strings.TrimLeft(s[1:], " ")
		if rest == "" || rest[0] == '#' {
			// The item's value starts on a later line.
			p.next++
			p.skip()
			if p.next >= len(p.lines) {
				return p.fail()
			}
			ci, _ := p.indent(p.next)
			if ci <= ind {
				return p.fail() // an empty item: leave it to yaml.v3
			}
			n.items = append(n.items, p.block(ci, depth+1))
			continue
		}
		start := len(p.lines[line]) - len(rest)
		if isSeqItem(rest) {
			return p.fail()
		}
		if _, _, isKey := splitKey(rest); isKey {
			n.items = append(n.items, p.mapping(start, line, rest, depth+1))
			continue
		}
		v, next := p.scalarValue(line, start, rest, ind)
		p.next = next
		if v == nil || p.continues(ind) {
			return p.fail()
		}
		n.items = append(n.items, v)
	}
	if p.failed {
		return nil
	}
	return n
}

// continues reports whether the next content line is indented deeper
// than ind, which after a scalar means a multi-line scalar.
func (p *fastParser) continues(ind int) bool {
	p.skip()
	if p.next >= len(p.lines) {
		return false
	}
	li, _ := p.indent(p.next)
	return li > ind
}

// mapping parses "key: value" lines at indentation ind. When first is
// not "", it is the content of line firstLine that starts at column
// ind (the first key of a mapping inside a list item).
func (p *fastParser) mapping(ind, firstLine int, first string, depth int) *node {
	if depth > MaxDepth {
		return p.fail()
	}
	n := &node{kind: kindMap}
	for !p.failed {
		var line int
		var s string
		if first != "" {
			line, s = firstLine, first
			first = ""
		} else {
			p.skip()
			if p.next >= len(p.lines) {
				break
			}
			li, c := p.indent(p.next)
			if li != ind {
				if li > ind {
					return p.fail()
				}
				break
			}
			if isSeqItem(c) {
				break
			}
			line, s = p.next, c
		}
		key, rest, isKey := splitKey(s)
		if !isKey || !plainOK(key) || len(key) > maxKeyLen {
			return p.fail()
		}
		kn := &node{kind: kindString, plain: true, text: key, pos: Position{line + 1, p.col(line, ind)}}
		p.resolve(kn)
		if kn.text == "<<" {
			return p.fail() // merge keys: leave them to yaml.v3
		}
		var vn *node
		if rest == "" || rest[0] == '#' {
			p.next = line + 1
			p.skip()
			if p.next >= len(p.lines) {
				return p.fail()
			}
			ci, c := p.indent(p.next)
			switch {
			case ci > ind:
				vn = p.block(ci, depth+1)
			case ci == ind && isSeqItem(c):
				vn = p.sequence(ind, depth+1)
			default:
				return p.fail() // an empty value: leave it to yaml.v3
			}
		} else {
			start := len(p.lines[line]) - len(rest)
			var next int
			vn, next = p.scalarValue(line, start, rest, ind)
			p.next = next
			if vn == nil || p.continues(ind) {
				return p.fail()
			}
		}
		if p.failed || vn == nil {
			return p.fail()
		}
		if len(n.keys) == 0 {
			n.pos = kn.pos
		}
		p.add(n, kn, vn)
	}
	if p.failed {
		return nil
	}
	return n
}

// add appends a key and value, reporting duplicates as build does.
func (p *fastParser) add(n, kn, vn *node) {
	if prev := n.keyNode(kn.text); prev != nil {
		p.diags = append(p.diags, duplicateKey(kn, prev))
		for j, k := range n.keys {
			if k == prev {
				n.keys[j], n.vals[j] = kn, vn
			}
		}
		return
	}
	n.keys = append(n.keys, kn)
	n.vals = append(n.vals, vn)
}

// splitKey splits "key: rest" or "key:". rest has leading spaces
// removed.
func splitKey(s string) (key, rest string, ok bool) {
	for i := 0; i < len(s); i++ {
		if s[i] != ':' {
			continue
		}
		if i+1 == len(s) {
			return strings.TrimRight(s[:i], " "), "", true
		}
		if s[i+1] == ' ' {
			return strings.TrimRight(s[:i], " "), strings.TrimLeft(s[i+1:], " "), true
		}
	}
	return "", "", false
}

// plainOK reports whether s can be read as a plain scalar by the
// simple rules of this parser.
func plainOK(s string) bool {
	if s == "" || strings.Contains(s, " #") || strings.Contains(s, ": ") || strings.HasSuffix(s, ":") ||
		strings.HasSuffix(s, " ") {
		return false
	}
	switch s[0] {
	case '-', '?', ':':
		return len(s) > 1 && s[1] != ' '
	case ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		return false
	}
	return true
}

// scalarValue reads the value written after a key or a list dash: s is
// line i from byte start, in a collection at indentation ind. It
// returns the node (nil for anything outside the subset) and the index
// of the line after the value.
func (p *fastParser) scalarValue(i, start int, s string, ind int) (*node, int) {
	pos := Position{i + 1, p.col(i, start)}
	switch s[0] {
	case '\'', '"':
		text, rest, ok := quoted(s)
		if !ok || !commentOrEnd(rest) {
			return nil, i + 1
		}
		return &node{kind: kindString, text: text, pos: pos}, i + 1
	case '[':
		return p.flowSeq(i, start, s), i + 1
	case '{':
		if !commentOrEnd(strings.TrimPrefix(strings.TrimLeft(strings.TrimPrefix(s, "{"), " "), "}")) ||
			!strings.HasPrefix(strings.TrimLeft(s[1:], " "), "}") {
			return nil, i + 1
		}
		return &node{kind: kindMap, pos: pos}, i + 1
	case '|', '>':
		return p.blockScalar(i, s, ind, pos)
	}
	if j := strings.Index(s, " #"); j >= 0 {
		s = s[:j]
	}
	s = strings.TrimRight(s, " ")
	if !plainOK(s) {
		return nil, i + 1
	}
	n := &node{plain: true, text: s, pos: pos}
	p.resolve(n)
	return n, i + 1
}

// blockScalar reads a literal (|) or folded (>) block scalar whose
// header is s on line i, with an optional chomping indicator. It leaves
// to yaml.v3 indentation indicators, leading or whitespace-only blank
// lines, more-indented lines in folded scalars, and scalars that run to
// the end of the input.
func (p *fastParser) blockScalar(i int, s string, ind int, pos Position) (*node, int) {
	style, chomp := s[0], byte(0)
	rest := s[1:]
	if rest != "" && (rest[0] == '-' || rest[0] == '+') {
		chomp, rest = rest[0], rest[1:]
	}
	if !commentOrEnd(rest) {
		return nil, i + 1
	}
	first := i + 1
	if first >= len(p.lines) || p.lines[first] == "" {
		return nil, i + 1
	}
	blockInd, content := p.indent(first)
	if blockInd <= ind || content == "" {
		return nil, i + 1
	}
	// The scalar runs to the first non-empty line indented less.
	end := first
	var body []string
	for end < len(p.lines) {
		l := p.lines[end]
		if l == "" {
			body = append(body, "")
			end++
			continue
		}
		li, c := p.indent(end)
		if c == "" {
			return nil, i + 1 // a whitespace-only line
		}
		if li < blockInd {
			break
		}
		if style == '>' && li > blockInd {
			return nil, i + 1
		}
		body = append(body, l[blockInd:])
		end++
	}
	if end >= len(p.lines) {
		return nil, i + 1
	}
	trailing := 0
	for len(body) > 0 && body[len(body)-1] == "" {
		body = body[:len(body)-1]
		trailing++
	}
	var b strings.Builder
	for k, l := range body {
		switch {
		case k == 0:
		case style == '|':
			b.WriteByte('\n')
		case l == "":
			b.WriteByte('\n')
			continue
		case body[k-1] != "":
			b.WriteByte(' ')
		}
		b.WriteString(l)
	}
	switch chomp {
	case 0:
		b.WriteByte('\n')
	case '+':
		b.WriteString(strings.Repeat("\n", trailing+1))
	}
	return &node{kind: kindString, text: b.String(), pos: pos}, end
}

// quoted reads a single-line quoted scalar at the start of s. Double
// quotes with backslash escapes are left to yaml.v3.
func quoted(s string) (text, rest string, ok bool) {
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case q == '"' && c == '\\':
			return "", "", false
		case c == q && q == '\'' && i+1 < len(s) && s[i+1] == '\'':
			b.WriteByte('\'')
			i++
		case c == q:
			return b.String(), s[i+1:], true
		default:
			b.WriteByte(c)
		}
	}
	return "", "", false
}

// commentOrEnd reports whether s is only spaces and maybe a comment.
func commentOrEnd(s string) bool {
	t := strings.TrimLeft(s, " ")
	return t == "" || t[0] == '#' && len(t) < len(s)
}

// flowSeq reads a one-line list of scalars such as [a, 'b', "c"] or [].
// Quoted items may not hold commas or brackets.
func (p *fastParser) flowSeq(i, start int, s string) *node {
	end := strings.IndexByte(s, ']')
	if end < 0 || !commentOrEnd(s[end+1:]) || strings.ContainsAny(s[1:end], "[{}#") {
		return nil
	}
	n := &node{kind: kindSeq, pos: Position{i + 1, p.col(i, start)}, items: []*node{}}
	body := s[1:end]
	if strings.TrimSpace(body) == "" {
		return n
	}
	off := start + 1
	for _, part := range strings.Split(body, ",") {
		item := strings.TrimRight(strings.TrimLeft(part, " "), " ")
		lead := len(part) - len(strings.TrimLeft(part, " "))
		if item == "" {
			return nil
		}
		ipos := Position{i + 1, p.col(i, off+lead)}
		var it *node
		if item[0] == '\'' || item[0] == '"' {
			text, rest, ok := quoted(item)
			if !ok || rest != "" {
				return nil
			}
			it = &node{kind: kindString, text: text, pos: ipos}
		} else {
			if !flowPlainOK(item) {
				return nil
			}
			it = &node{plain: true, text: item, pos: ipos}
			p.resolve(it)
		}
		n.items = append(n.items, it)
		off += len(part) + 1
	}
	return n
}

// flowPlainOK reports whether item, a plain scalar inside [ ], is one
// this parser reads as yaml.v3 does. Flow context gives '?', ':' and
// '-' meanings of their own, so only words of letters, digits and
// "_.-/+@" are taken, starting with a letter, a digit, '_' or a minus
// sign before a digit; anything else is left to yaml.v3.
func flowPlainOK(item string) bool {
	for i := 0; i < len(item); i++ {
		c := item[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_':
		case i > 0 && strings.IndexByte(".-/+@", c) >= 0:
		case i == 0 && c == '-' && len(item) > 1 && item[1] >= '0' && item[1] <= '9':
		default:
			return false
		}
	}
	return item != ""
}

// col converts a byte offset in line i to yaml.v3's 1-based column,
// which counts characters.
func (p *fastParser) col(i, off int) int {
	return utf8.RuneCountInString(p.lines[i][:off]) + 1
}

// resolve types a plain scalar exactly as yaml.v3 would.
func (p *fastParser) resolve(n *node) {
	y := yaml.Node{Kind: yaml.ScalarNode, Value: n.text}
	var b builder
	b.scalar(&y, n)
}
