package odcs_test

import (
	"fmt"

	"github.com/pbipublish/pbipublish/odcs"
)

func Example() {
	src := []byte(`apiVersion: v3.1.0
kind: DataContract
id: orders
version: "1.0.0"
status: active
servers:
  - server: prod
    type: snowflake
    account: acme
    database: SALES
    schema: PUBLIC
schema:
  - name: orders
    properties:
      - name: order_id
        logicalType: integr
        primaryKey: true
      - name: customer_id
        logicalType: string
        relationships:
          - to: customers.id
`)
	c, ds := odcs.Lint(src, &odcs.ParseOptions{Filename: "orders.yaml"})
	for _, d := range ds {
		fmt.Println(d)
	}

	s, err := c.Server("")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("server:", s.Server, s.Type, s.Database+"."+s.Schema)
	for _, p := range c.Object("orders").PrimaryKey() {
		fmt.Println("key:", p.Name)
	}
	// Output:
	// orders.yaml:16:22: error: schema[0].properties[0].logicalType: "integr" is not allowed; use one of: string, date, timestamp, time, number, integer, object, array, boolean (did you mean integer?)
	// orders.yaml:21:17: warning: schema[0].properties[1].relationships[0].to: reference "customers.id" does not resolve: no schema object is named "customers"
	// server: prod snowflake SALES.PUBLIC
	// key: order_id
}
