// Package entratest is a fake Microsoft Entra ID authority for tests and
// for the examples' embedded mode. It serves, over TLS so that MSAL
// accepts it, what a confidential client needs for delegated sign-in:
// the OpenID discovery documents, an authorize endpoint that signs in
// configured users and consents for them, and a token endpoint for the
// authorization code (with PKCE), refresh token (with rotation) and
// client credentials grants. It also answers Microsoft Graph's
// servicePrincipals(appId='…') lookup that a "Test connection" makes.
//
// Access tokens follow the format shared with fabric/fabrictest: HS256
// JWTs (signed with a random per-server key) whose claims carry aud,
// oid, tid, upn, name, scp, appid, iat, nbf and exp.
//
// A test starts a [Server] with [NewServer], points the code under test
// at it (authority host [Server.URL], tenant [Server.TenantID], HTTP
// client [Server.Client], which trusts the server's certificate), and
// plays the browser with [Server.Authorize], which returns the redirect
// to the application's callback. Errors are produced on demand with
// [Server.Fail] (any AADSTS code, at /authorize or /token),
// [Server.RevokeConsent] and [Server.RevokeSessions]; lifetimes and the
// clock are set in [Options]; [Server.Stats] counts what was asked and
// [Server.Secrets] lists every secret value that went through, so tests
// can prove none of them leaked.
//
// MSAL must be told not to validate the authority with Microsoft
// (instance discovery off); it then reads
// {URL}/{tenant}/v2.0/.well-known/openid-configuration, which this
// server answers, as it answers /common/discovery/instance.
package entratest
