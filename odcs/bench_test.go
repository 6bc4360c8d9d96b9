package odcs

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// largeContract generates a valid v3.1.0 contract with tables × columns
// properties, each with the fields real contracts carry.
func largeContract(tables, columns int) []byte {
	var b strings.Builder
	b.WriteString(base)
	b.WriteString("name: large\nservers:\n  - server: prod\n    type: snowflake\n    account: acme\n    database: DB\n    schema: PUBLIC\nschema:\n")
	types := []struct{ logical, physical string }{
		{"string", "VARCHAR(255)"}, {"integer", "NUMBER(38,0)"}, {"number", "NUMBER(12,2)"},
		{"date", "DATE"}, {"timestamp", "TIMESTAMP_NTZ"}, {"boolean", "BOOLEAN"},
	}
	for t := 0; t < tables; t++ {
		fmt.Fprintf(&b, "  - name: table_%d\n    physicalName: TABLE_%d\n    physicalType: table\n    description: Table number %d.\n    properties:\n", t, t, t)
		for c := 0; c < columns; c++ {
			ty := types[c%len(types)]
			fmt.Fprintf(&b, "      - name: column_%d\n        physicalName: COLUMN_%d\n        logicalType: %s\n        physicalType: %s\n        description: Column %d of table %d.\n        required: %v\n",
				c, c, ty.logical, ty.physical, c, t, c%2 == 0)
			if c == 0 {
				b.WriteString("        primaryKey: true\n        primaryKeyPosition: 1\n")
			}
			if c == 1 && t > 0 {
				fmt.Fprintf(&b, "        relationships:\n          - to: table_%d.column_0\n", t-1)
			}
			if c%10 == 0 {
				b.WriteString("        customProperties:\n          - property: precision\n            value: 12\n")
			}
		}
	}
	return []byte(b.String())
}

var (
	largeOnce sync.Once
	largeData []byte
)

func large() []byte {
	largeOnce.Do(func() { largeData = largeContract(300, 60) })
	return largeData
}

func smallContract(tb testing.TB) []byte {
	data, err := os.ReadFile(filepath.Join("testdata", "parse", "full.odcs.yaml"))
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

func TestLargeContract_valid(t *testing.T) {
	data := large()
	c, ds := Lint(data, nil)
	if len(ds) != 0 {
		t.Fatalf("Lint(large) = %d diagnostics, want none; first: %v", len(ds), ds[0])
	}
	if len(c.Schema) != 300 || len(c.Schema[299].Properties) != 60 {
		t.Fatalf("large contract has %d objects", len(c.Schema))
	}
	fks, fds := c.ForeignKeys()
	if len(fks) != 299 || len(fds) != 0 {
		t.Errorf("ForeignKeys(large) = %d, %v; want 299, none", len(fks), fds)
	}
}

func benchParse(b *testing.B, data []byte) {
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse(data, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func benchLint(b *testing.B, data []byte) {
	if _, err := versions[len(versions)-1].compile(); err != nil { // compile outside the timing
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, ds := Lint(data, nil); ds.HasErrors() {
			b.Fatal(ds)
		}
	}
}

func BenchmarkParse_small(b *testing.B)         { benchParse(b, smallContract(b)) }
func BenchmarkParse_large(b *testing.B)         { benchParse(b, large()) }
func BenchmarkParseValidate_small(b *testing.B) { benchLint(b, smallContract(b)) }
func BenchmarkParseValidate_large(b *testing.B) { benchLint(b, large()) }

// BenchmarkLint_largeColdSchema measures a whole lint as the lint
// command runs it: the first call in a process compiles the schema.
func BenchmarkLint_largeFirstCall(b *testing.B) {
	data := large()
	b.ReportAllocs()
	for b.Loop() {
		versions[len(versions)-1] = &schemaVersion{apiVersion: "v3.1.0", file: "schema/odcs-json-schema-v3.1.0-20260505.json"}
		if _, ds := Lint(data, nil); ds.HasErrors() {
			b.Fatal(ds)
		}
	}
}

func BenchmarkCompileSchema(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := compileSchema("schema/odcs-json-schema-v3.1.0-20260505.json"); err != nil {
			b.Fatal(err)
		}
	}
}
