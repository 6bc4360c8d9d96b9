package fabrictest

import (
	"fmt"
	"strings"

	"github.com/pbipublish/pbipublish/fabric"
)

// SampleModel returns the TMDL parts of a minimal semantic model with
// one table, Orders, whose partition reads from src in the given storage
// mode ("import" or "directQuery"). src.Type is "Snowflake" or
// "Databricks" and src.Path has the DataSource format. It is meant for
// tests that need a model to upload.
func SampleModel(src DataSource, mode string) []fabric.DefinitionPart {
	a, b, _ := strings.Cut(src.Path, ";")
	lit := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
	var nav string
	switch src.Type {
	case "Databricks":
		nav = fmt.Sprintf("Source = Databricks.Catalogs(%s, %s, [Catalog = null, Database = null, EnableAutomaticProxyDiscovery = null]),\n"+
			"\t\t\t\t    Catalog = Source{[Name = \"main\", Kind = \"Database\"]}[Data],\n"+
			"\t\t\t\t    Schema = Catalog{[Name = \"sales\", Kind = \"Schema\"]}[Data],\n"+
			"\t\t\t\t    Orders = Schema{[Name = \"orders\", Kind = \"Table\"]}[Data]", lit(a), lit(b))
	default:
		nav = fmt.Sprintf("Source = Snowflake.Databases(%s, %s),\n"+
			"\t\t\t\t    Database = Source{[Name = \"SALES\", Kind = \"Database\"]}[Data],\n"+
			"\t\t\t\t    Schema = Database{[Name = \"PUBLIC\", Kind = \"Schema\"]}[Data],\n"+
			"\t\t\t\t    Orders = Schema{[Name = \"ORDERS\", Kind = \"Table\"]}[Data]", lit(a), lit(b))
	}
	table := "table Orders\n" +
		"\tlineageTag: 2f1c6d0e-0b7a-5c43-9a57-3f1a0d6c9b11\n\n" +
		"\tcolumn ID\n" +
		"\t\tdataType: int64\n" +
		"\t\tlineageTag: 7b0f3e52-6f0e-5a9b-8c43-1b7d2f0e4a21\n" +
		"\t\tsummarizeBy: none\n" +
		"\t\tsourceColumn: ID\n\n" +
		"\tpartition Orders = m\n" +
		"\t\tmode: " + mode + "\n" +
		"\t\tsource =\n" +
		"\t\t\t\tlet\n" +
		"\t\t\t\t    " + nav + "\n" +
		"\t\t\t\tin\n" +
		"\t\t\t\t    Orders\n\n"
	return []fabric.DefinitionPart{
		{Path: "definition.pbism", Payload: []byte(`{"version": "4.2", "settings": {}}` + "\n")},
		{Path: "definition/database.tmdl", Payload: []byte("database\n\tcompatibilityLevel: 1604\n\n")},
		{Path: "definition/model.tmdl", Payload: []byte("model Model\n\tculture: en-US\n\tdefaultPowerBIDataSourceVersion: powerBI_V3\n\nref table Orders\n\n")},
		{Path: "definition/tables/Orders.tmdl", Payload: []byte(table)},
	}
}
