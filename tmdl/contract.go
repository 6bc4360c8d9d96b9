package tmdl

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/google/uuid"
	"github.com/pbipublish/pbipublish/odcs"
)

// Options controls FromContract. A nil *Options means all defaults.
type Options struct {
	// Server names the contract server to bind to; "" picks the only
	// snowflake or databricks server.
	Server string
	// Mode is the storage mode of every partition: "import" (default),
	// "directQuery" or "dual" (case-insensitive).
	Mode string
	// Name is the semantic model (database) name; "" uses the contract's
	// name.
	Name string
	// Culture of the model; "" means "en-US".
	Culture string
	// UseBusinessNames names tables and columns after businessName when
	// the contract has one.
	UseBusinessNames bool
	// Role, HTTPPath and Warehouse override the server's customProperties
	// "role" and "httpPath" and its warehouse field; "" keeps the
	// contract's value.
	Role, HTTPPath, Warehouse string
}

// lineageSpace is the UUIDv5 namespace of every lineage tag and
// relationship name this package derives.
var lineageSpace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/pbipublish/pbipublish/tmdl"))

// Annotation names that tie the model back to its contract.
const (
	AnnotationContractID      = "ODCS_ContractId"
	AnnotationContractVersion = "ODCS_ContractVersion"
	AnnotationPath            = "ODCS_Path"
)

type builder struct {
	c         *odcs.Contract
	opts      Options
	ds        odcs.Diagnostics
	id        string
	kind      string // snowflake or databricks
	srv       *odcs.Server
	host      string
	path      string // databricks http path
	role      string
	wh        string
	mode      string
	serverErr error
	buf       []byte
	// arena holds the short strings made per column (lineage tags,
	// paths, folded names) in one growing buffer: a strings.Builder never
	// changes bytes once written, so slices of its String stay valid.
	arena strings.Builder
	fks   []odcs.ForeignKey
	cols  map[*odcs.Property]*Column // the columns of foreign keys
	names map[*odcs.Object]*Table
}

func (b *builder) diag(sev odcs.Severity, path string, format string, args ...any) {
	pos := b.c.Position(path)
	b.ds = append(b.ds, odcs.Diagnostic{Severity: sev, File: b.c.Filename, Line: pos.Line, Column: pos.Column,
		Path: path, Message: fmt.Sprintf(format, args...)})
}

// FromContract builds a semantic model from a contract: one table per
// schema object, one column per property, an M partition per table that
// reads the object from the contract's Snowflake or Databricks server,
// relationships from foreign keys, descriptions and annotations that tie
// every object to its place in the contract.
//
// Everything the model cannot honour is reported in the diagnostics with
// its contract position: warnings for what was left out or changed (a
// binary column, a composite foreign key), errors for what makes the
// model impossible (no usable server, colliding names, control
// characters in names). When the diagnostics hold an error, the
// returned error is non-nil and the database is nil.
func FromContract(c *odcs.Contract, opts *Options) (*Database, odcs.Diagnostics, error) {
	if c == nil {
		return nil, nil, fmt.Errorf("tmdl: nil contract")
	}
	n := 0
	for _, o := range c.Schema {
		n += len(o.Properties)
	}
	b := &builder{c: c, names: make(map[*odcs.Object]*Table, len(c.Schema))}
	b.arena.Grow(n * 64)
	// Resolve foreign keys first, so only their columns are remembered.
	var fkds odcs.Diagnostics
	b.fks, fkds = c.ForeignKeys()
	b.ds = append(b.ds, fkds...)
	b.cols = make(map[*odcs.Property]*Column, 2*len(b.fks))
	for _, fk := range b.fks {
		for _, p := range fk.FromColumns {
			b.cols[p] = nil
		}
		for _, p := range fk.ToColumns {
			b.cols[p] = nil
		}
	}
	if opts != nil {
		b.opts = *opts
	}
	db := b.build()
	sort.SliceStable(b.ds, func(i, j int) bool {
		if b.ds[i].Line != b.ds[j].Line {
			return b.ds[i].Line < b.ds[j].Line
		}
		return b.ds[i].Column < b.ds[j].Column
	})
	if b.ds.HasErrors() {
		if b.serverErr != nil {
			return nil, b.ds, fmt.Errorf("tmdl: contract cannot be turned into a model: %w: %w", b.serverErr, b.ds.Err())
		}
		return nil, b.ds, fmt.Errorf("tmdl: contract cannot be turned into a model: %w", b.ds.Err())
	}
	return db, b.ds, nil
}

