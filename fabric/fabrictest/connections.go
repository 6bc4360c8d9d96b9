package fabrictest

import (
	"crypto/hmac"
	"fmt"
	"net/http"
	"strings"

	"github.com/pbipublish/pbipublish/fabric"
)

// supportedTypes is the emulator's supportedConnectionTypes table: the
// two types the publish flow creates, with the names Fabric uses.
var supportedTypes = []fabric.SupportedConnectionType{
	{
		Type: "Snowflake",
		CreationMethods: []fabric.CreationMethod{{Name: "Snowflake.Databases", Parameters: []fabric.ParameterSchema{
			{Name: "server", DataType: "Text", Required: true},
			{Name: "warehouse", DataType: "Text", Required: true},
			{Name: "role", DataType: "Text"},
		}}},
		SupportedCredentialTypes:           []string{"Basic", "KeyPair", "OAuth2"},
		SupportedConnectionEncryptionTypes: []string{"NotEncrypted"},
		SupportsSkipTestConnection:         true,
	},
	{
		Type: "Databricks",
		CreationMethods: []fabric.CreationMethod{{Name: "Databricks.Catalogs", Parameters: []fabric.ParameterSchema{
			{Name: "host", DataType: "Text", Required: true},
			{Name: "httpPath", DataType: "Text", Required: true},
		}}},
		SupportedCredentialTypes:           []string{"Basic", "Key", "OAuth2", "ServicePrincipal"},
		SupportedConnectionEncryptionTypes: []string{"NotEncrypted"},
		SupportsSkipTestConnection:         true,
	},
}

// connectionPath builds the data-source path of a connection from its
// parameters, in the order the creation method lists its required
// parameters, joined with ";" (see DataSource).
func connectionPath(m fabric.CreationMethod, params map[string]string) string {
	var vals []string
	for _, p := range m.Parameters {
		if p.Required {
			vals = append(vals, params[p.Name])
		}
	}
	return strings.Join(vals, ";")
}

// credentialFields lists the fields each credential type requires and
// allows.
var credentialFields = map[string]struct{ required, optional []string }{
	"Basic":            {required: []string{"username", "password"}},
	"Key":              {required: []string{"key"}},
	"KeyPair":          {required: []string{"identifier", "privateKey"}, optional: []string{"passphrase"}},
	"ServicePrincipal": {required: []string{"tenantId", "servicePrincipalClientId", "servicePrincipalSecret"}},
}

func (c *connection) wire() fabric.Connection {
	return fabric.Connection{ID: c.id, DisplayName: c.name, GatewayID: c.gatewayID,
		ConnectivityType: fabric.ConnectivityShareableCloud, ConnectionDetails: fabric.ConnectionDetails{Type: c.typ, Path: c.path},
		PrivacyLevel: c.privacy, CredentialDetails: fabric.CredentialDetails{CredentialType: c.credType,
			SingleSignOnType: c.sso, ConnectionEncryption: c.encryption, SkipTestConnection: c.skipTest}}
}

func (s *Server) listConnections(w http.ResponseWriter, r *http.Request) {
	oid := caller(r.Context()).OID
	s.mu.Lock()
	var out []fabric.Connection
	for _, id := range s.connOrder {
		if c := s.conns[id]; c != nil && c.owner == oid {
			out = append(out, c.wire())
		}
	}
	s.mu.Unlock()
	page(s, w, r, out)
}

// connFor returns the caller's connection or answers 404.
func (s *Server) connFor(w http.ResponseWriter, r *http.Request) (*connection, bool) {
	c := s.conns[r.PathValue("id")]
	if c == nil || c.owner != caller(r.Context()).OID {
		s.writeError(w, r, http.StatusNotFound, "ConnectionNotFound", "the connection does not exist or the caller has no role on it")
		return nil, false
	}
	return c, true
}

func (s *Server) getConnection(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.connFor(w, r); ok {
		writeJSON(w, http.StatusOK, c.wire())
	}
}

func (s *Server) deleteConnection(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.connFor(w, r)
	if !ok {
		return
	}
	delete(s.conns, c.id)
	for _, it := range s.items {
		for src, id := range it.bindings {
			if id == c.id {
				delete(it.bindings, src)
			}
		}
	}
	w.WriteHeader(http.StatusOK)
}

func (s *Server) supportedConnectionTypes(w http.ResponseWriter, r *http.Request) {
	page(s, w, r, supportedTypes)
}

