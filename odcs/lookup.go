package odcs

import (
	"errors"
	"slices"
	"strings"
)

// Sentinel errors of [Contract.Server], reached with errors.Is through
// a *ServerError.
var (
	// ErrNoServer means no server has the name asked for, or, when no
	// name was given, the contract has no Snowflake or Databricks server.
	ErrNoServer = errors.New("odcs: no such server")
	// ErrAmbiguousServer means no name was given and the contract has
	// several Snowflake or Databricks servers.
	ErrAmbiguousServer = errors.New("odcs: ambiguous server")
)

// ServerError is returned by [Contract.Server]. Candidates lists the
// names the caller could choose from.
type ServerError struct {
	Name       string   // the name asked for; "" for "the only one"
	Candidates []string // server names to choose from
	Err        error    // ErrNoServer or ErrAmbiguousServer
}

func (e *ServerError) Error() string {
	list := strings.Join(e.Candidates, ", ")
	if list == "" {
		list = "none"
	}
	switch {
	case errors.Is(e.Err, ErrAmbiguousServer):
		return "odcs: the contract has several snowflake/databricks servers (" + list + "); name the one to use"
	case e.Name != "":
		return "odcs: the contract has no server named \"" + e.Name + "\" (servers: " + list + ")"
	}
	return "odcs: the contract has no snowflake or databricks server (servers: " + list + ")"
}

func (e *ServerError) Unwrap() error { return e.Err }

// supportedServerTypes are the server types a semantic model can bind to.
var supportedServerTypes = []string{"snowflake", "databricks"}

// Server returns the server named name. With name "", it returns the
// only server of type snowflake or databricks. Errors are *ServerError
// wrapping ErrNoServer or ErrAmbiguousServer.
func (c *Contract) Server(name string) (*Server, error) {
	var all, fit []string
	var only *Server
	for _, s := range c.Servers {
		if s == nil {
			continue
		}
		all = append(all, s.Server)
		if name != "" && s.Server == name {
			return s, nil
		}
		if name == "" && slices.Contains(supportedServerTypes, strings.ToLower(s.Type)) {
			fit = append(fit, s.Server)
			only = s
		}
	}
	switch {
	case name != "":
		return nil, &ServerError{Name: name, Candidates: all, Err: ErrNoServer}
	case len(fit) == 0:
		return nil, &ServerError{Candidates: all, Err: ErrNoServer}
	case len(fit) > 1:
		return nil, &ServerError{Candidates: fit, Err: ErrAmbiguousServer}
	}
	return only, nil
}

// Object returns the schema object with exactly this name, or nil.
func (c *Contract) Object(name string) *Object {
	for _, o := range c.Schema {
		if o == nil {
			continue
		}
		if o.Name == name {
			return o
		}
	}
	return nil
}

// Property returns the top-level property with exactly this name, or
// nil.
func (o *Object) Property(name string) *Property {
	for _, p := range o.Properties {
		if p == nil {
			continue
		}
		if p.Name == name {
			return p
		}
	}
	return nil
}

// PrimaryKey returns the properties marked primaryKey, ordered by
// primaryKeyPosition (positions below 1 last), then declaration order.
func (o *Object) PrimaryKey() []*Property {
	var pk []*Property
	for _, p := range o.Properties {
		if p == nil {
			continue
		}
		if p.PrimaryKey {
			pk = append(pk, p)
		}
	}
	slices.SortStableFunc(pk, func(a, b *Property) int {
		ka, kb := a.PrimaryKeyPosition, b.PrimaryKeyPosition
		switch {
		case ka < 1 && kb < 1:
			return 0
		case ka < 1:
			return 1
		case kb < 1:
			return -1
		}
		return ka - kb
	})
	return pk
}

// ForeignKey is a relationship resolved to objects and properties.
// FromColumns and ToColumns have the same length, pairwise matched; the
// pointers point into the Contract that resolved them.
type ForeignKey struct {
	From        *Object
	FromColumns []*Property
	To          *Object
	ToColumns   []*Property

	// Relationship is the relationship as written.
	Relationship *Relationship
}

// ForeignKeys resolves every relationship of the contract's objects and
// their top-level properties. Relationships that do not resolve, or
// whose columns span several objects, are left out and reported as
// warnings.
func (c *Contract) ForeignKeys() ([]ForeignKey, Diagnostics) {
	var fks []ForeignKey
	var ds Diagnostics
	for _, o := range c.Schema {
		if o == nil {
			continue
		}
		for _, r := range o.Relationships {
			if r == nil {
				continue
			}
			if fk, rds := c.resolveFK(r, nil, nil); rds == nil {
				fks = append(fks, fk)
			} else {
				ds = append(ds, rds...)
			}
		}
		for _, p := range o.Properties {
			if p == nil {
				continue
			}
			for _, r := range p.Relationships {
				if r == nil {
					continue
				}
				if fk, rds := c.resolveFK(r, o, p); rds == nil {
					fks = append(fks, fk)
				} else {
					ds = append(ds, rds...)
				}
			}
		}
	}
	ds.sort()
	return fks, ds
}

