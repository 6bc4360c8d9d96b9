package tmdl

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// PBISM is the definition.pbism payload the encoder writes: version 4.0
// (TMDL) and no settings, as Microsoft's schema for the file allows.
const PBISM = "{\n  \"version\": \"4.0\",\n  \"settings\": {}\n}"

// ErrInvalid is wrapped by encoding errors caused by a model TOM would
// refuse (bad names, duplicate names, missing references).
var ErrInvalid = errors.New("tmdl: invalid model")

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// ownFile maps the keyword of a model-level object that TOM writes in a
// file of its own to the folder of that file.
var ownFile = map[string]string{
	"cultureInfo": "cultures",
	"role":        "roles",
	"perspective": "perspectives",
}

// refOrder is the order of `ref` groups in model.tmdl after the tables.
var refOrder = []string{"perspective", "role", "cultureInfo"}

// Parts encodes the database to the files of a semantic model folder, in
// a deterministic order: definition.pbism, definition/database.tmdl,
// definition/model.tmdl, relationships, expressions, the tables in model
// order, then cultures, roles and perspectives.
//
// It returns an error wrapping ErrInvalid when TOM could not load the
// result: names that are empty or hold control characters, two tables
// whose names (or file names) differ only in case, a relationship to an
// unknown column.
func (db *Database) Parts() ([]Part, error) {
	if err := db.check(); err != nil {
		return nil, err
	}
	m := db.Model
	parts := make([]Part, 0, len(m.Tables)+6)
	parts = append(parts, Part{Path: "definition.pbism", Payload: []byte(PBISM)})

	var werr error
	done := func(w *writer) []byte {
		if werr == nil && w.err != nil {
			werr = w.err
		}
		return w.b
	}
	w := &writer{}
	db.encodeDatabase(w)
	parts = append(parts, Part{Path: "definition/database.tmdl", Payload: done(w)})

	w = &writer{}
	encodeModel(w, m)
	parts = append(parts, Part{Path: "definition/model.tmdl", Payload: done(w)})

	if len(m.Relationships) > 0 {
		w = &writer{}
		for _, r := range m.Relationships {
			encodeRelationship(w, r)
			w.blank()
		}
		parts = append(parts, Part{Path: "definition/relationships.tmdl", Payload: done(w)})
	}
	if len(m.Expressions) > 0 {
		w = &writer{}
		for _, e := range m.Expressions {
			encodeExpression(w, e)
			w.blank()
		}
		parts = append(parts, Part{Path: "definition/expressions.tmdl", Payload: done(w)})
	}
	for _, t := range m.Tables {
		w = &writer{b: make([]byte, 0, 1024+len(t.Columns)*320)}
		encodeTable(w, t)
		w.blank()
		parts = append(parts, Part{Path: "definition/tables/" + FileName(t.Name) + ".tmdl", Payload: done(w)})
	}
	for _, kind := range []string{"cultureInfo", "role", "perspective"} {
		for _, n := range m.Extra {
			if n.Keyword != kind {
				continue
			}
			w = &writer{}
			w.node(0, n)
			w.blank()
			parts = append(parts, Part{Path: "definition/" + ownFile[kind] + "/" + FileName(n.Name) + ".tmdl", Payload: done(w)})
		}
	}
	if werr != nil {
		return nil, werr
	}
	return parts, nil
}

// WriteFolder writes the semantic model as dir/<Name>.SemanticModel and
// returns that folder's path. The folder's definition/ subfolder is
// replaced as a whole, so files of tables that no longer exist do not
// linger (TOM would load them); other files in the folder, such as those
// Power BI Desktop keeps next to definition/, are left alone.
func WriteFolder(dir string, db *Database) (string, error) {
	if db == nil {
		return "", invalidf("nil database")
	}
	if db.Name == "" {
		return "", invalidf("database has no name for its folder")
	}
	parts, err := db.Parts()
	if err != nil {
		return "", err
	}
	root := filepath.Join(dir, FileName(db.Name)+".SemanticModel")
	if err := os.RemoveAll(filepath.Join(root, "definition")); err != nil {
		return "", fmt.Errorf("tmdl: cannot write folder: %w", err)
	}
	for _, p := range parts {
		path := filepath.Join(root, filepath.FromSlash(p.Path))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return "", fmt.Errorf("tmdl: cannot write folder: %w", err)
		}
		if err := os.WriteFile(path, p.Payload, 0o644); err != nil {
			return "", fmt.Errorf("tmdl: cannot write folder: %w", err)
		}
	}
	return root, nil
}

