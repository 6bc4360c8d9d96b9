package odcs

import (
	"fmt"
	"strconv"
)

// Position is a place in a contract's source: a 1-based line and column.
// The zero Position means the place is unknown.
type Position struct {
	Line, Column int
}

// IsValid reports whether p names a place in the source.
func (p Position) IsValid() bool { return p.Line > 0 }

// String returns "LINE:COL", or "-" for the zero Position.
func (p Position) String() string {
	if !p.IsValid() {
		return "-"
	}
	return strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Column)
}

// Contract is a parsed ODCS v3 data contract.
//
// Parse fills every field it finds; fields the contract does not set are
// left at their zero value, and fields ODCS defines but this package does
// not model are kept only in the source tree, which [Validate] still
// checks. A Contract built by hand (not by Parse) has no source tree:
// [Contract.Position] then returns the zero Position and [Validate]
// validates nothing but the semantic checks.
//
// A Contract is not modified by this package after Parse returns, so it
// is safe for concurrent reads; callers that modify it must synchronise.
type Contract struct {
	APIVersion  string
	Kind        string
	ID          string
	Name        string
	Version     string
	Status      string
	Domain      string
	DataProduct string
	Tenant      string

	// ContractCreatedTs is the timestamp as written in the source.
	ContractCreatedTs string

	Description Description
	Servers     []*Server
	Schema      []*Object

	// Team holds both the v3.0 array form (then only Members is set) and
	// the v3.1 object form. Nil when the contract has no team.
	Team *Team

	Roles            []*Role
	Support          []*Support
	Tags             []string
	CustomProperties CustomProperties

	// Filename is the name given in ParseOptions; it prefixes
	// diagnostics.
	Filename string

	root   *node       // the source tree; nil for a hand-built Contract
	shared bool        // the tree has nodes reached through aliases
	notes  Diagnostics // problems found while parsing that are not fatal
}

// Description is the contract's top-level description object.
type Description struct {
	Purpose          string
	Usage            string
	Limitations      string
	CustomProperties CustomProperties
}

// Server is one entry of the contract's servers list: where the data
// lives. Fields that do not apply to the server's type are empty.
type Server struct {
	Server      string // the server's name
	Type        string // snowflake, databricks, postgres, …
	Environment string
	Description string

	Account   string
	Host      string
	Database  string
	Catalog   string
	Schema    string
	Warehouse string
	Port      int

	// CustomProperties carries settings ODCS has no field for, such as
	// a Snowflake "role" or a Databricks "httpPath".
	CustomProperties CustomProperties

	Path string   // "servers[0]"
	Pos  Position // position of the server in the source
}

// CustomProperties is a list of ODCS customProperties ({property, value}).
type CustomProperties []CustomProperty

// CustomProperty is one {property, value} pair.
type CustomProperty struct {
	Property string

	// Value is nil, bool, int (uint64 or float64 when out of int range),
	// float64, string, []any or map[string]any. YAML timestamps stay
	// strings, as written.
	Value any

	// Text is the scalar value exactly as written in the source; empty
	// for lists, mappings, and properties not built by Parse.
	Text string
}

// Lookup returns the value of the first property named name.
func (p CustomProperties) Lookup(name string) (any, bool) {
	for _, cp := range p {
		if cp.Property == name {
			return cp.Value, true
		}
	}
	return nil, false
}

// String returns the value of the first property named name as text: a
// scalar as written in the source (so 1.10 stays "1.10"), other values
// formatted with fmt. It returns "" when the property is absent or null.
func (p CustomProperties) String(name string) string {
	for _, cp := range p {
		if cp.Property != name {
			continue
		}
		if cp.Text != "" {
			return cp.Text
		}
		if cp.Value == nil {
			return ""
		}
		if s, ok := cp.Value.(string); ok {
			return s
		}
		return fmt.Sprint(cp.Value)
	}
	return ""
}

// Object is a schema object: a table, view, topic or file.
type Object struct {
	ID           string
	Name         string
	PhysicalName string
	PhysicalType string
	LogicalType  string
	BusinessName string
	Description  string
	Tags         []string

	Properties       []*Property
	Relationships    []*Relationship
	CustomProperties CustomProperties

	Path string   // "schema[2]"
	Pos  Position // position of the object in the source
}

// Property is a schema property: a column, or a field of a nested
// object or array.
type Property struct {
	ID                 string
	Name               string
	PhysicalName       string
	PhysicalType       string
	LogicalType        string
	LogicalTypeOptions map[string]any

	PrimaryKey bool
	// PrimaryKeyPosition is 1-based; -1 or 0 mean "not part of the key".
	PrimaryKeyPosition int

	Required    bool // NOT NULL
	Unique      bool
	Partitioned bool

	Classification string
	Description    string
	BusinessName   string
	Examples       []any
	Tags           []string

	CustomProperties CustomProperties

	// Properties are the fields of a nested object (logicalType object).
	Properties []*Property
	// Items describes the elements of an array (logicalType array).
	Items *Property

	Relationships []*Relationship

	Path string   // "schema[2].properties[5]"
	Pos  Position // position of the property in the source
}

// Relationship is an ODCS v3.1 relationship (a foreign key).
type Relationship struct {
	Type string // "foreignKey"

	// From and To are references ("table.column" or
	// "schema/<id>/properties/<id>"), always as slices: a single string
	// becomes one element. On a top-level property, From is the
	// property itself ("table.column" of the declaring property); on a
	// nested property it is empty.
	From, To []string

	CustomProperties CustomProperties

	Path string   // "schema[0].relationships[1]"
	Pos  Position // position of the relationship in the source
}

// Team is the team that owns the contract.
type Team struct {
	ID          string
	Name        string
	Description string
	Members     []*TeamMember
}

// TeamMember is one member of the team.
type TeamMember struct {
	Username           string
	Name               string
	Description        string
	Role               string
	DateIn             string
	DateOut            string
	ReplacedByUsername string
}

// Role is an IAM role that gives access to the data.
type Role struct {
	Role                 string
	Description          string
	Access               string
	FirstLevelApprovers  string
	SecondLevelApprovers string
	CustomProperties     CustomProperties
}

// Support is a support channel.
type Support struct {
	Channel       string
	URL           string
	Description   string
	Tool          string
	Scope         string
	InvitationURL string
}
