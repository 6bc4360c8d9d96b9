package odcs

import (
	"errors"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// Validate checks c against the official JSON Schema of its apiVersion
// and runs the checks a schema cannot express (see the package
// documentation). It returns every problem found, sorted by position;
// use [Diagnostics.HasErrors] or [Diagnostics.Err] to decide.
//
// The value validated is what the author wrote, read from the source
// tree rather than from the decoded structs. One leniency applies: an
// unquoted scalar such as version: 1.10, which YAML reads as a number,
// is accepted where the schema wants text (as a typed YAML decoder
// would read it), with a warning that other tools may read it
// differently.
//
// Validate is safe for concurrent use; each schema is compiled once per
// process, on first use.
func Validate(c *Contract) Diagnostics {
	if c == nil {
		return Diagnostics{{Severity: SeverityError, Message: "no contract"}}
	}
	ds := append(Diagnostics(nil), c.notes...)
	if c.root != nil {
		ds = append(ds, c.validateSchema()...)
	}
	ds = append(ds, c.semanticChecks()...)
	ds.sort()
	return ds.dedupe()
}

// Lint parses data and validates the contract. A parse failure becomes
// the diagnostics (and a nil Contract); otherwise the result is that of
// [Validate].
func Lint(data []byte, opts *ParseOptions) (*Contract, Diagnostics) {
	c, err := Parse(data, opts)
	if err != nil {
		var pe *ParseError
		if errors.As(err, &pe) {
			return nil, pe.Diagnostics
		}
		return nil, Diagnostics{{Severity: SeverityError, File: opts.filename(), Message: err.Error()}}
	}
	return c, Validate(c)
}

// diag builds a diagnostic at a node.
func (c *Contract) diag(sev Severity, at *node, path, msg string) Diagnostic {
	d := Diagnostic{Severity: sev, File: c.Filename, Path: path, Message: msg}
	if at != nil {
		d.Line, d.Column = at.pos.Line, at.pos.Column
	}
	return d
}

// validateSchema picks the schema for the declared apiVersion and maps
// its verdict to diagnostics.
func (c *Contract) validateSchema() Diagnostics {
	latest := versions[len(versions)-1]
	av := c.root.get("apiVersion")
	var v *schemaVersion
	switch {
	case av == nil:
		v = latest // the schema reports the missing field
	case av.kind != kindString:
		return Diagnostics{c.diag(SeverityError, av, "apiVersion",
			"apiVersion must be text such as "+latest.apiVersion+"; found "+av.kindName()+"; supported: "+supportedList())}
	default:
		v = lookupVersion(av.text)
		if v == nil {
			return Diagnostics{c.diag(SeverityError, av, "apiVersion", unknownVersion(av.text))}
		}
	}

	ds, ok := c.schemaDiagnostics(v)
	if !ok && av != nil {
		// Say which newer version would accept the contract: a common
		// mistake is using 3.1 features under an older apiVersion.
		for _, newer := range versions {
			if newer.apiVersion <= v.apiVersion {
				continue
			}
			if _, ok := c.schemaDiagnostics(newer); ok {
				ds = append(ds, c.diag(SeverityInfo, av, "apiVersion",
					"the contract is not valid ODCS "+v.apiVersion+" but is valid ODCS "+newer.apiVersion+
						": set apiVersion: "+newer.apiVersion+" if that is what it follows"))
				break
			}
		}
	}
	return ds
}

func supportedList() string {
	return strings.Join(SupportedVersions(), ", ")
}

func unknownVersion(s string) string {
	switch {
	case strings.HasPrefix(s, "v2.") || strings.HasPrefix(s, "2."):
		return "ODCS v2 contracts (apiVersion " + s + ") are not supported: v2 has a different structure; " +
			"convert the contract to ODCS v3 (supported: " + supportedList() + ")"
	case lookupVersion("v"+s) != nil:
		return "unknown apiVersion " + strconv.Quote(s) + "; did you mean v" + s + "? (supported: " + supportedList() + ")"
	}
	return "unsupported apiVersion " + strconv.Quote(s) + "; supported: " + supportedList()
}

// schemaDiagnostics validates the source tree against v. ok is false
// when the schema rejects the document.
func (c *Contract) schemaDiagnostics(v *schemaVersion) (ds Diagnostics, ok bool) {
	cs, err := v.compile()
	if err != nil {
		return Diagnostics{{Severity: SeverityError, File: c.Filename, Message: err.Error()}}, false
	}
	return c.schemaDiagnosticsWith(v, cs)
}

func (c *Contract) schemaDiagnosticsWith(v *schemaVersion, cs *compiledSchema) (ds Diagnostics, ok bool) {
	// Validate; where the schema wants text and finds an unquoted
	// number or boolean, read it as text and validate again. A few
	// rounds settle it (a changed value can only make new branches
	// match).
	asText := make(map[*node]string)
	var verr *jsonschema.ValidationError
	for round := 0; round < 4; round++ {
		verr = c.runSchema(cs, textSet(asText))
		if verr == nil || !c.collectAsText(verr, asText) {
			break
		}
	}

	for n, path := range asText {
		ds = append(ds, c.diag(SeverityWarning, n, path, "unquoted "+n.text+" is "+n.kindName()+
			" in YAML; it is read as the text "+strconv.Quote(n.text)+" here, but other tools may read it differently: quote it"))
	}
	if verr == nil {
		return ds, true
	}
	t := translator{c: c, v: v, names: cs.names}
	for _, leaf := range t.dropCascades(t.leaves(verr)) {
		ds = append(ds, t.diagnostics(leaf)...)
	}
	return ds, false
}

// runSchema validates the tree and returns the error tree, or nil.
//
// Each top-level property (an item of schema[i].properties) is
// validated on its own against the SchemaProperty definition, once per
// distinct property: properties that differ only in free text (names,
// descriptions) share a verdict, and their errors are reported at each
// of them. This gives the same result as validating the whole document,
// many times faster on large contracts.
func (c *Contract) runSchema(cs *compiledSchema, asText map[*node]bool) *jsonschema.ValidationError {
	jb := &jsonBuilder{asText: asText}
	if c.shared {
		jb.memo = make(map[*node]any)
	}
	type group struct {
		rep     *node
		members [][]string // instance locations of the properties
	}
	var groups []*group
	if cs.property != nil {
		jb.empty = make(map[*node]bool)
		index := make(map[string]*group)
		var key []byte
		for i, o := range seq(c.root.get("schema")) {
			props := o.get("properties")
			if props == nil || props.kind != kindSeq || jb.empty[props] {
				continue
			}
			jb.empty[props] = true
			for j, p := range props.items {
				key = propertyKey(key[:0], p, true, cs.plainText, asText)
				g := index[string(key)]
				if g == nil {
					g = &group{rep: p}
					index[string(key)] = g
					groups = append(groups, g)
				}
				g.members = append(g.members, []string{"schema", strconv.Itoa(i), "properties", strconv.Itoa(j)})
			}
		}
	}

	var causes []*jsonschema.ValidationError
	if err := cs.root.Validate(jb.value(c.root)); err != nil {
		causes = append(causes, validationError(err).Causes...)
	}
	for _, g := range groups {
		err := cs.property.Validate(jb.value(g.rep))
		if err == nil {
			continue
		}
		for _, m := range g.members {
			for _, cause := range validationError(err).Causes {
				causes = append(causes, prefixed(cause, m))
			}
		}
	}
	if len(causes) == 0 {
		return nil
	}
	return &jsonschema.ValidationError{ErrorKind: &kind.Schema{}, Causes: causes}
}

// validationError returns err as a *jsonschema.ValidationError; any
// other error (an invalid JSON value, which the builder never makes)
// becomes a single cause.
func validationError(err error) *jsonschema.ValidationError {
	var verr *jsonschema.ValidationError
	if errors.As(err, &verr) {
		return verr
	}
	return &jsonschema.ValidationError{ErrorKind: &kind.Schema{}, Causes: []*jsonschema.ValidationError{{
		ErrorKind: &kind.FalseSchema{}, SchemaURL: err.Error(),
	}}}
}

// prefixed copies an error tree, moving its instance locations under
// prefix.
func prefixed(e *jsonschema.ValidationError, prefix []string) *jsonschema.ValidationError {
	cp := *e
	cp.InstanceLocation = append(append(make([]string, 0, len(prefix)+len(e.InstanceLocation)), prefix...), e.InstanceLocation...)
	if len(e.Causes) > 0 {
		cp.Causes = make([]*jsonschema.ValidationError, len(e.Causes))
		for i, c := range e.Causes {
			cp.Causes[i] = prefixed(c, prefix)
		}
	}
	return &cp
}

// propertyKey appends to key an encoding of the JSON value of n that is
// equal for two properties exactly when they get the same verdict from
// the schema: equal values, except that the free text of plainText
// fields of a property (and of its nested properties and items) is left
// out.
func propertyKey(key []byte, n *node, isProperty bool, plainText map[string]bool, asText map[*node]bool) []byte {
	switch n.kind {
	case kindMap:
		key = append(key, '{')
		key = strconv.AppendInt(key, int64(len(n.keys)), 10)
		for i, k := range n.keys {
			key = strconv.AppendQuote(key, k.text)
			v := n.vals[i]
			switch {
			case isProperty && plainText[k.text] && (v.kind == kindString || asText[v]):
				key = append(key, 's')
			case isProperty && k.text == "items":
				key = propertyKey(key, v, true, plainText, asText)
			case isProperty && k.text == "properties" && v.kind == kindSeq:
				key = append(key, '[')
				for _, it := range v.items {
					key = propertyKey(key, it, true, plainText, asText)
				}
				key = append(key, ']')
			default:
				key = propertyKey(key, v, false, plainText, asText)
			}
		}
		return append(key, '}')
	case kindSeq:
		key = append(key, '[')
		for _, it := range n.items {
			key = propertyKey(key, it, false, plainText, asText)
		}
		return append(key, ']')
	}
	if asText[n] {
		key = append(key, 't')
	} else {
		key = append(key, byte('0'+n.kind))
	}
	return strconv.AppendQuote(key, n.text)
}

func textSet(m map[*node]string) map[*node]bool {
	s := make(map[*node]bool, len(m))
	for n := range m {
		s[n] = true
	}
	return s
}

// collectAsText finds type errors where the schema wants a string and
// the author wrote an unquoted number or boolean, and records those
// nodes. It reports whether it found any new one.
func (c *Contract) collectAsText(e *jsonschema.ValidationError, asText map[*node]string) bool {
	found := false
	var visit func(e *jsonschema.ValidationError)
	visit = func(e *jsonschema.ValidationError) {
		if k, ok := e.ErrorKind.(*kindType); ok && wantsString(k.Want) {
			n, _ := walk(c.root, e.InstanceLocation)
			if n != nil && n.plain && (n.kind == kindInt || n.kind == kindFloat || n.kind == kindBool) {
				if _, seen := asText[n]; !seen {
					asText[n] = joinPath(c.root, e.InstanceLocation)
					found = true
				}
			}
		}
		for _, cause := range e.Causes {
			visit(cause)
		}
	}
	visit(e)
	return found
}

func wantsString(want []string) bool {
	for _, w := range want {
		if w == "string" {
			return true
		}
	}
	return false
}
