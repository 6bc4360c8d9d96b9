package publish

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pbipublish/pbipublish/fabric"
	"github.com/pbipublish/pbipublish/odcs"
	"github.com/pbipublish/pbipublish/tmdl"
)

// Mode is a storage mode of the model's tables.
type Mode string

// Storage modes. Import copies the data into the model (a refresh loads
// it); DirectQuery queries the source at every visual; Dual does both.
const (
	ModeImport      Mode = "import"
	ModeDirectQuery Mode = "directQuery"
	ModeDual        Mode = "dual"
)

// Modes lists the storage modes a publish dialog offers, the default
// first.
func Modes() []Mode { return []Mode{ModeImport, ModeDirectQuery, ModeDual} }

// normalize returns the canonical spelling of m, and false for an
// unknown mode. The empty mode is Import.
func (m Mode) normalize() (Mode, bool) {
	switch strings.ToLower(string(m)) {
	case "", "import":
		return ModeImport, true
	case "directquery":
		return ModeDirectQuery, true
	case "dual":
		return ModeDual, true
	}
	return m, false
}

// Request is what a user asks to publish. The zero value of every
// optional field means the documented default.
type Request struct {
	// Contract is the output port's data contract. Required.
	Contract *odcs.Contract
	// Source identifies the output port in the catalog. Port defaults to
	// the contract's server name, DataProduct to the contract's
	// dataProduct (or its id).
	Source OutputPort
	// Server names the contract server to read from; "" picks its only
	// Snowflake or Databricks server.
	Server string
	// WorkspaceID is the Fabric workspace to publish into. Required.
	WorkspaceID string
	// Name is the semantic model's name. Default: the output port's
	// name. A suffix (" (2)", …) is added when the workspace has an
	// item of that name.
	Name string
	// Mode is the storage mode. Default ModeImport.
	Mode Mode
	// Warehouse (Snowflake) and HTTPPath (Databricks) replace the
	// contract's values; "" keeps them. They go into the model's source
	// and, for a new connection, into the connection.
	Warehouse, HTTPPath string
	// ConnectionID is an existing connection to bind to. Exactly one of
	// ConnectionID and NewConnection must be set.
	ConnectionID string
	// NewConnection describes a connection to create.
	NewConnection *NewConnection
	// Purpose is the data-usage agreement's purpose; "" gives a default.
	Purpose string
	// Author names the publishing user in the catalog and the "already
	// connected" list (an e-mail address or a display name). Default:
	// the user's Entra account name when Options.Credentials can tell
	// it (an *entra.Connector can), else the host's user id.
	Author string
}

// NewConnection holds what the user enters for a new connection. The
// server, database, role, host and catalog come from the contract.
type NewConnection struct {
	// DisplayName is the connection's name in Fabric. Default: derived
	// from the model name, the server and the job.
	DisplayName string
	// Credential is required: fabric.BasicCredential (user and
	// password) or fabric.KeyPairCredential for Snowflake;
	// fabric.KeyCredential (personal access token) or
	// fabric.ServicePrincipalCredential for Databricks. It is sent to
	// Fabric once and kept nowhere.
	Credential fabric.Credential
	// SkipTestConnection stops Fabric from testing the credential.
	SkipTestConnection bool
}

// target is a request resolved against its contract: where the model
// reads from, and so what a connection must point at.
type target struct {
	server *odcs.Server
	kind   string // fabric.ConnectionTypeSnowflake or …Databricks
	host   string
	// Snowflake
	warehouse, database, schema, role string
	// Databricks
	httpPath, catalog string
}

// details are the connection details a fitting connection and the
// model's data source share.
func (t *target) details() fabric.ConnectionDetails {
	second := t.warehouse
	if t.kind == fabric.ConnectionTypeDatabricks {
		second = t.httpPath
	}
	return fabric.ConnectionDetails{Type: t.kind, Path: t.host + ";" + second}
}

