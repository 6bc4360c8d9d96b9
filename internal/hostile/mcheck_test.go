package hostile

import (
	"strings"
	"testing"
)

// TestCheckM makes sure the M check catches what it is there to catch.
func TestCheckM(t *testing.T) {
	good := `let
    Source = Snowflake.Databases("h", "WH", [Role="R", Implementation="2.0"]),
    Db = Source{[Name="SALES",Kind="Database"]}[Data],
    Schema = Db{[Name="MART",Kind="Schema"]}[Data],
    #"a ""b""" = Schema{[Name="T ""x""",Kind="Table"]}[Data],
    Selected = Table.SelectColumns(#"a ""b""", {"c1", "c""2"})
in
    Selected`
	if err := checkM(good, `T "x"`, []string{"c1", `c"2`}); err != nil {
		t.Fatalf("checkM(good) = %v", err)
	}
	for _, tc := range []struct {
		name, src, want string
	}{
		{"injected_step", strings.Replace(good, `    Selected =`, `    Evil = Web.Contents("http://x"),
    Selected =`, 1), "steps"},
		{"injected_call", strings.Replace(good, `{"c1", "c""2"}`, `{"c1", "c"}), Web.Contents("x"), {"2"}`, 1), "Web.Contents"},
		{"broken_literal", strings.Replace(good, `"T ""x"""`, `"T "x""`, 1), ""},
		{"comment", strings.Replace(good, "in\n", "// x\nin\n", 1), "comment"},
		{"column_split", strings.Replace(good, `"c""2"`, `"c", "2"`, 1), `"c\"2"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkM(tc.src, `T "x"`, []string{"c1", `c"2`})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("checkM = %v, want an error with %q", err, tc.want)
			}
		})
	}
}
