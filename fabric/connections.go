package fabric

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"

	"github.com/pbipublish/pbipublish/internal/restclient"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// Connectivity types, privacy levels and connection kinds the publish
// flow uses.
const (
	ConnectivityShareableCloud = "ShareableCloud"

	PrivacyOrganizational = "Organizational"

	ConnectionTypeSnowflake  = "Snowflake"
	CreationMethodSnowflake  = "Snowflake.Databases"
	ConnectionTypeDatabricks = "Databricks"
	CreationMethodDatabricks = "Databricks.Catalogs"
	EncryptionNotEncrypted   = "NotEncrypted"
	SingleSignOnNone         = "None"
)

// CredentialDetails describe a connection's credentials (never the
// secrets: the service does not return them).
type CredentialDetails struct {
	CredentialType       string `json:"credentialType,omitempty"`
	SingleSignOnType     string `json:"singleSignOnType,omitempty"`
	ConnectionEncryption string `json:"connectionEncryption,omitempty"`
	SkipTestConnection   bool   `json:"skipTestConnection"`
}

// Connection is a Fabric connection.
type Connection struct {
	ID                string            `json:"id"`
	DisplayName       string            `json:"displayName"`
	GatewayID         string            `json:"gatewayId,omitempty"`
	ConnectivityType  string            `json:"connectivityType"`
	ConnectionDetails ConnectionDetails `json:"connectionDetails"`
	PrivacyLevel      string            `json:"privacyLevel,omitempty"`
	CredentialDetails CredentialDetails `json:"credentialDetails"`
}

// ConnectionsPage is one page of ListConnections.
type ConnectionsPage struct {
	Value             []Connection `json:"value"`
	ContinuationToken string       `json:"continuationToken,omitempty"`
	ContinuationURI   string       `json:"continuationUri,omitempty"`
}

// NewListConnectionsPager lists the connections the caller can use.
// The API has no server-side filter.
//
// REST: GET /connections (https://learn.microsoft.com/rest/api/fabric/core/connections/list-connections).
// Scope: Connection.Read.All or Connection.ReadWrite.All. Errors are *ResponseError.
func (c *Client) NewListConnectionsPager() *runtime.Pager[ConnectionsPage] {
	return pager(c, c.url("connections"), func(p *ConnectionsPage) (string, string) { return p.ContinuationURI, p.ContinuationToken })
}

// GetConnection reads one connection.
//
// REST: GET /connections/{connectionId} (https://learn.microsoft.com/rest/api/fabric/core/connections/get-connection).
// Scope: Connection.Read.All or Connection.ReadWrite.All. Errors are *ResponseError.
func (c *Client) GetConnection(ctx context.Context, connectionID string) (Connection, error) {
	var conn Connection
	if err := checkID("connection id", connectionID); err != nil {
		return conn, err
	}

	r := restclient.Request{Method: http.MethodGet, URL: c.url("connections", connectionID)}

	err := c.doJSON(ctx, r, &conn)
	return conn, err
}

// ConnectionParameter is one creation-method parameter.
type ConnectionParameter struct {
	Name string `json:"name"`
	// DataType defaults to "Text".
	DataType string `json:"dataType"`
	Value    string `json:"value"`
}

// CreateConnectionRequest describes a new cloud connection. Build one
// with SnowflakeConnection or DatabricksConnection, or fill it in.
// Printing it never shows the credential's secrets.
type CreateConnectionRequest struct {
	// DisplayName is required and unique.
	DisplayName string
	// ConnectivityType defaults to ConnectivityShareableCloud.
	ConnectivityType string
	// PrivacyLevel defaults to PrivacyOrganizational.
	PrivacyLevel string
	// Type and CreationMethod come from supportedConnectionTypes, e.g.
	// "Snowflake" and "Snowflake.Databases".
	Type, CreationMethod string
	Parameters           []ConnectionParameter
	// ConnectionEncryption defaults to EncryptionNotEncrypted.
	ConnectionEncryption string
	// SingleSignOnType defaults to SingleSignOnNone.
	SingleSignOnType string
	// SkipTestConnection stops the service from testing the credentials.
	SkipTestConnection bool
	// Credential is required.
	Credential Credential
}

// SnowflakeConnection returns the request for a Snowflake connection to
// server (account.snowflakecomputing.com) and warehouse.
func SnowflakeConnection(displayName, server, warehouse string, cred Credential) CreateConnectionRequest {
	return CreateConnectionRequest{
		DisplayName: displayName, Type: ConnectionTypeSnowflake, CreationMethod: CreationMethodSnowflake,
		Parameters: []ConnectionParameter{{Name: "server", Value: server}, {Name: "warehouse", Value: warehouse}},
		Credential: cred,
	}
}

// DatabricksConnection returns the request for a Databricks connection
// to a workspace host and a SQL warehouse's HTTP path.
func DatabricksConnection(displayName, host, httpPath string, cred Credential) CreateConnectionRequest {
	return CreateConnectionRequest{
		DisplayName: displayName, Type: ConnectionTypeDatabricks, CreationMethod: CreationMethodDatabricks,
		Parameters: []ConnectionParameter{{Name: "host", Value: host}, {Name: "httpPath", Value: httpPath}},
		Credential: cred,
	}
}

