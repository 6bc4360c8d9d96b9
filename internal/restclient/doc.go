// Package restclient holds the plumbing shared by the fabric and powerbi
// clients: the azcore pipeline they are built on, the retry rule for
// requests that must not be re-sent blindly, request logging, JSON
// helpers, service error decoding and the scrubbing of secrets from
// anything that may reach an error or a record.
//
// It is internal: users see only the fabric and powerbi packages.
package restclient
