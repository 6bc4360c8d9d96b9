package fabric

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"

	"github.com/pbipublish/pbipublish/internal/restclient"
)

// DefinitionPart is one file of an item definition, e.g.
// "definition/tables/Orders.tmdl". Payload is the file's bytes; the
// client encodes it as base64 on the wire.
type DefinitionPart struct {
	Path    string
	Payload []byte
}

// Definition is an item's definition: its format ("TMDL") and parts.
type Definition struct {
	Format string
	Parts  []DefinitionPart
}

type wirePart struct {
	Path        string `json:"path"`
	Payload     string `json:"payload"`
	PayloadType string `json:"payloadType"`
}

type wireDefinition struct {
	Format string     `json:"format,omitempty"`
	Parts  []wirePart `json:"parts"`
}

func toWire(format string, parts []DefinitionPart) (wireDefinition, error) {
	if len(parts) == 0 {
		return wireDefinition{}, errors.New("fabric: definition has no parts")
	}
	w := wireDefinition{Format: format, Parts: make([]wirePart, len(parts))}
	for i, p := range parts {
		if p.Path == "" {
			return w, fmt.Errorf("fabric: definition part %d has no path", i)
		}
		w.Parts[i] = wirePart{Path: p.Path, Payload: base64.StdEncoding.EncodeToString(p.Payload), PayloadType: "InlineBase64"}
	}
	return w, nil
}

// UnmarshalJSON decodes the wire shape {definition: {format, parts}} or
// {format, parts} with base64 payloads.
func (d *Definition) UnmarshalJSON(b []byte) error {
	var outer struct {
		Definition *wireDefinition `json:"definition"`
		wireDefinition
	}
	if err := jsonUnmarshal(b, &outer); err != nil {
		return err
	}
	w := outer.wireDefinition
	if outer.Definition != nil {
		w = *outer.Definition
	}
	d.Format = w.Format
	d.Parts = make([]DefinitionPart, len(w.Parts))
	for i, p := range w.Parts {
		payload, err := base64.StdEncoding.DecodeString(p.Payload)
		if err != nil {
			return fmt.Errorf("fabric: part %q: invalid base64 payload: %w", p.Path, err)
		}
		d.Parts[i] = DefinitionPart{Path: p.Path, Payload: payload}
	}
	return nil
}

// CreateSemanticModelRequest is what BeginCreateSemanticModel sends.
type CreateSemanticModelRequest struct {
	// DisplayName is required and unique within the workspace.
	DisplayName string
	// Description is optional, at most 256 characters.
	Description string
	// Parts are the TMDL files: definition.pbism, definition/database.tmdl,
	// definition/model.tmdl, definition/tables/<T>.tmdl, …
	Parts []DefinitionPart
}

// BeginCreateSemanticModelOptions are the optional parameters of
// BeginCreateSemanticModel. Nil means none.
type BeginCreateSemanticModelOptions struct {
	// ResumeToken, when set, resumes polling an operation started
	// earlier (Poller.ResumeToken) instead of sending a new request.
	ResumeToken string
}

// BeginCreateSemanticModel creates a semantic model from a TMDL
// definition. The service answers 201 with the item or 202 with a
// long-running operation; either way the returned poller yields the
// created Item. The request is not re-sent after a 5xx or a dropped
// connection (the model may exist); list the workspace's items to find
// out.
//
// REST: POST /workspaces/{workspaceId}/semanticModels (https://learn.microsoft.com/rest/api/fabric/semanticmodel/items/create-semantic-model).
// Scope: Item.ReadWrite.All. Errors are *ResponseError (see
// ErrItemDisplayNameAlreadyInUse, ErrItemDisplayNameNotAvailableYet,
// ErrOperationFailed with code Workload_FailedToParseFile).
func (c *Client) BeginCreateSemanticModel(ctx context.Context, workspaceID string, req CreateSemanticModelRequest, opts *BeginCreateSemanticModelOptions) (*runtime.Poller[Item], error) {
	if opts != nil && opts.ResumeToken != "" {
		return resumePoller[Item](c, opts.ResumeToken)
	}
	if err := checkID("workspace id", workspaceID); err != nil {
		return nil, err
	}
	if req.DisplayName == "" {
		return nil, errors.New("fabric: semantic model display name is empty")
	}
	if len([]rune(req.Description)) > 256 {
		return nil, errors.New("fabric: semantic model description is longer than 256 characters")
	}
	def, err := toWire("TMDL", req.Parts)
	if err != nil {
		return nil, err
	}

	body := struct {
		DisplayName string         `json:"displayName"`
		Description string         `json:"description,omitempty"`
		Definition  wireDefinition `json:"definition"`
	}{req.DisplayName, req.Description, wireDefinition{Parts: def.Parts}}
	r := restclient.Request{Method: http.MethodPost, URL: c.url("workspaces", workspaceID, "semanticModels"),
		Body: body, OK: []int{http.StatusCreated, http.StatusAccepted}, NonIdempotent: true}

	resp, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	return restclient.NewPoller[Item](c.rc, c.endpoint, resp, newResponseError)
}

