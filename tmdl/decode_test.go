package tmdl_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pbipublish/pbipublish/tmdl"
)

func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDecodeReference decodes the real models and checks that encoding is
// stable: the second encoding equals the first.
func TestDecodeReference(t *testing.T) {
	tests := []struct {
		name                            string
		tables, columns, measures, rels int
	}{
		{"ABC", 2, 3, 0, 1},
		{"Sales", 11, 97, 29, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := tmdl.ReadFolder(filepath.Join("testdata", "reference", tt.name+".SemanticModel"))
			if err != nil {
				t.Fatalf("ReadFolder() = %v", err)
			}
			cols, measures := 0, 0
			for _, tab := range db.Model.Tables {
				cols += len(tab.Columns)
				measures += len(tab.Measures)
			}
			got := [4]int{len(db.Model.Tables), cols, measures, len(db.Model.Relationships)}
			if want := [4]int{tt.tables, tt.columns, tt.measures, tt.rels}; got != want {
				t.Errorf("tables, columns, measures, relationships = %v, want %v", got, want)
			}
			p1, err := db.Parts()
			if err != nil {
				t.Fatalf("Parts() = %v", err)
			}
			db2, err := tmdl.Decode(p1)
			if err != nil {
				t.Fatalf("Decode(Parts()) = %v", err)
			}
			p2, err := db2.Parts()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(partsMap(p1), partsMap(p2)); diff != "" {
				t.Errorf("second encoding differs from the first (-first +second):\n%s", diff)
			}
		})
	}
}

// TestDecodeABCIsByteExact: ABC is TOM-canonical, so encode(decode(ABC))
// must give back its bytes.
func TestDecodeABCIsByteExact(t *testing.T) {
	dir := filepath.Join("testdata", "reference", "ABC.SemanticModel")
	db, err := tmdl.ReadFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	parts, err := db.Parts()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		if got, want := string(p.Payload), readFile(t, filepath.Join(dir, p.Path)); got != want {
			t.Errorf("%s (-want +got):\n%s", p.Path, cmp.Diff(want, got))
		}
	}
}

// TestDecodeSalesKeepsBytes: encode(decode(Sales)) gives back every file
// byte for byte, except what TOM itself rewrites: the culture object is
// now called cultureInfo, and its ref comes after the role refs.
func TestDecodeSalesKeepsBytes(t *testing.T) {
	dir := filepath.Join("testdata", "reference", "Sales.SemanticModel")
	db, err := tmdl.ReadFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	parts, err := db.Parts()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		want := readFile(t, filepath.Join(dir, p.Path))
		switch p.Path {
		case "definition.pbism":
			continue // ours has no qnaEnabled setting
		case "definition/cultures/en-US.tmdl":
			want = strings.Replace(want, "culture en-US", "cultureInfo en-US", 1)
		case "definition/model.tmdl":
			want = strings.Replace(want, "ref culture en-US\n\n", "", 1)
			want = strings.TrimSuffix(want, "\n") + "\nref cultureInfo en-US\n\n"
		}
		if got := string(p.Payload); got != want {
			t.Errorf("%s (-want +got):\n%s", p.Path, cmp.Diff(want, got))
		}
	}
}

func TestDecodeSalesDetails(t *testing.T) {
	db, err := tmdl.ReadFolder(filepath.Join("testdata", "reference", "Sales.SemanticModel", "definition"))
	if err != nil {
		t.Fatal(err)
	}
	m := db.Model
	if db.Name != "Unknown" || db.CompatibilityLevel != 1601 || db.CompatibilityMode != "powerBI" {
		t.Errorf("database = %q %d %q", db.Name, db.CompatibilityLevel, db.CompatibilityMode)
	}
	var sales *tmdl.Table
	for _, tab := range m.Tables {
		if tab.Name == "Sales" {
			sales = tab
		}
	}
	if sales == nil {
		t.Fatal("no Sales table")
	}
	if p := sales.Partitions[0]; p.Mode != "import" || p.Type != "m" || !strings.HasPrefix(p.Source, "let\n") {
		t.Errorf("Sales partition = %+v", p)
	}
	r := m.Relationships[1]
	if r.FromColumn != (tmdl.ColumnRef{Table: "Sales", Column: "Order Date"}) || r.ToColumn != (tmdl.ColumnRef{Table: "Calendar", Column: "Date"}) {
		t.Errorf("relationship = %+v", r)
	}
	if m.Relationships[2].IsActive == nil || *m.Relationships[2].IsActive {
		t.Errorf("third relationship should be inactive")
	}
	if got := m.Tables[0].Description; got != "Calendar table" {
		t.Errorf("Calendar description = %q", got)
	}
	if len(m.Expressions) == 0 || m.Expressions[0].Name != "HttpSource" {
		t.Errorf("expressions = %v", m.Expressions)
	}
}

