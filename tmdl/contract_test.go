package tmdl_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"
	"github.com/pbipublish/pbipublish/odcs"
	"github.com/pbipublish/pbipublish/tmdl"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// goldenCase is one contract and options whose model is kept under
// testdata/golden/<name>.
type goldenCase struct {
	name     string
	contract string
	opts     *tmdl.Options
}

var goldenCases = []goldenCase{
	{"snowflake_import", "snowflake.odcs.yaml", nil},
	{"snowflake_directquery", "snowflake.odcs.yaml", &tmdl.Options{Mode: "directquery"}},
	{"snowflake_dual_overrides", "snowflake.odcs.yaml", &tmdl.Options{Mode: "Dual", Name: "Sales 'Dual'", Role: `ANALYST "R"`, Warehouse: "WH2", Culture: "de-DE"}},
	{"databricks_hostile_directquery", "databricks.odcs.yaml", &tmdl.Options{Mode: "directQuery"}},
	{"databricks_business_names_import", "databricks.odcs.yaml", &tmdl.Options{UseBusinessNames: true, HTTPPath: "/sql/1.0/warehouses/override"}},
}

func parseContract(t testing.TB, name string) *odcs.Contract {
	t.Helper()
	c, err := odcs.ParseFile(filepath.Join("testdata", "contracts", name))
	if err != nil {
		t.Fatalf("ParseFile(%q) = %v", name, err)
	}
	return c
}

// build turns a golden case into parts plus the text of its diagnostics.
func build(t testing.TB, gc goldenCase) ([]tmdl.Part, *tmdl.Database, string) {
	t.Helper()
	c := parseContract(t, gc.contract)
	db, ds, err := tmdl.FromContract(c, gc.opts)
	if err != nil {
		t.Fatalf("FromContract(%s) = %v", gc.contract, err)
	}
	parts, err := db.Parts()
	if err != nil {
		t.Fatalf("Parts() = %v", err)
	}
	var diag strings.Builder
	for _, d := range ds {
		diag.WriteString(d.String())
		diag.WriteByte('\n')
	}
	return parts, db, diag.String()
}

func goldenDir(gc goldenCase) string { return filepath.Join("testdata", "golden", gc.name) }

// readGolden reads every file of a golden folder, keyed by slash path.
func readGolden(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatalf("reading golden %s: %v", dir, err)
	}
	return files
}

func TestGolden(t *testing.T) {
	for _, gc := range goldenCases {
		t.Run(gc.name, func(t *testing.T) {
			parts, db, diag := build(t, gc)
			want := map[string][]byte{"diagnostics.txt": []byte(diag)}
			prefix := tmdl.FileName(db.Name) + ".SemanticModel/"
			for _, p := range parts {
				want[prefix+p.Path] = p.Payload
			}
			dir := goldenDir(gc)
			if *update {
				os.RemoveAll(dir)
				for p, b := range want {
					path := filepath.Join(dir, filepath.FromSlash(p))
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, b, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			got := readGolden(t, dir)
			if diff := cmp.Diff(stringify(want), stringify(got)); diff != "" {
				t.Errorf("generated model differs from %s (run go test ./tmdl -update) (-want +got):\n%s", dir, diff)
			}
		})
	}
}

func stringify(m map[string][]byte) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = string(v)
	}
	return out
}

// TestGoldenDecodes checks that every golden model decodes and encodes
// back to the same bytes.
func TestGoldenDecodes(t *testing.T) {
	for _, gc := range goldenCases {
		t.Run(gc.name, func(t *testing.T) {
			parts, db, _ := build(t, gc)
			back, err := tmdl.Decode(parts)
			if err != nil {
				t.Fatalf("Decode() = %v", err)
			}
			if diff := cmp.Diff(db, back); diff != "" {
				t.Errorf("Decode(Parts(db)) differs from db (-want +got):\n%s", diff)
			}
			again, err := back.Parts()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(partsMap(parts), partsMap(again)); diff != "" {
				t.Errorf("re-encoding changed the bytes (-want +got):\n%s", diff)
			}
		})
	}
}

func partsMap(ps []tmdl.Part) map[string]string {
	m := map[string]string{}
	for _, p := range ps {
		m[p.Path] = string(p.Payload)
	}
	return m
}

func TestFromContractDeterministic(t *testing.T) {
	gc := goldenCases[0]
	first, _, _ := build(t, gc)
	for i := 0; i < 5; i++ {
		again, _, _ := build(t, gc)
		if diff := cmp.Diff(partsMap(first), partsMap(again)); diff != "" {
			t.Fatalf("run %d differs (-want +got):\n%s", i, diff)
		}
	}
}

