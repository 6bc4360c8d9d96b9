package hostile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pbipublish/pbipublish/internal/tomtest"
	"github.com/pbipublish/pbipublish/odcs"
	"github.com/pbipublish/pbipublish/tmdl"
)

// diag is an expected diagnostic: its severity, its path in the contract
// and a fragment of its message. Line 0 accepts any line.
type diag struct {
	severity odcs.Severity
	path     string
	message  string
	line     int
}

// hostileCase is one contract and its expected outcome: a diagnostic
// (from the linter, or from the model builder when the contract is
// valid ODCS), or a model (want nil) that TOM accepts.
type hostileCase struct {
	name string
	file string        // under testdata/
	gen  func() []byte // for inputs too large to commit
	want *diag
	// tables and columns of the model, when want is nil.
	tables, columns int
}

var hostileCases = []hostileCase{
	// Names that break out of quotes in TMDL or M: a model, quoted right.
	{name: "quotes", file: "quotes.odcs.yaml", tables: 1, columns: 2},
	{name: "brackets", file: "brackets.odcs.yaml", tables: 1, columns: 2},
	{name: "hash_quote", file: "hash_quote.odcs.yaml", tables: 1, columns: 2},
	{name: "m_injection", file: "m_injection.odcs.yaml", tables: 1, columns: 2},
	{name: "step_names", file: "step_names.odcs.yaml", tables: 1, columns: 2},
	{name: "unicode", file: "unicode.odcs.yaml", tables: 1, columns: 2},
	{name: "json", file: "json.odcs.json", tables: 1, columns: 2},

	// Names Power BI cannot hold: refused with the place to fix.
	{name: "control_chars", file: "control_chars.odcs.yaml",
		want: &diag{odcs.SeverityError, "schema[0]", "contains control character U+0009", 18}},
	{name: "tmdl_injection", file: "tmdl_injection.odcs.yaml",
		want: &diag{odcs.SeverityError, "schema[0]", "contains control character U+000A", 18}},
	{name: "nul_in_name", file: "nul_in_name.odcs.yaml",
		want: &diag{odcs.SeverityError, "schema[0].properties[1]", "contains control character U+0000", 28}},
	{name: "case_collision", file: "case_collision.odcs.yaml",
		want: &diag{odcs.SeverityError, "schema[0].properties[1].name", `"ID" collides with "id"`, 28}},

	// Not contracts at all.
	{name: "empty", file: "empty.odcs.yaml", want: &diag{odcs.SeverityError, "", "file is empty", 0}},
	{name: "whitespace_only", file: "whitespace_only.odcs.yaml", want: &diag{odcs.SeverityError, "", "file is empty", 0}},
	{name: "binary", file: "binary.odcs.yaml", want: &diag{odcs.SeverityError, "", "not a text file", 1}},
	{name: "utf16", file: "utf16.odcs.yaml", want: &diag{odcs.SeverityError, "", `missing required field "id"`, 1}},
	{name: "not_a_contract", file: "not_a_contract.odcs.yaml", want: &diag{odcs.SeverityError, "kind", `must be "DataContract"`, 1}},
	{name: "wrong_api_version", file: "wrong_api_version.odcs.yaml",
		want: &diag{odcs.SeverityError, "apiVersion", "ODCS v2 contracts (apiVersion v2.2.2) are not supported", 1}},
	{name: "yaml_bomb", file: "yaml_bomb.odcs.yaml", want: &diag{odcs.SeverityError, "", "alias bomb", 0}},
	{name: "yaml_alias_cycle", file: "yaml_alias_cycle.odcs.yaml", want: &diag{odcs.SeverityError, "", "cycle", 6}},

	// Large: generated.
	{name: "columns_10000", gen: func() []byte { return wide(10000) }, tables: 1, columns: 10000},
	{name: "huge_descriptions", gen: hugeDescriptions, tables: 1, columns: 2},
	{name: "deep_properties", gen: func() []byte { return deepProperties(200) }, want: &diag{odcs.SeverityError, "", "nesting is deeper than 100 levels", 0}},
	{name: "deep_flow", gen: func() []byte { return []byte("apiVersion: v3.0.2\nx: " + strings.Repeat("[", 100000)) }, want: &diag{odcs.SeverityError, "", "exceeded max depth", 2}},
	{name: "oversized", gen: oversized, want: &diag{odcs.SeverityError, "", "16 MiB", 0}},
}

// header is a valid contract up to its schema list.
const header = `apiVersion: v3.0.2
kind: DataContract
id: generated
name: Generated
version: 1.0.0
status: active
servers:
  - server: prod
    type: snowflake
    account: acme-analytics
    warehouse: REPORTING_WH
    database: SALES
    schema: MART
schema:
`

// wide is a contract with one table of n columns.
func wide(n int) []byte {
	var b bytes.Buffer
	b.WriteString(header + "  - name: wide\n    physicalName: wide\n    physicalType: table\n    properties:\n")
	for i := range n {
		fmt.Fprintf(&b, "      - name: c%05d\n        physicalName: c%05d\n        logicalType: string\n", i, i)
	}
	return b.Bytes()
}

// hugeDescriptions has 4 MiB descriptions of many lines, quotes and
// TMDL-looking text on a table and a column.
func hugeDescriptions() []byte {
	line := `/// table x "quoted" 'single' #"m" ` + "```" + ` end`
	var d strings.Builder
	for d.Len() < 4<<20 {
		d.WriteString(line)
		d.WriteString("\n")
	}
	js, _ := json.Marshal(d.String())
	return []byte(header + "  - name: t\n    physicalName: t\n    description: " + string(js) +
		"\n    properties:\n      - name: id\n        physicalName: id\n        logicalType: integer\n      - name: c\n        physicalName: c\n        logicalType: string\n        description: " + string(js) + "\n")
}

