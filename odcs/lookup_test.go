package odcs

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func mustParseFile(t testing.TB, path string) *Contract {
	t.Helper()
	c, err := ParseFile(path)
	if err != nil {
		t.Fatalf("ParseFile(%q) = %v", path, err)
	}
	return c
}

func TestContract_Server(t *testing.T) {
	full := mustParseFile(t, filepath.Join("testdata", "parse", "full.odcs.yaml"))
	one, err := Parse([]byte("servers:\n  - server: pg\n    type: postgres\n  - server: sf\n    type: Snowflake\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	none, err := Parse([]byte("servers:\n  - server: pg\n    type: postgres\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		c          *Contract
		server     string
		want       string
		sentinel   error
		candidates []string
	}{
		{name: "by_name", c: full, server: "lake", want: "lake"},
		{name: "only_supported", c: one, server: "", want: "sf"},
		{name: "unknown_name", c: full, server: "dev", sentinel: ErrNoServer, candidates: []string{"prod", "lake"}},
		{name: "ambiguous", c: full, server: "", sentinel: ErrAmbiguousServer, candidates: []string{"prod", "lake"}},
		{name: "no_supported", c: none, server: "", sentinel: ErrNoServer, candidates: []string{"pg"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := tt.c.Server(tt.server)
			if tt.sentinel == nil {
				if err != nil || s.Server != tt.want {
					t.Fatalf("Server(%q) = %v, %v; want %s", tt.server, s, err, tt.want)
				}
				return
			}
			if !errors.Is(err, tt.sentinel) {
				t.Fatalf("Server(%q) = %v, want %v", tt.server, err, tt.sentinel)
			}
			var se *ServerError
			if !errors.As(err, &se) {
				t.Fatalf("Server(%q) error %T, want *ServerError", tt.server, err)
			}
			if diff := cmp.Diff(tt.candidates, se.Candidates); diff != "" {
				t.Errorf("Candidates mismatch (-want +got):\n%s", diff)
			}
			for _, c := range tt.candidates {
				if !strings.Contains(err.Error(), c) {
					t.Errorf("Server(%q) error %q does not name candidate %q", tt.server, err, c)
				}
			}
		})
	}
}

func TestLookups(t *testing.T) {
	c := mustParseFile(t, filepath.Join("testdata", "parse", "full.odcs.yaml"))
	o := c.Object("orders")
	if o == nil || c.Object("Orders") != nil || c.Object("nope") != nil {
		t.Fatalf("Object lookups wrong: orders=%v", o)
	}
	if p := o.Property("country"); p == nil || p.Path != "schema[0].properties[3]" {
		t.Errorf("Property(country) = %v", p)
	}
	if p := o.Property("city"); p != nil {
		t.Errorf("Property(city) = %v, want nil (nested properties are not columns)", p)
	}
	var names []string
	for _, p := range o.PrimaryKey() {
		names = append(names, p.Name)
	}
	if diff := cmp.Diff([]string{"line_no", "order_id"}, names); diff != "" {
		t.Errorf("PrimaryKey mismatch (-want +got):\n%s", diff)
	}
}

func TestPrimaryKey_order(t *testing.T) {
	o := &Object{Properties: []*Property{
		{Name: "c", PrimaryKey: true, PrimaryKeyPosition: -1},
		{Name: "b", PrimaryKey: true, PrimaryKeyPosition: 2},
		{Name: "x"},
		{Name: "d", PrimaryKey: true},
		{Name: "a", PrimaryKey: true, PrimaryKeyPosition: 1},
	}}
	var got []string
	for _, p := range o.PrimaryKey() {
		got = append(got, p.Name)
	}
	if diff := cmp.Diff([]string{"a", "b", "c", "d"}, got); diff != "" {
		t.Errorf("PrimaryKey mismatch (-want +got):\n%s", diff)
	}
}

func TestForeignKeys(t *testing.T) {
	c := mustParseFile(t, filepath.Join("testdata", "parse", "full.odcs.yaml"))
	fks, ds := c.ForeignKeys()
	if len(ds) != 0 {
		t.Errorf("ForeignKeys diagnostics = %v, want none", ds)
	}
	type fk struct{ From, To string }
	var got []fk
	for _, k := range fks {
		var f, to []string
		for _, p := range k.FromColumns {
			f = append(f, k.From.Name+"."+p.Name)
		}
		for _, p := range k.ToColumns {
			to = append(to, k.To.Name+"."+p.Name)
		}
		got = append(got, fk{strings.Join(f, ","), strings.Join(to, ",")})
	}
	want := []fk{
		{"orders.customer_id,orders.country", "customers.id,customers.country"},
		{"orders.customer_id", "customers.id"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ForeignKeys mismatch (-want +got):\n%s", diff)
	}

	bad := mustParseFile(t, filepath.Join("testdata", "lint", "relationships.odcs.yaml"))
	fks, ds = bad.ForeignKeys()
	if len(fks) != 2 {
		t.Errorf("ForeignKeys(relationships) = %d resolved, want 2 (the composite key and customer_id)", len(fks))
	}
	if len(ds) != 3 || ds.HasErrors() {
		t.Errorf("ForeignKeys(relationships) diagnostics =\n%s\nwant 3 warnings", ds)
	}
	for _, d := range ds {
		if d.Line == 0 || d.Path == "" {
			t.Errorf("diagnostic %v lacks a position or path", d)
		}
	}
}

func TestForeignKeys_byID(t *testing.T) {
	c, err := Parse([]byte(`schema:
  - id: o
    name: orders
    properties:
      - name: cust
        relationships:
          - to: schema/c/properties/cid
  - id: c
    name: customers
    properties:
      - id: cid
        name: id
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	fks, ds := c.ForeignKeys()
	if len(ds) != 0 || len(fks) != 1 || fks[0].To.Name != "customers" || fks[0].ToColumns[0].Name != "id" || fks[0].FromColumns[0].Name != "cust" {
		t.Errorf("ForeignKeys = %+v, %v; want orders.cust -> customers.id", fks, ds)
	}
}