// check validates what TOM would refuse.
func (db *Database) check() error {
	if db == nil || db.Model == nil {
		return invalidf("database has no model")
	}
	if db.Name != "" {
		if err := CheckName(db.Name); err != nil {
			return invalidf("database: %v", err)
		}
	}
	if err := checkNodes(db.Extra); err != nil {
		return invalidf("database: %v", err)
	}
	m := db.Model
	if err := checkNodes(m.Extra); err != nil {
		return invalidf("model: %v", err)
	}
	for _, v := range [...]struct{ key, value string }{
		{"culture", m.Culture}, {"defaultPowerBIDataSourceVersion", m.DefaultPowerBIDataSourceVersion},
		{"sourceQueryCulture", m.SourceQueryCulture}, {"compatibilityMode", db.CompatibilityMode},
	} {
		if err := checkValue(v.key, v.value); err != nil {
			return invalidf("model: %v", err)
		}
	}
	tables := make(map[string]*Table, len(m.Tables))
	files := make(map[string]string, len(m.Tables))
	for _, t := range m.Tables {
		if t == nil {
			return invalidf("nil table")
		}
		if err := CheckName(t.Name); err != nil {
			return invalidf("table: %v", err)
		}
		k := strings.ToLower(t.Name)
		if _, dup := tables[k]; dup {
			return invalidf("table %q: another table has the same name (names are case-insensitive)", t.Name)
		}
		tables[k] = t
		f := strings.ToLower(FileName(t.Name))
		if other, dup := files[f]; dup {
			return invalidf("table %q: file name %q is also the file name of table %q", t.Name, FileName(t.Name)+".tmdl", other)
		}
		files[f] = t.Name
		if err := t.check(); err != nil {
			return err
		}
	}
	for _, e := range m.Expressions {
		if err := CheckName(e.Name); err != nil {
			return invalidf("expression: %v", err)
		}
		if err := checkAnnotations(e.Annotations); err != nil {
			return invalidf("expression %q: %v", e.Name, err)
		}
		if err := checkNodes(e.Extra); err != nil {
			return invalidf("expression %q: %v", e.Name, err)
		}
	}
	for _, r := range m.Relationships {
		if err := CheckName(r.Name); err != nil {
			return invalidf("relationship: %v", err)
		}
		if err := checkNodes(r.Extra); err != nil {
			return invalidf("relationship %q: %v", r.Name, err)
		}
		if err := checkAnnotations(r.Annotations); err != nil {
			return invalidf("relationship %q: %v", r.Name, err)
		}
		for _, ref := range []ColumnRef{r.FromColumn, r.ToColumn} {
			t := tables[strings.ToLower(ref.Table)]
			if t == nil || t.column(ref.Column) == nil {
				return invalidf("relationship %q: no column %s.%s", r.Name, QuoteName(ref.Table), QuoteName(ref.Column))
			}
		}
	}
	if err := checkAnnotations(m.Annotations); err != nil {
		return invalidf("model: %v", err)
	}
	return nil
}

func (t *Table) column(name string) *Column {
	for _, c := range t.Columns {
		if strings.EqualFold(c.Name, name) {
			return c
		}
	}
	return nil
}

