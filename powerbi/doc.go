// Package powerbi is a client of the Power BI REST API for what Fabric's
// API does not cover in the publish flow: groups (workspaces), a
// dataset's data sources, binding it to a gateway or cloud connection,
// refreshes, taking over a dataset, and deleting it.
//
// Start with [NewClient], giving it an azcore.TokenCredential that
// returns the signed-in user's delegated token for [Scope]. A dataset is
// the Power BI view of a Fabric semantic model: same id, and the group
// id is the workspace id.
//
// Every non-success answer is a [*ResponseError]; match the conditions
// callers act on with errors.Is and the sentinels ([ErrNotFound],
// [ErrThrottled], [ErrUnauthorized], …). Retries follow the same rule as
// package fabric: idempotent calls are retried on 408, 429 and 5xx with
// the server's Retry-After; starting a refresh is re-sent only after a
// 429 or a failed dial.
package powerbi
