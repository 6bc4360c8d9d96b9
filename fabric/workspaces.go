package fabric

import (
	"context"
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"

	"github.com/pbipublish/pbipublish/internal/restclient"
)

// Workspace roles, for ListWorkspacesOptions.Roles.
const (
	RoleAdmin       = "Admin"
	RoleMember      = "Member"
	RoleContributor = "Contributor"
	RoleViewer      = "Viewer"
)

// Workspace is a Fabric workspace as listed by the API.
type Workspace struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	Description string `json:"description,omitempty"`
	Type        string `json:"type,omitempty"`
	CapacityID  string `json:"capacityId,omitempty"`
}

// WorkspacesPage is one page of ListWorkspaces.
type WorkspacesPage struct {
	Value             []Workspace `json:"value"`
	ContinuationToken string      `json:"continuationToken,omitempty"`
	ContinuationURI   string      `json:"continuationUri,omitempty"`
}

// ListWorkspacesOptions filters ListWorkspaces. Nil lists every
// workspace the caller has a role in.
type ListWorkspacesOptions struct {
	// Roles keeps workspaces where the caller has one of these roles
	// (RoleAdmin, RoleMember, RoleContributor, RoleViewer). Publishing
	// needs Contributor or higher.
	Roles []string
}

// NewListWorkspacesPager lists the caller's workspaces, following
// continuation until the last page.
//
// REST: GET /workspaces (https://learn.microsoft.com/rest/api/fabric/core/workspaces/list-workspaces).
// Scope: Workspace.Read.All. Errors are *ResponseError.
func (c *Client) NewListWorkspacesPager(opts *ListWorkspacesOptions) *runtime.Pager[WorkspacesPage] {
	u := c.url("workspaces")
	if opts != nil && len(opts.Roles) > 0 {
		u = addQuery(u, "roles", strings.Join(opts.Roles, ","))
	}
	return pager(c, u, func(p *WorkspacesPage) (string, string) { return p.ContinuationURI, p.ContinuationToken })
}

// Item is a Fabric workspace item (a semantic model, a report, …).
type Item struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	Description string `json:"description,omitempty"`
	Type        string `json:"type"`
	WorkspaceID string `json:"workspaceId"`
}

// ItemsPage is one page of ListItems.
type ItemsPage struct {
	Value             []Item `json:"value"`
	ContinuationToken string `json:"continuationToken,omitempty"`
	ContinuationURI   string `json:"continuationUri,omitempty"`
}

// ListItemsOptions filters ListItems. Nil lists every item.
type ListItemsOptions struct {
	// Type keeps items of one type, e.g. ItemTypeSemanticModel.
	Type string
}

// ItemTypeSemanticModel is the item type of semantic models.
const ItemTypeSemanticModel = "SemanticModel"

// NewListItemsPager lists the items of a workspace.
//
// REST: GET /workspaces/{workspaceId}/items (https://learn.microsoft.com/rest/api/fabric/core/items/list-items).
// Scope: Workspace.Read.All or Item.ReadWrite.All. Errors are *ResponseError.
func (c *Client) NewListItemsPager(workspaceID string, opts *ListItemsOptions) *runtime.Pager[ItemsPage] {
	if err := checkID("workspace id", workspaceID); err != nil {
		return errPager[ItemsPage](err)
	}
	u := c.url("workspaces", workspaceID, "items")
	if opts != nil && opts.Type != "" {
		u = addQuery(u, "type", opts.Type)
	}
	return pager(c, u, func(p *ItemsPage) (string, string) { return p.ContinuationURI, p.ContinuationToken })
}

// errPager returns a pager whose first page is err.
func errPager[P any](err error) *runtime.Pager[P] {
	return runtime.NewPager(runtime.PagingHandler[P]{
		More:    func(P) bool { return false },
		Fetcher: func(context.Context, *P) (P, error) { var p P; return p, err },
	})
}

// OperationState is the state of a long-running operation.
type OperationState struct {
	Status             string          `json:"status"`
	CreatedTimeUTC     string          `json:"createdTimeUtc,omitempty"`
	LastUpdatedTimeUTC string          `json:"lastUpdatedTimeUtc,omitempty"`
	PercentComplete    int             `json:"percentComplete,omitempty"`
	Error              *OperationError `json:"error,omitempty"`
}

// OperationError is the error of a failed operation.
type OperationError struct {
	ErrorCode string `json:"errorCode"`
	Message   string `json:"message"`
}

// GetOperation reads a long-running operation's state. The Begin…
// methods' pollers call it for you; use it to inspect an operation by id.
//
// REST: GET /operations/{operationId} (https://learn.microsoft.com/rest/api/fabric/core/long-running-operations/get-operation-state).
// Scope: any the operation's creator used. Errors are *ResponseError.
func (c *Client) GetOperation(ctx context.Context, operationID string) (OperationState, error) {
	var st OperationState
	if err := checkID("operation id", operationID); err != nil {
		return st, err
	}

	r := restclient.Request{Method: http.MethodGet, URL: c.url("operations", operationID)}

	err := c.doJSON(ctx, r, &st)
	return st, err
}
