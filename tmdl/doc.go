// Package tmdl reads and writes Power BI semantic models in the Tabular
// Model Definition Language (TMDL), and builds them from ODCS data
// contracts.
//
// A model is a [Database] holding a [Model] with [Table], [Column],
// [Measure], [Partition], [Relationship] and [Expression] values.
// [Database.Parts] encodes it to the files of a <Name>.SemanticModel
// folder (definition.pbism and definition/…) as [Part] values, the form
// the Fabric definition API takes; [WriteFolder] writes them to disk.
// [Decode] and [ReadFolder] read such files back; objects the document
// model does not type are kept as [Node] values, so encode(decode(x))
// loses nothing and is stable.
//
// Output is deterministic and TOM-canonical: Microsoft's Tabular Object
// Model, given a folder this package wrote, serializes it back to the
// same bytes. The rules (property order, quoting of names and values,
// blank lines, indentation of expressions, file name escaping) were found
// by experiment with TOM and are pinned by the tests.
//
// The document types are plain data: encoding and decoding only read or
// build them, so one value may be encoded from several goroutines at
// once, but none is safe for concurrent mutation.
//
// [FromContract] turns an [odcs.Contract] into a Database: one table per
// schema object, one column per property, an M partition per table that
// reads from the contract's Snowflake or Databricks server in the chosen
// storage mode, relationships from foreign keys, and UUIDv5 lineage tags
// derived from the contract id and object names, so an unchanged contract
// gives byte-identical TMDL. What the mapping cannot honour comes back as
// [odcs.Diagnostics] with the contract position.
//
//	c, err := odcs.ParseFile("orders.odcs.yaml")
//	…
//	db, diags, err := tmdl.FromContract(c, &tmdl.Options{Mode: "directQuery"})
//	…
//	dir, err := tmdl.WriteFolder("out", db)
package tmdl