func (b *builder) build() *Database {
	c := b.c
	b.id = c.ID
	if b.id == "" {
		b.id = c.Name
		b.diag(odcs.SeverityWarning, "id", "contract has no id: lineage tags derive from its name and change when it is renamed")
	}
	switch strings.ToLower(b.opts.Mode) {
	case "", "import":
		b.mode = "import"
	case "directquery":
		b.mode = "directQuery"
	case "dual":
		b.mode = "dual"
	default:
		b.diag(odcs.SeverityError, "", "storage mode %q is not import, directQuery or dual", b.opts.Mode)
	}
	b.server()

	name := b.opts.Name
	if name == "" {
		name = c.Name
	}
	if name == "" {
		b.diag(odcs.SeverityError, "name", "contract has no name; give the model a name")
	} else if err := CheckName(name); err != nil {
		b.diag(odcs.SeverityError, "name", "model name cannot be used: %v", err)
	}
	culture := b.opts.Culture
	if culture == "" {
		culture = "en-US"
	}
	if err := checkValue("culture", culture); err != nil {
		b.diag(odcs.SeverityError, "", "%v", err)
	}
	m := &Model{Name: "Model", Culture: culture, DefaultPowerBIDataSourceVersion: "powerBI_V3", SourceQueryCulture: culture}
	m.Description = NormalizeDescription(c.Description.Purpose)
	if oneLine(c.ID) != "" {
		m.Annotations = append(m.Annotations, Annotation{Name: AnnotationContractID, Value: b.annotationValue("id", c.ID)})
	}
	if oneLine(c.Version) != "" {
		m.Annotations = append(m.Annotations, Annotation{Name: AnnotationContractVersion, Value: b.annotationValue("version", c.Version)})
	}
	seen := map[string]string{}
	for _, o := range c.Schema {
		t := b.table(o)
		if t == nil {
			continue
		}
		k := strings.ToLower(t.Name)
		if prev, dup := seen[k]; dup {
			b.diag(odcs.SeverityError, o.Path, "table name %q collides with %s (Power BI names are case-insensitive)", t.Name, prev)
			continue
		}
		seen[k] = o.Path
		m.Tables = append(m.Tables, t)
	}
	if len(m.Tables) == 0 && !b.ds.HasErrors() {
		b.diag(odcs.SeverityError, "schema", "contract has no schema objects to turn into tables")
	}
	m.Relationships = b.relationships()
	return &Database{Name: name, CompatibilityLevel: DefaultCompatibilityLevel, CompatibilityMode: "powerBI", Model: m}
}

// annotationValue makes v fit an annotation line; a value that is only
// ``` cannot be written in TMDL and is reported.
func (b *builder) annotationValue(path, v string) string {
	v = oneLine(v)
	if v == "```" {
		b.diag(odcs.SeverityError, path, "name ``` cannot be written in TMDL")
	}
	return v
}

// oneLine collapses whitespace runs (line breaks included) to one space
// and trims the ends, so a value fits an annotation line.
func oneLine(s string) string {
	clean := true
	for i := 0; i < len(s) && clean; i++ {
		c := s[i]
		switch {
		case c < 0x20 || c >= 0x7f:
			clean = false
		case c == ' ' && (i == 0 || i == len(s)-1 || s[i+1] == ' '):
			clean = false
		}
	}
	if clean {
		return s
	}
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || r == 0x2028 || r == 0x2029
	}), " ")
}

