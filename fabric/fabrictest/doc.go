// Package fabrictest is an offline emulator of the Fabric and Power BI
// REST APIs the publish flow calls: one TLS httptest server answering
// both under their real paths (/v1/… for Fabric, /v1.0/myorg/… for
// Power BI) with shared, mutex-protected state.
//
// Start one with [NewServer], create workspaces with
// [Server.AddWorkspace] giving users (token oid) their roles, and point
// the fabric and powerbi clients at [Server.FabricEndpoint] and
// [Server.PowerBIEndpoint] with [Server.Client] as transport and
// [Server.Credential] (or tokens from entra/entratest) as credential.
//
// What it emulates:
//
//   - Bearer tokens in the shared JWT format, checked for audience per
//     API (a Power BI token on a Fabric route is refused) and expiry; the
//     caller is the token's oid.
//   - Workspaces with per-user roles; items and semantic models with
//     Fabric's duplicate-name rule (and ItemDisplayNameNotAvailableYet
//     after a delete, see Options.NameReuseDelay); definitions kept as
//     uploaded; TMDL checked on upload, a definition that does not parse
//     failing the operation with Workload_FailedToParseFile.
//   - Long-running operations that answer Running for
//     Options.OperationPolls polls with Retry-After (Options.RetryAfter),
//     then Succeeded with a Location to /result when there is one.
//   - Cloud connections checked against a supportedConnectionTypes table
//     (Snowflake: Snowflake.Databases with server, warehouse; Databricks:
//     Databricks.Catalogs with host, httpPath); credentials checked
//     (see [Server.SourceCredential]) but kept only as a salted hash.
//   - Item connections derived from the partitions' M sources (see
//     [DataSource] for the path format), appearing late or never on
//     request (Options.ItemConnectionsAfter); binding that demands the
//     exact type and path, and the model's ownership; Power BI data
//     sources, BindToGateway, refreshes (Completed when every source is
//     bound, Failed otherwise), take-over and delete.
//   - Programmable faults per route ([Server.AddFault]: status codes with
//     Retry-After, latency, dropped connections, failures after the
//     server acted) and failed operations ([Server.FailNextOperation]).
//
// For tests: [Server.Requests] returns the recorded requests with the
// token and every credential field redacted, and [Server.State] a copy
// of the state (connections without secrets).
package fabrictest
