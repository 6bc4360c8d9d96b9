package odcs

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseFile_full(t *testing.T) {
	c, err := ParseFile(filepath.Join("testdata", "parse", "full.odcs.yaml"))
	if err != nil {
		t.Fatalf("ParseFile: %v", err)
	}
	want := &Contract{
		APIVersion: "v3.1.0", Kind: "DataContract", ID: "urn:acme:sales:orders", Name: "Orders",
		Version: "1.10", Status: "active", Domain: "sales", DataProduct: "orders", Tenant: "acme",
		ContractCreatedTs: "2025-01-02T03:04:05Z",
		Description:       Description{Purpose: "Orders placed in the web shop.", Usage: "Reporting", Limitations: "No returns."},
		Tags:              []string{"sales", "orders"},
		CustomProperties:  CustomProperties{{Property: "owner", Value: "team-sales", Text: "team-sales"}},
		Filename:          filepath.Join("testdata", "parse", "full.odcs.yaml"),
		Servers: []*Server{
			{
				Server: "prod", Type: "snowflake", Environment: "prod", Account: "acme-xy12345",
				Host: "acme-xy12345.snowflakecomputing.com", Port: 443, Database: "SALES", Schema: "PUBLIC",
				Warehouse: "REPORTING_WH",
				CustomProperties: CustomProperties{
					{Property: "role", Value: "ANALYST", Text: "ANALYST"},
					{Property: "precision", Value: 1.1, Text: "1.10"},
					{Property: "mask", Value: 31, Text: "0x1F"},
					{Property: "since", Value: "2024-01-01", Text: "2024-01-01"},
				},
				Path: "servers[0]", Pos: Position{20, 5},
			},
			{
				Server: "lake", Type: "databricks", Host: "https://adb-123.azuredatabricks.net/",
				Catalog: "main", Schema: "sales",
				CustomProperties: CustomProperties{{Property: "httpPath", Value: "/sql/1.0/warehouses/abc", Text: "/sql/1.0/warehouses/abc"}},
				Path:             "servers[1]", Pos: Position{38, 5},
			},
		},
		Team: &Team{Name: "sales-data", Description: "The sales data team.", Members: []*TeamMember{
			{Username: "alice", Name: "Alice", Role: "owner", DateIn: "2024-01-01"},
		}},
		Roles:   []*Role{{Role: "sales_reader", Access: "read", FirstLevelApprovers: "alice"}},
		Support: []*Support{{Channel: "#sales-data", URL: "https://chat.example.com/sales-data", Tool: "slack", Scope: "interactive"}},
	}
	orders := &Object{
		ID: "orders_tbl", Name: "orders", PhysicalName: "ORDERS", PhysicalType: "table", BusinessName: "Orders",
		Description: "One row per order.", Tags: []string{"core"}, Path: "schema[0]", Pos: Position{47, 5},
		Relationships: []*Relationship{{
			Type: "foreignKey", From: []string{"orders.customer_id", "orders.country"},
			To: []string{"customers.id", "customers.country"}, Path: "schema[0].relationships[0]", Pos: Position{55, 9},
		}},
		Properties: []*Property{
			{
				ID: "order_id_prop", Name: "order_id", PhysicalName: "ORDER_ID", PhysicalType: "NUMBER(38,0)",
				LogicalType: "integer", PrimaryKey: true, PrimaryKeyPosition: 2, Required: true, Unique: true,
				Classification: "internal", Description: "Order number.", BusinessName: "Order number",
				Examples: []any{1, 2}, Tags: []string{"key"}, Path: "schema[0].properties[0]", Pos: Position{59, 9},
			},
			{Name: "line_no", LogicalType: "integer", PrimaryKey: true, PrimaryKeyPosition: 1, Path: "schema[0].properties[1]", Pos: Position{73, 9}},
			{
				Name: "customer_id", LogicalType: "string", PrimaryKeyPosition: -1,
				LogicalTypeOptions: map[string]any{"maxLength": 18},
				Relationships: []*Relationship{{
					Type: "foreignKey", From: []string{"orders.customer_id"}, To: []string{"customers.id"},
					Path: "schema[0].properties[2].relationships[0]", Pos: Position{82, 13},
				}},
				Path: "schema[0].properties[2]", Pos: Position{77, 9},
			},
			{Name: "country", LogicalType: "string", Partitioned: true, PrimaryKeyPosition: -1, Path: "schema[0].properties[3]", Pos: Position{83, 9}},
			{
				Name: "address", LogicalType: "object", PrimaryKeyPosition: -1, Path: "schema[0].properties[4]", Pos: Position{86, 9},
				Properties: []*Property{{Name: "city", LogicalType: "string", PrimaryKeyPosition: -1, Path: "schema[0].properties[4].properties[0]", Pos: Position{89, 13}}},
			},
			{
				Name: "lines", LogicalType: "array", PrimaryKeyPosition: -1, Path: "schema[0].properties[5]", Pos: Position{91, 9},
				Items: &Property{Name: "line", LogicalType: "string", PrimaryKeyPosition: -1, Path: "schema[0].properties[5].items", Pos: Position{94, 11}},
			},
		},
	}
	customers := &Object{
		ID: "customers_tbl", Name: "customers", Path: "schema[1]", Pos: Position{96, 5},
		Properties: []*Property{
			{ID: "cust_id", Name: "id", LogicalType: "string", PrimaryKeyPosition: -1, Path: "schema[1].properties[0]", Pos: Position{99, 9}},
			{Name: "country", LogicalType: "string", PrimaryKeyPosition: -1, Path: "schema[1].properties[1]", Pos: Position{102, 9}},
		},
	}
	want.Schema = []*Object{orders, customers}
	if diff := cmp.Diff(want, c, cmpopts.IgnoreUnexported(Contract{})); diff != "" {
		t.Errorf("ParseFile mismatch (-want +got):\n%s", diff)
	}
}