// resolve finds the server and merges the contract's values with the
// request's overrides, the way package tmdl writes them into the model.
func resolve(c *odcs.Contract, server, warehouse, httpPath string) (*target, []FieldError) {
	if c == nil {
		return nil, []FieldError{{"Contract", "a contract is required"}}
	}
	s, err := c.Server(server)
	if err != nil {
		return nil, []FieldError{{"Server", strings.TrimPrefix(err.Error(), "odcs: ")}}
	}
	t := &target{server: s, host: normalizeHost(s.Host), role: s.CustomProperties.String("role")}
	var bad []FieldError
	switch strings.ToLower(s.Type) {
	case "snowflake":
		t.kind = fabric.ConnectionTypeSnowflake
		if t.host == "" && s.Account != "" {
			t.host = strings.ToLower(s.Account) + ".snowflakecomputing.com"
		}
		t.warehouse, t.database, t.schema = s.Warehouse, s.Database, s.Schema
		if warehouse != "" {
			t.warehouse = warehouse
		}
		if t.host == "" {
			bad = append(bad, FieldError{"Contract", fmt.Sprintf("server %q has neither account nor host", s.Server)})
		}
		if t.warehouse == "" {
			bad = append(bad, FieldError{"Warehouse", "the contract names no warehouse; enter one"})
		}
	case "databricks":
		t.kind = fabric.ConnectionTypeDatabricks
		t.httpPath, t.catalog, t.schema = s.CustomProperties.String("httpPath"), s.Catalog, s.Schema
		if httpPath != "" {
			t.httpPath = httpPath
		}
		if t.host == "" {
			bad = append(bad, FieldError{"Contract", fmt.Sprintf("server %q has no host", s.Server)})
		}
		if t.httpPath == "" {
			bad = append(bad, FieldError{"HTTPPath", "the contract names no SQL warehouse HTTP path; enter one"})
		}
	default:
		return nil, []FieldError{{"Server", fmt.Sprintf("server %q is of type %q; only snowflake and databricks can be published", s.Server, s.Type)}}
	}
	if strings.ContainsAny(t.host+t.warehouse+t.httpPath, ";\r\n") {
		bad = append(bad, FieldError{"Server", "host, warehouse and HTTP path cannot contain ';' or line breaks"})
	}
	return t, bad
}

// normalizeHost removes a scheme, a path and surrounding space, as
// package tmdl does for the model's source.
func normalizeHost(h string) string {
	h = strings.TrimSpace(h)
	if i := strings.Index(h, "://"); i >= 0 {
		h = h[i+3:]
	}
	if i := strings.IndexByte(h, '/'); i >= 0 {
		h = h[:i]
	}
	return h
}

// credentialKinds are the credential types each connection type takes.
var credentialKinds = map[string][]string{
	fabric.ConnectionTypeSnowflake:  {fabric.CredentialTypeBasic, fabric.CredentialTypeKeyPair},
	fabric.ConnectionTypeDatabricks: {fabric.CredentialTypeKey, fabric.CredentialTypeServicePrincipal},
}

// checkCredential lists the missing fields of a credential, by name
// only: values are never quoted.
func checkCredential(kind string, cred fabric.Credential) []FieldError {
	const f = "NewConnection.Credential"
	if cred == nil {
		return []FieldError{{f, "enter the credentials for the new connection"}}
	}
	allowed := credentialKinds[kind]
	ok := false
	for _, k := range allowed {
		ok = ok || k == cred.CredentialType()
	}
	if !ok {
		return []FieldError{{f, fmt.Sprintf("%s connections take %s credentials, not %s", kind, strings.Join(allowed, " or "), cred.CredentialType())}}
	}
	var bad []FieldError
	need := func(v, field, what string) {
		if strings.TrimSpace(v) == "" {
			bad = append(bad, FieldError{f + "." + field, what + " is required"})
		}
	}
	switch c := cred.(type) {
	case fabric.BasicCredential:
		need(c.Username, "Username", "the user name")
		need(c.Password, "Password", "the password")
	case *fabric.BasicCredential:
		need(c.Username, "Username", "the user name")
		need(c.Password, "Password", "the password")
	case fabric.KeyPairCredential:
		need(c.Identifier, "Identifier", "the user name")
		need(c.PrivateKey, "PrivateKey", "the private key")
		if c.PrivateKey != "" && !strings.Contains(c.PrivateKey, "PRIVATE KEY-----") {
			bad = append(bad, FieldError{f + ".PrivateKey", "the private key must be a PKCS#8 PEM block"})
		}
	case fabric.KeyCredential:
		need(c.Key, "Key", "the access token")
	case fabric.ServicePrincipalCredential:
		need(c.TenantID, "TenantID", "the tenant id")
		need(c.ClientID, "ClientID", "the client id")
		need(c.ClientSecret, "ClientSecret", "the client secret")
	}
	return bad
}

// checked is a validated request, with everything the job needs.
type checked struct {
	req    Request
	target *target
	mode   Mode
	name   string
	source OutputPort
	db     *tmdl.Database
	key    string
}