func (s *Server) createConnection(w http.ResponseWriter, r *http.Request) {
	var body struct {
		ConnectivityType  string `json:"connectivityType"`
		DisplayName       string `json:"displayName"`
		PrivacyLevel      string `json:"privacyLevel"`
		ConnectionDetails struct {
			Type           string                       `json:"type"`
			CreationMethod string                       `json:"creationMethod"`
			Parameters     []fabric.ConnectionParameter `json:"parameters"`
		} `json:"connectionDetails"`
		CredentialDetails struct {
			SingleSignOnType     string            `json:"singleSignOnType"`
			ConnectionEncryption string            `json:"connectionEncryption"`
			SkipTestConnection   bool              `json:"skipTestConnection"`
			Credentials          map[string]string `json:"credentials"`
		} `json:"credentialDetails"`
	}
	if !s.decode(w, r, &body) {
		return
	}
	bad := func(code, format string, args ...any) {
		s.writeError(w, r, http.StatusBadRequest, code, fmt.Sprintf(format, args...))
	}
	if body.ConnectivityType != fabric.ConnectivityShareableCloud {
		bad("InvalidConnectivityType", "fabrictest creates ShareableCloud connections only, not %q", body.ConnectivityType)
		return
	}
	if strings.TrimSpace(body.DisplayName) == "" {
		bad("InvalidInput", "displayName is required")
		return
	}
	switch body.PrivacyLevel {
	case "None", "Organizational", "Private", "Public":
	default:
		bad("InvalidInput", "privacyLevel %q is not valid", body.PrivacyLevel)
		return
	}
	cd := body.ConnectionDetails
	var typ *fabric.SupportedConnectionType
	for i := range supportedTypes {
		if supportedTypes[i].Type == cd.Type {
			typ = &supportedTypes[i]
		}
	}
	if typ == nil {
		bad("InvalidConnectionDetails", "unsupported connection type %q", cd.Type)
		return
	}
	var method *fabric.CreationMethod
	for i := range typ.CreationMethods {
		if typ.CreationMethods[i].Name == cd.CreationMethod {
			method = &typ.CreationMethods[i]
		}
	}
	if method == nil {
		bad("InvalidConnectionDetails", "Unsupported creation method %q for type %q", cd.CreationMethod, cd.Type)
		return
	}
	params := map[string]string{}
	for _, p := range cd.Parameters {
		var known *fabric.ParameterSchema
		for i := range method.Parameters {
			if method.Parameters[i].Name == p.Name {
				known = &method.Parameters[i]
			}
		}
		if known == nil {
			bad("InvalidConnectionDetails", "unknown parameter %q for creation method %q", p.Name, method.Name)
			return
		}
		if p.DataType != known.DataType {
			bad("InvalidConnectionDetails", "parameter %q has dataType %q, want %q", p.Name, p.DataType, known.DataType)
			return
		}
		params[p.Name] = p.Value
	}
	for _, p := range method.Parameters {
		if p.Required && strings.TrimSpace(params[p.Name]) == "" {
			bad("InvalidConnectionDetails", "required parameter %q is missing", p.Name)
			return
		}
	}
	crd := body.CredentialDetails
	if crd.SingleSignOnType != "None" {
		bad("InvalidCredentialDetails", "singleSignOnType must be None for this connection")
		return
	}
	if !contains(typ.SupportedConnectionEncryptionTypes, crd.ConnectionEncryption) {
		bad("InvalidCredentialDetails", "connectionEncryption %q is not supported for %s", crd.ConnectionEncryption, cd.Type)
		return
	}
	creds := crd.Credentials
	credType := creds["credentialType"]
	if !contains(typ.SupportedCredentialTypes, credType) {
		bad("InvalidCredentialDetails", "credential type %q is not supported for %s", credType, cd.Type)
		return
	}
	fields, ok := credentialFields[credType]
	if !ok {
		bad("InvalidCredentialDetails", "credential type %q cannot be created through the API", credType)
		return
	}
	secretFields := map[string]string{}
	for _, f := range fields.required {
		if creds[f] == "" {
			bad("InvalidCredentialDetails", "credential field %q is required for %s", f, credType)
			return
		}
		secretFields[f] = creds[f]
	}
	for _, f := range fields.optional {
		if creds[f] != "" {
			secretFields[f] = creds[f]
		}
	}
	for k := range creds {
		if k != "credentialType" && !contains(fields.required, k) && !contains(fields.optional, k) {
			bad("InvalidCredentialDetails", "credential field %q is not valid for %s", k, credType)
			return
		}
	}
	path := connectionPath(*method, params)
	hash := s.hashCredential(secretFields)

	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		if lower(c.name) == lower(body.DisplayName) {
			s.writeError(w, r, http.StatusConflict, "DuplicateConnectionName",
				fmt.Sprintf("a connection named %q already exists", body.DisplayName))
			return
		}
	}
	if !crd.SkipTestConnection {
		if ds := s.dataSources[cd.Type+"\x00"+path]; ds != nil && (ds.credType != credType || !hmac.Equal(ds.credHash, hash)) {
			bad("IncorrectCredentials", "the credentials provided for the %s source are invalid", cd.Type)
			return
		}
	}
	c := &connection{id: newID(), name: body.DisplayName, gatewayID: newID(), owner: caller(r.Context()).OID,
		typ: cd.Type, creationMethod: cd.CreationMethod, path: path, privacy: body.PrivacyLevel,
		credType: credType, encryption: crd.ConnectionEncryption, sso: crd.SingleSignOnType,
		skipTest: crd.SkipTestConnection, credHash: hash}
	s.conns[c.id] = c
	s.connOrder = append(s.connOrder, c.id)
	writeJSON(w, http.StatusCreated, c.wire())
}

func (s *Server) testConnection(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.connFor(w, r)
	if !ok {
		return
	}
	res := fabric.TestConnectionResult{Status: "Online"}
	if ds := s.dataSources[c.typ+"\x00"+c.path]; ds != nil && (ds.credType != c.credType || !hmac.Equal(ds.credHash, c.credHash)) {
		res = fabric.TestConnectionResult{Status: "Offline", Errors: []fabric.TestConnectionError{
			{ErrorCode: "IncorrectCredentials", Message: "the data source rejected the credentials"}}}
	}
	writeJSON(w, http.StatusOK, res)
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