// BeginGetSemanticModelDefinitionOptions are the optional parameters of
// BeginGetSemanticModelDefinition. Nil means TMDL and a new request.
type BeginGetSemanticModelDefinitionOptions struct {
	// Format is "TMDL" (default) or "TMSL".
	Format string
	// ResumeToken resumes an earlier operation.
	ResumeToken string
}

// BeginGetSemanticModelDefinition reads a model's definition; the
// poller yields it (200 at once, or 202 and an operation with a result).
//
// REST: POST /workspaces/{workspaceId}/semanticModels/{semanticModelId}/getDefinition (https://learn.microsoft.com/rest/api/fabric/semanticmodel/items/get-semantic-model-definition).
// Scope: Item.ReadWrite.All. Errors are *ResponseError.
func (c *Client) BeginGetSemanticModelDefinition(ctx context.Context, workspaceID, semanticModelID string, opts *BeginGetSemanticModelDefinitionOptions) (*runtime.Poller[Definition], error) {
	if opts == nil {
		opts = &BeginGetSemanticModelDefinitionOptions{}
	}
	if opts.ResumeToken != "" {
		return resumePoller[Definition](c, opts.ResumeToken)
	}
	if err := checkIDs(workspaceID, semanticModelID); err != nil {
		return nil, err
	}
	format := opts.Format
	if format == "" {
		format = "TMDL"
	}

	u := addQuery(c.url("workspaces", workspaceID, "semanticModels", semanticModelID, "getDefinition"), "format", format)
	r := restclient.Request{Method: http.MethodPost, URL: u, OK: []int{http.StatusOK, http.StatusAccepted}}

	resp, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	return restclient.NewPoller[Definition](c.rc, c.endpoint, resp, newResponseError)
}

// UpdateDefinitionResult is the (empty) result of an update.
type UpdateDefinitionResult struct{}

// BeginUpdateSemanticModelDefinitionOptions are the optional parameters
// of BeginUpdateSemanticModelDefinition.
type BeginUpdateSemanticModelDefinitionOptions struct {
	// UpdateMetadata also applies definition.platform (display name,
	// description) when the parts carry one. Default false.
	UpdateMetadata bool
	// ResumeToken resumes an earlier operation.
	ResumeToken string
}

// BeginUpdateSemanticModelDefinition replaces a model's definition.
// The operation has no result.
//
// REST: POST /workspaces/{workspaceId}/semanticModels/{semanticModelId}/updateDefinition (https://learn.microsoft.com/rest/api/fabric/semanticmodel/items/update-semantic-model-definition).
// Scope: Item.ReadWrite.All. Errors are *ResponseError.
func (c *Client) BeginUpdateSemanticModelDefinition(ctx context.Context, workspaceID, semanticModelID string, parts []DefinitionPart, opts *BeginUpdateSemanticModelDefinitionOptions) (*runtime.Poller[UpdateDefinitionResult], error) {
	if opts == nil {
		opts = &BeginUpdateSemanticModelDefinitionOptions{}
	}
	if opts.ResumeToken != "" {
		return resumePoller[UpdateDefinitionResult](c, opts.ResumeToken)
	}
	if err := checkIDs(workspaceID, semanticModelID); err != nil {
		return nil, err
	}
	def, err := toWire("TMDL", parts)
	if err != nil {
		return nil, err
	}

	u := c.url("workspaces", workspaceID, "semanticModels", semanticModelID, "updateDefinition")
	if opts.UpdateMetadata {
		u = addQuery(u, "updateMetadata", "true")
	}
	body := struct {
		Definition wireDefinition `json:"definition"`
	}{wireDefinition{Parts: def.Parts}}
	r := restclient.Request{Method: http.MethodPost, URL: u, Body: body, OK: []int{http.StatusOK, http.StatusAccepted}}

	resp, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	return restclient.NewPoller[UpdateDefinitionResult](c.rc, c.endpoint, resp, newResponseError)
}