// resolveFK resolves one relationship. For a property-level one, owner
// and prop are the declaring object and property (the implicit From).
func (c *Contract) resolveFK(r *Relationship, owner *Object, prop *Property) (ForeignKey, Diagnostics) {
	fk := ForeignKey{Relationship: r}
	var ds Diagnostics
	if r.Type != "" && r.Type != "foreignKey" {
		return fk, Diagnostics{c.posDiag(SeverityWarning, r.Path+".type",
			"relationship type "+quote(r.Type)+" is not foreignKey; ignored")}
	}
	if prop != nil {
		fk.From, fk.FromColumns = owner, []*Property{prop}
	} else {
		fk.From, fk.FromColumns, ds = c.resolveSide(r, "from", r.From, ds)
	}
	fk.To, fk.ToColumns, ds = c.resolveSide(r, "to", r.To, ds)
	if ds == nil && len(fk.FromColumns) != len(fk.ToColumns) {
		ds = append(ds, c.posDiag(SeverityWarning, r.Path, arityMessage(len(fk.FromColumns), len(fk.ToColumns))))
	}
	if ds != nil {
		return ForeignKey{}, ds
	}
	return fk, nil
}

func (c *Contract) resolveSide(r *Relationship, side string, refs []string, ds Diagnostics) (*Object, []*Property, Diagnostics) {
	if len(refs) == 0 {
		return nil, nil, append(ds, c.posDiag(SeverityWarning, r.Path, "relationship has no "+quote(side)))
	}
	var obj *Object
	var cols []*Property
	for i, ref := range refs {
		o, p, problem := c.resolveRef(ref)
		if problem != "" {
			ds = append(ds, c.posDiag(SeverityWarning, c.refPath(r, side, i), problem))
			continue
		}
		if obj != nil && o != obj {
			ds = append(ds, c.posDiag(SeverityWarning, c.refPath(r, side, i),
				quote(side)+" columns belong to different objects ("+quote(obj.Name)+" and "+quote(o.Name)+")"))
			continue
		}
		obj = o
		cols = append(cols, p)
	}
	return obj, cols, ds
}

// refPath is the path of the i-th reference of a relationship side.
func (c *Contract) refPath(r *Relationship, side string, i int) string {
	if c.root != nil {
		toks, _ := splitPath(r.Path + "." + side)
		if n, _ := walk(c.root, toks); n != nil && n.kind == kindSeq {
			return r.Path + "." + side + "[" + itoa(i) + "]"
		}
	}
	return r.Path + "." + side
}

// resolveRef resolves a reference: "table.column" by name, or
// "schema/<id>/properties/<id>" by id. problem says why it does not
// resolve.
func (c *Contract) resolveRef(ref string) (*Object, *Property, string) {
	rest := ref
	if i := strings.IndexByte(ref, '#'); i >= 0 {
		if file := ref[:i]; file != "" {
			return nil, nil, "reference " + quote(ref) + " points into another file (" + file + "); it is not checked"
		}
		rest = ref[i+1:]
	}
	if strings.Contains(rest, "/") {
		toks := strings.Split(strings.TrimPrefix(rest, "/"), "/")
		if len(toks) < 4 || len(toks)%2 != 0 || toks[0] != "schema" || toks[2] != "properties" {
			return nil, nil, "reference " + quote(ref) + " is not of the form schema/<objectId>/properties/<propertyId>"
		}
		var obj *Object
		for _, o := range c.Schema {
			if o == nil {
				continue
			}
			if o.ID == toks[1] {
				obj = o
				break
			}
		}
		if obj == nil {
			return nil, nil, "reference " + quote(ref) + " names no object: no schema object has id " + quote(toks[1])
		}
		props := obj.Properties
		var prop *Property
		for i := 2; i < len(toks); i += 2 {
			if toks[i] != "properties" {
				return nil, nil, "reference " + quote(ref) + " is not of the form schema/<objectId>/properties/<propertyId>"
			}
			prop = nil
			for _, p := range props {
				if p.ID == toks[i+1] {
					prop = p
					break
				}
			}
			if prop == nil {
				return nil, nil, "reference " + quote(ref) + " names no property: " + quote(obj.Name) + " has no property with id " + quote(toks[i+1])
			}
			props = prop.Properties
		}
		return obj, prop, ""
	}
	table, column, ok := strings.Cut(rest, ".")
	if !ok || table == "" || column == "" || strings.Contains(column, ".") {
		return nil, nil, "reference " + quote(ref) + " is not of the form table.column"
	}
	obj := c.Object(table)
	if obj == nil {
		return nil, nil, "reference " + quote(ref) + " does not resolve: no schema object is named " + quote(table)
	}
	prop := obj.Property(column)
	if prop == nil {
		return nil, nil, "reference " + quote(ref) + " does not resolve: " + quote(table) + " has no property named " + quote(column)
	}
	return obj, prop, ""
}

func arityMessage(from, to int) string {
	return "\"from\" has " + itoa(from) + " column(s) but \"to\" has " + itoa(to) +
		"; a foreign key needs the same number on both sides"
}
