package hostile

import (
	"fmt"
	"strings"
	"unicode"
)

// mQuery is the shape of a partition's M query, read by a lexer written
// here independently of tmdl's writer: the names of the let steps, the
// bare identifiers used outside strings, and the decoded string
// literals.
type mQuery struct {
	steps   []string
	idents  []string
	strings []string
}

// parseM reads "let step = expr, … in result". Strings ("…" with ""
// escapes) and quoted identifiers (#"…") are single tokens; commas
// separate steps only outside brackets.
func parseM(src string) (*mQuery, error) {
	q := &mQuery{}
	type tok struct {
		kind byte // 'i' ident, 's' string, 'q' quoted ident, 'p' punctuation
		text string
	}
	var toks []tok
	rs := []rune(src)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case unicode.IsSpace(r):
			i++
		case r == '"' || (r == '#' && i+1 < len(rs) && rs[i+1] == '"'):
			kind := byte('s')
			if r == '#' {
				kind = 'q'
				i++
			}
			i++
			var b strings.Builder
			for {
				if i >= len(rs) {
					return nil, fmt.Errorf("unterminated string in %q", src)
				}
				if rs[i] == '"' {
					if i+1 < len(rs) && rs[i+1] == '"' {
						b.WriteRune('"')
						i += 2
						continue
					}
					i++
					break
				}
				b.WriteRune(rs[i])
				i++
			}
			toks = append(toks, tok{kind, b.String()})
		case unicode.IsLetter(r) || r == '_':
			j := i
			for j < len(rs) && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j]) || rs[j] == '_' || rs[j] == '.') {
				j++
			}
			toks = append(toks, tok{'i', string(rs[i:j])})
			i = j
		case r == '/' && i+1 < len(rs) && (rs[i+1] == '/' || rs[i+1] == '*'):
			return nil, fmt.Errorf("comment in M at %d: %q", i, src)
		default:
			toks = append(toks, tok{'p', string(r)})
			i++
		}
	}
	if len(toks) < 2 || toks[0] != (tok{'i', "let"}) {
		return nil, fmt.Errorf("M does not start with let: %q", src)
	}
	depth, expectName, inAt := 0, true, -1
	for k := 1; k < len(toks) && inAt < 0; k++ {
		t := toks[k]
		switch {
		case expectName:
			if t.kind != 'i' && t.kind != 'q' {
				return nil, fmt.Errorf("step %d has no name: %q", len(q.steps)+1, src)
			}
			if k+1 >= len(toks) || toks[k+1] != (tok{'p', "="}) {
				return nil, fmt.Errorf("step %q is not followed by =", t.text)
			}
			q.steps = append(q.steps, t.text)
			expectName = false
			k++
		case t.kind == 'p' && strings.Contains("([{", t.text):
			depth++
		case t.kind == 'p' && strings.Contains(")]}", t.text):
			depth--
			if depth < 0 {
				return nil, fmt.Errorf("unbalanced brackets: %q", src)
			}
		case t.kind == 'p' && t.text == "," && depth == 0:
			expectName = true
		case t.kind == 'i' && t.text == "in" && depth == 0:
			inAt = k
		}
	}
	if inAt < 0 || depth != 0 {
		return nil, fmt.Errorf("M has no top-level in: %q", src)
	}
	for _, t := range toks {
		switch t.kind {
		case 'i':
			q.idents = append(q.idents, t.text)
		case 's':
			q.strings = append(q.strings, t.text)
		}
	}
	return q, nil
}

// mWords are the identifiers a generated query may use besides its step
// names: the connectors, the navigation record's fields and keywords.
var mWords = map[string]bool{
	"let": true, "in": true, "null": true,
	"Snowflake.Databases": true, "Databricks.Catalogs": true, "Table.SelectColumns": true,
	"Name": true, "Kind": true, "Data": true, "Role": true, "Implementation": true,
	"Catalog": true, "Database": true, "EnableAutomaticProxyDiscovery": true,
}

// checkM verifies a partition's query: five steps, no identifier other
// than the known ones and the steps, the table and every column as one
// whole string literal each.
func checkM(src, table string, columns []string) error {
	q, err := parseM(src)
	if err != nil {
		return err
	}
	if len(q.steps) != 5 {
		return fmt.Errorf("M has steps %q, want 5", q.steps)
	}
	steps := map[string]bool{}
	for _, s := range q.steps {
		if steps[s] {
			return fmt.Errorf("M defines step %q twice", s)
		}
		steps[s] = true
	}
	for _, id := range q.idents {
		if !mWords[id] && !steps[id] {
			return fmt.Errorf("M uses identifier %q: an injected step or call", id)
		}
	}
	lits := map[string]bool{}
	for _, s := range q.strings {
		lits[s] = true
	}
	for _, want := range append([]string{table}, columns...) {
		if !lits[want] {
			return fmt.Errorf("M has no string literal %q (literals %q)", want, q.strings)
		}
	}
	return nil
}