// DeleteSemanticModel deletes a model. Deleting a model that does not
// exist returns an error matching ErrNotFound.
//
// REST: DELETE /workspaces/{workspaceId}/semanticModels/{semanticModelId} (https://learn.microsoft.com/rest/api/fabric/semanticmodel/items/delete-semantic-model).
// Scope: Item.ReadWrite.All. Errors are *ResponseError.
func (c *Client) DeleteSemanticModel(ctx context.Context, workspaceID, semanticModelID string) error {
	if err := checkIDs(workspaceID, semanticModelID); err != nil {
		return err
	}

	r := restclient.Request{Method: http.MethodDelete, URL: c.url("workspaces", workspaceID, "semanticModels", semanticModelID)}

	return c.doJSON(ctx, r, nil)
}

// ConnectionDetails identify a data source: its type ("Snowflake",
// "Databricks", …) and path (for example "acme.snowflakecomputing.com;WH").
type ConnectionDetails struct {
	Type string `json:"type"`
	Path string `json:"path"`
}

// ItemConnection is one data source of an item, bound to a connection
// (ID set) or not yet.
type ItemConnection struct {
	ID                string            `json:"id,omitempty"`
	DisplayName       string            `json:"displayName,omitempty"`
	ConnectivityType  string            `json:"connectivityType"`
	GatewayID         string            `json:"gatewayId,omitempty"`
	ConnectionDetails ConnectionDetails `json:"connectionDetails"`
}

// ItemConnectionsPage is one page of ListItemConnections.
type ItemConnectionsPage struct {
	Value             []ItemConnection `json:"value"`
	ContinuationToken string           `json:"continuationToken,omitempty"`
	ContinuationURI   string           `json:"continuationUri,omitempty"`
}

// NewListItemConnectionsPager lists an item's data sources and the
// connections they are bound to. A model created through the API may
// list none until it is processed (DirectQuery in particular).
//
// REST: GET /workspaces/{workspaceId}/items/{itemId}/connections (https://learn.microsoft.com/rest/api/fabric/core/items/list-item-connections).
// Scope: Item.ReadWrite.All or Workspace.Read.All. Errors are *ResponseError.
func (c *Client) NewListItemConnectionsPager(workspaceID, itemID string) *runtime.Pager[ItemConnectionsPage] {
	if err := checkIDs(workspaceID, itemID); err != nil {
		return errPager[ItemConnectionsPage](err)
	}
	u := c.url("workspaces", workspaceID, "items", itemID, "connections")
	return pager(c, u, func(p *ItemConnectionsPage) (string, string) { return p.ContinuationURI, p.ContinuationToken })
}

// ConnectionBinding binds one data source of a model to a connection.
// ConnectionDetails must equal the data source's exactly, as listed by
// NewListItemConnectionsPager.
type ConnectionBinding struct {
	// ID is the connection's id.
	ID string `json:"id"`
	// ConnectivityType defaults to ConnectivityShareableCloud.
	ConnectivityType  string            `json:"connectivityType"`
	ConnectionDetails ConnectionDetails `json:"connectionDetails"`
}

// BindSemanticModelConnection binds one of a model's data sources to a
// connection. Only the model's owner may bind.
//
// REST: POST /workspaces/{workspaceId}/semanticModels/{semanticModelId}/bindConnection (https://learn.microsoft.com/rest/api/fabric/semanticmodel/items/bind-semantic-model-connection).
// Scope: Item.ReadWrite.All and Connection.ReadWrite.All. Errors are
// *ResponseError (ErrBindConnectionDetailNotFound when type/path match
// no data source).
func (c *Client) BindSemanticModelConnection(ctx context.Context, workspaceID, semanticModelID string, b ConnectionBinding) error {
	if err := checkIDs(workspaceID, semanticModelID); err != nil {
		return err
	}
	if b.ID == "" || b.ConnectionDetails.Type == "" || b.ConnectionDetails.Path == "" {
		return errors.New("fabric: connection binding needs id, type and path")
	}
	if b.ConnectivityType == "" {
		b.ConnectivityType = ConnectivityShareableCloud
	}

	body := struct {
		ConnectionBinding ConnectionBinding `json:"connectionBinding"`
	}{b}
	r := restclient.Request{Method: http.MethodPost, URL: c.url("workspaces", workspaceID, "semanticModels", semanticModelID, "bindConnection"), Body: body}

	return c.doJSON(ctx, r, nil)
}

func checkIDs(workspaceID, itemID string) error {
	if err := checkID("workspace id", workspaceID); err != nil {
		return err
	}
	return checkID("item id", itemID)
}

// resumePoller rebuilds a poller of T from a resume token.
func resumePoller[T any](c *Client, token string) (*runtime.Poller[T], error) {
	p, err := restclient.ResumePoller[T](c.rc, token, newResponseError)
	if err != nil {
		return nil, fmt.Errorf("fabric: cannot resume operation: %w", err)
	}
	return p, nil
}
