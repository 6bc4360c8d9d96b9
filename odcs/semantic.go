package odcs

import (
	"strconv"
	"strings"
)

func quote(s string) string { return strconv.Quote(s) }
func itoa(i int) string     { return strconv.Itoa(i) }

// posDiag builds a diagnostic at a contract path.
func (c *Contract) posDiag(sev Severity, path, msg string) Diagnostic {
	p := c.Position(path)
	return Diagnostic{Severity: sev, File: c.Filename, Line: p.Line, Column: p.Column, Path: path, Message: msg}
}

// semanticChecks runs the checks a JSON Schema cannot express.
func (c *Contract) semanticChecks() Diagnostics {
	var ds Diagnostics

	// Power BI compares table and column names case-insensitively.
	names := make([]named, 0, len(c.Schema))
	for _, o := range c.Schema {
		if o != nil {
			names = append(names, named{o.Name, o.Path})
		}
	}
	ds = c.collisions(ds, "object", names)
	for _, o := range c.Schema {
		if o == nil {
			continue
		}
		names = names[:0]
		for _, p := range o.Properties {
			if p != nil {
				names = append(names, named{p.Name, p.Path})
			}
		}
		ds = c.collisions(ds, "property", names)
	}

	// Relationships: arity, and references that resolve to nothing.
	for _, o := range c.Schema {
		if o == nil {
			continue
		}
		for _, r := range o.Relationships {
			if r == nil {
				continue
			}
			ds = append(ds, c.checkRelationship(r, false)...)
		}
		for _, p := range o.Properties {
			if p == nil {
				continue
			}
			ds = append(ds, c.checkPropertyRelationships(p)...)
		}
	}
	return ds
}

func (c *Contract) checkPropertyRelationships(p *Property) Diagnostics {
	var ds Diagnostics
	for _, r := range p.Relationships {
		if r == nil {
			continue
		}
		ds = append(ds, c.checkRelationship(r, true)...)
	}
	for _, np := range p.Properties {
		if np == nil {
			continue
		}
		ds = append(ds, c.checkPropertyRelationships(np)...)
	}
	if p.Items != nil {
		ds = append(ds, c.checkPropertyRelationships(p.Items)...)
	}
	return ds
}

func (c *Contract) checkRelationship(r *Relationship, onProperty bool) Diagnostics {
	var ds Diagnostics
	from, to := len(r.From), len(r.To)
	if onProperty && from == 0 {
		from = 1 // nested property: the implicit source is the property
	}
	if from > 0 && to > 0 && from != to {
		ds = append(ds, c.posDiag(SeverityError, r.Path, arityMessage(from, to)))
	}
	sides := []struct {
		name string
		refs []string
	}{{"to", r.To}}
	if !onProperty {
		sides = append(sides, struct {
			name string
			refs []string
		}{"from", r.From})
	}
	for _, s := range sides {
		for i, ref := range s.refs {
			if _, _, problem := c.resolveRef(ref); problem != "" {
				sev := SeverityWarning
				if strings.Contains(problem, "another file") {
					sev = SeverityInfo
				}
				ds = append(ds, c.posDiag(sev, c.refPath(r, s.name, i), problem))
			}
		}
	}
	return ds
}

// named is a table or column name and the contract path of its object.
type named struct{ name, path string }

// collisions appends an error for every name in list that equals an
// earlier one when case is ignored; what says what the names are.
func (c *Contract) collisions(ds Diagnostics, what string, list []named) Diagnostics {
	seen := make(map[string]named, len(list))
	for _, n := range list {
		if n.name == "" {
			continue
		}
		k := strings.ToLower(n.name)
		if first, ok := seen[k]; ok {
			ds = append(ds, c.posDiag(SeverityError, n.path+".name", collision(what, n.name, first.name, first.path, c.Position(first.path))))
			continue
		}
		seen[k] = n
	}
	return ds
}

func collision(what, name, first, firstPath string, firstPos Position) string {
	where := firstPath
	if firstPos.IsValid() {
		where += ", line " + itoa(firstPos.Line)
	}
	if name == first {
		return "duplicate " + what + " name " + quote(name) + " (also at " + where + ")"
	}
	return what + " name " + quote(name) + " collides with " + quote(first) + " (" + where +
		"): Power BI compares names case-insensitively and rejects the model"
}
