package entra

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// AppKind says which Entra application an organization signs its users
// in with.
type AppKind int

// Application kinds.
const (
	// AppUnset: no application configured.
	AppUnset AppKind = iota
	// AppSSO: the application the host already uses for single sign-on;
	// the host supplies its tenant, client ID and secret
	// ([ConnectorOptions].SSO).
	AppSSO
	// AppCustom: an application the organization owner registered and
	// entered (tenant ID, client ID, client secret).
	AppCustom
)

func (k AppKind) String() string {
	switch k {
	case AppSSO:
		return "sso"
	case AppCustom:
		return "custom"
	}
	return "unset"
}

// MarshalJSON writes the kind as "sso" or "custom".
func (k AppKind) MarshalJSON() ([]byte, error) { return json.Marshal(k.String()) }

// UnmarshalJSON reads "sso", "custom" or "unset".
func (k *AppKind) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	switch s {
	case "sso":
		*k = AppSSO
	case "custom":
		*k = AppCustom
	case "unset", "":
		*k = AppUnset
	default:
		return fmt.Errorf("entra: unknown application kind %q", s)
	}
	return nil
}

// AppCredentials identify a confidential Entra application.
// ClientSecret is a secret: never log or display it.
type AppCredentials struct {
	TenantID     string
	ClientID     string
	ClientSecret string
}

// String hides the secret, so printing credentials by mistake is safe.
func (c AppCredentials) String() string {
	set := "unset"
	if c.ClientSecret != "" {
		set = "set"
	}
	return fmt.Sprintf("{tenant %s, client %s, secret %s}", c.TenantID, c.ClientID, set)
}

// GoString hides the secret from %#v as well.
func (c AppCredentials) GoString() string { return c.String() }

// Validate checks the shape of the fields: a tenant ID that is a GUID
// or a domain name, a client ID that is a GUID, and a secret that is
// present. Error messages name the field and never quote the secret.
func (c AppCredentials) Validate() error {
	var errs []error
	if err := validTenant(c.TenantID); err != nil {
		errs = append(errs, err)
	}
	if _, err := uuid.Parse(c.ClientID); err != nil || len(c.ClientID) != 36 {
		errs = append(errs, errors.New("entra: client ID: want the application (client) ID, a GUID such as 00000000-0000-0000-0000-000000000000"))
	}
	if c.ClientSecret == "" {
		errs = append(errs, errors.New("entra: client secret: missing"))
	}
	return errors.Join(errs...)
}

func validTenant(t string) error {
	if t == "" {
		return errors.New("entra: tenant ID: missing")
	}
	if _, err := uuid.Parse(t); err == nil && len(t) == 36 {
		return nil
	}
	if strings.Contains(t, ".") {
		for _, r := range t {
			if !(r == '.' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
				return errors.New("entra: tenant ID: want a GUID or a domain such as contoso.onmicrosoft.com")
			}
		}
		return nil
	}
	return errors.New("entra: tenant ID: want a GUID or a domain such as contoso.onmicrosoft.com")
}

// looksLikeSecretID reports whether a client secret has the shape of
// a secret's ID (a GUID) rather than its value, the usual mistake when
// copying from the portal.
func looksLikeSecretID(secret string) bool {
	_, err := uuid.Parse(strings.TrimSpace(secret))
	return err == nil && len(strings.TrimSpace(secret)) == 36
}

// Settings is what an organization owner enters. For [AppCustom] the
// three credential fields are required, except that an empty
// ClientSecret on an update keeps the stored one. For [AppSSO] they are
// ignored: the host supplies them.
type Settings struct {
	Kind         AppKind
	TenantID     string
	ClientID     string
	ClientSecret string // write-only: never returned by reads
}

// String hides the secret.
func (s Settings) String() string {
	return fmt.Sprintf("{%s %s}", s.Kind, AppCredentials{s.TenantID, s.ClientID, s.ClientSecret})
}

// GoString hides the secret from %#v as well.
func (s Settings) GoString() string { return s.String() }

// SettingsInfo is what reading settings back shows: whether a secret is
// set, never its value.
type SettingsInfo struct {
	Kind      AppKind
	TenantID  string
	ClientID  string
	SecretSet bool
	UpdatedAt time.Time
}
