package odcs

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

type kindType = kind.Type

// translator turns a jsonschema error tree into diagnostics.
type translator struct {
	c     *Contract
	v     *schemaVersion
	names map[string]bool // every property name the schema defines
}

// leaves picks the errors worth reporting from e's tree: the leaves,
// and for oneOf/anyOf the causes of the branch the value came closest
// to matching. When the value fits none of several forms, each failing
// at the value itself, the result is a synthetic leaf of kind AnyOf
// whose causes are the forms (leaves never returns a real AnyOf).
func (t *translator) leaves(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	switch k := e.ErrorKind.(type) {
	case *kind.OneOf:
		if len(k.Subschemas) > 0 {
			return []*jsonschema.ValidationError{e}
		}
		return t.pickBranch(e)
	case *kind.AnyOf:
		return t.pickBranch(e)
	}
	if len(e.Causes) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	var out []*jsonschema.ValidationError
	for _, c := range e.Causes {
		out = append(out, t.leaves(c)...)
	}
	return out
}

func (t *translator) pickBranch(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	type branch struct {
		leaves []*jsonschema.ValidationError
		depth  int  // deepest instance location reached
		here   bool // every leaf is about the value itself
	}
	var all, fitting []branch
	here := len(e.InstanceLocation)
	for _, c := range e.Causes {
		b := branch{leaves: t.leaves(c), here: true}
		typeOnly := true
		for _, l := range b.leaves {
			b.depth = max(b.depth, len(l.InstanceLocation))
			if len(l.InstanceLocation) != here {
				b.here = false
			}
			if _, ok := l.ErrorKind.(*kind.Type); !ok || len(l.InstanceLocation) != here {
				typeOnly = false
			}
		}
		all = append(all, b)
		if !typeOnly {
			fitting = append(fitting, b)
		}
	}
	switch {
	case len(all) == 0:
		return []*jsonschema.ValidationError{e}
	case len(fitting) == 0:
		// Every branch wants another type: one error naming them all.
		var want []string
		got := ""
		for _, b := range all {
			for _, l := range b.leaves {
				k := l.ErrorKind.(*kind.Type)
				got = k.Got
				for _, w := range k.Want {
					if !slices.Contains(want, w) {
						want = append(want, w)
					}
				}
			}
		}
		return []*jsonschema.ValidationError{{
			SchemaURL: e.SchemaURL, InstanceLocation: e.InstanceLocation,
			ErrorKind: &kind.Type{Got: got, Want: want},
		}}
	case len(fitting) == 1:
		return fitting[0].leaves
	}
	// Several branches fit the type. If they all fail on the value
	// itself, list the forms; otherwise follow the one that got
	// furthest into the value.
	allHere, single := true, true
	for _, b := range fitting {
		allHere = allHere && b.here
		single = single && len(b.leaves) == 1 && b.depth == fitting[0].depth
	}
	if allHere || single {
		var forms []*jsonschema.ValidationError
		for _, b := range fitting {
			forms = append(forms, b.leaves...)
		}
		return []*jsonschema.ValidationError{{
			SchemaURL: e.SchemaURL, InstanceLocation: e.InstanceLocation,
			ErrorKind: &kind.AnyOf{}, Causes: forms,
		}}
	}
	best := fitting[0]
	for _, b := range fitting[1:] {
		if b.depth > best.depth || b.depth == best.depth && len(b.leaves) < len(best.leaves) {
			best = b
		}
	}
	return best.leaves
}

// isUnevaluated reports whether e is the false schema of
// unevaluatedProperties or additionalProperties: an unknown field.
func isUnevaluated(e *jsonschema.ValidationError) bool {
	if _, ok := e.ErrorKind.(*kind.FalseSchema); !ok || len(e.InstanceLocation) == 0 {
		return false
	}
	return strings.HasSuffix(e.SchemaURL, "/unevaluatedProperties") ||
		strings.HasSuffix(e.SchemaURL, "/additionalProperties")
}

