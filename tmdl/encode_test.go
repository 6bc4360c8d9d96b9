package tmdl_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/pbipublish/pbipublish/tmdl"
)

func TestPartsErrors(t *testing.T) {
	table := func(name string, cols ...string) *tmdl.Table {
		t := &tmdl.Table{Name: name}
		for _, c := range cols {
			t.Columns = append(t.Columns, &tmdl.Column{Name: c, DataType: "string"})
		}
		return t
	}
	tests := []struct {
		name  string
		model *tmdl.Model
		want  string
	}{
		{"no_model", nil, "database has no model"},
		{"empty_table_name", &tmdl.Model{Tables: []*tmdl.Table{table("")}}, "table: tmdl: empty name"},
		{"control_in_table", &tmdl.Model{Tables: []*tmdl.Table{table("a\nb")}}, `name "a\nb" contains control character U+000A`},
		{"duplicate_table", &tmdl.Model{Tables: []*tmdl.Table{table("Orders"), table("ORDERS")}}, `table "ORDERS": another table has the same name`},
		{"file_collision", &tmdl.Model{Tables: []*tmdl.Table{table("a/b"), table("a%2Fb")}}, `table "a%2Fb": file name "a%2Fb.tmdl" is also the file name of table "a/b"`},
		{"duplicate_column", &tmdl.Model{Tables: []*tmdl.Table{table("T", "id", "Id")}}, `column "Id": another column or measure has the same name`},
		{"column_measure", &tmdl.Model{Tables: []*tmdl.Table{{Name: "T", Columns: []*tmdl.Column{{Name: "x"}}, Measures: []*tmdl.Measure{{Name: "X", Expression: "1"}}}}}, `measure "X": another column or measure`},
		{"value_newline", &tmdl.Model{Tables: []*tmdl.Table{{Name: "T", Columns: []*tmdl.Column{{Name: "x", SourceColumn: "a\nb"}}}}}, `sourceColumn "a\nb" contains control character`},
		{"value_bad_utf8", &tmdl.Model{Tables: []*tmdl.Table{{Name: "T", Columns: []*tmdl.Column{{Name: "x", FormatString: "\xff"}}}}}, "is not valid UTF-8"},
		{"annotation_name", &tmdl.Model{Annotations: []tmdl.Annotation{{Name: "a\tb", Value: "1"}}}, "model: annotation:"},
		{"relationship_column", &tmdl.Model{Tables: []*tmdl.Table{table("A", "id"), table("B", "id")},
			Relationships: []*tmdl.Relationship{{Name: "r", FromColumn: tmdl.ColumnRef{Table: "A", Column: "id"}, ToColumn: tmdl.ColumnRef{Table: "B", Column: "nope"}}}},
			`relationship "r": no column B.nope`},
		{"fence_line", &tmdl.Model{Tables: []*tmdl.Table{{Name: "T", Measures: []*tmdl.Measure{{Name: "m", Expression: "a \n```"}}}}}, "cannot be written in TMDL"},
		{"empty_annotation", &tmdl.Model{Annotations: []tmdl.Annotation{{Name: "a", Value: " "}}}, "empty expression or annotation value"},
		{"empty_measure", &tmdl.Model{Tables: []*tmdl.Table{{Name: "T", Measures: []*tmdl.Measure{{Name: "m"}}}}}, "empty expression or annotation value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := (&tmdl.Database{Name: "M", Model: tt.model}).Parts()
			if !errors.Is(err, tmdl.ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parts() = %v, want ErrInvalid containing %q", err, tt.want)
			}
		})
	}
}

// TestRelationshipDefaults pins what TOM leaves out: many-to-one, single
// direction and active are not written.
func TestRelationshipDefaults(t *testing.T) {
	f, tr := false, true
	m := &tmdl.Model{
		Tables: []*tmdl.Table{{Name: "A", Columns: []*tmdl.Column{{Name: "id"}}}, {Name: "B b", Columns: []*tmdl.Column{{Name: "i d"}}}},
		Relationships: []*tmdl.Relationship{
			{Name: "r1", IsActive: &tr, FromCardinality: "many", ToCardinality: "one", CrossFilteringBehavior: "oneDirection",
				FromColumn: tmdl.ColumnRef{Table: "A", Column: "id"}, ToColumn: tmdl.ColumnRef{Table: "B b", Column: "i d"}},
			{Name: "r2", IsActive: &f, FromCardinality: "one", ToCardinality: "many", CrossFilteringBehavior: "bothDirections",
				FromColumn: tmdl.ColumnRef{Table: "A", Column: "id"}, ToColumn: tmdl.ColumnRef{Table: "B b", Column: "i d"}},
		},
	}
	parts, err := (&tmdl.Database{Name: "M", Model: m}).Parts()
	if err != nil {
		t.Fatal(err)
	}
	want := "relationship r1\n\tfromColumn: A.id\n\ttoColumn: 'B b'.'i d'\n\n" +
		"relationship r2\n\tisActive: false\n\tcrossFilteringBehavior: bothDirections\n\tfromCardinality: one\n\ttoCardinality: many\n\tfromColumn: A.id\n\ttoColumn: 'B b'.'i d'\n\n"
	if got := partsMap(parts)["definition/relationships.tmdl"]; got != want {
		t.Errorf("relationships.tmdl =\n%q\nwant\n%q", got, want)
	}
}