func (t *Table) check() error {
	seen := make(map[string]bool, len(t.Columns)+len(t.Measures))
	for _, c := range t.Columns {
		if c == nil {
			return invalidf("table %q: nil column", t.Name)
		}
		if err := CheckName(c.Name); err != nil {
			return invalidf("table %q: column: %v", t.Name, err)
		}
		k := strings.ToLower(c.Name)
		if seen[k] {
			return invalidf("table %q: column %q: another column or measure has the same name (names are case-insensitive)", t.Name, c.Name)
		}
		seen[k] = true
		if err := c.checkValues(); err != nil {
			return invalidf("table %q: column %q: %v", t.Name, c.Name, err)
		}
		if err := checkAnnotations(c.Annotations); err != nil {
			return invalidf("table %q: column %q: %v", t.Name, c.Name, err)
		}
		if err := checkNodes(c.Extra); err != nil {
			return invalidf("table %q: column %q: %v", t.Name, c.Name, err)
		}
	}
	for _, ms := range t.Measures {
		if err := CheckName(ms.Name); err != nil {
			return invalidf("table %q: measure: %v", t.Name, err)
		}
		if err := checkAnnotations(ms.Annotations); err != nil {
			return invalidf("table %q: measure %q: %v", t.Name, ms.Name, err)
		}
		if err := checkNodes(ms.Extra); err != nil {
			return invalidf("table %q: measure %q: %v", t.Name, ms.Name, err)
		}
		k := strings.ToLower(ms.Name)
		if seen[k] {
			return invalidf("table %q: measure %q: another column or measure has the same name (names are case-insensitive)", t.Name, ms.Name)
		}
		seen[k] = true
	}
	for _, p := range t.Partitions {
		if err := CheckName(p.Name); err != nil {
			return invalidf("table %q: partition: %v", t.Name, err)
		}
		if err := checkAnnotations(p.Annotations); err != nil {
			return invalidf("table %q: partition %q: %v", t.Name, p.Name, err)
		}
		if err := checkNodes(p.Extra); err != nil {
			return invalidf("table %q: partition %q: %v", t.Name, p.Name, err)
		}
	}
	if err := checkValue("lineageTag", t.LineageTag); err != nil {
		return invalidf("table %q: %v", t.Name, err)
	}
	if err := checkAnnotations(t.Annotations); err != nil {
		return invalidf("table %q: %v", t.Name, err)
	}
	if err := checkNodes(t.Extra); err != nil {
		return invalidf("table %q: %v", t.Name, err)
	}
	return nil
}

func (c *Column) checkValues() error {
	for _, v := range [...]struct{ key, value string }{
		{"dataType", c.DataType}, {"formatString", c.FormatString}, {"lineageTag", c.LineageTag},
		{"dataCategory", c.DataCategory}, {"summarizeBy", c.SummarizeBy}, {"sourceColumn", c.SourceColumn},
		{"displayFolder", c.DisplayFolder},
	} {
		if err := checkValue(v.key, v.value); err != nil {
			return err
		}
	}
	return nil
}

// checkNodes validates untyped nodes: keywords are words, names are
// names TOM accepts, ':' values fit on one line.
func checkNodes(nodes []*Node) error {
	for _, n := range nodes {
		if n == nil {
			return fmt.Errorf("nil node")
		}
		if n.Keyword == "" {
			return fmt.Errorf("node without a keyword")
		}
		for i := 0; i < len(n.Keyword); i++ {
			if !isWordByte(n.Keyword[i]) {
				return fmt.Errorf("keyword %q is not a word", n.Keyword)
			}
		}
		if n.HasName {
			if err := CheckName(n.Name); err != nil {
				return fmt.Errorf("%s: %v", n.Keyword, err)
			}
		}
		if n.Op == ':' {
			if err := checkValue(n.Keyword, n.Value); err != nil {
				return err
			}
		}
		if err := checkNodes(n.Children); err != nil {
			return err
		}
	}
	return nil
}

func checkAnnotations(as []Annotation) error {
	for _, a := range as {
		if err := CheckName(a.Name); err != nil {
			return fmt.Errorf("annotation: %v", err)
		}
		if strings.TrimSpace(a.Value) == "```" {
			return fmt.Errorf("annotation %s: value ``` cannot be written in TMDL", QuoteName(a.Name))
		}
	}
	return nil
}

func (db *Database) encodeDatabase(w *writer) {
	w.indent(0)
	w.b = append(w.b, "database"...)
	if db.Name != "" {
		w.b = append(w.b, ' ')
		w.b = appendName(w.b, db.Name)
	}
	w.eol()
	level := db.CompatibilityLevel
	if level == 0 {
		level = DefaultCompatibilityLevel
	}
	w.propInt(1, "compatibilityLevel", level)
	w.prop(1, "compatibilityMode", db.CompatibilityMode)
	w.nodeProps(1, db.Extra)
	w.nodeObjects(1, db.Extra)
	w.blank()
}