// TestAddColumnChangesOnlyItsLines adds a column in the middle of a table
// and checks that the only changed lines are the new column's and the
// partition's column list.
func TestAddColumnChangesOnlyItsLines(t *testing.T) {
	c := parseContract(t, "snowflake.odcs.yaml")
	db1, _, err := tmdl.FromContract(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	o := c.Object("orders")
	extra := &odcs.Property{Name: "discount", PhysicalType: "NUMBER(5,2)", Path: "schema[0].properties[99]"}
	o.Properties = append(o.Properties[:3:3], append([]*odcs.Property{extra}, o.Properties[3:]...)...)
	db2, _, err := tmdl.FromContract(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	p1, _ := db1.Parts()
	p2, _ := db2.Parts()
	m1, m2 := partsMap(p1), partsMap(p2)
	for path, b := range m1 {
		if path == "definition/tables/orders.tmdl" {
			continue
		}
		if m2[path] != b {
			t.Errorf("%s changed", path)
		}
	}
	block := insertedBlock(t, m1["definition/tables/orders.tmdl"], m2["definition/tables/orders.tmdl"])
	want := []string{
		"\tcolumn discount",
		"\t\tdataType: double",
		"\t\tlineageTag: 8a2c9d12-6f41-513e-8876-04bfd57c1d8e",
		"\t\tsummarizeBy: sum",
		"\t\tsourceColumn: DISCOUNT",
		"",
		"\t\tannotation ODCS_Path = orders.discount",
		"",
		"\t\tannotation PBI_FormatHint = {\"isGeneralNumber\":true}",
		"",
	}
	if diff := cmp.Diff(want, block); diff != "" {
		t.Errorf("inserted lines (-want +got):\n%s", diff)
	}
}

// insertedBlock checks that b is a with one contiguous block of lines
// inserted, apart from the partition's SelectColumns line, and returns
// that block.
func insertedBlock(t *testing.T, a, b string) []string {
	t.Helper()
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	sel := 0
	for i := range la {
		if strings.Contains(la[i], "Table.SelectColumns(") {
			la[i] = "SELECT"
			sel++
		}
	}
	for i := range lb {
		if strings.Contains(lb[i], "Table.SelectColumns(") {
			lb[i] = "SELECT"
			sel++
		}
	}
	if sel != 2 {
		t.Fatalf("found %d SelectColumns lines, want one per version", sel)
	}
	p := 0
	for p < len(la) && p < len(lb) && la[p] == lb[p] {
		p++
	}
	s := 0
	for s < len(la)-p && s < len(lb)-p && la[len(la)-1-s] == lb[len(lb)-1-s] {
		s++
	}
	if p+s != len(la) {
		t.Fatalf("lines of the old table changed, not just inserted: old lines %d..%d replaced", p, len(la)-s)
	}
	return lb[p : len(lb)-s]
}

func TestFromContractErrors(t *testing.T) {
	c := parseContract(t, "broken.odcs.yaml")
	db, ds, err := tmdl.FromContract(c, &tmdl.Options{Mode: "live"})
	if err == nil || db != nil {
		t.Fatalf("FromContract(broken) = %v, %v; want an error", db, err)
	}
	var got []string
	for _, d := range ds {
		got = append(got, d.String())
	}
	want := []string{
		`testdata/contracts/broken.odcs.yaml:1:1: error: storage mode "live" is not import, directQuery or dual`,
		`testdata/contracts/broken.odcs.yaml:7:1: error: servers: no usable server: odcs: the contract has no snowflake or databricks server (servers: pg)`,
		`testdata/contracts/broken.odcs.yaml:18:9: error: schema[0].properties[1]: column name "ID" collides with schema[0].properties[0] (Power BI names are case-insensitive)`,
		`testdata/contracts/broken.odcs.yaml:20:5: warning: schema[1]: object "Orders" left out: it has no columns Power BI can load`,
		`testdata/contracts/broken.odcs.yaml:22:9: error: schema[1].properties[0]: column name cannot be used in Power BI: tmdl: name "bad\tname" contains control character U+0009`,
		`testdata/contracts/broken.odcs.yaml:24:5: error: schema[2]: table name "ORDERS" collides with schema[0] (Power BI names are case-insensitive)`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
}

func TestFromContractServerOverrides(t *testing.T) {
	tests := []struct {
		name     string
		contract string
		opts     *tmdl.Options
		want     []string
	}{
		{"snowflake_account_host", "snowflake.odcs.yaml", nil, []string{`Snowflake.Databases("acme-prod.snowflakecomputing.com", "REPORTING_WH", [Role="REPORTER", Implementation="2.0"])`, `[Name="SALES",Kind="Database"]`, `[Name="MART",Kind="Schema"]`, `[Name="ORDERS",Kind="Table"]`}},
		{"snowflake_role_override", "snowflake.odcs.yaml", &tmdl.Options{Role: "R2", Warehouse: "W2"}, []string{`"W2", [Role="R2", Implementation="2.0"]`}},
		{"databricks_host_normalised", "databricks.odcs.yaml", nil, []string{`Databricks.Catalogs("adb-123.4.azuredatabricks.net", "/sql/1.0/warehouses/abc", [Catalog=null, Database=null, EnableAutomaticProxyDiscovery=null])`, `[Name="we""ird",Kind="Schema"]`}},
		{"databricks_view", "databricks.odcs.yaml", &tmdl.Options{HTTPPath: "/p"}, []string{`[Name="lines",Kind="View"]`, `"/p"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _, err := tmdl.FromContract(parseContract(t, tt.contract), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			var all strings.Builder
			for _, tab := range db.Model.Tables {
				all.WriteString(tab.Partitions[0].Source)
			}
			for _, w := range tt.want {
				if !strings.Contains(all.String(), w) {
					t.Errorf("M does not contain %s:\n%s", w, all.String())
				}
			}
		})
	}
}

func TestFromContractUnsupportedServer(t *testing.T) {
	c := parseContract(t, "broken.odcs.yaml")
	_, ds, err := tmdl.FromContract(c, &tmdl.Options{Server: "pg"})
	if err == nil {
		t.Fatal("FromContract(server pg) = nil error, want one")
	}
	want := `testdata/contracts/broken.odcs.yaml:8:5: error: servers[0]: server type "postgres" is not supported (snowflake, databricks)`
	if got := ds[0].String(); got != want {
		t.Errorf("first diagnostic = %s, want %s", got, want)
	}
}

func TestFromContractNoServer(t *testing.T) {
	c := parseContract(t, "snowflake.odcs.yaml")
	_, ds, err := tmdl.FromContract(c, &tmdl.Options{Server: "nope"})
	if err == nil || !ds.HasErrors() {
		t.Fatalf("FromContract(server nope) = %v, want error", err)
	}
	if !errors.Is(err, odcs.ErrNoServer) || !strings.Contains(ds[0].Message, "no usable server") {
		t.Errorf("diagnostic = %v", ds[0])
	}
}

func TestGoldenHostileMIsEscaped(t *testing.T) {
	parts, _, _ := build(t, goldenCases[3])
	for _, p := range parts {
		if !bytes.Contains(p.Payload, []byte("Web.Contents")) {
			continue
		}
		if !bytes.Contains(p.Payload, []byte(`"""), Web.Contents(""http://evil"")"`)) {
			t.Errorf("%s: hostile physical name is not an escaped M literal:\n%s", p.Path, p.Payload)
		}
	}
}

func TestFromContractRelationships(t *testing.T) {
	src := `apiVersion: v3.1.0
kind: DataContract
id: rel
name: Rel
version: 1.0.0
status: draft
servers:
  - server: s
    type: snowflake
    account: a
    warehouse: W
    database: D
    schema: S
schema:
  - name: fact
    properties:
      - name: id
        logicalType: integer
        primaryKey: true
      - name: dim_id
        logicalType: integer
        relationships:
          - type: foreignKey
            to: dim.id
      - name: other_dim_id
        logicalType: integer
        relationships:
          - type: foreignKey
            to: dim.id
      - name: dim_code
        logicalType: string
        relationships:
          - type: foreignKey
            to: dim.id
  - name: dim
    properties:
      - name: id
        logicalType: integer
        primaryKey: true
`
	c, err := odcs.Parse([]byte(src), &odcs.ParseOptions{Filename: "rel.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	db, ds, err := tmdl.FromContract(c, nil)
	if err != nil {
		t.Fatalf("FromContract() = %v (%v)", err, ds)
	}
	var got []string
	for _, r := range db.Model.Relationships {
		active := r.IsActive == nil || *r.IsActive
		got = append(got, fmt.Sprintf("%s.%s -> %s.%s active=%v", r.FromColumn.Table, r.FromColumn.Column, r.ToColumn.Table, r.ToColumn.Column, active))
	}
	want := []string{"fact.dim_id -> dim.id active=true", "fact.other_dim_id -> dim.id active=false"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("relationships (-want +got):\n%s", diff)
	}
	var msgs []string
	for _, d := range ds {
		msgs = append(msgs, d.Path+": "+d.Message)
	}
	wantMsgs := []string{
		"schema[0].properties[2].relationships[0]: another relationship already joins fact and dim; this one is inactive",
		"schema[0].properties[3].relationships[0]: foreign key joins fact.dim_code (string) to dim.id (int64): Power BI relates only columns of one type; skipped",
	}
	if diff := cmp.Diff(wantMsgs, msgs); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
	if c := db.Model.Tables[0].Columns[1]; c.SummarizeBy != "none" {
		t.Errorf("foreign key column summarizeBy = %q, want none", c.SummarizeBy)
	}
	if r := db.Model.Relationships[0]; uuidOK(r.Name) != nil {
		t.Errorf("relationship name %q is not a UUID: %v", r.Name, uuidOK(r.Name))
	}
}

func uuidOK(s string) error {
	u, err := uuid.Parse(s)
	if err != nil {
		return err
	}
	if u.Version() != 5 {
		return fmt.Errorf("version %d, want 5", u.Version())
	}
	return nil
}

func TestFromContractUnwritable(t *testing.T) {
	c := parseContract(t, "snowflake.odcs.yaml")
	_, ds, err := tmdl.FromContract(c, &tmdl.Options{Culture: "en-US\nx"})
	if err == nil || len(ds) == 0 || !strings.Contains(ds[0].String(), `culture "en-US\nx" contains control character`) {
		t.Errorf("FromContract(culture with a line break) = %v, %v; want an error diagnostic", err, ds)
	}
}
