package entra

import (
	"fmt"
	"slices"
	"strings"
)

// Resource is an API the user's delegated tokens are for. A token
// request names the scopes of one resource only.
type Resource string

// Resources.
const (
	PowerBI Resource = "https://analysis.windows.net/powerbi/api"
	Fabric  Resource = "https://api.fabric.microsoft.com"
)

// Permissions returns the delegated permissions the application needs
// on the Power BI Service (which also answers for the Fabric API),
// besides offline_access.
func Permissions() []string { return slices.Clone(permissions) }

var permissions = []string{
	"Workspace.Read.All",
	"Dataset.ReadWrite.All",
	"Item.ReadWrite.All",
	"Connection.ReadWrite.All",
}

// CallbackPath is the redirect path the application registration must
// list (with the host's https origin) and the host must route to
// [Connector.CallbackHandler].
const CallbackPath = "/powerbi/callback"

// Scopes returns the fully qualified scopes requested for r.
func (r Resource) Scopes() []string {
	s := make([]string, len(permissions))
	for i, p := range permissions {
		s[i] = string(r) + "/" + p
	}
	return s
}

func (r Resource) valid() error {
	switch r {
	case PowerBI, Fabric:
		return nil
	}
	return fmt.Errorf("entra: unknown resource %q", string(r))
}

// covers reports whether a requested scope belongs to resource r,
// accepting "<resource>/.default" and the resource's own scopes, with or
// without a trailing slash on the resource.
func (r Resource) covers(scope string) bool {
	s := strings.ToLower(scope)
	base := strings.ToLower(string(r))
	return strings.HasPrefix(s, base+"/") || s == base
}
