// Package publish holds the records of publishing a data contract to Power
// BI: the jobs that carry a publish through its stages, and the catalog
// that registers each published model for lineage.
//
// A [Job] moves through the stages [StageValidating],
// [StageCreatingConnection], [StageCreatingModel],
// [StageBindingConnection] and [StageFinalizing], and ends in
// [StateSucceeded] or [StateFailed]. Jobs live in a [JobStore];
// [NewMemoryJobStore] is the default.
//
// A [Catalog] records every published model as a consumer data product of
// the output port it came from, with an approved data-usage agreement, and
// answers which models an output port already feeds.
// [NewMemoryCatalog] and [NewFileCatalog] keep these records locally; a
// host with a data catalog of its own implements the interface.
package publish