// dropCascades removes "unknown field" errors that are only echoes of
// another error. With unevaluatedProperties, a field the schema knows
// counts as unevaluated as soon as the branch that declares it fails,
// so one wrong value makes its siblings look unknown too. Such a report
// is dropped when the field is an ODCS field and its object has another
// error; a field ODCS never defines is always reported.
func (t *translator) dropCascades(leaves []*jsonschema.ValidationError) []*jsonschema.ValidationError {
	echo := func(l *jsonschema.ValidationError) bool {
		return isUnevaluated(l) && t.names[l.InstanceLocation[len(l.InstanceLocation)-1]]
	}
	errParents := make(map[string]bool)
	for _, l := range leaves {
		if echo(l) {
			continue
		}
		for i := 0; i <= len(l.InstanceLocation); i++ {
			errParents[strings.Join(l.InstanceLocation[:i], "\x00")] = true
		}
	}
	out := leaves[:0:0]
	for _, l := range leaves {
		if echo(l) && errParents[strings.Join(l.InstanceLocation[:len(l.InstanceLocation)-1], "\x00")] {
			continue
		}
		out = append(out, l)
	}
	return out
}

// diagnostics turns one leaf error into diagnostics (a Required error
// naming two fields gives two).
func (t *translator) diagnostics(e *jsonschema.ValidationError) Diagnostics {
	c := t.c
	n, _ := walk(c.root, e.InstanceLocation)
	pos := at(c.root, e.InstanceLocation)
	path := joinPath(c.root, e.InstanceLocation)
	if isUnevaluated(e) {
		key := e.InstanceLocation[len(e.InstanceLocation)-1]
		k, _ := walk(c.root, e.InstanceLocation[:len(e.InstanceLocation)-1])
		return Diagnostics{c.diag(SeverityError, cmpOr(k.keyNode(key), pos), path, t.unknownField(key))}
	}
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		var ds Diagnostics
		for _, m := range k.Missing {
			ds = append(ds, c.diag(SeverityError, pos, path, "missing required field "+strconv.Quote(m)))
		}
		return ds
	case *kind.AdditionalProperties:
		var ds Diagnostics
		for _, p := range k.Properties {
			k := n.keyNode(p)
			if k == nil {
				k = pos
			}
			ds = append(ds, c.diag(SeverityError, k, childPath(path, p), t.unknownField(p)))
		}
		return ds
	}
	return Diagnostics{c.diag(SeverityError, pos, path, t.message(e, n))}
}

func cmpOr(a, b *node) *node {
	if a != nil {
		return a
	}
	return b
}

func childPath(parent, key string) string {
	var b strings.Builder
	b.WriteString(parent)
	appendKey(&b, key)
	return b.String()
}

// legacyHints explains keys from older specs and other tools.
var legacyHints = map[string]string{
	"isNullable":    "use required (true means NOT NULL)",
	"nullable":      "use required (true means NOT NULL)",
	"isUnique":      "use unique",
	"isPrimaryKey":  "use primaryKey and primaryKeyPosition",
	"isPrimary":     "use primaryKey and primaryKeyPosition",
	"primary":       "use primaryKey",
	"dataset":       "ODCS v3 calls it schema",
	"columns":       "ODCS v3 calls them properties",
	"type":          "",
	"quantumName":   "ODCS v3 calls it name",
	"datasetDomain": "ODCS v3 calls it domain",
}

func (t *translator) unknownField(name string) string {
	if t.names[name] {
		return "field " + strconv.Quote(name) + " is not allowed here (ODCS " + t.v.apiVersion + ")"
	}
	msg := "unknown field " + strconv.Quote(name) + " (not defined here by ODCS " + t.v.apiVersion + ")"
	if h := legacyHints[name]; h != "" {
		return msg + "; " + h
	}
	if s := suggest(name, t.names); s != "" {
		return msg + "; did you mean " + strconv.Quote(s) + "?"
	}
	return msg
}

