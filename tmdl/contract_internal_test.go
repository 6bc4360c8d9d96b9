package tmdl

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/pbipublish/pbipublish/odcs"
)

func TestLineageIsUUIDv5(t *testing.T) {
	b := &builder{id: "53581432-6c55-4ba2-a65f-72344a91553a"}
	for _, parts := range [][]string{{"table", "orders"}, {"column", "orders", "order_id"}, {"relationship", "a", "b", "c", "d"}} {
		want := uuid.NewSHA1(lineageSpace, []byte(b.id+"\x00"+strings.Join(parts, "\x00"))).String()
		if got := b.lineage(parts...); got != want {
			t.Errorf("lineage(%q) = %s, want %s", parts, got, want)
		}
	}
	if u := uuid.MustParse(b.lineage("x")); u.Version() != 5 || u.Variant() != uuid.RFC4122 {
		t.Errorf("lineage is version %d variant %v, want 5 RFC4122", u.Version(), u.Variant())
	}
}

func TestPhysicalNames(t *testing.T) {
	tests := []struct {
		kind, name, physical, want string
	}{
		{"snowflake", "orders", "", "ORDERS"},
		{"snowflake", "Order_2$", "", "ORDER_2$"},
		{"snowflake", "Mixed Case", "", "Mixed Case"}, // not a plain identifier: kept
		{"snowflake", "orders", "fct_orders", "fct_orders"},
		{"snowflake", "x", `"Mixed ""Q"" Case"`, `Mixed "Q" Case`},
		{"snowflake", "x", `""`, `""`},
		{"snowflake", "x", `"a"b"`, `"a"b"`},
		{"databricks", "orders", "", "orders"},
		{"databricks", "x", "`my col`", "my col"},
	}
	for _, tt := range tests {
		b := &builder{kind: tt.kind}
		if got := b.physical(tt.name, tt.physical); got != tt.want {
			t.Errorf("%s physical(%q, %q) = %q, want %q", tt.kind, tt.name, tt.physical, got, tt.want)
		}
	}
}

func TestNormalizeHost(t *testing.T) {
	for in, want := range map[string]string{
		"https://adb-1.2.azuredatabricks.net/":    "adb-1.2.azuredatabricks.net",
		"adb-1.2.azuredatabricks.net":             "adb-1.2.azuredatabricks.net",
		" http://x.cloud.databricks.com/sql/1.0 ": "x.cloud.databricks.com",
	} {
		if got := normalizeHost(in); got != want {
			t.Errorf("normalizeHost(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMapType(t *testing.T) {
	tests := []struct {
		physical, logical string
		want              string // dataType, "" when left out
		format            string
		warn              bool
	}{
		{"NUMBER(38,0)", "", "int64", "0", false},
		{"NUMBER(38, 0)", "number", "int64", "0", false}, // physicalType first
		{"NUMBER(12,2)", "", "double", "", false},
		{"DECIMAL(10,0)", "", "int64", "0", false},
		{"NUMBER", "", "int64", "0", false},
		{"BIGINT", "", "int64", "0", false},
		{"tinyint", "", "int64", "0", false},
		{"FLOAT", "", "double", "", false},
		{"DOUBLE PRECISION", "", "double", "", false},
		{"VARCHAR(200)", "", "string", "", false},
		{"STRING", "", "string", "", false},
		{"BOOLEAN", "", "boolean", `"TRUE";"TRUE";"FALSE"`, false},
		{"DATE", "", "dateTime", "Long Date", false},
		{"TIMESTAMP_LTZ", "", "dateTime", "General Date", false},
		{"TIME", "", "dateTime", "Long Time", false},
		{"VARIANT", "", "string", "", false},
		{"STRUCT<a: INT>", "", "string", "", false},
		{"MAP<STRING,STRING>", "", "string", "", false},
		{"ARRAY<INT>", "", "string", "", false},
		{"BINARY", "", "", "", true},
		{"GEOGRAPHY", "", "string", "", true},
		{"GEOGRAPHY", "string", "string", "", false},
		{"", "integer", "int64", "0", false},
		{"", "number", "double", "", false},
		{"", "date", "dateTime", "Long Date", false},
		{"", "timestamp", "dateTime", "General Date", false},
		{"", "time", "dateTime", "Long Time", false},
		{"", "boolean", "boolean", `"TRUE";"TRUE";"FALSE"`, false},
		{"", "object", "string", "", false},
		{"", "array", "string", "", false},
		{"", "", "string", "", false},
		{"", "uuid", "string", "", true},
	}
	for _, tt := range tests {
		ty, note := mapType(&odcs.Property{Name: "c", PhysicalType: tt.physical, LogicalType: tt.logical})
		if ty.dataType != tt.want || ty.format != tt.format || (note != "") != tt.warn {
			t.Errorf("mapType(%q, %q) = %q %q note %q; want %q %q warn %v", tt.physical, tt.logical, ty.dataType, ty.format, note, tt.want, tt.format, tt.warn)
		}
	}
}

func TestOneLine(t *testing.T) {
	for in, want := range map[string]string{"a b": "a b", " a  b\n c ": "a b c", "x\u2028y": "x y", "": ""} {
		if got := oneLine(in); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", in, got, want)
		}
	}
}
