// Package publish turns an output port's data contract into a Power BI
// semantic model in a user's Fabric workspace, bound to a Snowflake or
// Databricks connection, and records it for lineage.
//
// A [Publisher] does the whole flow on behalf of a signed-in user of an
// organization; [New] builds the default one from a [Credentials] source
// (an *entra.Connector) and the options of the Fabric and Power BI
// clients. A host's publish dialog goes through it in three steps:
//
//   - [Publisher.Choices] lists what the user can choose for a contract
//     and server: the workspaces where they are Contributor or higher,
//     their connections that point exactly at the contract's server, the
//     default model name and the storage modes ([Modes]).
//   - [Publisher.Review] merges the contract's values (account, database,
//     role; host, catalog) with what the user enters for a new connection
//     (warehouse or HTTP path, pre-filled and editable; the credential)
//     and lists what is still missing. Secrets are never shown back.
//   - [Publisher.Publish] validates the [Request] at once (a
//     *[ValidationError] names every field to fix) and starts a [Job].
//
// A job runs on its own goroutine, independent of the caller's context,
// through the stages [StageValidating], [StageCreatingConnection] (only
// for a new connection), [StageCreatingModel], [StageBindingConnection]
// and [StageFinalizing], and ends in [StateSucceeded] or [StateFailed].
// Each transition is timestamped in the job's record in a [JobStore]
// ([NewMemoryJobStore] by default), passed to the [StageHook], and sent to
// [Publisher.Watch] channels; [Publisher.Wait] blocks until the end and
// [Publisher.Job] reads the record by id.
//
// What users can rely on:
//
//   - An identical request (secrets aside) while its job runs joins that
//     job: a double click publishes once.
//   - Publishing again creates a new model; when the workspace has the
//     name already, the next free suffix is used ("Orders (2)"), also
//     when another item takes the name at the last moment.
//   - The credential of a new connection is sent to Fabric once and kept
//     nowhere: not in the job, the logs, the errors or the catalog.
//   - If the model cannot be bound, a connection the job created is
//     deleted, the model stays, and the error says what to do (for
//     DirectQuery: open the model once in Power BI Desktop and bind it
//     there). The wait for the model's data sources is bounded
//     ([Options].DataSourceWait), with its own error, [ErrNoDataSources].
//   - Import and Dual models get their first refresh started.
//   - Every failure names its stage: a *[StageError] from Wait, a
//     [Failure] in the record, each with a stable code and a remedy.
//   - The create operation's resume token is kept in the job, so
//     [Publisher.Resume] in a restarted process finishes the same model
//     rather than creating a second one. [Publisher.Cancel] and
//     [Publisher.Close] interrupt jobs and delete their new connections.
//   - On success, the [Catalog] registers the model as a consumer data
//     product of the output port with an approved data-usage agreement,
//     and the result carries the model's link,
//     https://app.powerbi.com/groups/{workspace}/datasets/{model}/details.
//     [Publisher.Published] lists an output port's models for "Already
//     connected to Power BI". [NewMemoryCatalog] and [NewFileCatalog]
//     keep these records locally; a host with a data catalog of its own
//     implements the interface.
//
// Hosts adjust the flow with hooks: a [ModelHook] may change the model
// before it is uploaded, a [SuccessHook] runs after success.
package publish