func encodeModel(w *writer, m *Model) {
	name := m.Name
	if name == "" {
		name = "Model"
	}
	w.desc(0, m.Description)
	w.decl(0, "model", name)
	w.eol()
	w.prop(1, "culture", m.Culture)
	w.prop(1, "defaultPowerBIDataSourceVersion", m.DefaultPowerBIDataSourceVersion)
	w.flag(1, "discourageImplicitMeasures", m.DiscourageImplicitMeasures)
	w.prop(1, "sourceQueryCulture", m.SourceQueryCulture)
	w.nodeProps(1, m.Extra)
	// Model children live at column 0 of model.tmdl.
	for _, n := range m.Extra {
		if n.isObject() && ownFile[n.Keyword] == "" {
			w.blank()
			w.node(0, n)
		}
	}
	for _, a := range m.Annotations {
		w.blank()
		encodeAnnotation(w, 0, a)
	}
	if len(m.Tables) > 0 {
		w.blank()
		for _, t := range m.Tables {
			w.decl(0, "ref table", t.Name)
			w.eol()
		}
	}
	for _, kind := range refOrder {
		first := true
		for _, n := range m.Extra {
			if n.Keyword != kind {
				continue
			}
			if first {
				w.blank()
				first = false
			}
			w.decl(0, "ref "+kind, n.Name)
			w.eol()
		}
	}
	w.blank()
}

func encodeAnnotation(w *writer, depth int, a Annotation) {
	w.decl(depth, "annotation", a.Name)
	w.expr(depth, a.Value)
}

func encodeAnnotations(w *writer, depth int, as []Annotation) {
	for _, a := range as {
		w.blank()
		encodeAnnotation(w, depth, a)
	}
}

func encodeTable(w *writer, t *Table) {
	w.desc(0, t.Description)
	w.decl(0, "table", t.Name)
	w.eol()
	w.flag(1, "isHidden", t.IsHidden)
	w.prop(1, "lineageTag", t.LineageTag)
	w.prop(1, "dataCategory", t.DataCategory)
	w.nodeProps(1, t.Extra)
	for _, n := range t.Extra {
		if n.Keyword == "calculationGroup" {
			w.blank()
			w.node(1, n)
		}
	}
	for _, ms := range t.Measures {
		w.blank()
		encodeMeasure(w, ms)
	}
	for _, c := range t.Columns {
		w.blank()
		encodeColumn(w, c)
	}
	for _, n := range t.Extra {
		if n.isObject() && n.Keyword != "calculationGroup" && n.Keyword != "annotation" {
			w.blank()
			w.node(1, n)
		}
	}
	for _, p := range t.Partitions {
		w.blank()
		encodePartition(w, p)
	}
	encodeAnnotations(w, 1, t.Annotations)
}

// columnOrder is the order TOM writes column properties in (found by
// experiment with tomcheck; see names_test.go and encode_test.go).
var columnOrder = []string{
	"dataType", "isHidden", "isUnique", "isKey", "isNullable", "formatString",
	"isAvailableInMdx", "displayFolder", "lineageTag", "dataCategory",
	"isDefaultLabel", "summarizeBy", "isNameInferred", "isDataTypeInferred",
	"sourceColumn", "sortByColumn",
}

func encodeColumn(w *writer, c *Column) {
	w.desc(1, c.Description)
	w.decl(1, "column", c.Name)
	if c.Expression != "" {
		w.expr(1, c.Expression)
	} else {
		w.eol()
	}
	for _, k := range columnOrder {
		switch k {
		case "dataType":
			w.prop(2, k, c.DataType)
		case "isHidden":
			w.flag(2, k, c.IsHidden)
		case "isKey":
			w.flag(2, k, c.IsKey)
		case "isNullable":
			w.boolFalse(2, k, c.IsNullable)
		case "formatString":
			w.prop(2, k, c.FormatString)
		case "isAvailableInMdx":
			w.boolFalse(2, k, c.IsAvailableInMdx)
		case "displayFolder":
			w.prop(2, k, c.DisplayFolder)
		case "lineageTag":
			w.prop(2, k, c.LineageTag)
		case "dataCategory":
			w.prop(2, k, c.DataCategory)
		case "summarizeBy":
			w.prop(2, k, c.SummarizeBy)
		case "sourceColumn":
			w.prop(2, k, c.SourceColumn)
		case "sortByColumn":
			w.propName(2, k, c.SortByColumn)
		default:
			extraProps(w, 2, c.Extra, k)
		}
	}
	unrankedProps(w, 2, c.Extra, columnRank)
	w.nodeObjects(2, nonAnnotations(c.Extra))
	encodeAnnotations(w, 2, c.Annotations)
}