func TestParse_team30Array(t *testing.T) {
	c, err := Parse([]byte("apiVersion: v3.0.2\nteam:\n  - username: bob\n    role: owner\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := &Team{Members: []*TeamMember{{Username: "bob", Role: "owner"}}}
	if diff := cmp.Diff(want, c.Team); diff != "" {
		t.Errorf("Team mismatch (-want +got):\n%s", diff)
	}
}

func TestParse_json(t *testing.T) {
	src := "{\n\t\"apiVersion\": \"v3.1.0\",\n\t\"kind\": \"DataContract\",\n\t\"id\": \"x\",\n\t\"version\": \"1.0.0\",\n\t\"status\": \"active\",\n\t\"schema\": [{\"name\": \"t\", \"properties\": [{\"name\": \"a\\u00e9\", \"logicalType\": \"string\"}]}]\n}\n"
	c, ds := Lint([]byte(src), &ParseOptions{Filename: "c.json"})
	if len(ds) != 0 {
		t.Fatalf("Lint(json) = %v, want no diagnostics", ds)
	}
	if got := c.Schema[0].Properties[0].Name; got != "aé" {
		t.Errorf("property name = %q, want %q", got, "aé")
	}
	if got := c.Position("schema[0].properties[0].logicalType"); got.Line != 7 {
		t.Errorf("Position = %v, want line 7", got)
	}
}

func TestParse_aliasesAndMerge(t *testing.T) {
	src := `apiVersion: v3.1.0
base: &base
  logicalType: string
  required: true
schema:
  - name: t
    properties:
      - <<: *base
        name: a
      - <<: *base
        name: b
        required: false
`
	c, err := Parse([]byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	a, b := c.Schema[0].Properties[0], c.Schema[0].Properties[1]
	if a.LogicalType != "string" || !a.Required {
		t.Errorf("merged property a = %+v, want logicalType string, required", a)
	}
	if b.LogicalType != "string" || b.Required {
		t.Errorf("property b = %+v, want logicalType string and its own required: false", b)
	}
}

func TestParse_badInput(t *testing.T) {
	bomb := "a: &a [x,x,x,x,x,x,x,x,x,x]\n"
	for i := 1; i < 9; i++ {
		prev, cur := string(rune('a'+i-1)), string(rune('a'+i))
		bomb += cur + ": &" + cur + " [" + strings.Repeat("*"+prev+",", 9) + "*" + prev + "]\n"
	}
	tests := []struct {
		name     string
		in       string
		opts     *ParseOptions
		sentinel error
		line     int
		msg      string
	}{
		{name: "empty", in: "", sentinel: ErrEmpty, msg: "file is empty"},
		{name: "only_comments", in: "# nothing\n\n", sentinel: ErrEmpty, msg: "file is empty"},
		{name: "only_whitespace_with_tabs", in: "   \n\t\n  \r\n", sentinel: ErrEmpty, msg: "file is empty"},
		{name: "binary", in: "\x7fELF\x02\x01\x00\x00", sentinel: ErrBinary, line: 1, msg: "not a text file"},
		{name: "invalid_utf8", in: "a: \xff\xfe\n", sentinel: ErrBinary, line: 1, msg: "not UTF-8"},
		{name: "too_large", in: "a: " + strings.Repeat("x", 100) + "\n", opts: &ParseOptions{MaxBytes: 64}, sentinel: ErrTooLarge, msg: "larger than the 64 bytes limit"},
		{name: "broken_yaml", in: "a: [1,\n  b: {\n", line: 2, msg: "invalid YAML"},
		{name: "tab_indent", in: "a:\n\tb: 1\n", line: 2, msg: "invalid YAML"},
		{name: "top_level_list", in: "[1, 2]\n", line: 1, msg: "must be a mapping"},
		{name: "top_level_scalar", in: "hello\n", line: 1, msg: "must be a mapping"},
		{name: "two_documents", in: "a: 1\n---\nb: 2\n", line: 2, msg: "more than one YAML document"},
		{name: "deep_nesting", in: "a: " + strings.Repeat("[", 150) + strings.Repeat("]", 150) + "\n", line: 1, msg: "deeper than 100 levels"},
		{name: "deep_via_aliases", in: "a: &a " + strings.Repeat("[", 60) + strings.Repeat("]", 60) + "\nb: " + strings.Repeat("[", 60) + "*a" + strings.Repeat("]", 60) + "\n", line: 1, msg: "deeper than 100 levels"},
		{name: "alias_cycle", in: "a: &a\n  b: *a\n", line: 2, msg: "cycle"},
		{name: "alias_bomb", in: bomb, line: 1, msg: "alias bomb"},
		{name: "complex_key", in: "? [a, b]\n: 1\n", line: 1, msg: "key must be a scalar"},
		{name: "bad_merge", in: "a: 1\n<<: 2\n", line: 2, msg: "merge key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			if opts == nil {
				opts = &ParseOptions{}
			}
			opts.Filename = "bad.yaml"
			c, err := Parse([]byte(tt.in), opts)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, nil; want error", tt.name, c)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) error %T, want *ParseError", tt.name, err)
			}
			if tt.sentinel != nil && !errors.Is(err, tt.sentinel) {
				t.Errorf("Parse(%q) = %v, want errors.Is %v", tt.name, err, tt.sentinel)
			}
			if len(pe.Diagnostics) != 1 {
				t.Fatalf("Parse(%q) diagnostics = %v, want 1", tt.name, pe.Diagnostics)
			}
			d := pe.Diagnostics[0]
			if d.File != "bad.yaml" || d.Line != tt.line || d.Severity != SeverityError || !strings.Contains(d.Message, tt.msg) {
				t.Errorf("Parse(%q) = %v, want bad.yaml line %d error containing %q", tt.name, d, tt.line, tt.msg)
			}
			if !strings.HasPrefix(err.Error(), "odcs: ") {
				t.Errorf("error %q lacks the odcs: prefix", err)
			}
		})
	}
}

