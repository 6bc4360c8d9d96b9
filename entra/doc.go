// Package entra signs users of an organization in to Power BI with
// Microsoft Entra ID delegated tokens, keeps those tokens encrypted, and
// hands them to the Fabric and Power BI clients as
// [azcore.TokenCredential] values.
//
// # Organization settings
//
// An organization signs its users in with one confidential Entra
// application: either the host's single sign-on application
// ([AppSSO]; the host supplies its credentials in
// [ConnectorOptions].SSO) or one the owner registered ([AppCustom];
// tenant ID, client ID and client secret entered in the host's UI).
// [Connector.SaveSettings] seals the secret before it is stored, and
// [Connector.Settings] reads back only whether a secret is set.
// [Connector.TestConnection] (or [TestConnection] for credentials not
// yet saved) gets a client-credentials token for Microsoft Graph with a
// fresh credential and reads the application's display name, and says
// what is wrong when it cannot: a wrong or expired secret, a secret's ID
// pasted instead of its value, an application missing from the tenant,
// a tenant that does not exist.
//
// The application registration needs these delegated permissions on
// the Power BI Service, which also answers for the Fabric API (see
// [Permissions]):
//
//   - Workspace.Read.All
//   - Dataset.ReadWrite.All
//   - Item.ReadWrite.All
//   - Connection.ReadWrite.All
//
// plus offline_access (requested automatically), and a web redirect URI
// of the host's https origin followed by [CallbackPath],
// /powerbi/callback.
//
// # Connecting a user
//
// [Connector.Start] returns the authorization URL for a user, with a
// random single-use state bound to the organization and user (valid for
// ten minutes by default), a PKCE S256 challenge, and prompt=consent
// when the user reconnects ([Connector.Reconnect]). The host mounts
// [Connector.CallbackHandler] at /powerbi/callback; it identifies the
// user with [ConnectorOptions].Identify, checks the state (unknown,
// expired, reused or another user's states are refused), redeems the
// code through MSAL's confidential client and stores the user's token
// cache. [Connector.Connections] lists what a profile page shows, and
// [Connector.Disconnect] deletes the user's tokens (Entra cannot revoke
// one application's refresh token; deleting it is the disconnect).
//
// # Tokens
//
// [Connector.Credential] gives the user's credential for one resource,
// [PowerBI] or [Fabric]: a token request names the scopes of one
// resource only. Access tokens are served from memory until five
// minutes before they expire, then refreshed silently with the stored
// refresh token; the rotated cache is written back, and concurrent
// refreshes for one user and resource are collapsed into one.
//
// Failures match sentinels that say what to do: [ErrNotConnected],
// [ErrReconnectRequired] (consent missing, refresh token expired or
// revoked, MFA or sign-in frequency), [ErrAppMisconfigured] (secret,
// application, tenant or redirect URI), [ErrStartAgain] (code expired or
// already redeemed). [*AuthError] keeps the AADSTS code and trace ID for
// support, and never a token, code or secret.
//
// # Storage and encryption
//
// Token records live in a [Store] ([MemoryStore], [DiskStore], or the
// host's database), settings in a [SettingsStore]. Before anything
// secret reaches a store it is sealed by a [Keyring] built from
// APPLICATION_ENCRYPTION_KEYS ([KeyringFromEnv]): AES-256-GCM with a
// random nonce and a subkey per purpose, the key's ID in the record, and
// the organization, user and purpose bound in as associated data, so a
// record copied to another user does not open. Keys rotate by putting
// the new key first; records are re-sealed as they are written.
//
// Package [github.com/pbipublish/pbipublish/entra/entratest] is a fake
// authority that runs all of this offline.
package entra