func (b *builder) server() {
	s, err := b.c.Server(b.opts.Server)
	if err != nil {
		b.serverErr = err
		b.diag(odcs.SeverityError, "servers", "no usable server: %v", err)
		return
	}
	b.srv = s
	b.kind = strings.ToLower(s.Type)
	b.role = s.CustomProperties.String("role")
	if b.opts.Role != "" {
		b.role = b.opts.Role
	}
	switch b.kind {
	case "snowflake":
		b.host = normalizeHost(s.Host)
		if b.host == "" && s.Account != "" {
			b.host = strings.ToLower(s.Account) + ".snowflakecomputing.com"
		}
		b.wh = s.Warehouse
		if b.opts.Warehouse != "" {
			b.wh = b.opts.Warehouse
		}
		if b.host == "" {
			b.diag(odcs.SeverityError, s.Path, "snowflake server has neither account nor host")
		}
		if b.wh == "" {
			b.diag(odcs.SeverityError, s.Path, "snowflake server has no warehouse; set it in the contract or in the options")
		}
		if s.Database == "" || s.Schema == "" {
			b.diag(odcs.SeverityError, s.Path, "snowflake server needs database and schema")
		}
	case "databricks":
		b.host = normalizeHost(s.Host)
		b.path = s.CustomProperties.String("httpPath")
		if b.opts.HTTPPath != "" {
			b.path = b.opts.HTTPPath
		}
		if b.host == "" {
			b.diag(odcs.SeverityError, s.Path, "databricks server has no host")
		}
		if b.path == "" {
			b.diag(odcs.SeverityError, s.Path, "databricks server has no httpPath custom property; set it in the contract or in the options")
		}
		if s.Catalog == "" || s.Schema == "" {
			b.diag(odcs.SeverityError, s.Path, "databricks server needs catalog and schema")
		}
	default:
		b.diag(odcs.SeverityError, s.Path, "server type %q is not supported (snowflake, databricks)", s.Type)
	}
}

// normalizeHost removes a scheme, a path and trailing slashes.
func normalizeHost(h string) string {
	h = strings.TrimSpace(h)
	if i := strings.Index(h, "://"); i >= 0 {
		h = h[i+3:]
	}
	if i := strings.IndexByte(h, '/'); i >= 0 {
		h = h[:i]
	}
	return h
}

// plainIdent reports whether s is an unquoted SQL identifier, which
// Snowflake folds to upper case.
func plainIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && (c >= '0' && c <= '9' || c == '$')) {
			return false
		}
	}
	return true
}

// physical returns the name of a column in the source system: the
// physical name, or the logical name with Snowflake's upper-case folding
// for unquoted identifiers.
func (b *builder) physical(name, physicalName string) string {
	if physicalName != "" {
		return unquoteIdent(physicalName)
	}
	if b.kind == "snowflake" && plainIdent(name) {
		return b.upper(name) // plain identifiers are ASCII
	}
	return name
}

// physicalObject returns the name of a database, catalog, schema, table
// or view in the source system: as physical, and on Databricks, whose
// Unity Catalog stores these names in lower case, folded to lower case
// when it is a plain identifier.
func (b *builder) physicalObject(name, physicalName string) string {
	if physicalName == "" && b.kind == "databricks" && plainIdent(name) {
		return strings.ToLower(name)
	}
	return b.physical(name, physicalName)
}

// unquoteIdent removes SQL identifier quotes a contract may carry in a
// physical name: "Mixed Case" (Snowflake, ANSI) or `Mixed Case`
// (Databricks), with doubled quotes inside undoubled.
func unquoteIdent(s string) string {
	if len(s) < 2 {
		return s
	}
	q := s[0]
	if (q != '"' && q != '`') || s[len(s)-1] != q {
		return s
	}
	inner := s[1 : len(s)-1]
	if inner == "" {
		return s
	}
	double := string([]byte{q, q})
	if strings.Contains(strings.ReplaceAll(inner, double, ""), string(q)) {
		return s // a lone quote inside: not a quoted identifier
	}
	return strings.ReplaceAll(inner, double, string(q))
}