func TestDecodeErrors(t *testing.T) {
	model := "model Model\n\tculture: en-US\n\nref table T\n"
	table := "table T\n\tlineageTag: x\n\n\tcolumn a\n\t\tdataType: string\n"
	tests := []struct {
		name  string
		parts map[string]string
		want  string
	}{
		{"missing_table", map[string]string{"definition/model.tmdl": model}, "tmdl: definition/model.tmdl:4: ref table T: no such table in the definition"},
		{"bad_indentation", map[string]string{"definition/model.tmdl": model, "definition/tables/T.tmdl": "table T\n\t\t\tlineageTag: x\n"}, "tmdl: definition/tables/T.tmdl:2: unexpected indentation (3 tabs where 1 or fewer were expected)"},
		{"spaces", map[string]string{"definition/model.tmdl": model, "definition/tables/T.tmdl": "table T\n\t  lineageTag: x\n"}, "tmdl: definition/tables/T.tmdl:2: indentation must use tabs, not spaces"},
		{"unterminated_name", map[string]string{"definition/model.tmdl": model, "definition/tables/T.tmdl": "table 'T\n"}, "tmdl: definition/tables/T.tmdl:1: unterminated quoted name 'T"},
		{"open_fence", map[string]string{"definition/model.tmdl": model, "definition/tables/T.tmdl": table + "\tmeasure m = ```\n\t\t\tx\n"}, "tmdl: definition/tables/T.tmdl:6: ``` block is not closed"},
		{"dangling_description", map[string]string{"definition/model.tmdl": model, "definition/tables/T.tmdl": table + "\t/// d\n"}, "tmdl: definition/tables/T.tmdl:6: /// description is not followed by a declaration"},
		{"bad_ref", map[string]string{"definition/model.tmdl": model, "definition/tables/T.tmdl": table, "definition/relationships.tmdl": "relationship r\n\tfromColumn: T\n"}, "tmdl: definition/relationships.tmdl:2: fromColumn: expected Table.Column, found \"T\""},
		{"bad_bool", map[string]string{"definition/model.tmdl": model, "definition/tables/T.tmdl": table + "\t\tisHidden: maybe\n"}, `tmdl: definition/tables/T.tmdl:6: isHidden: expected true or false, found "maybe"`},
		{"duplicate_table", map[string]string{"definition/model.tmdl": model, "definition/tables/T.tmdl": table, "definition/tables/T2.tmdl": "table t\n"}, "tmdl: definition/tables/T2.tmdl:1: table t is defined twice"},
		{"text_after_name", map[string]string{"definition/model.tmdl": model, "definition/tables/T.tmdl": "table T x\n"}, `tmdl: definition/tables/T.tmdl:1: unexpected "x" after name T`},
		{"gateway_subset", nil, "tmdl: definition/model.tmdl:21: ref table 'Gateway Node Info': no such table in the definition"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.parts == nil {
				_, err = tmdl.ReadFolder(filepath.Join("testdata", "reference", "Gateway Monitoring.SemanticModel"))
			} else {
				var parts []tmdl.Part
				for p, s := range tt.parts {
					parts = append(parts, tmdl.Part{Path: p, Payload: []byte(s)})
				}
				_, err = tmdl.Decode(parts)
			}
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Decode() = %v, want %s", err, tt.want)
			}
			var se *tmdl.SyntaxError
			if !errors.As(err, &se) || se.Line == 0 || se.File == "" {
				t.Errorf("error %v is not a *SyntaxError with file and line", err)
			}
		})
	}
}

func TestDecodeAcceptsDefinitionRelativePaths(t *testing.T) {
	parts := []tmdl.Part{
		{Path: "model.tmdl", Payload: []byte("model Model\n\nref table T\n")},
		{Path: `tables\T.tmdl`, Payload: []byte("\xef\xbb\xbftable T\r\n\tcolumn a\r\n\t\tdataType: int64\r\n")},
		{Path: "definition.pbism", Payload: []byte(tmdl.PBISM)},
		{Path: "diagramLayout.json", Payload: []byte("{}")},
	}
	db, err := tmdl.Decode(parts)
	if err != nil {
		t.Fatal(err)
	}
	if len(db.Model.Tables) != 1 || db.Model.Tables[0].Columns[0].DataType != "int64" {
		t.Errorf("Decode() tables = %+v", db.Model.Tables)
	}
}

func TestPartsOrderAndLayout(t *testing.T) {
	parts, db, _ := build(t, goldenCases[0])
	var got []string
	for _, p := range parts {
		got = append(got, p.Path)
	}
	want := []string{"definition.pbism", "definition/database.tmdl", "definition/model.tmdl", "definition/relationships.tmdl",
		"definition/tables/orders.tmdl", "definition/tables/customers.tmdl"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("part paths (-want +got):\n%s", diff)
	}
	dir := t.TempDir()
	root, err := tmdl.WriteFolder(dir, db)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "Sales Orders.SemanticModel"); root != want {
		t.Errorf("WriteFolder() = %q, want %q", root, want)
	}
	for _, p := range parts {
		if b, err := os.ReadFile(filepath.Join(root, p.Path)); err != nil || !bytes.Equal(b, p.Payload) {
			t.Errorf("%s on disk differs from the part (%v)", p.Path, err)
		}
	}
}

func TestWriteFolderReplacesDefinition(t *testing.T) {
	parts, db, _ := build(t, goldenCases[0])
	dir := t.TempDir()
	root := filepath.Join(dir, "Sales Orders.SemanticModel")
	stale := filepath.Join(root, "definition", "tables", "gone.tmdl")
	keep := filepath.Join(root, "diagramLayout.json")
	for _, f := range []string{stale, keep} {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tmdl.WriteFolder(dir, db); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale table file survived WriteFolder: %v", err)
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("WriteFolder removed a file outside definition/: %v", err)
	}
	back, err := tmdl.ReadFolder(root)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := back.Parts()
	if diff := cmp.Diff(partsMap(parts), partsMap(again)); diff != "" {
		t.Errorf("ReadFolder(WriteFolder(db)) (-want +got):\n%s", diff)
	}
	if _, err := tmdl.WriteFolder(dir, &tmdl.Database{Model: db.Model}); !errors.Is(err, tmdl.ErrInvalid) {
		t.Errorf("WriteFolder(unnamed) = %v, want ErrInvalid", err)
	}
}
