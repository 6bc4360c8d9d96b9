package odcs

import (
	"strconv"
	"strings"
)

// Position returns the source position of the value at path, such as
// "schema[1].properties[4].logicalType": where a scalar value starts,
// or, for a mapping or list held by a key, where the key is. It returns
// the zero Position when the path is malformed, names nothing, or c was
// not built by Parse.
func (c *Contract) Position(path string) Position {
	if c == nil || c.root == nil {
		return Position{}
	}
	toks, ok := splitPath(path)
	if !ok {
		return Position{}
	}
	if n := at(c.root, toks); n != nil {
		return n.pos
	}
	return Position{}
}

// at returns the node a diagnostic about toks should point to: the
// value when it is a scalar, else its key when it has one.
func at(root *node, toks []string) *node {
	n, key := walk(root, toks)
	if n != nil && !n.isScalar() && key != nil {
		return key
	}
	return n
}

// splitPath splits "a.b[2].c" or `a["x.y"]` into tokens "a", "b", "2",
// "c". It reports false for a malformed path.
func splitPath(path string) ([]string, bool) {
	var toks []string
	for i := 0; i < len(path); {
		switch path[i] {
		case '.':
			if i == 0 || i == len(path)-1 {
				return nil, false
			}
			i++
		case '[':
			j := strings.IndexByte(path[i:], ']')
			if j < 0 {
				return nil, false
			}
			in := path[i+1 : i+j]
			if strings.HasPrefix(in, `"`) {
				s, err := strconv.Unquote(in)
				if err != nil {
					return nil, false
				}
				in = s
			}
			toks = append(toks, in)
			i += j + 1
		default:
			j := strings.IndexAny(path[i:], ".[")
			if j < 0 {
				j = len(path) - i
			}
			toks = append(toks, path[i:i+j])
			i += j
		}
	}
	return toks, true
}

// walk follows tokens from n. When the last token is a mapping key it
// also returns that key's node.
func walk(n *node, toks []string) (val, key *node) {
	for _, t := range toks {
		switch {
		case n == nil:
			return nil, nil
		case n.kind == kindMap:
			key = nil
			var next *node
			for i, k := range n.keys {
				if k.text == t {
					key, next = k, n.vals[i]
					break
				}
			}
			n = next
		case n.kind == kindSeq:
			key = nil
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(n.items) {
				return nil, nil
			}
			n = n.items[i]
		default:
			return nil, nil
		}
	}
	return n, key
}

// joinPath formats tokens (such as a JSON Schema instance location) as
// a contract path, using the tree to tell list indexes from keys.
func joinPath(root *node, toks []string) string {
	var b strings.Builder
	n := root
	for _, t := range toks {
		if n != nil && n.kind == kindSeq {
			b.WriteByte('[')
			b.WriteString(t)
			b.WriteByte(']')
			i, err := strconv.Atoi(t)
			if err == nil && i >= 0 && i < len(n.items) {
				n = n.items[i]
			} else {
				n = nil
			}
			continue
		}
		appendKey(&b, t)
		n = n.get(t)
	}
	return b.String()
}

func appendKey(b *strings.Builder, k string) {
	if isIdent(k) {
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(k)
		return
	}
	b.WriteByte('[')
	b.WriteString(strconv.Quote(k))
	b.WriteByte(']')
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '.' || c == '[' || c == ']' || c == '"' || c <= ' ' {
			return false
		}
		if i == 0 && c >= '0' && c <= '9' {
			return false
		}
	}
	return true
}
