package odcs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// base is a minimal valid v3.1.0 contract; cases append to it.
const base = `apiVersion: v3.1.0
kind: DataContract
id: c1
version: "1.0.0"
status: active
`

func TestValidate_diagnostics(t *testing.T) {
	type want struct {
		sev  Severity
		line int
		path string
		msg  string
	}
	tests := []struct {
		name string
		in   string
		want []want
	}{
		{
			name: "valid",
			in:   base + "schema:\n  - name: t\n    properties:\n      - name: a\n        logicalType: string\n",
		},
		{
			name: "enum_with_suggestion",
			in:   base + "schema:\n  - name: t\n    properties:\n      - name: a\n        logicalType: integr\n",
			want: []want{{SeverityError, 10, "schema[0].properties[0].logicalType", `"integr" is not allowed; use one of: string, date, timestamp, time, number, integer, object, array, boolean (did you mean integer?)`}},
		},
		{
			name: "const",
			in:   strings.Replace(base, "kind: DataContract", "kind: Datacontract", 1),
			want: []want{{SeverityError, 2, "kind", `must be "DataContract", not "Datacontract"`}},
		},
		{
			name: "type_yes_for_boolean",
			in:   base + "schema:\n  - name: t\n    properties:\n      - name: a\n        required: yes\n",
			want: []want{{SeverityError, 10, "schema[0].properties[0].required", `expected true or false, found the text "yes" (write true or false, unquoted)`}},
		},
		{
			name: "type_quoted_number",
			in:   base + "servers:\n  - server: s\n    type: postgres\n    host: h\n    port: \"5432\"\n    database: d\n    schema: p\n",
			want: []want{{SeverityError, 10, "servers[0].port", `expected a whole number, found the text "5432" (remove the quotes)`}},
		},
		{
			name: "type_list_for_text",
			in:   base + "name: [a, b]\n",
			want: []want{{SeverityError, 6, "name", "expected text, found a list"}},
		},
		{
			name: "unquoted_number_read_as_text",
			in:   strings.Replace(base, `version: "1.0.0"`, "version: 1.10", 1),
			want: []want{{SeverityWarning, 4, "version", `unquoted 1.10 is a number in YAML; it is read as the text "1.10" here`}},
		},
		{
			name: "unquoted_date_is_text",
			in:   base + "contractCreatedTs: 2024-01-02T03:04:05Z\n",
		},
		{
			name: "required_missing",
			in:   base + "schema:\n  - physicalName: t\n",
			want: []want{{SeverityError, 7, "schema[0]", `missing required field "name"`}},
		},
		{
			name: "required_missing_top_level",
			in:   "apiVersion: v3.1.0\nkind: DataContract\n",
			want: []want{
				{SeverityError, 1, "", `missing required field "id"`},
				{SeverityError, 1, "", `missing required field "status"`},
				{SeverityError, 1, "", `missing required field "version"`},
			},
		},
		{
			name: "unknown_field_legacy",
			in:   base + "schema:\n  - name: t\n    properties:\n      - name: a\n        isNullable: false\n",
			want: []want{{SeverityError, 10, "schema[0].properties[0].isNullable", `unknown field "isNullable" (not defined here by ODCS v3.1.0); use required (true means NOT NULL)`}},
		},
		{
			name: "unknown_field_typo_reported_once",
			in:   base + "schema:\n  - name: t\n    properties:\n      - name: a\n        logicalTpye: string\n        description: x\n",
			want: []want{{SeverityError, 10, "schema[0].properties[0].logicalTpye", `unknown field "logicalTpye" (not defined here by ODCS v3.1.0); did you mean "logicalType"?`}},
		},
		{
			name: "known_field_in_wrong_place",
			in:   base + "servers:\n  - server: s\n    type: custom\n    logicalType: string\n",
			want: []want{{SeverityError, 9, "servers[0].logicalType", `field "logicalType" is not allowed here (ODCS v3.1.0)`}},
		},
		{
			name: "oneof_team_wrong_type",
			in:   base + "team: alice\n",
			want: []want{{SeverityError, 6, "team", `expected a mapping or a list, found the text "alice"`}},
		},
		{
			name: "relationship_reference_form",
			in: base + "schema:\n  - name: t\n    properties:\n      - name: a\n        relationships:\n          - to: not a ref\n" +
				"  - name: u\n    properties:\n      - name: b\n",
			want: []want{
				{SeverityError, 11, "schema[0].properties[0].relationships[0].to", `fits none of the allowed forms: "not a ref" is not a reference of the form table.column; or "not a ref" is not a reference of the form schema/<objectId>/properties/<propertyId>`},
				{SeverityWarning, 11, "schema[0].properties[0].relationships[0].to", `reference "not a ref" is not of the form table.column`},
			},
		},
		{
			name: "relationship_on_property_with_from",
			in:   base + "schema:\n  - name: t\n    properties:\n      - name: a\n        relationships:\n          - from: t.a\n            to: t.a\n",
			want: []want{{SeverityError, 11, "schema[0].properties[0].relationships[0]", `a relationship on a property must not have "from"`}},
		},
		{
			name: "apiVersion_v2",
			in:   "apiVersion: v2.2.2\nkind: DataContract\n",
			want: []want{{SeverityError, 1, "apiVersion", "ODCS v2 contracts (apiVersion v2.2.2) are not supported"}},
		},
		{
			name: "apiVersion_unknown",
			in:   "apiVersion: v3.2.0\nkind: DataContract\n",
			want: []want{{SeverityError, 1, "apiVersion", `unsupported apiVersion "v3.2.0"; supported: v3.0.0, v3.0.1, v3.0.2, v3.1.0`}},
		},
		{
			name: "apiVersion_without_v",
			in:   "apiVersion: \"3.1.0\"\nkind: DataContract\n",
			want: []want{{SeverityError, 1, "apiVersion", `did you mean v3.1.0?`}},
		},
		{
			name: "apiVersion_number",
			in:   "apiVersion: 3.1\nkind: DataContract\n",
			want: []want{{SeverityError, 1, "apiVersion", "apiVersion must be text such as v3.1.0; found a number"}},
		},
		{
			name: "apiVersion_missing",
			in:   "kind: DataContract\nid: x\nversion: \"1\"\nstatus: active\n",
			want: []want{{SeverityError, 1, "", `missing required field "apiVersion"`}},
		},
		{
			name: "newer_version_would_accept",
			in:   strings.Replace(base, "v3.1.0", "v3.0.2", 1) + "schema:\n  - name: t\n    properties:\n      - name: a\n        logicalType: timestamp\n",
			want: []want{
				{SeverityInfo, 1, "apiVersion", "the contract is not valid ODCS v3.0.2 but is valid ODCS v3.1.0: set apiVersion: v3.1.0"},
				{SeverityError, 10, "schema[0].properties[0].logicalType", `"timestamp" is not allowed`},
			},
		},
		{
			name: "object_names_collide",
			in:   base + "schema:\n  - name: Orders\n  - name: orders\n",
			want: []want{{SeverityError, 8, "schema[1].name", `object name "orders" collides with "Orders" (schema[0], line 7): Power BI compares names case-insensitively`}},
		},
		{
			name: "object_names_duplicate",
			in:   base + "schema:\n  - name: orders\n  - name: orders\n",
			want: []want{{SeverityError, 8, "schema[1].name", `duplicate object name "orders" (also at schema[0], line 7)`}},
		},
		{
			name: "property_names_collide",
			in:   base + "schema:\n  - name: t\n    properties:\n      - name: Id\n      - name: ID\n",
			want: []want{{SeverityError, 10, "schema[0].properties[1].name", `property name "ID" collides with "Id"`}},
		},
		{
			name: "relationship_unresolved_table",
			in:   base + "schema:\n  - name: t\n    properties:\n      - name: a\n        relationships:\n          - to: u.b\n",
			want: []want{{SeverityWarning, 11, "schema[0].properties[0].relationships[0].to", `reference "u.b" does not resolve: no schema object is named "u"`}},
		},
		{
			name: "relationship_unresolved_column",
			in:   base + "schema:\n  - name: t\n    properties:\n      - name: a\n        relationships:\n          - to: t.b\n",
			want: []want{{SeverityWarning, 11, "schema[0].properties[0].relationships[0].to", `reference "t.b" does not resolve: "t" has no property named "b"`}},
		},
		{
			name: "relationship_by_id",
			in:   base + "schema:\n  - id: tt\n    name: t\n    properties:\n      - id: pa\n        name: a\n        relationships:\n          - to: schema/tt/properties/pb\n",
			want: []want{{SeverityWarning, 13, "schema[0].properties[0].relationships[0].to", `"t" has no property with id "pb"`}},
		},
		{
			name: "relationship_other_file",
			in:   base + "schema:\n  - name: t\n    properties:\n      - name: a\n        relationships:\n          - to: other.yaml#schema/x/properties/y\n",
			want: []want{{SeverityInfo, 11, "schema[0].properties[0].relationships[0].to", "points into another file (other.yaml); it is not checked"}},
		},
		{
			name: "relationship_arity",
			in: base + "schema:\n  - name: t\n    relationships:\n      - from: [t.a, t.b]\n        to: [u.x]\n    properties:\n      - name: a\n      - name: b\n" +
				"  - name: u\n    properties:\n      - name: x\n",
			want: []want{{SeverityError, 9, "schema[0].relationships[0]", `"from" has 2 column(s) but "to" has 1`}},
		},
		{
			name: "duplicate_key",
			in:   base + "name: a\nname: b\n",
			want: []want{{SeverityError, 7, "", `duplicate key "name" (first at line 6); the last one wins`}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := Lint([]byte(tt.in), &ParseOptions{Filename: "c.yaml"})
			if len(got) != len(tt.want) {
				t.Fatalf("Lint(%s) = %d diagnostics, want %d:\n%s", tt.name, len(got), len(tt.want), got)
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Severity != w.sev || g.Line != w.line || g.Path != w.path || !strings.Contains(g.Message, w.msg) || g.File != "c.yaml" {
					t.Errorf("Lint(%s)[%d] = %v\nwant %v line %d, path %q, message containing %q", tt.name, i, g, w.sev, w.line, w.path, w.msg)
				}
				if g.Line > 0 && g.Column == 0 {
					t.Errorf("Lint(%s)[%d] = %v has a line but no column", tt.name, i, g)
				}
			}
		})
	}
}

