package fabrictest

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"sort"
	"strings"
	"time"

	"github.com/pbipublish/pbipublish/fabric"
)

type callerKey struct{}

func withCaller(ctx context.Context, c claims) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

func caller(ctx context.Context) claims {
	c, _ := ctx.Value(callerKey{}).(claims)
	return c
}

// Role is a workspace role.
type Role string

// Workspace roles, weakest last.
const (
	Admin       Role = "Admin"
	Member      Role = "Member"
	Contributor Role = "Contributor"
	Viewer      Role = "Viewer"
)

func (r Role) rank() int {
	switch r {
	case Admin:
		return 4
	case Member:
		return 3
	case Contributor:
		return 2
	case Viewer:
		return 1
	}
	return 0
}

type workspace struct {
	id, name, description string
	roles                 map[string]Role // by oid
}

// DataSource is where a model's partition reads from, as the emulator
// derives it from the partition's M source:
//
//	Snowflake.Databases("acme.snowflakecomputing.com", "WH")  → Type "Snowflake",  Path "acme.snowflakecomputing.com;WH"
//	Databricks.Catalogs("adb-1.azuredatabricks.net", "/sql/1.0/warehouses/x") → Type "Databricks", Path "adb-1.azuredatabricks.net;/sql/1.0/warehouses/x"
//
// A connection created with parameters server/warehouse or
// host/httpPath gets the same path, so binding matches when, and only
// when, the values are identical.
type DataSource struct {
	Type, Path string
}

type item struct {
	id, ws, name, description, typ string
	owner                          string
	created                        time.Time
	parts                          []fabric.DefinitionPart
	sources                        []DataSource
	listsBeforeVisible             int // -1: never
	bindings                       map[DataSource]string
	refreshes                      []*refresh
	pending                        bool // being created by an operation
}

type refresh struct {
	RequestID string
	ID        int64
	Start     time.Time
	End       time.Time
	Status    string
	Exception string
}

type connection struct {
	id, name, gatewayID, owner string
	typ, creationMethod, path  string
	privacy, credType          string
	encryption, sso            string
	skipTest                   bool
	credHash                   []byte // HMAC-SHA256 of the credential fields, salted per server
}

type dataSource struct {
	credType string
	credHash []byte
}

type operation struct {
	id, owner  string
	pollsLeft  int
	status     string
	result     any
	hasResult  bool
	errCode    string
	errMessage string
	created    time.Time
	// complete runs once when the operation reaches its end; it returns
	// the result or an error code and message.
	complete func() (result any, code, msg string)
}

// hashCredential returns a salted hash of a credential's fields, so the
// server can check a later attempt without keeping the secret.
func (s *Server) hashCredential(fields map[string]string) []byte {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	m := hmac.New(sha256.New, s.salt)
	for _, k := range keys {
		m.Write([]byte(k))
		m.Write([]byte{0})
		m.Write([]byte(fields[k]))
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}

// AddWorkspace creates a workspace and gives each oid in roles its role.
// It returns the workspace id.
func (s *Server) AddWorkspace(name string, roles map[string]Role) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ws := &workspace{id: newID(), name: name, roles: map[string]Role{}}
	for oid, r := range roles {
		ws.roles[oid] = r
	}
	s.workspaces[ws.id] = ws
	s.wsOrder = append(s.wsOrder, ws.id)
	return ws.id
}

// SetRole gives oid a role in a workspace; an empty role removes it.
func (s *Server) SetRole(workspaceID, oid string, role Role) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ws := s.workspaces[workspaceID]; ws != nil {
		if role == "" {
			delete(ws.roles, oid)
		} else {
			ws.roles[oid] = role
		}
	}
}

// SourceCredential declares the credential a data source accepts; a
// connection to it (same type and path) created without
// skipTestConnection must present exactly these fields (for example
// {"username": "u", "password": "p"} for Basic, {"key": "…"} for Key),
// else creation fails with IncorrectCredentials. Data sources not
// declared accept any well-formed credential. Only a salted hash of the
// fields is kept.
func (s *Server) SourceCredential(src DataSource, credentialType string, fields map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dataSources[src.Type+"\x00"+src.Path] = &dataSource{credType: credentialType, credHash: s.hashCredential(fields)}
}

// SetItemConnectionsAfter changes Options.ItemConnectionsAfter for
// models created from now on, and for model itemID if it is not empty.
func (s *Server) SetItemConnectionsAfter(itemID string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if itemID == "" {
		s.opts.ItemConnectionsAfter = n
		return
	}
	if it := s.items[itemID]; it != nil {
		it.listsBeforeVisible = n
	}
}

// Snapshot is the emulator's state at one moment, for tests to inspect.
// It holds no secret: connections show their credential type only.
type Snapshot struct {
	Workspaces  []WorkspaceState
	Items       []ItemState
	Connections []ConnectionState
}

// WorkspaceState is a workspace and its members' roles (by oid).
type WorkspaceState struct {
	ID, Name string
	Roles    map[string]Role
}

// ItemState is an item: a semantic model with its definition as
// uploaded, its data sources, bindings (data source → connection id) and
// refreshes.
type ItemState struct {
	ID, WorkspaceID, DisplayName, Description, Type string
	Owner                                           string
	Parts                                           []fabric.DefinitionPart
	DataSources                                     []DataSource
	Bindings                                        map[DataSource]string
	Refreshes                                       []RefreshState
}

// RefreshState is one refresh of a model.
type RefreshState struct {
	RequestID, Status string
}

// ConnectionState is a connection without its secrets.
type ConnectionState struct {
	ID, DisplayName, GatewayID, Owner string
	Type, CreationMethod, Path        string
	PrivacyLevel, CredentialType      string
	SkipTestConnection                bool
}

// State returns a copy of the current state, in creation order.
func (s *Server) State() Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	var snap Snapshot
	for _, id := range s.wsOrder {
		ws := s.workspaces[id]
		roles := map[string]Role{}
		for k, v := range ws.roles {
			roles[k] = v
		}
		snap.Workspaces = append(snap.Workspaces, WorkspaceState{ID: ws.id, Name: ws.name, Roles: roles})
	}
	for _, id := range s.itemOrder {
		it := s.items[id]
		if it == nil || it.pending {
			continue
		}
		st := ItemState{ID: it.id, WorkspaceID: it.ws, DisplayName: it.name, Description: it.description,
			Type: it.typ, Owner: it.owner, Parts: append([]fabric.DefinitionPart(nil), it.parts...),
			DataSources: append([]DataSource(nil), it.sources...), Bindings: map[DataSource]string{}}
		for k, v := range it.bindings {
			st.Bindings[k] = v
		}
		for _, r := range it.refreshes {
			st.Refreshes = append(st.Refreshes, RefreshState{RequestID: r.RequestID, Status: r.Status})
		}
		snap.Items = append(snap.Items, st)
	}
	for _, id := range s.connOrder {
		c := s.conns[id]
		if c == nil {
			continue
		}
		snap.Connections = append(snap.Connections, ConnectionState{ID: c.id, DisplayName: c.name,
			GatewayID: c.gatewayID, Owner: c.owner, Type: c.typ, CreationMethod: c.creationMethod,
			Path: c.path, PrivacyLevel: c.privacy, CredentialType: c.credType, SkipTestConnection: c.skipTest})
	}
	return snap
}

func lower(s string) string { return strings.ToLower(s) }
