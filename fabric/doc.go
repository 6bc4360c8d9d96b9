// Package fabric is a client of the Microsoft Fabric REST API for the
// calls that publish a semantic model: workspaces and their items,
// semantic models created from TMDL definition parts, the model's data
// sources and their binding to a connection, cloud connections for
// Snowflake and Databricks, and long-running operations.
//
// Start with [NewClient], giving it an azcore.TokenCredential that
// returns the signed-in user's delegated token for [Scope]. Lists are
// [runtime.Pager]s ([Client.NewListWorkspacesPager]); calls that may run
// long return a [runtime.Poller] ([Client.BeginCreateSemanticModel]) that
// follows the operation's Location, waits as its Retry-After says, stops
// when the context ends, and can be saved with ResumeToken and resumed by
// passing the token in the Begin method's options. Connections are
// created with [Client.CreateConnection] from [SnowflakeConnection] or
// [DatabricksConnection] and a [Credential]; credentials never print
// their secrets.
//
// Every non-success answer is a [*ResponseError]; match the conditions
// callers act on with errors.Is and the sentinels ([ErrNotFound],
// [ErrItemDisplayNameAlreadyInUse], [ErrBindConnectionDetailNotFound],
// …). Error messages are scrubbed of secrets even when the service
// echoes the request.
//
// # Retries
//
// The azcore retry policy (ClientOptions.Retry; default 3 retries)
// re-sends idempotent requests on 408, 429 and 5xx and after transport
// errors, waiting as Retry-After (or retry-after-ms) says; a Retry-After
// longer than MaxRetryDelay (default 60 s) ends the retries with
// [ErrThrottled]. Requests that create something (a semantic model, a
// connection) are re-sent only when the service certainly did not act: a
// 429 answer, or a connection that could not be established. After a
// 5xx, a timeout or a dropped connection the error is returned, since a
// second POST could create a duplicate; list the items or connections to
// learn whether the first one took effect.
//
// Package [github.com/pbipublish/pbipublish/fabric/fabrictest] serves
// this API (and Power BI's) offline, for tests and examples.
package fabric