func TestValidate_sortedByPosition(t *testing.T) {
	in := base + "schema:\n  - name: t\n    properties:\n      - name: a\n        logicalType: nope\n      - name: A\n        required: maybe\n  - name: T\n"
	_, ds := Lint([]byte(in), nil)
	if len(ds) != 4 {
		t.Fatalf("Lint = %v, want 4 diagnostics", ds)
	}
	for i := 1; i < len(ds); i++ {
		a, b := ds[i-1], ds[i]
		if a.Line > b.Line || a.Line == b.Line && a.Column > b.Column {
			t.Errorf("diagnostics out of order:\n%s", ds)
		}
	}
}

func TestValidate_handBuilt(t *testing.T) {
	c := &Contract{Schema: []*Object{
		{Name: "a", Path: "schema[0]"},
		{Name: "A", Path: "schema[1]"},
	}}
	ds := Validate(c)
	if len(ds) != 1 || ds[0].Path != "schema[1].name" || ds[0].Line != 0 {
		t.Errorf("Validate(hand-built) = %v, want one collision at schema[1].name without a position", ds)
	}
	if ds := Validate(nil); !ds.HasErrors() {
		t.Errorf("Validate(nil) = %v, want an error", ds)
	}
}

func TestSupportedVersions_compile(t *testing.T) {
	for _, v := range versions {
		cs, err := v.compile()
		if err != nil {
			t.Errorf("schema %s: %v", v.apiVersion, err)
			continue
		}
		if cs.property == nil || !cs.plainText["name"] || !cs.plainText["description"] {
			t.Errorf("schema %s: split validation off (property %v, plain text %v)", v.apiVersion, cs.property != nil, cs.plainText)
		}
		t.Logf("%s: plain text fields %v", v.apiVersion, cs.plainText)
	}
	if got := strings.Join(SupportedVersions(), ","); got != "v3.0.0,v3.0.1,v3.0.2,v3.1.0" {
		t.Errorf("SupportedVersions() = %s", got)
	}
}