// lineage returns the UUIDv5 (RFC 9562, as uuid.NewSHA1) of the contract
// id and an object path in lineageSpace, reusing one hash.
func (b *builder) lineage(parts ...string) string {
	buf := append(b.buf[:0], lineageSpace[:]...)
	buf = append(buf, b.id...)
	for _, p := range parts {
		buf = append(buf, 0)
		buf = append(buf, p...)
	}
	b.buf = buf
	sum := sha1.Sum(buf)
	var u uuid.UUID
	copy(u[:], sum[:])
	u[6] = (u[6] & 0x0f) | 0x50 // version 5
	u[8] = (u[8] & 0x3f) | 0x80 // RFC 9562 variant
	var text [36]byte
	hex.Encode(text[0:8], u[0:4])
	text[8] = '-'
	hex.Encode(text[9:13], u[4:6])
	text[13] = '-'
	hex.Encode(text[14:18], u[6:8])
	text[18] = '-'
	hex.Encode(text[19:23], u[8:10])
	text[23] = '-'
	hex.Encode(text[24:], u[10:])
	return b.intern(text[:]...)
}

// intern copies bytes into the arena and returns them as a string.
func (b *builder) intern(parts ...byte) string {
	start := b.arena.Len()
	b.arena.Write(parts)
	return b.arena.String()[start:]
}

// join returns a + sep + c from the arena.
func (b *builder) join(a string, sep byte, c string) string {
	start := b.arena.Len()
	b.arena.WriteString(a)
	b.arena.WriteByte(sep)
	b.arena.WriteString(c)
	return b.arena.String()[start:]
}

// upper returns s in ASCII upper case, from the arena when it changes.
func (b *builder) upper(s string) string {
	lower := false
	for i := 0; i < len(s) && !lower; i++ {
		lower = s[i] >= 'a' && s[i] <= 'z'
	}
	if !lower {
		return s
	}
	start := b.arena.Len()
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		b.arena.WriteByte(c)
	}
	return b.arena.String()[start:]
}

func (b *builder) checkName(path, what, name string) bool {
	if err := CheckName(name); err != nil {
		b.diag(odcs.SeverityError, path, "%s name cannot be used in Power BI: %v", what, err)
		return false
	}
	return true
}

func (b *builder) table(o *odcs.Object) *Table {
	name := o.Name
	if b.opts.UseBusinessNames && o.BusinessName != "" {
		name = o.BusinessName
	}
	if !b.checkName(o.Path, "table", name) {
		return nil
	}
	t := &Table{
		Name:        name,
		Description: NormalizeDescription(o.Description),
		LineageTag:  b.lineage("table", o.Name),
		Annotations: []Annotation{{Name: AnnotationPath, Value: b.annotationValue(o.Path, o.Name)}},
	}
	b.names[o] = t
	pk := o.PrimaryKey()
	n := len(o.Properties)
	seen := make(map[string]string, n)
	selected := make([]string, 0, n)
	t.Columns = make([]*Column, 0, n)
	// One allocation per table for the columns, their annotations and
	// nullability flags instead of several per column.
	slab := &columnSlab{cols: make([]Column, n), anns: make([]Annotation, 0, 2*n), bools: make([]bool, n)}
	for _, p := range o.Properties {
		col := b.column(o, p, len(pk) == 1 && pk[0] == p, slab)
		if col == nil {
			continue
		}
		k := strings.ToLower(col.Name)
		if prev, dup := seen[k]; dup {
			b.diag(odcs.SeverityError, p.Path, "column name %q collides with %s (Power BI names are case-insensitive)", col.Name, prev)
			continue
		}
		seen[k] = p.Path
		t.Columns = append(t.Columns, col)
		if _, ok := b.cols[p]; ok {
			b.cols[p] = col
		}
		selected = append(selected, col.SourceColumn)
	}
	if len(t.Columns) == 0 {
		b.diag(odcs.SeverityWarning, o.Path, "object %q left out: it has no columns Power BI can load", o.Name)
		delete(b.names, o)
		return nil
	}
	t.Partitions = []*Partition{{Name: name, Type: "m", Mode: b.mode, Source: b.mSource(o, selected)}}
	return t
}

// columnSlab holds the storage of one table's columns.
type columnSlab struct {
	cols  []Column
	anns  []Annotation
	bools []bool
}

