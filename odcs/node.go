package odcs

import (
	"encoding/json"
	"math"
	"math/big"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Limits on the shape of a document. They keep hostile input (alias
// bombs, deep nesting) from exhausting memory or time.
const (
	// MaxDepth is how deeply mappings and lists may nest.
	MaxDepth = 100

	// maxAliasGrowth bounds how many nodes alias expansion may add on
	// top of the nodes written in the document (and at least this many).
	maxAliasGrowth = 100_000
)

type nodeKind uint8

const (
	kindNull nodeKind = iota
	kindBool
	kindInt
	kindFloat
	kindString
	kindMap
	kindSeq
)

// node is the package's own view of a YAML node: aliases and merge keys
// resolved, scalars typed, positions kept. Nodes reached through an alias
// are shared, never copied, so the tree is a DAG whose expanded size is
// bounded when it is built.
type node struct {
	kind  nodeKind
	plain bool   // an untagged, unquoted scalar
	text  string // scalar text as written (after unescaping)
	pos   Position

	keys  []*node // mapping keys, in source order (merged keys last)
	vals  []*node
	items []*node
}

// get returns the value of key in a mapping, or nil.
func (n *node) get(key string) *node {
	if n == nil || n.kind != kindMap {
		return nil
	}
	for i, k := range n.keys {
		if k.text == key {
			return n.vals[i]
		}
	}
	return nil
}

// keyNode returns the key node of key in a mapping, or nil.
func (n *node) keyNode(key string) *node {
	if n == nil || n.kind != kindMap {
		return nil
	}
	for _, k := range n.keys {
		if k.text == key {
			return k
		}
	}
	return nil
}

func (n *node) isScalar() bool {
	return n != nil && n.kind != kindMap && n.kind != kindSeq
}

// str returns a scalar's text; "" for null, a missing node, or a
// collection.
func (n *node) str() string {
	if !n.isScalar() || n.kind == kindNull {
		return ""
	}
	return n.text
}

// boolean reads a boolean leniently, as yaml.v3 does for bool fields.
func (n *node) boolean() bool {
	if !n.isScalar() {
		return false
	}
	switch strings.ToLower(n.text) {
	case "true", "yes", "y", "on":
		return true
	}
	return false
}

// integer reads an integer leniently; 0 when the node is not one.
func (n *node) integer() int {
	if !n.isScalar() {
		return 0
	}
	if v, err := strconv.ParseInt(strings.ReplaceAll(n.text, "_", ""), 0, 64); err == nil &&
		v >= math.MinInt32 && v <= math.MaxInt32 {
		return int(v)
	}
	return 0
}

// strs reads a list of scalars, or a single scalar as one element.
func (n *node) strs() []string {
	if n == nil || n.kind == kindNull {
		return nil
	}
	if n.isScalar() {
		return []string{n.text}
	}
	if n.kind != kindSeq {
		return nil
	}
	out := make([]string, 0, len(n.items))
	for _, it := range n.items {
		if it.isScalar() && it.kind != kindNull {
			out = append(out, it.text)
		}
	}
	return out
}

// kindName names a node's kind for people writing YAML.
func (n *node) kindName() string {
	switch n.kind {
	case kindNull:
		return "nothing (null)"
	case kindBool:
		return "true/false"
	case kindInt, kindFloat:
		return "a number"
	case kindString:
		return "text"
	case kindMap:
		return "a mapping"
	}
	return "a list"
}

// builder turns a yaml.Node tree into a node tree.
type builder struct {
	file   string
	built  map[*yaml.Node]*node // anchored nodes already built
	active map[*yaml.Node]bool  // anchored nodes being built (cycle check)
	size   map[*node]extent     // expanded extent of each node
	count  int64                // nodes created from the source
	diags  Diagnostics          // non-fatal problems (duplicate keys)
	shared bool                 // some node is reached through an alias
}

// buildError is a fatal problem found while building the tree.
type buildError struct {
	pos Position
	msg string
}

func (b *builder) build(y *yaml.Node, depth int) (*node, *buildError) {
	if depth > MaxDepth {
		return nil, &buildError{pos(y), "nesting is deeper than " + strconv.Itoa(MaxDepth) + " levels"}
	}
	if y.Kind == yaml.AliasNode {
		target := y.Alias
		if target == nil {
			return nil, &buildError{pos(y), "unknown alias *" + y.Value}
		}
		if b.active[target] {
			return nil, &buildError{pos(y), "alias *" + y.Value + " refers to a node that contains it (a cycle)"}
		}
		b.shared = true
		if n, ok := b.built[target]; ok {
			return n, nil
		}
		return b.build(target, depth)
	}
	if y.Anchor != "" {
		if n, ok := b.built[y]; ok {
			return n, nil
		}
		b.active[y] = true
		defer delete(b.active, y)
	}
	b.count++
	n := &node{pos: pos(y)}
	switch y.Kind {
	case yaml.ScalarNode:
		b.scalar(y, n)
	case yaml.SequenceNode:
		n.kind = kindSeq
		n.items = make([]*node, 0, len(y.Content))
		for _, c := range y.Content {
			cn, err := b.build(c, depth+1)
			if err != nil {
				return nil, err
			}
			n.items = append(n.items, cn)
		}
	case yaml.MappingNode:
		if err := b.mapping(y, n, depth); err != nil {
			return nil, err
		}
	case yaml.DocumentNode:
		return nil, &buildError{pos(y), "nested document"}
	default:
		return nil, &buildError{pos(y), "unsupported YAML node"}
	}
	if y.Anchor != "" {
		b.built[y] = n
	}
	return n, nil
}

func (b *builder) mapping(y *yaml.Node, n *node, depth int) *buildError {
	n.kind = kindMap
	if len(y.Content)%2 != 0 {
		return &buildError{pos(y), "malformed mapping"}
	}
	n.keys = make([]*node, 0, len(y.Content)/2)
	n.vals = make([]*node, 0, len(y.Content)/2)
	var merges []*node
	for i := 0; i < len(y.Content); i += 2 {
		ky, vy := y.Content[i], y.Content[i+1]
		if ky.Kind == yaml.ScalarNode && ky.ShortTag() == "!!merge" {
			vn, err := b.build(vy, depth+1)
			if err != nil {
				return err
			}
			switch vn.kind {
			case kindMap:
				merges = append(merges, vn)
			case kindSeq:
				for _, it := range vn.items {
					if it.kind != kindMap {
						return &buildError{it.pos, "a merge key (<<) needs mappings"}
					}
					merges = append(merges, it)
				}
			default:
				return &buildError{vn.pos, "a merge key (<<) needs a mapping or a list of mappings"}
			}
			continue
		}
		kn, err := b.build(ky, depth+1)
		if err != nil {
			return err
		}
		if !kn.isScalar() {
			return &buildError{kn.pos, "a mapping key must be a scalar, not " + kn.kindName()}
		}
		vn, err := b.build(vy, depth+1)
		if err != nil {
			return err
		}
		if prev := n.keyNode(kn.text); prev != nil {
			b.diags = append(b.diags, duplicateKey(kn, prev))
			// The last value wins, as in yaml.v3 and JSON decoders.
			for j, k := range n.keys {
				if k == prev {
					n.keys[j], n.vals[j] = kn, vn
				}
			}
			continue
		}
		n.keys = append(n.keys, kn)
		n.vals = append(n.vals, vn)
	}
	// Merged keys never override keys written in the mapping, and an
	// earlier merged mapping wins over a later one.
	for _, m := range merges {
		for j, k := range m.keys {
			if n.keyNode(k.text) == nil {
				n.keys = append(n.keys, k)
				n.vals = append(n.vals, m.vals[j])
			}
		}
	}
	return nil
}

func (b *builder) scalar(y *yaml.Node, n *node) {
	n.text = y.Value
	n.plain = y.Style&(yaml.TaggedStyle|yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0
	switch y.ShortTag() {
	case "!!null":
		n.kind = kindNull
	case "!!bool":
		n.kind = kindBool
	case "!!int":
		n.kind = kindInt
		if jsonNumber(y.Value) == "" {
			n.kind = kindString // an explicit !!int on text yaml cannot read
		}
	case "!!float":
		n.kind = kindFloat
		if jsonNumber(y.Value) == "" {
			n.kind = kindString // .inf and .nan have no JSON form
		}
	default:
		n.kind = kindString
	}
}

// extent is the size and depth of a node once every alias is expanded.
type extent struct{ size, depth int64 }

// expanded returns n's extent, memoising shared nodes so the work is
// linear in the number of distinct nodes however much aliases repeat.
func (b *builder) expanded(n *node) extent {
	if e, ok := b.size[n]; ok {
		return e
	}
	e := extent{size: 1, depth: 1}
	add := func(c *node, extra int64) {
		ce := b.expanded(c)
		e.size = min(e.size+ce.size+extra, math.MaxInt64/4)
		e.depth = max(e.depth, ce.depth+1)
	}
	for _, c := range n.items {
		add(c, 0)
	}
	for _, v := range n.vals {
		add(v, 1)
	}
	b.size[n] = e
	return e
}

// duplicateKey reports a key written twice in one mapping.
func duplicateKey(kn, prev *node) Diagnostic {
	return Diagnostic{
		Severity: SeverityError, Line: kn.pos.Line, Column: kn.pos.Column,
		Message: "duplicate key " + strconv.Quote(kn.text) + " (first at line " + strconv.Itoa(prev.pos.Line) + "); the last one wins",
	}
}

func pos(y *yaml.Node) Position { return Position{Line: y.Line, Column: y.Column} }

// jsonNumber returns the JSON form of a YAML number, or "" when it has
// none (.inf, .nan, text that is not a number). Text already in JSON
// form is returned unchanged, so 1.10 stays 1.10.
func jsonNumber(s string) string {
	if isJSONNumber(s) {
		return s
	}
	clean := strings.ReplaceAll(s, "_", "")
	clean = strings.TrimPrefix(clean, "+")
	if i, ok := new(big.Int).SetString(clean, 0); ok {
		return i.String()
	}
	f, err := strconv.ParseFloat(clean, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return ""
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// isJSONNumber reports whether s is a number in JSON syntax.
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	if i >= len(s) {
		return false
	}
	if s[i] == '0' {
		i++
	} else if s[i] >= '1' && s[i] <= '9' {
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	} else {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		d := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		d := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == d {
			return false
		}
	}
	return i == len(s)
}

// jsonBuilder builds the value the JSON Schema validator sees.
type jsonBuilder struct {
	asText map[*node]bool // scalars given as their text (see Validate)
	empty  map[*node]bool // lists given as [] (validated separately)
	memo   map[*node]any  // shared values for shared nodes; nil if none
}

// value returns the JSON value of n. Shared nodes give shared values.
func (jb *jsonBuilder) value(n *node) any {
	if jb.memo != nil {
		if v, ok := jb.memo[n]; ok {
			return v
		}
	}
	var v any
	switch n.kind {
	case kindMap:
		m := make(map[string]any, len(n.keys))
		for i, k := range n.keys {
			m[k.text] = jb.value(n.vals[i])
		}
		v = m
	case kindSeq:
		if jb.empty[n] {
			return []any{}
		}
		s := make([]any, len(n.items))
		for i, it := range n.items {
			s[i] = jb.value(it)
		}
		v = s
	default:
		return scalarJSON(n, jb.asText)
	}
	if jb.memo != nil {
		jb.memo[n] = v
	}
	return v
}

func scalarJSON(n *node, asText map[*node]bool) any {
	if asText[n] {
		return n.text
	}
	switch n.kind {
	case kindNull:
		return nil
	case kindBool:
		return strings.ToLower(n.text) == "true"
	case kindInt, kindFloat:
		return json.Number(jsonNumber(n.text))
	}
	return n.text
}

// goValue converts n to plain Go values for callers (CustomProperty
// values, examples, logicalTypeOptions).
func goValue(n *node, depth int) any {
	if n == nil || depth > MaxDepth {
		return nil
	}
	switch n.kind {
	case kindNull:
		return nil
	case kindBool:
		return strings.ToLower(n.text) == "true"
	case kindInt:
		num := jsonNumber(n.text)
		if i, err := strconv.ParseInt(num, 10, 0); err == nil {
			return int(i)
		}
		if u, err := strconv.ParseUint(num, 10, 64); err == nil {
			return u
		}
		f, _ := strconv.ParseFloat(num, 64)
		return f
	case kindFloat:
		f, _ := strconv.ParseFloat(jsonNumber(n.text), 64)
		return f
	case kindMap:
		m := make(map[string]any, len(n.keys))
		for i, k := range n.keys {
			m[k.text] = goValue(n.vals[i], depth+1)
		}
		return m
	case kindSeq:
		s := make([]any, len(n.items))
		for i, it := range n.items {
			s[i] = goValue(it, depth+1)
		}
		return s
	}
	return n.text
}
