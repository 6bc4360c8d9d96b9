package fabric

import (
	"encoding/json"
	"fmt"
	"log/slog"
)

// Credential is the secret part of a new connection: BasicCredential,
// KeyCredential, KeyPairCredential or ServicePrincipalCredential.
//
// Credentials never print their secrets: String, GoString, LogValue and
// MarshalJSON all redact them. Only CreateConnection's request body
// carries them, and only to Fabric.
type Credential interface {
	// CredentialType is the API's credentialType ("Basic", "Key", …).
	CredentialType() string
	// wire returns the request body's credentials object and the secret
	// values to scrub from errors.
	wire() (map[string]string, []string)
}

const redacted = "REDACTED"

// Credential types, as the API names them.
const (
	CredentialTypeBasic            = "Basic"
	CredentialTypeKey              = "Key"
	CredentialTypeKeyPair          = "KeyPair"
	CredentialTypeServicePrincipal = "ServicePrincipal"
)

// BasicCredential is a user name and password.
type BasicCredential struct {
	Username string
	Password string
}

// CredentialType returns "Basic".
func (BasicCredential) CredentialType() string { return CredentialTypeBasic }

func (c BasicCredential) wire() (map[string]string, []string) {
	return map[string]string{"credentialType": CredentialTypeBasic, "username": c.Username, "password": c.Password}, []string{c.Password}
}

// String redacts the password.
func (c BasicCredential) String() string {
	return fmt.Sprintf("Basic{username: %q, password: %s}", c.Username, redacted)
}

// GoString redacts the password.
func (c BasicCredential) GoString() string { return "fabric." + c.String() }

// LogValue redacts the password.
func (c BasicCredential) LogValue() slog.Value {
	return slog.GroupValue(slog.String("type", CredentialTypeBasic), slog.String("username", c.Username))
}

// MarshalJSON redacts the password.
func (c BasicCredential) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{"credentialType": CredentialTypeBasic, "username": c.Username, "password": redacted})
}

// KeyCredential is an access key, e.g. a Databricks personal access token.
type KeyCredential struct {
	Key string
}

// CredentialType returns "Key".
func (KeyCredential) CredentialType() string { return CredentialTypeKey }

func (c KeyCredential) wire() (map[string]string, []string) {
	return map[string]string{"credentialType": CredentialTypeKey, "key": c.Key}, []string{c.Key}
}

// String redacts the key.
func (c KeyCredential) String() string { return "Key{key: " + redacted + "}" }

// GoString redacts the key.
func (c KeyCredential) GoString() string { return "fabric." + c.String() }

// LogValue redacts the key.
func (c KeyCredential) LogValue() slog.Value {
	return slog.GroupValue(slog.String("type", CredentialTypeKey))
}

// MarshalJSON redacts the key.
func (c KeyCredential) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{"credentialType": CredentialTypeKey, "key": redacted})
}

// KeyPairCredential is Snowflake key-pair authentication: the user
// (Identifier), an unencrypted or encrypted PKCS#8 PEM private key, and
// the passphrase of an encrypted key.
type KeyPairCredential struct {
	Identifier string
	PrivateKey string
	Passphrase string
}

// CredentialType returns "KeyPair".
func (KeyPairCredential) CredentialType() string { return CredentialTypeKeyPair }

func (c KeyPairCredential) wire() (map[string]string, []string) {
	m := map[string]string{"credentialType": CredentialTypeKeyPair, "identifier": c.Identifier, "privateKey": c.PrivateKey}
	if c.Passphrase != "" {
		m["passphrase"] = c.Passphrase
	}
	return m, []string{c.PrivateKey, c.Passphrase}
}

// String redacts the key and passphrase.
func (c KeyPairCredential) String() string {
	return fmt.Sprintf("KeyPair{identifier: %q, privateKey: %s, passphrase: %s}", c.Identifier, redacted, redacted)
}

// GoString redacts the key and passphrase.
func (c KeyPairCredential) GoString() string { return "fabric." + c.String() }

// LogValue redacts the key and passphrase.
func (c KeyPairCredential) LogValue() slog.Value {
	return slog.GroupValue(slog.String("type", CredentialTypeKeyPair), slog.String("identifier", c.Identifier))
}

// MarshalJSON redacts the key and passphrase.
func (c KeyPairCredential) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{"credentialType": CredentialTypeKeyPair, "identifier": c.Identifier, "privateKey": redacted, "passphrase": redacted})
}

// ServicePrincipalCredential is an Entra application's client id and
// secret in a tenant.
type ServicePrincipalCredential struct {
	TenantID     string
	ClientID     string
	ClientSecret string
}

// CredentialType returns "ServicePrincipal".
func (ServicePrincipalCredential) CredentialType() string { return CredentialTypeServicePrincipal }

func (c ServicePrincipalCredential) wire() (map[string]string, []string) {
	return map[string]string{"credentialType": CredentialTypeServicePrincipal, "tenantId": c.TenantID,
		"servicePrincipalClientId": c.ClientID, "servicePrincipalSecret": c.ClientSecret}, []string{c.ClientSecret}
}

// String redacts the secret.
func (c ServicePrincipalCredential) String() string {
	return fmt.Sprintf("ServicePrincipal{tenantId: %q, clientId: %q, secret: %s}", c.TenantID, c.ClientID, redacted)
}

// GoString redacts the secret.
func (c ServicePrincipalCredential) GoString() string { return "fabric." + c.String() }

// LogValue redacts the secret.
func (c ServicePrincipalCredential) LogValue() slog.Value {
	return slog.GroupValue(slog.String("type", CredentialTypeServicePrincipal),
		slog.String("tenant_id", c.TenantID), slog.String("client_id", c.ClientID))
}

// MarshalJSON redacts the secret.
func (c ServicePrincipalCredential) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{"credentialType": CredentialTypeServicePrincipal, "tenantId": c.TenantID,
		"servicePrincipalClientId": c.ClientID, "servicePrincipalSecret": redacted})
}
