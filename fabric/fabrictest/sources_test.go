package fabrictest

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMSources(t *testing.T) {
	tests := []struct {
		name, m string
		want    []DataSource
	}{
		{"snowflake", `let Source = Snowflake.Databases("acme.snowflakecomputing.com", "WH", [Role="R"]) in Source`,
			[]DataSource{{"Snowflake", "acme.snowflakecomputing.com;WH"}}},
		{"databricks", "let\n Source = Databricks.Catalogs(\"adb-1.azuredatabricks.net\",\n \"/sql/1.0/warehouses/x\", [Catalog=null])\nin Source",
			[]DataSource{{"Databricks", "adb-1.azuredatabricks.net;/sql/1.0/warehouses/x"}}},
		{"escaped_quotes", `Snowflake.Databases("a""b", "W""H")`, []DataSource{{"Snowflake", `a"b;W"H`}}},
		{"two_calls", `Snowflake.Databases("a","b") & Snowflake.Databases("c","d")`,
			[]DataSource{{"Snowflake", "a;b"}, {"Snowflake", "c;d"}}},
		{"other_source", `Sql.Database("s", "d")`, nil},
		{"not_a_call", `MySnowflake.DatabasesX("a","b")`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, mSources(tc.m)); diff != "" {
				t.Errorf("mSources(%q) mismatch (-want +got):\n%s", tc.m, diff)
			}
		})
	}
}

func TestParseSourcesDeduplicates(t *testing.T) {
	parts := SampleModel(DataSource{"Snowflake", "a;b"}, "import")
	parts = append(parts, parts[3])
	parts[4].Path = "definition/tables/Orders2.tmdl"
	parts[4].Payload = []byte(string(parts[4].Payload[:0]) + "table Orders2\n\n\tpartition P = m\n\t\tmode: import\n\t\tsource = Snowflake.Databases(\"a\", \"b\")\n\n")
	got, err := parseSources(parts)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]DataSource{{"Snowflake", "a;b"}}, got); diff != "" {
		t.Errorf("parseSources (-want +got):\n%s", diff)
	}
}