// CreateConnection creates a cloud connection and returns it. The
// request is sent again only after a 429 or a failed dial, never after
// a 5xx or a dropped connection (the connection may exist: list them to
// find out). Secret values never appear in the returned error, even if
// the service echoes them.
//
// REST: POST /connections (https://learn.microsoft.com/rest/api/fabric/core/connections/create-connection).
// Scope: Connection.ReadWrite.All. Errors are *ResponseError (see
// ErrDuplicateConnectionName, ErrIncorrectCredentials,
// ErrInvalidConnectionDetails).
func (c *Client) CreateConnection(ctx context.Context, req CreateConnectionRequest) (Connection, error) {
	var conn Connection
	if req.DisplayName == "" {
		return conn, errors.New("fabric: connection display name is empty")
	}
	if req.Type == "" || req.CreationMethod == "" {
		return conn, errors.New("fabric: connection type and creation method are required")
	}
	if req.Credential == nil {
		return conn, errors.New("fabric: connection credential is nil")
	}
	creds, secrets := req.Credential.wire()
	params := make([]ConnectionParameter, len(req.Parameters))
	for i, p := range req.Parameters {
		if p.Name == "" {
			return conn, fmt.Errorf("fabric: connection parameter %d has no name", i)
		}
		if p.DataType == "" {
			p.DataType = "Text"
		}
		params[i] = p
	}

	body := map[string]any{
		"connectivityType": or(req.ConnectivityType, ConnectivityShareableCloud),
		"displayName":      req.DisplayName,
		"privacyLevel":     or(req.PrivacyLevel, PrivacyOrganizational),
		"connectionDetails": map[string]any{
			"type": req.Type, "creationMethod": req.CreationMethod, "parameters": params,
		},
		"credentialDetails": map[string]any{
			"singleSignOnType":     or(req.SingleSignOnType, SingleSignOnNone),
			"connectionEncryption": or(req.ConnectionEncryption, EncryptionNotEncrypted),
			"skipTestConnection":   req.SkipTestConnection,
			"credentials":          creds,
		},
	}
	r := restclient.Request{Method: http.MethodPost, URL: c.url("connections"), Body: body,
		Secrets: secrets, OK: []int{http.StatusCreated, http.StatusOK}, NonIdempotent: true}

	err := c.doJSON(ctx, r, &conn)
	return conn, err
}

// DeleteConnection deletes a connection. Only its owner may.
//
// REST: DELETE /connections/{connectionId} (https://learn.microsoft.com/rest/api/fabric/core/connections/delete-connection).
// Scope: Connection.ReadWrite.All. Errors are *ResponseError.
func (c *Client) DeleteConnection(ctx context.Context, connectionID string) error {
	if err := checkID("connection id", connectionID); err != nil {
		return err
	}

	r := restclient.Request{Method: http.MethodDelete, URL: c.url("connections", connectionID)}

	return c.doJSON(ctx, r, nil)
}

// SupportedConnectionType is one entry of ListSupportedConnectionTypes.
type SupportedConnectionType struct {
	Type                               string           `json:"type"`
	CreationMethods                    []CreationMethod `json:"creationMethods"`
	SupportedCredentialTypes           []string         `json:"supportedCredentialTypes"`
	SupportedConnectionEncryptionTypes []string         `json:"supportedConnectionEncryptionTypes"`
	SupportsSkipTestConnection         bool             `json:"supportsSkipTestConnection"`
}

// CreationMethod is a way to create a connection of a type.
type CreationMethod struct {
	Name       string            `json:"name"`
	Parameters []ParameterSchema `json:"parameters"`
}

// ParameterSchema describes one creation-method parameter.
type ParameterSchema struct {
	Name          string   `json:"name"`
	DataType      string   `json:"dataType"`
	Required      bool     `json:"required"`
	AllowedValues []string `json:"allowedValues,omitempty"`
}

// SupportedConnectionTypesPage is one page of the supported types.
type SupportedConnectionTypesPage struct {
	Value             []SupportedConnectionType `json:"value"`
	ContinuationToken string                    `json:"continuationToken,omitempty"`
	ContinuationURI   string                    `json:"continuationUri,omitempty"`
}

// NewListSupportedConnectionTypesPager lists the connection types, their
// creation methods and parameters for cloud connections, with every
// creation method (showAllCreationMethods=true). This is the
// authoritative list of names CreateConnection accepts.
//
// REST: GET /connections/supportedConnectionTypes (https://learn.microsoft.com/rest/api/fabric/core/connections/list-supported-connection-types).
// Scope: Connection.Read.All or Connection.ReadWrite.All. Errors are *ResponseError.
func (c *Client) NewListSupportedConnectionTypesPager() *runtime.Pager[SupportedConnectionTypesPage] {
	u := addQuery(c.url("connections", "supportedConnectionTypes"), "showAllCreationMethods", "true")
	return pager(c, u, func(p *SupportedConnectionTypesPage) (string, string) { return p.ContinuationURI, p.ContinuationToken })
}

// TestConnectionResult is the outcome of a connection test.
type TestConnectionResult struct {
	// Status is "Online" or "Offline".
	Status string                `json:"status"`
	Errors []TestConnectionError `json:"errors,omitempty"`
}

// TestConnectionError explains an Offline status.
type TestConnectionError struct {
	ErrorCode string `json:"errorCode"`
	Message   string `json:"message"`
}

// BeginTestConnection tests a connection's credentials against its
// data source. The service answers at once or with an operation; the
// poller yields the result either way.
//
// REST: POST /connections/{connectionId}/testConnection (https://learn.microsoft.com/rest/api/fabric/core/connections/test-connection).
// Scope: Connection.ReadWrite.All. Errors are *ResponseError.
func (c *Client) BeginTestConnection(ctx context.Context, connectionID string) (*runtime.Poller[TestConnectionResult], error) {
	if err := checkID("connection id", connectionID); err != nil {
		return nil, err
	}

	r := restclient.Request{Method: http.MethodPost, URL: c.url("connections", connectionID, "testConnection"),
		OK: []int{http.StatusOK, http.StatusAccepted}}

	resp, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	return restclient.NewPoller[TestConnectionResult](c.rc, c.endpoint, resp, newResponseError)
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