// message explains a leaf error to someone who writes contracts.
func (t *translator) message(e *jsonschema.ValidationError, n *node) string {
	switch k := e.ErrorKind.(type) {
	case *kind.Type:
		return "expected " + typeNames(k.Want) + ", found " + found(n, k.Want)
	case *kind.Enum:
		if len(k.Want) == 1 {
			return "must be " + strconv.Quote(fmt.Sprint(k.Want[0])) + ", not " + valueText(n, k.Got)
		}
		allowed := make([]string, 0, len(k.Want))
		strs := map[string]bool{}
		for _, w := range k.Want {
			s := fmt.Sprint(w)
			allowed = append(allowed, s)
			strs[s] = true
		}
		msg := valueText(n, k.Got) + " is not allowed; use one of: " + strings.Join(allowed, ", ")
		if g, ok := k.Got.(string); ok {
			if s := suggest(g, strs); s != "" {
				msg += " (did you mean " + s + "?)"
			}
		}
		return msg
	case *kind.Const:
		return "must be " + strconv.Quote(fmt.Sprint(k.Want)) + ", not " + valueText(n, k.Got)
	case *kind.Pattern:
		return valueText(n, k.Got) + " is not " + describePattern(k.Want)
	case *kind.OneOf:
		return "matches more than one of the allowed forms; it must match exactly one"
	case *kind.FalseSchema:
		return "this field is not allowed here"
	case *kind.Not:
		if strings.Contains(e.SchemaURL, "RelationshipPropertyLevel") {
			return "a relationship on a property must not have \"from\": the property itself is the source"
		}
		return "this form is not allowed here"
	case *kind.MinItems:
		return "needs at least " + strconv.Itoa(k.Want) + " item(s); found " + strconv.Itoa(k.Got)
	case *kind.AnyOf:
		var forms []string
		for _, f := range e.Causes {
			fn, _ := walk(t.c.root, f.InstanceLocation)
			m := t.message(f, fn)
			if rel := f.InstanceLocation[min(len(e.InstanceLocation), len(f.InstanceLocation)):]; len(rel) > 0 {
				sub, _ := walk(t.c.root, e.InstanceLocation)
				m = joinPath(sub, rel) + ": " + m
			}
			if !slices.Contains(forms, m) {
				forms = append(forms, m)
			}
		}
		if len(forms) == 1 {
			return forms[0]
		}
		return "fits none of the allowed forms: " + strings.Join(forms, "; or ")
	}
	// Fall back to the validator's own wording.
	s := (&jsonschema.ValidationError{ErrorKind: e.ErrorKind}).Error()
	if i := strings.Index(s, ": "); i >= 0 && strings.HasPrefix(s, "at ") {
		s = s[i+2:]
	}
	return s
}

// describePattern names the form a pattern stands for.
func describePattern(p string) string {
	switch p {
	case `^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$`:
		return "a reference of the form table.column"
	case `^[A-Za-z0-9_-]+$`:
		return "a valid id (letters, digits, _ and - only)"
	}
	if strings.Contains(p, `\.yaml#`) {
		return "a reference of the form schema/<objectId>/properties/<propertyId>"
	}
	return "in the expected form (pattern " + p + ")"
}

var typeWords = map[string]string{
	"string":  "text",
	"number":  "a number",
	"integer": "a whole number",
	"boolean": "true or false",
	"object":  "a mapping",
	"array":   "a list",
	"null":    "null",
}

func typeNames(want []string) string {
	words := make([]string, 0, len(want))
	for _, w := range want {
		if tw, ok := typeWords[w]; ok {
			words = append(words, tw)
		} else {
			words = append(words, w)
		}
	}
	return strings.Join(words, " or ")
}

// found describes what the author wrote, with a hint for the usual
// slips: yes/no for booleans, quoted numbers.
func found(n *node, want []string) string {
	if n == nil {
		return "something else"
	}
	if n.kind == kindString {
		q := strconv.Quote(truncate(n.text))
		switch {
		case slices.Contains(want, "boolean"):
			switch strings.ToLower(n.text) {
			case "yes", "no", "on", "off", "y", "n", "true", "false":
				return "the text " + q + " (write true or false, unquoted)"
			}
		case slices.Contains(want, "integer") || slices.Contains(want, "number"):
			if isJSONNumber(n.text) {
				return "the text " + q + " (remove the quotes)"
			}
		}
		return "the text " + q
	}
	if n.isScalar() && n.kind != kindNull {
		return n.kindName() + " (" + truncate(n.text) + ")"
	}
	if n.kind == kindNull {
		return "nothing (null)"
	}
	return n.kindName()
}

// valueText quotes the offending value as written.
func valueText(n *node, got any) string {
	if n != nil && n.isScalar() {
		return strconv.Quote(truncate(n.text))
	}
	return strconv.Quote(truncate(fmt.Sprint(got)))
}

func truncate(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

// suggest returns the candidate closest to s (case-insensitively equal,
// or within a small edit distance), or "".
func suggest(s string, candidates map[string]bool) string {
	if len(s) > 64 {
		return ""
	}
	names := make([]string, 0, len(candidates))
	for c := range candidates {
		names = append(names, c)
	}
	sort.Strings(names)
	best, bestD := "", 3
	if len(s) <= 4 {
		bestD = 2
	}
	for _, c := range names {
		if strings.EqualFold(c, s) && c != s {
			return c
		}
		if d := editDistance(strings.ToLower(s), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	if len(b) > 64 {
		return len(b)
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
