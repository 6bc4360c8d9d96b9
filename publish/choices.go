package publish

import (
	"context"
	"fmt"

	"github.com/pbipublish/pbipublish/fabric"
)

// Choices is what a publish dialog offers for one contract and server.
type Choices struct {
	// Workspaces are those where the user is Contributor, Member or
	// Admin, in the service's order.
	Workspaces []fabric.Workspace
	// Connections are the user's connections of the server's type whose
	// path is exactly the model's data source (host and warehouse, or
	// host and HTTP path).
	Connections []fabric.Connection
	// DefaultName is the proposed model name.
	DefaultName string
	// Modes are the storage modes, the default first.
	Modes []Mode
	// Review shows the values of a new connection as far as the
	// request holds them.
	Review *Review
}

// Choices lists the dialog's choices. It reads req's Contract, Server,
// Source, Warehouse and HTTPPath; other fields are ignored.
func (p *publisher) Choices(ctx context.Context, org, user string, req *Request) (*Choices, error) {
	if req == nil {
		return nil, &ValidationError{Fields: []FieldError{{"Request", "a request is required"}}}
	}
	t, bad := resolve(req.Contract, req.Server, req.Warehouse, req.HTTPPath)
	if t == nil {
		return nil, &ValidationError{Fields: bad}
	}
	fc, _, err := p.clients(org, user)
	if err != nil {
		return nil, err
	}
	out := &Choices{DefaultName: defaultName(req.Contract, req.Source.Port), Modes: Modes(), Review: review(req, t, bad)}

	wp := fc.NewListWorkspacesPager(&fabric.ListWorkspacesOptions{Roles: contributorRoles})
	for wp.More() {
		page, err := wp.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("publish: cannot list workspaces: %w", err)
		}
		out.Workspaces = append(out.Workspaces, page.Value...)
	}

	if len(bad) == 0 {
		want := t.details()
		cp := fc.NewListConnectionsPager()
		for cp.More() {
			page, err := cp.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("publish: cannot list connections: %w", err)
			}
			for _, c := range page.Value {
				if c.ConnectionDetails.Type == want.Type && c.ConnectionDetails.Path == want.Path {
					out.Connections = append(out.Connections, c)
				}
			}
		}
	}
	return out, nil
}

// Review is the merged view of a new connection: values from the
// contract (read-only), values the user may edit (pre-filled from the
// contract), and the credential fields, whose values are never shown.
type Review struct {
	// Type is fabric.ConnectionTypeSnowflake or …Databricks.
	Type string
	// Server is the contract server's name.
	Server string
	Fields []ReviewField
	// CredentialTypes are the credential kinds this type takes, the
	// proposed one first.
	CredentialTypes []string
	// Problems are what must still be filled in or fixed.
	Problems []FieldError
}

// ReviewField is one value of a Review.
type ReviewField struct {
	// Field is the request field the user edits ("Warehouse",
	// "NewConnection.Credential.Password"); "" for a read-only value.
	Field string
	Label string
	// Value is the value; always "" for a secret.
	Value string
	// Origin is "contract" or "user".
	Origin   string
	Editable bool
	Secret   bool
	// Set reports whether a secret has been entered.
	Set bool
}

// Review merges req's contract with the new connection the user
// entered. Problems lists what is missing; an error comes only when the
// contract or its server cannot be used at all.
func (p *publisher) Review(req *Request) (*Review, error) {
	if req == nil {
		return nil, &ValidationError{Fields: []FieldError{{"Request", "a request is required"}}}
	}
	t, bad := resolve(req.Contract, req.Server, req.Warehouse, req.HTTPPath)
	if t == nil {
		return nil, &ValidationError{Fields: bad}
	}
	return review(req, t, bad), nil
}

func review(req *Request, t *target, bad []FieldError) *Review {
	r := &Review{Type: t.kind, Server: t.server.Server, CredentialTypes: credentialKinds[t.kind], Problems: bad}
	fixed := func(label, v string) {
		r.Fields = append(r.Fields, ReviewField{Label: label, Value: v, Origin: "contract"})
	}
	editable := func(field, label, v, contract string) {
		origin := "contract"
		if v != contract {
			origin = "user"
		}
		r.Fields = append(r.Fields, ReviewField{Field: field, Label: label, Value: v, Origin: origin, Editable: true})
	}
	user := func(field, label, v string) {
		r.Fields = append(r.Fields, ReviewField{Field: "NewConnection.Credential." + field, Label: label, Value: v, Origin: "user", Editable: true})
	}
	secret := func(field, label, v string) {
		r.Fields = append(r.Fields, ReviewField{Field: "NewConnection.Credential." + field, Label: label, Origin: "user",
			Editable: true, Secret: true, Set: v != ""})
	}

	if t.kind == fabric.ConnectionTypeSnowflake {
		fixed("Server", t.host)
		fixed("Database", t.database)
		fixed("Schema", t.schema)
		fixed("Role", t.role)
		editable("Warehouse", "Warehouse", t.warehouse, t.server.Warehouse)
	} else {
		fixed("Host", t.host)
		fixed("Catalog", t.catalog)
		fixed("Schema", t.schema)
		editable("HTTPPath", "HTTP path", t.httpPath, t.server.CustomProperties.String("httpPath"))
	}

	var nc *NewConnection
	if req.NewConnection != nil {
		nc = req.NewConnection
		r.Fields = append(r.Fields, ReviewField{Field: "NewConnection.DisplayName", Label: "Connection name",
			Value: nc.DisplayName, Origin: "user", Editable: true})
	}
	var cred fabric.Credential
	if nc != nil {
		cred = nc.Credential
	}
	switch c := cred.(type) {
	case fabric.BasicCredential:
		user("Username", "User", c.Username)
		secret("Password", "Password", c.Password)
	case fabric.KeyPairCredential:
		user("Identifier", "User", c.Identifier)
		secret("PrivateKey", "Private key", c.PrivateKey)
		secret("Passphrase", "Private key passphrase", c.Passphrase)
	case fabric.KeyCredential:
		secret("Key", "Personal access token", c.Key)
	case fabric.ServicePrincipalCredential:
		user("TenantID", "Tenant ID", c.TenantID)
		user("ClientID", "Client ID", c.ClientID)
		secret("ClientSecret", "Client secret", c.ClientSecret)
	case nil:
		// Nothing entered yet: show the proposed kind's fields.
		if t.kind == fabric.ConnectionTypeSnowflake {
			user("Username", "User", "")
			secret("Password", "Password", "")
		} else {
			secret("Key", "Personal access token", "")
		}
	}
	if nc != nil {
		r.Problems = append(r.Problems, checkCredential(t.kind, nc.Credential)...)
	}
	return r
}
