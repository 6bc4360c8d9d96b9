package tmdl

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Decode reads the parts of a semantic model definition into a Database.
//
// Paths are relative to the <Name>.SemanticModel folder
// ("definition/tables/Orders.tmdl"); paths relative to the definition
// folder ("tables/Orders.tmdl") are accepted too. Parts that are not
// .tmdl files are ignored. Errors in a file are *SyntaxError values
// naming the part and line. Objects the document model does not type are
// kept as Nodes, so encoding the result loses nothing.
func Decode(parts []Part) (*Database, error) {
	sorted := make([]Part, 0, len(parts))
	for _, p := range parts {
		p.Path = strings.TrimPrefix(path.Clean(strings.ReplaceAll(p.Path, `\`, "/")), "/")
		if strings.HasSuffix(p.Path, ".tmdl") {
			sorted = append(sorted, p)
		}
	}
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Path < sorted[j].Path })

	d := &decoder{db: &Database{}, tables: map[string]*Table{}}
	var modelNodes []*Node
	var modelFile string
	var modelLines map[*Node]int
	for _, p := range sorted {
		nodes, lines, err := parseFile(p.Path, p.Payload)
		if err != nil {
			return nil, err
		}
		d.file, d.lines = p.Path, lines
		rel := strings.TrimPrefix(p.Path, "definition/")
		if rel == "model.tmdl" {
			modelNodes, modelFile, modelLines = nodes, p.Path, lines
			continue
		}
		for _, n := range nodes {
			if err := d.topLevel(n); err != nil {
				return nil, err
			}
		}
	}
	d.file, d.lines = modelFile, modelLines
	if err := d.model(modelNodes); err != nil {
		return nil, err
	}
	return d.db, nil
}

// ReadFolder reads a <Name>.SemanticModel folder, or its definition
// folder, with Decode.
func ReadFolder(dir string) (*Database, error) {
	def := filepath.Join(dir, "definition")
	if st, err := os.Stat(def); err != nil || !st.IsDir() {
		def = dir
	}
	var parts []Part
	err := filepath.WalkDir(def, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() || !strings.HasSuffix(p, ".tmdl") {
			return nil
		}
		rel, err := filepath.Rel(def, p)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		parts = append(parts, Part{Path: "definition/" + filepath.ToSlash(rel), Payload: data})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("tmdl: cannot read folder: %w", err)
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("tmdl: cannot read folder: no .tmdl files in %s", def)
	}
	return Decode(parts)
}

type decoder struct {
	db      *Database
	file    string
	lines   map[*Node]int
	tables  map[string]*Table
	order   []*Table // tables in file order
	objects []*Node  // model-level objects from their own files
}

func (d *decoder) errorf(n *Node, format string, args ...any) error {
	return &SyntaxError{File: d.file, Line: d.lines[n], Message: fmt.Sprintf(format, args...)}
}

func (d *decoder) topLevel(n *Node) error {
	m := d.modelObj()
	switch n.Keyword {
	case "database":
		return d.database(n)
	case "table":
		t, err := d.table(n)
		if err != nil {
			return err
		}
		k := strings.ToLower(t.Name)
		if d.tables[k] != nil {
			return d.errorf(n, "table %s is defined twice", QuoteName(t.Name))
		}
		d.tables[k] = t
		d.order = append(d.order, t)
	case "relationship":
		r, err := d.relationship(n)
		if err != nil {
			return err
		}
		m.Relationships = append(m.Relationships, r)
	case "expression":
		e, err := d.expression(n)
		if err != nil {
			return err
		}
		m.Expressions = append(m.Expressions, e)
	case "model":
		return d.errorf(n, "model must be declared in model.tmdl")
	case "ref":
		return d.errorf(n, "ref lines belong in model.tmdl")
	case "annotation":
		return d.errorf(n, "an annotation belongs inside an object, not at the top level of a file")
	default:
		if !n.isObject() {
			return d.errorf(n, "%s belongs inside an object, not at the top level of a file", n.Keyword)
		}
		if n.Keyword == "culture" {
			n.Keyword = "cultureInfo" // TOM's current name for the same object
		}
		d.objects = append(d.objects, n)
	}
	return nil
}

func (d *decoder) modelObj() *Model {
	if d.db.Model == nil {
		d.db.Model = &Model{}
	}
	return d.db.Model
}

func (d *decoder) database(n *Node) error {
	db := d.db
	db.Name = n.Name
	for _, c := range n.Children {
		switch {
		case c.Keyword == "compatibilityLevel" && c.Op == ':':
			v, err := strconv.Atoi(c.Value)
			if err != nil {
				return d.errorf(c, "compatibilityLevel %q is not a number", c.Value)
			}
			db.CompatibilityLevel = v
		case c.Keyword == "compatibilityMode" && c.Op == ':':
			db.CompatibilityMode = unquoteValue(c.Value)
		default:
			db.Extra = append(db.Extra, c)
		}
	}
	return nil
}

func (d *decoder) model(nodes []*Node) error {
	m := d.modelObj()
	var refs []*Node
	for i, n := range nodes {
		if i == 0 {
			if n.Keyword != "model" {
				return d.errorf(n, "model.tmdl must start with a model declaration, found %s", n.Keyword)
			}
			m.Name = n.Name
			m.Description = n.Description
			for _, c := range n.Children {
				if err := d.modelChild(m, c, &refs); err != nil {
					return err
				}
			}
			continue
		}
		if err := d.modelChild(m, n, &refs); err != nil {
			return err
		}
	}
	// Tables in ref order, then any table model.tmdl does not list.
	used := make(map[*Table]bool, len(d.order))
	for _, r := range refs {
		if r.Value != "table" {
			continue
		}
		t := d.tables[strings.ToLower(r.Name)]
		if t == nil {
			return d.errorf(r, "ref table %s: no such table in the definition", QuoteName(r.Name))
		}
		if !used[t] {
			m.Tables = append(m.Tables, t)
			used[t] = true
		}
	}
	for _, t := range d.order {
		if !used[t] {
			m.Tables = append(m.Tables, t)
		}
	}
	for _, r := range refs {
		if r.Value == "table" {
			continue
		}
		kind := r.Value
		if kind == "culture" {
			kind = "cultureInfo"
		}
		if ownFile[kind] == "" {
			continue
		}
		found := false
		for _, o := range d.objects {
			if o.Keyword == kind && o.Name == r.Name {
				found = true
				break
			}
		}
		if !found {
			return d.errorf(r, "ref %s %s: no such object in the definition", r.Value, QuoteName(r.Name))
		}
	}
	m.Extra = append(m.Extra, d.objects...)
	return nil
}

func (d *decoder) modelChild(m *Model, c *Node, refs *[]*Node) error {
	switch {
	case c.Keyword == "ref":
		*refs = append(*refs, c)
	case c.Keyword == "culture" && c.Op == ':':
		m.Culture = unquoteValue(c.Value)
	case c.Keyword == "defaultPowerBIDataSourceVersion" && c.Op == ':':
		m.DefaultPowerBIDataSourceVersion = unquoteValue(c.Value)
	case c.Keyword == "sourceQueryCulture" && c.Op == ':':
		m.SourceQueryCulture = unquoteValue(c.Value)
	case c.Keyword == "discourageImplicitMeasures" && !c.HasName:
		b, err := d.boolean(c)
		if err != nil {
			return err
		}
		m.DiscourageImplicitMeasures = b
	case c.Keyword == "annotation" && c.HasName && c.Op == '=' && len(c.Children) == 0:
		m.Annotations = append(m.Annotations, Annotation{Name: c.Name, Value: c.Value})
	case c.Keyword == "table" || c.Keyword == "relationship" || c.Keyword == "expression":
		return d.topLevel(c)
	default:
		m.Extra = append(m.Extra, c)
	}
	return nil
}

// boolean reads a bare (true) or "key: true|false" property.
func (d *decoder) boolean(c *Node) (bool, error) {
	switch {
	case c.Op == 0:
		return true, nil
	case c.Op == ':' && strings.EqualFold(c.Value, "true"):
		return true, nil
	case c.Op == ':' && strings.EqualFold(c.Value, "false"):
		return false, nil
	}
	return false, d.errorf(c, "%s: expected true or false, found %q", c.Keyword, c.Value)
}

func (d *decoder) boolPtr(c *Node) (*bool, error) {
	b, err := d.boolean(c)
	if err != nil {
		return nil, err
	}
	return &b, nil
}

func (d *decoder) annotation(c *Node, as *[]Annotation) bool {
	if c.Keyword == "annotation" && c.HasName && c.Op == '=' && len(c.Children) == 0 {
		*as = append(*as, Annotation{Name: c.Name, Value: c.Value})
		return true
	}
	return false
}

func (d *decoder) table(n *Node) (*Table, error) {
	if !n.HasName {
		return nil, d.errorf(n, "table without a name")
	}
	t := &Table{Name: n.Name, Description: n.Description}
	for _, c := range n.Children {
		if d.annotation(c, &t.Annotations) {
			continue
		}
		var err error
		switch {
		case c.Keyword == "column" && c.HasName:
			var col *Column
			if col, err = d.column(c); err == nil {
				t.Columns = append(t.Columns, col)
			}
		case c.Keyword == "measure" && c.HasName:
			var ms *Measure
			if ms, err = d.measure(c); err == nil {
				t.Measures = append(t.Measures, ms)
			}
		case c.Keyword == "partition" && c.HasName:
			var p *Partition
			if p, err = d.partition(c); err == nil {
				t.Partitions = append(t.Partitions, p)
			}
		case c.Keyword == "lineageTag" && c.Op == ':':
			t.LineageTag = unquoteValue(c.Value)
		case c.Keyword == "dataCategory" && c.Op == ':':
			t.DataCategory = unquoteValue(c.Value)
		case c.Keyword == "isHidden" && !c.HasName:
			t.IsHidden, err = d.boolean(c)
		default:
			t.Extra = append(t.Extra, c)
		}
		if err != nil {
			return nil, err
		}
	}
	return t, nil
}

func (d *decoder) column(n *Node) (*Column, error) {
	c := &Column{Name: n.Name, Description: n.Description, Expression: n.Value}
	for _, p := range n.Children {
		if d.annotation(p, &c.Annotations) {
			continue
		}
		if p.HasName || (p.Op == '=' && p.Keyword != "expression") {
			c.Extra = append(c.Extra, p)
			continue
		}
		v := unquoteValue(p.Value)
		var err error
		switch p.Keyword {
		case "dataType":
			c.DataType = v
		case "isHidden":
			c.IsHidden, err = d.boolean(p)
		case "isKey":
			c.IsKey, err = d.boolean(p)
		case "isNullable":
			c.IsNullable, err = d.boolPtr(p)
		case "isAvailableInMdx":
			c.IsAvailableInMdx, err = d.boolPtr(p)
		case "formatString":
			c.FormatString = v
		case "displayFolder":
			c.DisplayFolder = v
		case "lineageTag":
			c.LineageTag = v
		case "dataCategory":
			c.DataCategory = v
		case "summarizeBy":
			c.SummarizeBy = v
		case "sourceColumn":
			c.SourceColumn = v
		case "sortByColumn":
			c.SortByColumn = unquoteName(p.Value)
		default:
			c.Extra = append(c.Extra, p)
		}
		if err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (d *decoder) measure(n *Node) (*Measure, error) {
	ms := &Measure{Name: n.Name, Description: n.Description, Expression: n.Value}
	for _, p := range n.Children {
		if d.annotation(p, &ms.Annotations) {
			continue
		}
		if p.HasName || p.Op == '=' {
			ms.Extra = append(ms.Extra, p)
			continue
		}
		var err error
		switch p.Keyword {
		case "formatString":
			ms.FormatString = unquoteValue(p.Value)
		case "displayFolder":
			ms.DisplayFolder = unquoteValue(p.Value)
		case "lineageTag":
			ms.LineageTag = unquoteValue(p.Value)
		case "isHidden":
			ms.IsHidden, err = d.boolean(p)
		default:
			ms.Extra = append(ms.Extra, p)
		}
		if err != nil {
			return nil, err
		}
	}
	return ms, nil
}

func (d *decoder) partition(n *Node) (*Partition, error) {
	p := &Partition{Name: n.Name, Description: n.Description, Type: n.Value}
	for _, c := range n.Children {
		if d.annotation(c, &p.Annotations) {
			continue
		}
		switch {
		case c.Keyword == "mode" && c.Op == ':':
			p.Mode = unquoteValue(c.Value)
		case c.Keyword == "queryGroup" && c.Op == ':':
			p.QueryGroup = unquoteName(c.Value)
		case c.Keyword == "source" && c.Op == '=' && !c.HasName && len(c.Children) == 0:
			p.Source = c.Value
		default:
			p.Extra = append(p.Extra, c)
		}
	}
	return p, nil
}

func (d *decoder) relationship(n *Node) (*Relationship, error) {
	if !n.HasName {
		return nil, d.errorf(n, "relationship without a name")
	}
	r := &Relationship{Name: n.Name}
	for _, c := range n.Children {
		if d.annotation(c, &r.Annotations) {
			continue
		}
		if c.HasName || c.Op == '=' {
			r.Extra = append(r.Extra, c)
			continue
		}
		var err error
		switch c.Keyword {
		case "isActive":
			r.IsActive, err = d.boolPtr(c)
		case "crossFilteringBehavior":
			r.CrossFilteringBehavior = unquoteValue(c.Value)
		case "fromCardinality":
			r.FromCardinality = unquoteValue(c.Value)
		case "toCardinality":
			r.ToCardinality = unquoteValue(c.Value)
		case "fromColumn", "toColumn":
			ref, perr := parseRef(c.Value)
			if perr != nil {
				return nil, d.errorf(c, "%s: %v", c.Keyword, perr)
			}
			if c.Keyword == "fromColumn" {
				r.FromColumn = ref
			} else {
				r.ToColumn = ref
			}
		default:
			r.Extra = append(r.Extra, c)
		}
		if err != nil {
			return nil, err
		}
	}
	return r, nil
}

func (d *decoder) expression(n *Node) (*Expression, error) {
	if !n.HasName {
		return nil, d.errorf(n, "expression without a name")
	}
	e := &Expression{Name: n.Name, Description: n.Description, Expression: n.Value}
	for _, c := range n.Children {
		if d.annotation(c, &e.Annotations) {
			continue
		}
		switch {
		case c.Keyword == "lineageTag" && c.Op == ':':
			e.LineageTag = unquoteValue(c.Value)
		case c.Keyword == "queryGroup" && c.Op == ':':
			e.QueryGroup = unquoteName(c.Value)
		default:
			e.Extra = append(e.Extra, c)
		}
	}
	return e, nil
}
