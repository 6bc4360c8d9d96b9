package tmdl

// Part is one file of a semantic model definition, as the Fabric
// definition API and a PBIP folder hold it.
//
// Path is relative to the <Name>.SemanticModel folder and uses forward
// slashes: "definition.pbism", "definition/model.tmdl",
// "definition/tables/Orders.tmdl".
type Part struct {
	Path    string
	Payload []byte
}

// Database is the root of a semantic model: database.tmdl plus the model
// it holds.
//
// The zero value is not usable: Parts needs a Name and a Model. A Database
// is a plain value; it is not safe for concurrent mutation.
type Database struct {
	// Name is the database (and semantic model folder) name.
	Name string
	// CompatibilityLevel, e.g. 1601. Zero means DefaultCompatibilityLevel.
	CompatibilityLevel int
	// CompatibilityMode, e.g. "powerBI". Empty omits the property.
	CompatibilityMode string
	// Model is the tabular model. Required.
	Model *Model
	// Extra holds database properties the document model does not type.
	Extra []*Node
}

// DefaultCompatibilityLevel is the level written when
// Database.CompatibilityLevel is zero. 1601 with compatibilityMode powerBI
// is what current Power BI Desktop writes.
const DefaultCompatibilityLevel = 1601

// Model is the model object of model.tmdl and everything it owns.
//
// Tables are written in slice order, which is also the order of the
// `ref table` lines in model.tmdl. The zero value is an empty model
// named "Model".
type Model struct {
	// Name of the model; empty means "Model".
	Name string
	// Description is written as /// lines above the model declaration.
	Description string
	// Culture, e.g. "en-US". Empty omits the property.
	Culture                         string
	DefaultPowerBIDataSourceVersion string
	DiscourageImplicitMeasures      bool
	SourceQueryCulture              string

	Tables        []*Table
	Relationships []*Relationship
	Expressions   []*Expression
	Annotations   []Annotation

	// Extra holds model properties and model-level objects the document
	// model does not type (dataAccessOptions, queryGroup, cultureInfo,
	// role, perspective, ...), kept in the order they were read.
	Extra []*Node
}

// Table is one tables/<Name>.tmdl file. Name is required; every other
// field's zero value leaves its property out.
type Table struct {
	Name        string
	Description string
	IsHidden    bool
	LineageTag  string

	DataCategory string

	Measures    []*Measure
	Columns     []*Column
	Partitions  []*Partition
	Annotations []Annotation

	// Extra holds table properties and child objects the document model
	// does not type (hierarchies, calculationGroup, ...).
	Extra []*Node
}

// Column is a table column. A non-empty Expression makes it a calculated
// column (`column Name = <DAX>`). Name is required; empty strings, false
// and nil leave their property out, which means TOM's default.
type Column struct {
	Name        string
	Description string
	Expression  string

	DataType         string // int64, double, decimal, string, boolean, dateTime, binary
	IsHidden         bool
	IsKey            bool
	IsNullable       *bool // nil: default (nullable); written only when false
	FormatString     string
	IsAvailableInMdx *bool // nil: default (true)
	DisplayFolder    string
	LineageTag       string
	DataCategory     string
	SummarizeBy      string // none, sum, count, ...
	SourceColumn     string
	SortByColumn     string

	Annotations []Annotation
	Extra       []*Node
}

// Measure is a DAX measure. Name and Expression are required.
type Measure struct {
	Name          string
	Description   string
	Expression    string
	FormatString  string
	IsHidden      bool
	DisplayFolder string
	LineageTag    string

	Annotations []Annotation
	Extra       []*Node
}

// Partition is a table partition. Name is required; Type "" means "m".
type Partition struct {
	Name        string
	Description string
	// Type is the source type after `=`: "m", "calculated", "entity", ...
	Type string
	// Mode is the storage mode: "import", "directQuery" or "dual".
	// Empty omits the property (TOM's default).
	Mode       string
	QueryGroup string
	// Source is the partition's query: M text for Type "m".
	Source string

	Annotations []Annotation
	Extra       []*Node
}

// ColumnRef names a column of a table, as in `fromColumn: Sales.'Order Date'`.
type ColumnRef struct {
	Table, Column string
}

// Relationship joins FromColumn (the many side by default) to ToColumn.
// Defaults (many-to-one, single direction, active) are the zero values
// and are not written.
type Relationship struct {
	Name string
	// IsActive nil or true: active; false writes `isActive: false`.
	IsActive *bool
	// CrossFilteringBehavior: "" (oneDirection) or "bothDirections", ...
	CrossFilteringBehavior string
	// FromCardinality: "" (many) or "one".
	FromCardinality string
	// ToCardinality: "" (one) or "many".
	ToCardinality string
	FromColumn    ColumnRef
	ToColumn      ColumnRef

	Annotations []Annotation
	Extra       []*Node
}

// Expression is a shared M expression or parameter of expressions.tmdl.
// Name and Expression are required.
type Expression struct {
	Name        string
	Description string
	Expression  string
	LineageTag  string
	QueryGroup  string

	Annotations []Annotation
	Extra       []*Node
}

// Annotation is a name/value pair on an object: `annotation Name = Value`.
type Annotation struct {
	Name, Value string
}

// Node is a TMDL property or object that the typed document model does
// not cover, kept as read so that encode(decode(x)) loses nothing.
//
// A property is written `Keyword: Value` (Op ':'), `Keyword = Value`
// (Op '=', Value an expression), or `Keyword` alone (Op 0, a boolean or a
// property with child properties). An object adds a Name:
// `Keyword Name [= Value]`. Values after ':' are kept verbatim (quotes
// included); expressions after '=' are the expression text.
type Node struct {
	Description string
	Keyword     string
	Name        string
	HasName     bool
	Op          byte
	Value       string
	Children    []*Node
}
