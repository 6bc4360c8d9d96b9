package tmdl_test

import (
	"fmt"
	"testing"

	"github.com/pbipublish/pbipublish/odcs"
	"github.com/pbipublish/pbipublish/tmdl"
)

// benchContract generates a Snowflake contract of tables × cols columns
// cycling through the mapped types, with a foreign key per table.
func benchContract(tables, cols int) *odcs.Contract {
	types := []string{"NUMBER(38,0)", "NUMBER(12,2)", "VARCHAR(100)", "BOOLEAN", "DATE", "TIMESTAMP_NTZ", "TIME", "FLOAT", "VARIANT"}
	c := &odcs.Contract{APIVersion: "v3.1.0", Kind: "DataContract", ID: "bench", Name: "Bench", Version: "1.0.0",
		Servers: []*odcs.Server{{Server: "prod", Type: "snowflake", Account: "acme", Warehouse: "WH", Database: "DB", Schema: "S", Path: "servers[0]"}}}
	for i := 0; i < tables; i++ {
		o := &odcs.Object{Name: fmt.Sprintf("table_%04d", i), Description: "A generated table.", Path: fmt.Sprintf("schema[%d]", i)}
		for j := 0; j < cols; j++ {
			p := &odcs.Property{Name: fmt.Sprintf("column_%02d", j), PhysicalType: types[j%len(types)],
				Description: "A generated column.", Path: fmt.Sprintf("schema[%d].properties[%d]", i, j)}
			if j == 0 {
				p.PrimaryKey, p.PrimaryKeyPosition, p.Required = true, 1, true
			}
			if j == 1 && i > 0 {
				p.PhysicalType = "NUMBER(38,0)"
				p.Relationships = []*odcs.Relationship{{Type: "foreignKey", From: []string{o.Name + "." + p.Name},
					To: []string{fmt.Sprintf("table_%04d.column_00", i-1)}, Path: p.Path + ".relationships[0]"}}
			}
			o.Properties = append(o.Properties, p)
		}
		c.Schema = append(c.Schema, o)
	}
	return c
}

func BenchmarkContractToTMDL(b *testing.B) {
	for _, n := range []int{30, 300, 3000} {
		b.Run(fmt.Sprintf("tables=%d_cols=60", n), func(b *testing.B) {
			c := benchContract(n, 60)
			db, _, err := tmdl.FromContract(c, nil)
			if err != nil {
				b.Fatal(err)
			}
			parts, err := db.Parts()
			if err != nil {
				b.Fatal(err)
			}
			size := 0
			for _, p := range parts {
				size += len(p.Payload)
			}
			b.SetBytes(int64(size))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				db, _, err := tmdl.FromContract(c, nil)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := db.Parts(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchModel builds the 300 × 60 model of the encode and decode
// benchmarks and its parts, and sets b's bytes per op to their size.
func benchModel(b *testing.B) (*tmdl.Database, []tmdl.Part) {
	db, _, err := tmdl.FromContract(benchContract(300, 60), nil)
	if err != nil {
		b.Fatal(err)
	}
	parts, err := db.Parts()
	if err != nil {
		b.Fatal(err)
	}
	size := 0
	for _, p := range parts {
		size += len(p.Payload)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	return db, parts
}

func BenchmarkEncode(b *testing.B) {
	db, _ := benchModel(b)
	for i := 0; i < b.N; i++ {
		if _, err := db.Parts(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	_, parts := benchModel(b)
	for i := 0; i < b.N; i++ {
		if _, err := tmdl.Decode(parts); err != nil {
			b.Fatal(err)
		}
	}
}