var columnRank = rankOf(columnOrder)

func rankOf(order []string) map[string]bool {
	m := make(map[string]bool, len(order))
	for _, k := range order {
		m[k] = true
	}
	return m
}

func extraProps(w *writer, depth int, extra []*Node, keyword string) {
	for _, n := range extra {
		if n.Keyword == keyword && !n.isObject() {
			w.node(depth, n)
		}
	}
}

func unrankedProps(w *writer, depth int, extra []*Node, ranked map[string]bool) {
	for _, n := range extra {
		if !n.isObject() && !ranked[n.Keyword] {
			w.node(depth, n)
		}
	}
}

// nonAnnotations returns the child objects other than annotations in the
// order TOM writes them: changedProperty and extendedProperty objects
// after the others (kpi, relatedColumnDetails, ...), which keep their
// order.
func nonAnnotations(extra []*Node) []*Node {
	if len(extra) == 0 {
		return nil
	}
	out := make([]*Node, 0, len(extra))
	for _, n := range extra {
		if n.Keyword != "annotation" {
			out = append(out, n)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return childRank(out[i]) < childRank(out[j]) })
	return out
}

func childRank(n *Node) int {
	switch n.Keyword {
	case "changedProperty":
		return 1
	case "extendedProperty":
		return 2
	}
	return 0
}

func encodeMeasure(w *writer, ms *Measure) {
	w.desc(1, ms.Description)
	w.decl(1, "measure", ms.Name)
	w.expr(1, ms.Expression)
	w.prop(2, "formatString", ms.FormatString)
	w.flag(2, "isHidden", ms.IsHidden)
	w.prop(2, "displayFolder", ms.DisplayFolder)
	w.prop(2, "lineageTag", ms.LineageTag)
	w.nodeProps(2, ms.Extra)
	w.nodeObjects(2, nonAnnotations(ms.Extra))
	encodeAnnotations(w, 2, ms.Annotations)
}

func encodePartition(w *writer, p *Partition) {
	w.desc(1, p.Description)
	w.decl(1, "partition", p.Name)
	typ := p.Type
	if typ == "" {
		typ = "m"
	}
	w.b = append(w.b, " = "...)
	w.b = append(w.b, typ...)
	w.eol()
	w.prop(2, "mode", p.Mode)
	w.propName(2, "queryGroup", p.QueryGroup)
	w.nodeProps(2, p.Extra)
	if p.Source != "" {
		w.exprProp(2, "source", p.Source)
	}
	w.nodeObjects(2, nonAnnotations(p.Extra))
	encodeAnnotations(w, 2, p.Annotations)
}

func encodeRelationship(w *writer, r *Relationship) {
	w.decl(0, "relationship", r.Name)
	w.eol()
	w.boolFalse(1, "isActive", r.IsActive)
	if r.CrossFilteringBehavior != "oneDirection" {
		w.prop(1, "crossFilteringBehavior", r.CrossFilteringBehavior)
	}
	extraProps(w, 1, r.Extra, "joinOnDateBehavior")
	extraProps(w, 1, r.Extra, "relyOnReferentialIntegrity")
	if r.FromCardinality != "many" {
		w.prop(1, "fromCardinality", r.FromCardinality)
	}
	if r.ToCardinality != "one" {
		w.prop(1, "toCardinality", r.ToCardinality)
	}
	w.propRef(1, "fromColumn", r.FromColumn)
	w.propRef(1, "toColumn", r.ToColumn)
	unrankedProps(w, 1, r.Extra, relationshipRank)
	w.nodeObjects(1, nonAnnotations(r.Extra))
	encodeAnnotations(w, 1, r.Annotations)
}

var relationshipRank = rankOf([]string{"joinOnDateBehavior", "relyOnReferentialIntegrity"})

func encodeExpression(w *writer, e *Expression) {
	w.desc(0, e.Description)
	w.decl(0, "expression", e.Name)
	w.expr(0, e.Expression)
	w.prop(1, "lineageTag", e.LineageTag)
	w.propName(1, "queryGroup", e.QueryGroup)
	w.nodeProps(1, e.Extra)
	w.nodeObjects(1, nonAnnotations(e.Extra))
	encodeAnnotations(w, 1, e.Annotations)
}