func (b *builder) column(o *odcs.Object, p *odcs.Property, isKey bool, slab *columnSlab) *Column {
	name := p.Name
	if b.opts.UseBusinessNames && p.BusinessName != "" {
		name = p.BusinessName
	}
	if !b.checkName(p.Path, "column", name) {
		return nil
	}
	src := b.physical(p.Name, p.PhysicalName)
	if err := CheckName(src); err != nil {
		b.diag(odcs.SeverityError, p.Path, "physical column name cannot be used: %v", err)
		return nil
	}
	ty, note := mapType(p)
	if note != "" {
		b.diag(odcs.SeverityWarning, p.Path, "%s", note)
	}
	if ty.dataType == "" {
		return nil
	}
	col := &slab.cols[0]
	slab.cols = slab.cols[1:]
	*col = Column{
		Name:         name,
		Description:  NormalizeDescription(p.Description),
		DataType:     ty.dataType,
		IsKey:        isKey,
		FormatString: ty.format,
		LineageTag:   b.lineage("column", o.Name, p.Name),
		SourceColumn: src,
		SummarizeBy:  "sum",
	}
	if p.Required || isKey {
		col.IsNullable = &slab.bools[0] // false
		slab.bools = slab.bools[1:]
	}
	if ty.dataType != "int64" && ty.dataType != "double" || isKey || p.PrimaryKey || len(p.Relationships) > 0 || isIdentifier(p.Name) {
		col.SummarizeBy = "none"
	}
	k := 1 + len(ty.annotations)
	if cap(slab.anns)-len(slab.anns) < k {
		slab.anns = make([]Annotation, 0, 2*k+16)
	}
	start := len(slab.anns)
	slab.anns = append(slab.anns, Annotation{Name: AnnotationPath, Value: b.annotationValue(p.Path, b.join(o.Name, '.', p.Name))})
	slab.anns = append(slab.anns, ty.annotations...)
	col.Annotations = slab.anns[start:len(slab.anns):len(slab.anns)]
	return col
}

func isIdentifier(name string) bool {
	l := strings.ToLower(name)
	if l == "id" || strings.HasSuffix(l, "_id") || strings.HasSuffix(l, " id") || strings.HasSuffix(l, "_key") {
		return true
	}
	return len(name) > 2 && strings.HasSuffix(name, "Id") && name[len(name)-3] >= 'a' && name[len(name)-3] <= 'z'
}

type colType struct {
	dataType    string
	format      string
	annotations []Annotation
}

var (
	typeInt    = colType{dataType: "int64", format: "0"}
	typeDouble = colType{dataType: "double", annotations: []Annotation{{Name: "PBI_FormatHint", Value: `{"isGeneralNumber":true}`}}}
	typeString = colType{dataType: "string"}
	typeBool   = colType{dataType: "boolean", format: `"TRUE";"TRUE";"FALSE"`}
	typeDate   = colType{dataType: "dateTime", format: "Long Date", annotations: []Annotation{{Name: "UnderlyingDateTimeDataType", Value: "Date"}}}
	typeStamp  = colType{dataType: "dateTime", format: "General Date"}
	typeTime   = colType{dataType: "dateTime", format: "Long Time", annotations: []Annotation{{Name: "UnderlyingDateTimeDataType", Value: "Time"}}}
)

// splitType splits an upper-case SQL type such as "NUMBER(38, 2)" into
// its base name and scale (0 when absent). ok is false when the text does
// not have that shape.
func splitType(t string) (base string, scale int, ok bool) {
	i := strings.IndexByte(t, '(')
	if i < 0 {
		return strings.TrimSpace(t), 0, true
	}
	base = strings.TrimSpace(t[:i])
	args := strings.TrimSpace(t[i+1:])
	if !strings.HasSuffix(args, ")") {
		return "", 0, false
	}
	args = args[:len(args)-1]
	if j := strings.IndexByte(args, ','); j >= 0 {
		n, err := strconv.Atoi(strings.TrimSpace(args[j+1:]))
		if err != nil {
			return "", 0, false
		}
		scale = n
		args = args[:j]
	}
	if _, err := strconv.Atoi(strings.TrimSpace(args)); err != nil {
		return "", 0, false
	}
	return base, scale, true
}

