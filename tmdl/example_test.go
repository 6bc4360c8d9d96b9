package tmdl_test

import (
	"fmt"

	"github.com/pbipublish/pbipublish/tmdl"
)

func ExampleDatabase_Parts() {
	notNull := false
	db := &tmdl.Database{
		Name: "Sales",
		Model: &tmdl.Model{Name: "Model", Culture: "en-US", Tables: []*tmdl.Table{{
			Name:        "Order Lines",
			Description: "One row per order line.",
			LineageTag:  "6f1c9c1e-0000-5000-8000-000000000001",
			Columns: []*tmdl.Column{{
				Name: "Order Id", DataType: "int64", IsKey: true, IsNullable: &notNull, FormatString: "0",
				LineageTag: "6f1c9c1e-0000-5000-8000-000000000002", SummarizeBy: "none", SourceColumn: "ORDER_ID",
			}},
			Partitions: []*tmdl.Partition{{
				Name: "Order Lines", Type: "m", Mode: "directQuery",
				Source: "let\n    Source = Sql.Database(\"h\", \"db\")\nin\n    Source",
			}},
		}}},
	}
	parts, err := db.Parts()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range parts {
		fmt.Println(p.Path)
	}
	fmt.Print(string(parts[3].Payload))
	// Output:
	// definition.pbism
	// definition/database.tmdl
	// definition/model.tmdl
	// definition/tables/Order Lines.tmdl
	// /// One row per order line.
	// table 'Order Lines'
	// 	lineageTag: 6f1c9c1e-0000-5000-8000-000000000001
	//
	// 	column 'Order Id'
	// 		dataType: int64
	// 		isKey
	// 		isNullable: false
	// 		formatString: 0
	// 		lineageTag: 6f1c9c1e-0000-5000-8000-000000000002
	// 		summarizeBy: none
	// 		sourceColumn: ORDER_ID
	//
	// 	partition 'Order Lines' = m
	// 		mode: directQuery
	// 		source =
	// 				let
	// 				    Source = Sql.Database("h", "db")
	// 				in
	// 				    Source
	//
}

func ExampleQuoteName() {
	fmt.Println(tmdl.QuoteName("Orders"))
	fmt.Println(tmdl.QuoteName("Order Date"))
	fmt.Println(tmdl.QuoteName("Customer's Name"))
	fmt.Println(tmdl.FileName("a/b: c"))
	// Output:
	// Orders
	// 'Order Date'
	// 'Customer''s Name'
	// a%2Fb%3A c
}

func ExampleMString() {
	fmt.Println(tmdl.MString(`x"), Web.Contents("http://evil`))
	fmt.Println(tmdl.MIdentifier("Order Lines"))
	// Output:
	// "x""), Web.Contents(""http://evil"
	// #"Order Lines"
}