// TestSplitValidation_equivalent checks that validating properties one
// distinct shape at a time reports exactly what validating the whole
// document does.
func TestSplitValidation_equivalent(t *testing.T) {
	var files []string
	for _, pattern := range []string{"testdata/examples/*.yaml", "testdata/examples/v3.0.2/*.yaml", "testdata/lint/*.yaml", "testdata/parse/*.yaml"} {
		m, _ := filepath.Glob(pattern)
		files = append(files, m...)
	}
	inputs := map[string][]byte{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs[f] = data
	}
	// Many properties that share a shape, some broken.
	inputs["generated"] = []byte(base + `schema:
  - name: a
    properties:
      - {name: x1, logicalType: string, description: one}
      - {name: x2, logicalType: strin, description: two}
      - {name: x3, logicalType: string, description: three, isNullable: true}
      - {name: x4, logicalType: strin, description: four}
      - {name: 5, logicalType: string}
      - {name: x6, logicalType: object, properties: [{name: n1, logicalType: bad}, {name: n2, required: "no"}]}
      - {name: x7, logicalType: array, items: {name: i, logicalType: integer, logicalTypeOptions: {maxLength: 3}}}
      - just text
  - name: b
    properties:
      - {name: y1, logicalType: strin, description: again}
      - {name: y2, logicalType: string, primaryKey: yes}
`)
	for name, data := range inputs {
		c, err := Parse(data, &ParseOptions{Filename: "f"})
		if err != nil {
			continue
		}
		v := lookupVersion(c.APIVersion)
		if v == nil {
			continue
		}
		cs, err := v.compile()
		if err != nil {
			t.Fatal(err)
		}
		whole := *cs
		whole.property = nil
		split, splitOK := c.schemaDiagnosticsWith(v, cs)
		full, fullOK := c.schemaDiagnosticsWith(v, &whole)
		split.sort()
		full.sort()
		if diff := cmp.Diff(full, split); diff != "" || splitOK != fullOK {
			t.Errorf("%s: split validation differs (-whole +split):\n%s", name, diff)
		}
		if name == "generated" && len(split) < 8 {
			t.Errorf("generated: only %d diagnostics:\n%s", len(split), split)
		}
	}
}

