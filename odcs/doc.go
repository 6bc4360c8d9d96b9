// Package odcs reads and checks data contracts written in the Open Data
// Contract Standard (ODCS) v3, the format a data product uses to
// describe its output ports: servers, tables and columns, keys and
// relationships.
//
// # A short path through the package
//
// [Parse] (or [ParseFile], [ParseReader]) reads a contract in YAML or
// JSON into a [Contract]: its [Server] list, its schema [Object] list
// (tables), each with its [Property] list (columns) and [Relationship]
// list. Parsing is lenient: unknown or legacy fields are kept in the
// source tree and do not fail the parse. It fails, with a [ParseError],
// only when the input cannot be a contract at all: broken YAML, an
// empty or binary file, input over [DefaultMaxBytes], nesting deeper
// than [MaxDepth], cyclic aliases or an alias bomb.
//
// [Validate] checks a parsed contract and returns [Diagnostics], sorted
// by position, each with a [Severity], file:line:column, the path in the
// contract (schema[1].properties[4].logicalType) and a message written
// for the person who edits the contract:
//
//   - against the official ODCS JSON Schema of the contract's apiVersion
//     (v3.0.0, v3.0.1, v3.0.2 or v3.1.0, vendored under schema/ and
//     compiled once per process), saying which newer version would
//     accept a contract that fails its declared one;
//   - relationship references that resolve to nothing (warnings);
//   - table names, or column names within a table, that differ only in
//     case (errors: Power BI rejects them);
//   - foreign keys whose two sides have different numbers of columns;
//   - duplicate keys in a mapping.
//
// [Lint] does both in one call, turning a parse failure into
// diagnostics; the examples/lint program is a thin wrapper around it.
//
// Later stages find what they need with [Contract.Server] (by name, or
// the only Snowflake or Databricks server), [Contract.Object],
// [Object.Property], [Object.PrimaryKey] and [Contract.ForeignKeys], and
// point back into the source with [Contract.Position].
package odcs