// mapType maps a property to its Power BI type: physicalType first,
// logicalType otherwise. A non-empty note is a warning for the author.
func mapType(p *odcs.Property) (colType, string) {
	lt := strings.ToLower(p.LogicalType)
	if lt == "object" || lt == "array" || len(p.Properties) > 0 || p.Items != nil {
		return typeString, ""
	}
	if pt := strings.TrimSpace(p.PhysicalType); pt != "" {
		up := strings.ToUpper(pt)
		for _, pre := range []string{"STRUCT", "MAP", "ARRAY", "VARIANT", "OBJECT"} {
			if strings.HasPrefix(up, pre) {
				return typeString, ""
			}
		}
		if base, scale, ok := splitType(up); ok {
			switch base {
			case "NUMBER", "DECIMAL", "NUMERIC", "DEC":
				if scale > 0 {
					return typeDouble, ""
				}
				return typeInt, ""
			case "INT", "INTEGER", "BIGINT", "SMALLINT", "TINYINT", "BYTEINT", "LONG", "SHORT", "BYTE":
				return typeInt, ""
			case "FLOAT", "FLOAT4", "FLOAT8", "DOUBLE", "DOUBLE PRECISION", "REAL":
				return typeDouble, ""
			case "VARCHAR", "CHAR", "CHARACTER", "STRING", "TEXT", "NVARCHAR", "NCHAR", "CHAR VARYING", "NCHAR VARYING":
				return typeString, ""
			case "BOOLEAN", "BOOL":
				return typeBool, ""
			case "DATE":
				return typeDate, ""
			case "DATETIME", "TIMESTAMP", "TIMESTAMP_NTZ", "TIMESTAMP_LTZ", "TIMESTAMP_TZ":
				return typeStamp, ""
			case "TIME":
				return typeTime, ""
			case "BINARY", "VARBINARY":
				return colType{}, fmt.Sprintf("binary column %q left out: Power BI cannot load binary data reliably", p.Name)
			}
		}
		if lt == "" {
			return typeString, fmt.Sprintf("physicalType %q is not known; column %q is loaded as text", pt, p.Name)
		}
	}
	switch lt {
	case "integer":
		return typeInt, ""
	case "number":
		return typeDouble, ""
	case "boolean":
		return typeBool, ""
	case "date":
		return typeDate, ""
	case "timestamp":
		return typeStamp, ""
	case "time":
		return typeTime, ""
	case "string", "":
		return typeString, ""
	}
	return typeString, fmt.Sprintf("logicalType %q is not known; column %q is loaded as text", p.LogicalType, p.Name)
}