// TestValidate_concurrent validates from several goroutines at once
// (run with -race): the schema is compiled once and shared.
func TestValidate_concurrent(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "lint", "mixed-errors.odcs.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Validate(c).String()
	v := lookupVersion("v3.1.0")
	first, _ := v.compile()
	done := make(chan string)
	for i := 0; i < 4; i++ {
		go func() {
			if cs, _ := v.compile(); cs != first {
				done <- "schema compiled twice"
				return
			}
			done <- Validate(c).String()
		}()
	}
	for i := 0; i < 4; i++ {
		if got := <-done; got != want {
			t.Errorf("concurrent Validate = %s, want %s", got, want)
		}
	}
}

// TestHandBuilt_nilEntries checks that nil entries in a hand-built
// contract are skipped, not dereferenced.
func TestHandBuilt_nilEntries(t *testing.T) {
	c := &Contract{
		Servers: []*Server{nil},
		Schema:  []*Object{nil, {Name: "t", Properties: []*Property{nil, {Name: "a", Relationships: []*Relationship{nil}, Properties: []*Property{nil}}}, Relationships: []*Relationship{nil}}},
	}
	Validate(c)
	c.ForeignKeys()
	c.Server("")
	c.Object("x")
	c.Schema[1].Property("x")
	c.Schema[1].PrimaryKey()
}
