package tmdl_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/pbipublish/pbipublish/tmdl"
)

// FuzzRoundTrip builds a model from arbitrary names, descriptions,
// values and a measure expression, encodes and decodes it. Input TOM cannot hold must be rejected
// by Parts with ErrInvalid; everything else must come back unchanged
// (descriptions as NormalizeDescription gives them).
func FuzzRoundTrip(f *testing.F) {
	f.Add("Orders", "Order Date", "desc", "ORDER_DATE", "m", "a\nb", "SUM(x)")
	f.Add("a'b", "x.y=z", "line1\n  line2 ", " lead", "# x", "", "let\n    a = 1 \nin\n    a\n")
	f.Add("a/b", "'q'", "```", `"TRUE";"FALSE"`, "[m]", "\r\n", "```")
	f.Add("t\tab", "c", "", "", "m", "", "\tx\n\ty")
	f.Add(":", "=", "x", "y", ":a", "", "1")
	f.Add("ref", "column", "/// x", `"`, "measure", "\x00", "a\r\n\r\nb")
	f.Fuzz(func(t *testing.T, table, column, desc, value, measure, measureDesc, expr string) {
		db := &tmdl.Database{Name: "M", Model: &tmdl.Model{Name: "Model", Tables: []*tmdl.Table{{
			Name:        table,
			Description: desc,
			LineageTag:  "t",
			Measures:    []*tmdl.Measure{{Name: measure, Description: measureDesc, Expression: expr, LineageTag: "m"}},
			Columns:     []*tmdl.Column{{Name: column, Description: desc, DataType: "string", SourceColumn: value, FormatString: value, LineageTag: "c"}},
			Partitions:  []*tmdl.Partition{{Name: table, Type: "m", Mode: "import", Source: "let\n    Source = 1\nin\n    Source"}},
			Annotations: []tmdl.Annotation{{Name: column, Value: "v"}},
		}}}}
		parts, err := db.Parts()
		if err != nil {
			if !errors.Is(err, tmdl.ErrInvalid) {
				t.Fatalf("Parts() = %v, want an ErrInvalid error", err)
			}
			if representable(table, column, measure, value, expr) {
				t.Fatalf("Parts() = %v for input TMDL can hold", err)
			}
			return
		}
		for _, name := range []string{table, column, measure} {
			if tmdl.CheckName(name) != nil {
				t.Fatalf("Parts() accepted name %q that TOM refuses", name)
			}
		}
		back, err := tmdl.Decode(parts)
		if err != nil {
			t.Fatalf("Decode(Parts()) = %v\n%s", err, partsMap(parts))
		}
		want := db.Model.Tables[0]
		want.Description = tmdl.NormalizeDescription(want.Description)
		want.Columns[0].Description = tmdl.NormalizeDescription(want.Columns[0].Description)
		want.Measures[0].Description = tmdl.NormalizeDescription(want.Measures[0].Description)
		want.Measures[0].Expression = normExpr(want.Measures[0].Expression)
		if diff := cmp.Diff(want, back.Model.Tables[0]); diff != "" {
			t.Fatalf("round trip changed the table (-want +got):\n%s\n%s", diff, partsMap(parts))
		}
	})
}

// normExpr is an expression as it reads back from TMDL: line breaks as
// \n, and a one-line expression trimmed.
func normExpr(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	if !strings.Contains(s, "\n") {
		s = strings.TrimSpace(s)
	}
	return s
}

// representable reports whether TOM can hold the input: valid and
// distinct names, a one-line value without control characters, and no
// ``` line that a fenced expression would need.
func representable(table, column, measure, value, expr string) bool {
	for _, n := range []string{table, column, measure} {
		if tmdl.CheckName(n) != nil {
			return false
		}
	}
	if strings.EqualFold(column, measure) || !utf8.ValidString(value) {
		return false // a column and a measure cannot share a name
	}
	for _, r := range value {
		if r != '\t' && (unicode.IsControl(r) || r == 0x2028 || r == 0x2029) {
			return false
		}
	}
	if strings.TrimSpace(expr) == "" {
		return false // TOM reads a bare "=" as the start of an expression
	}
	for _, l := range strings.Split(strings.ReplaceAll(expr, "\r", "\n"), "\n") {
		if strings.TrimSpace(l) == "```" {
			return false
		}
	}
	return true
}

// FuzzDecode feeds arbitrary text to the decoder as a table file. It must
// never panic; what it accepts must encode, and that encoding must decode
// and encode to the same bytes.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"ABC.SemanticModel/definition/tables/Table.tmdl", "Sales.SemanticModel/definition/tables/Sales.tmdl",
		"Sales.SemanticModel/definition/tables/Time Intelligence.tmdl", "Sales.SemanticModel/definition/expressions.tmdl"} {
		b, err := os.ReadFile(filepath.Join("testdata", "reference", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add("table T\n\tmeasure m = ```\n\t\t\tx \n\t\t\t```\n\tcolumn 'a''b'\n\t\tisKey\n")
	f.Fuzz(func(t *testing.T, text string) {
		parts := []tmdl.Part{{Path: "definition/tables/T.tmdl", Payload: []byte(text)}}
		db, err := tmdl.Decode(parts)
		if err != nil {
			var se *tmdl.SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Decode() = %v, want a *SyntaxError", err)
			}
			return
		}
		p1, err := db.Parts()
		if err != nil {
			return // read but not writable (a name TOM refuses, say)
		}
		db2, err := tmdl.Decode(p1)
		if err != nil {
			t.Fatalf("Decode(Parts(Decode(x))) = %v\n%s", err, partsMap(p1))
		}
		p2, err := db2.Parts()
		if err != nil {
			t.Fatalf("second Parts() = %v", err)
		}
		if diff := cmp.Diff(partsMap(p1), partsMap(p2)); diff != "" {
			t.Fatalf("encoding is not stable (-first +second):\n%s", diff)
		}
	})
}