func TestParseReader_limit(t *testing.T) {
	r := bytes.NewReader(bytes.Repeat([]byte("#"), DefaultMaxBytes+10))
	_, err := ParseReader(r, nil)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "16 MiB") {
		t.Errorf("ParseReader(16 MiB + 10) = %v, want ErrTooLarge naming 16 MiB", err)
	}
	// A negative MaxBytes lifts the limit.
	_, err = ParseReader(bytes.NewReader([]byte("apiVersion: v3.1.0\n")), &ParseOptions{MaxBytes: -1})
	if err != nil {
		t.Errorf("ParseReader(no limit) = %v", err)
	}
}

func TestParseFile_missing(t *testing.T) {
	_, err := ParseFile(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ParseFile(missing) = %v, want os.ErrNotExist", err)
	}
}

func TestCustomProperties(t *testing.T) {
	c, err := ParseFile(filepath.Join("testdata", "parse", "full.odcs.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cp := c.Servers[0].CustomProperties
	for _, tt := range []struct{ name, want string }{
		{"role", "ANALYST"}, {"precision", "1.10"}, {"mask", "0x1F"}, {"since", "2024-01-01"}, {"absent", ""},
	} {
		if got := cp.String(tt.name); got != tt.want {
			t.Errorf("String(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
	if v, ok := cp.Lookup("mask"); !ok || v != 31 {
		t.Errorf("Lookup(mask) = %v, %v; want 31, true", v, ok)
	}
	if _, ok := cp.Lookup("absent"); ok {
		t.Errorf("Lookup(absent) found a value")
	}
	hand := CustomProperties{{Property: "n", Value: 12}, {Property: "s", Value: "x"}, {Property: "nil"}}
	if got := hand.String("n") + hand.String("s") + hand.String("nil"); got != "12x" {
		t.Errorf("String on hand-built properties = %q, want %q", got, "12x")
	}
}

func TestPosition(t *testing.T) {
	c, err := ParseFile(filepath.Join("testdata", "parse", "full.odcs.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		want Position
	}{
		{"", Position{1, 1}},
		{"apiVersion", Position{1, 13}},
		{"servers[0]", Position{20, 5}},
		{"servers[0].port", Position{25, 11}},
		{"schema[0].properties[2].logicalTypeOptions", Position{79, 9}},
		{"schema[0].properties[2].logicalTypeOptions.maxLength", Position{80, 22}},
		{`schema[0]["name"]`, Position{48, 11}},
		{"schema[9]", Position{}},
		{"schema[x]", Position{}},
		{"nope", Position{}},
		{"schema[0", Position{}},
		{"schema..name", Position{}},
	}
	for _, tt := range tests {
		if got := c.Position(tt.path); got != tt.want {
			t.Errorf("Position(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
	if got := (&Contract{}).Position("schema[0]"); got.IsValid() {
		t.Errorf("Position on a hand-built contract = %v, want zero", got)
	}
}