// mSource writes the partition's M query: navigate to the object and
// select exactly the contract's columns. Every name is an M string
// literal; step names are M identifiers.
func (b *builder) mSource(o *odcs.Object, cols []string) string {
	if b.srv == nil {
		return ""
	}
	kind := "Table"
	if strings.EqualFold(o.PhysicalType, "view") || strings.EqualFold(o.PhysicalType, "materialized view") {
		kind = "View"
	}
	obj := b.physicalObject(o.Name, o.PhysicalName)
	step := MIdentifier(o.Name)
	switch o.Name {
	case "Source", "Db", "Schema", "Catalog", "Selected":
		step = MIdentifier(o.Name + " " + kind)
	}
	m := make([]byte, 0, 400+24*len(cols))
	m = append(m, "let\n"...)
	switch b.kind {
	case "snowflake":
		m = append(m, "    Source = Snowflake.Databases("...)
		m = appendMString(m, b.host)
		m = append(m, ", "...)
		m = appendMString(m, b.wh)
		m = append(m, ", ["...)
		if b.role != "" {
			m = append(m, "Role="...)
			m = appendMString(m, b.role)
			m = append(m, ", "...)
		}
		m = append(m, "Implementation=\"2.0\"]),\n    Db = Source{[Name="...)
		m = appendMString(m, b.physicalObject(b.srv.Database, ""))
		m = append(m, ",Kind=\"Database\"]}[Data],\n    Schema = Db{[Name="...)
		m = appendMString(m, b.physicalObject(b.srv.Schema, ""))
		m = append(m, ",Kind=\"Schema\"]}[Data],\n"...)
	case "databricks":
		m = append(m, "    Source = Databricks.Catalogs("...)
		m = appendMString(m, b.host)
		m = append(m, ", "...)
		m = appendMString(m, b.path)
		m = append(m, ", [Catalog=null, Database=null, EnableAutomaticProxyDiscovery=null]),\n    Catalog = Source{[Name="...)
		m = appendMString(m, b.physicalObject(b.srv.Catalog, ""))
		m = append(m, ",Kind=\"Database\"]}[Data],\n    Schema = Catalog{[Name="...)
		m = appendMString(m, b.physicalObject(b.srv.Schema, ""))
		m = append(m, ",Kind=\"Schema\"]}[Data],\n"...)
	default:
		return ""
	}
	m = append(m, "    "...)
	m = append(m, step...)
	m = append(m, " = Schema{[Name="...)
	m = appendMString(m, obj)
	m = append(m, ",Kind=\""...)
	m = append(m, kind...)
	m = append(m, "\"]}[Data],\n    Selected = Table.SelectColumns("...)
	m = append(m, step...)
	m = append(m, ", {"...)
	for i, c := range cols {
		if i > 0 {
			m = append(m, ", "...)
		}
		m = appendMString(m, c)
	}
	m = append(m, "})\nin\n    Selected"...)
	return string(m)
}

func (b *builder) relationships() []*Relationship {
	fks := b.fks
	var out []*Relationship
	pairs := map[[2]*Table]bool{}
	for _, fk := range fks {
		path := ""
		if fk.Relationship != nil {
			path = fk.Relationship.Path
		}
		if len(fk.FromColumns) != 1 || len(fk.ToColumns) != 1 {
			b.diag(odcs.SeverityWarning, path, "composite foreign key cannot be expressed as a Power BI relationship; skipped")
			continue
		}
		from, to := b.cols[fk.FromColumns[0]], b.cols[fk.ToColumns[0]]
		ft, tt := b.names[fk.From], b.names[fk.To]
		if from == nil || to == nil || ft == nil || tt == nil {
			b.diag(odcs.SeverityWarning, path, "foreign key refers to a column that is not in the model; skipped")
			continue
		}
		if ft == tt {
			b.diag(odcs.SeverityWarning, path, "foreign key within one table cannot be a Power BI relationship; skipped")
			continue
		}
		if from.DataType != to.DataType {
			b.diag(odcs.SeverityWarning, path, "foreign key joins %s.%s (%s) to %s.%s (%s): Power BI relates only columns of one type; skipped",
				ft.Name, from.Name, from.DataType, tt.Name, to.Name, to.DataType)
			continue
		}
		if target := fk.ToColumns[0]; !target.Unique && !(target.PrimaryKey && len(fk.To.PrimaryKey()) == 1) {
			b.diag(odcs.SeverityWarning, path, "foreign key target %s.%s is neither the primary key nor unique; Power BI needs unique values on the one side", tt.Name, to.Name)
		}
		r := &Relationship{
			Name:       b.lineage("relationship", fk.From.Name, fk.FromColumns[0].Name, fk.To.Name, fk.ToColumns[0].Name),
			FromColumn: ColumnRef{Table: ft.Name, Column: from.Name},
			ToColumn:   ColumnRef{Table: tt.Name, Column: to.Name},
		}
		key := [2]*Table{ft, tt}
		if tt.Name < ft.Name {
			key = [2]*Table{tt, ft}
		}
		if pairs[key] {
			f := false
			r.IsActive = &f
			b.diag(odcs.SeverityWarning, path, "another relationship already joins %s and %s; this one is inactive", ft.Name, tt.Name)
		}
		pairs[key] = true
		from.SummarizeBy = "none"
		out = append(out, r)
	}
	return out
}