// deepProperties nests object properties depth levels deep.
func deepProperties(depth int) []byte {
	var b bytes.Buffer
	b.WriteString(header + "  - name: t\n    properties:\n")
	indent := "      "
	for i := range depth {
		fmt.Fprintf(&b, "%s- name: p%d\n%s  logicalType: object\n%s  properties:\n", indent, i, indent, indent)
		indent += "    "
	}
	return b.Bytes()
}

// oversized is a valid contract padded past 16 MiB.
func oversized() []byte {
	return append(wide(2), []byte("# "+strings.Repeat("x", 17<<20)+"\n")...)
}

func (hc hostileCase) input(t *testing.T) []byte {
	if hc.gen != nil {
		return hc.gen()
	}
	data, err := os.ReadFile(filepath.Join("testdata", hc.file))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestHostileContracts(t *testing.T) {
	var tom *tomtest.Server
	if tomtest.Binary() != "" || os.Getenv("PBIPUBLISH_REQUIRE_TOM") == "1" {
		tom = tomtest.Start(t)
	} else {
		t.Log("TOM not installed: models are checked without it (set PBIPUBLISH_REQUIRE_TOM=1 to insist)")
	}
	for _, hc := range hostileCases {
		t.Run(hc.name, func(t *testing.T) {
			data := hc.input(t)
			file := hc.name + ".odcs.yaml"
			start := time.Now()
			c, ds := odcs.Lint(data, &odcs.ParseOptions{Filename: file})
			var db *tmdl.Database
			if c != nil && !ds.HasErrors() {
				var mds odcs.Diagnostics
				var err error
				db, mds, err = tmdl.FromContract(c, &tmdl.Options{Mode: "import"})
				ds = append(ds, mds...)
				if (err != nil) != mds.HasErrors() || (err == nil) != (db != nil) {
					t.Errorf("FromContract = %v, %v with diagnostics %v", db != nil, err, mds)
				}
			}
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("reading and building took %v", d)
			}

			if hc.want != nil {
				checkDiagnostic(t, file, ds, *hc.want)
				if db != nil {
					t.Error("a model was built from a contract that has errors")
				}
				return
			}
			if ds.HasErrors() || db == nil {
				t.Fatalf("diagnostics %v, want a model", ds)
			}
			checkModel(t, tom, c, db, hc.tables, hc.columns)
		})
	}
}

// checkDiagnostic wants an error-level diagnostic like w, in file, and
// every diagnostic readable: located in the file, with a message.
func checkDiagnostic(t *testing.T, file string, ds odcs.Diagnostics, w diag) {
	t.Helper()
	found := false
	for _, d := range ds {
		if d.File != file || d.Message == "" || strings.ContainsAny(d.Message, "\x00") {
			t.Errorf("diagnostic %q does not name %s or has no readable message", d, file)
		}
		if d.Severity == w.severity && d.Path == w.path && strings.Contains(d.Message, w.message) && (w.line == 0 || d.Line == w.line) {
			found = true
		}
	}
	if !found {
		t.Errorf("diagnostics:\n%v\nwant %s at line %d, path %q, message with %q", ds, w.severity, w.line, w.path, w.message)
	}
	if len(ds) > 50 {
		t.Errorf("%d diagnostics: a hostile input must not flood the user", len(ds))
	}
}

// checkModel checks the model's M queries and has TOM load it.
func checkModel(t *testing.T, tom *tomtest.Server, c *odcs.Contract, db *tmdl.Database, tables, columns int) {
	t.Helper()
	cols := 0
	for i, tb := range db.Model.Tables {
		cols += len(tb.Columns)
		if i >= len(c.Schema) {
			t.Fatalf("%d tables from %d schema objects", len(db.Model.Tables), len(c.Schema))
		}
		o := c.Schema[i]
		phys := o.PhysicalName
		if phys == "" {
			phys = o.Name
		}
		var want []string
		for _, p := range o.Properties {
			name := p.PhysicalName
			if name == "" {
				name = p.Name
			}
			want = append(want, name)
		}
		if len(tb.Partitions) != 1 {
			t.Fatalf("table %q has %d partitions", tb.Name, len(tb.Partitions))
		}
		if err := checkM(tb.Partitions[0].Source, phys, want); err != nil {
			t.Errorf("table %q: %v", tb.Name, err)
		}
	}
	if len(db.Model.Tables) != tables || cols != columns {
		t.Errorf("model has %d tables, %d columns; want %d, %d", len(db.Model.Tables), cols, tables, columns)
	}
	dir, err := tmdl.WriteFolder(t.TempDir(), db)
	if err != nil {
		t.Fatalf("WriteFolder = %v", err)
	}
	// What was written reads back to the same model.
	back, err := tmdl.ReadFolder(dir)
	if err != nil {
		t.Fatalf("ReadFolder(written) = %v", err)
	}
	if len(back.Model.Tables) != tables {
		t.Errorf("read back %d tables, want %d", len(back.Model.Tables), tables)
	}
	if tom == nil {
		return
	}
	res, err := tom.Check(dir)
	if err != nil {
		t.Fatalf("TOM refused the model: %v", err)
	}
	if res.Tables != tables || res.Columns != columns || res.Partitions != tables {
		t.Errorf("TOM loaded %d tables, %d columns, %d partitions; want %d, %d, %d", res.Tables, res.Columns, res.Partitions, tables, columns, tables)
	}
	if len(res.Diff) != 0 {
		t.Errorf("TOM serializes the model differently: %q", res.Diff)
	}
}