// check validates req and builds its model. It returns a
// *ValidationError listing every problem.
func check(req *Request) (*checked, error) {
	if req == nil {
		return nil, &ValidationError{Fields: []FieldError{{"Request", "a request is required"}}}
	}
	ck := &checked{req: *req}
	t, bad := resolve(req.Contract, req.Server, req.Warehouse, req.HTTPPath)
	ck.target = t
	if strings.TrimSpace(req.WorkspaceID) == "" {
		bad = append(bad, FieldError{"WorkspaceID", "choose a workspace"})
	}
	mode, ok := req.Mode.normalize()
	if !ok {
		bad = append(bad, FieldError{"Mode", fmt.Sprintf("storage mode %q is not import, directQuery or dual", req.Mode)})
	}
	ck.mode = mode
	switch {
	case req.ConnectionID != "" && req.NewConnection != nil:
		bad = append(bad, FieldError{"ConnectionID", "choose an existing connection or enter a new one, not both"})
	case req.ConnectionID == "" && req.NewConnection == nil:
		bad = append(bad, FieldError{"ConnectionID", "choose an existing connection or enter a new one"})
	case req.NewConnection != nil && t != nil:
		bad = append(bad, checkCredential(t.kind, req.NewConnection.Credential)...)
		if tmdl.CheckName(req.NewConnection.DisplayName) != nil && req.NewConnection.DisplayName != "" {
			bad = append(bad, FieldError{"NewConnection.DisplayName", "the name contains control characters"})
		}
	}
	if t != nil {
		ck.source = sourceOf(req.Contract, t.server, req.Source)
		ck.name = strings.TrimSpace(req.Name)
		if ck.name == "" {
			ck.name = defaultName(req.Contract, req.Source.Port)
		}
		if err := tmdl.CheckName(ck.name); err != nil {
			bad = append(bad, FieldError{"Name", "the model name cannot be used: " + strings.TrimPrefix(err.Error(), "tmdl: ")})
		}
	}
	if len(bad) > 0 {
		return nil, &ValidationError{Fields: bad}
	}

	if diags := odcs.Validate(req.Contract); diags.HasErrors() {
		return nil, &ValidationError{Fields: []FieldError{{"Contract", "the contract is not valid: " + diagSummary(diags, diags.Err())}}, Diagnostics: diags}
	}
	db, diags, err := tmdl.FromContract(req.Contract, &tmdl.Options{
		Server: t.server.Server, Mode: string(mode), Name: ck.name,
		Warehouse: req.Warehouse, HTTPPath: req.HTTPPath,
	})
	if err != nil {
		return nil, &ValidationError{Fields: []FieldError{{"Contract", "the model cannot be built from the contract: " + diagSummary(diags, err)}}, Diagnostics: diags}
	}
	ck.db = db
	ck.key = requestKey(ck)
	return ck, nil
}

// diagSummary gives the first error diagnostics in one line.
func diagSummary(ds odcs.Diagnostics, err error) string {
	var msgs []string
	for _, d := range ds {
		if d.Severity == odcs.SeverityError {
			msgs = append(msgs, d.String())
		}
	}
	if len(msgs) == 0 {
		return err.Error()
	}
	if len(msgs) > 3 {
		msgs = append(msgs[:3], fmt.Sprintf("and %d more", len(msgs)-3))
	}
	return strings.Join(msgs, "; ")
}

// sourceOf fills the output port's defaults from the contract.
func sourceOf(c *odcs.Contract, s *odcs.Server, p OutputPort) OutputPort {
	if p.DataProduct == "" {
		p.DataProduct = c.DataProduct
	}
	if p.DataProduct == "" {
		p.DataProduct = c.ID
	}
	if p.Port == "" {
		p.Port = s.Server
	}
	if p.ContractID == "" {
		p.ContractID = c.ID
	}
	return p
}

// defaultName is the model name a dialog proposes: the output port's
// name when the host gave one, else the contract's name.
func defaultName(c *odcs.Contract, port string) string {
	if port != "" {
		return port
	}
	if c != nil {
		return c.Name
	}
	return ""
}

// requestKey identifies a request for joining a duplicate in flight. It
// covers everything that changes the outcome except secrets.
func requestKey(ck *checked) string {
	var cred, connName string
	if nc := ck.req.NewConnection; nc != nil {
		cred = nc.Credential.CredentialType()
		connName = nc.DisplayName
	}
	k := struct {
		Contract, Version, Product, Port, Server, Workspace, Name, Mode, Path, Conn, NewCred, NewName string
	}{ck.req.Contract.ID + "\x00" + ck.req.Contract.Name, ck.req.Contract.Version, ck.source.DataProduct, ck.source.Port,
		ck.target.server.Server, ck.req.WorkspaceID, ck.name, string(ck.mode), ck.target.details().Path,
		ck.req.ConnectionID, cred, connName}
	b, _ := json.Marshal(k)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}
