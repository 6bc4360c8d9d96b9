// Package hostile holds a corpus of hostile data contracts and the test
// that proves each one ends in a clear diagnostic or in a model that
// Microsoft's Tabular Object Model accepts, with no step injected into
// its M queries. It has no API: the corpus is testdata/ and the table
// of expected outcomes is in hostile_test.go.
package hostile
