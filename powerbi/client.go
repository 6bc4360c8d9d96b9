package powerbi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"

	"github.com/pbipublish/pbipublish/internal/restclient"
)

const (
	moduleName    = "github.com/pbipublish/pbipublish/powerbi"
	moduleVersion = "v0.1.0"

	// DefaultEndpoint is the public cloud's Power BI REST API for the
	// signed-in user.
	DefaultEndpoint = "https://api.powerbi.com/v1.0/myorg"

	// Scope is the OAuth scope the client asks its credential for: the
	// Power BI resource's default scope (Workspace.Read.All,
	// Dataset.ReadWrite.All as consented).
	Scope = "https://analysis.windows.net/powerbi/api/.default"
)

// ClientOptions configures a Client. A nil *ClientOptions, and the zero
// value of every field, mean the documented default.
type ClientOptions struct {
	// ClientOptions are azcore's pipeline options (transport, retry,
	// logging, tracing, telemetry); see the package documentation for
	// the retry rule.
	azcore.ClientOptions

	// Endpoint is the API's base URL, ending in /v1.0/myorg. Default
	// DefaultEndpoint.
	Endpoint string

	// Logger receives one record per HTTP attempt; nil discards.
	// Bodies, headers and tokens are never logged.
	Logger *slog.Logger
}

// Client calls the Power BI REST API with a caller's delegated token.
// Create it with NewClient; the zero value is not usable. A Client is
// safe for concurrent use.
type Client struct {
	endpoint string
	rc       *restclient.Client
}

// NewClient returns a client that authenticates with a token for Scope.
func NewClient(cred azcore.TokenCredential, opts *ClientOptions) (*Client, error) {
	if opts == nil {
		opts = &ClientOptions{}
	}
	endpoint := strings.TrimRight(opts.Endpoint, "/")
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	rc, err := restclient.New(cred, restclient.Config{
		Module: moduleName, Version: moduleVersion, Scope: Scope,
		Options: &opts.ClientOptions, Logger: opts.Logger, Service: "powerbi",
	})
	if err != nil {
		return nil, fmt.Errorf("powerbi: %w", err)
	}
	return &Client{endpoint: endpoint, rc: rc}, nil
}

// Group is a Power BI workspace.
type Group struct {
	ID                    string `json:"id"`
	Name                  string `json:"name"`
	Type                  string `json:"type,omitempty"`
	IsReadOnly            bool   `json:"isReadOnly"`
	IsOnDedicatedCapacity bool   `json:"isOnDedicatedCapacity"`
	CapacityID            string `json:"capacityId,omitempty"`
}

// GroupsPage is one page of groups.
type GroupsPage struct {
	Value []Group `json:"value"`
	skip  int
	top   int
}

// ListGroupsOptions are the optional parameters of NewListGroupsPager.
type ListGroupsOptions struct {
	// PageSize is $top per request. Default 1000.
	PageSize int
	// Filter is an OData $filter, e.g. "contains(name,'Sales')".
	Filter string
}

// NewListGroupsPager lists the caller's workspaces. The API pages with
// $top and $skip only; the pager stops at the first short page.
//
// REST: GET /groups (https://learn.microsoft.com/rest/api/power-bi/groups/get-groups).
// Scope: Workspace.Read.All. Errors are *ResponseError.
func (c *Client) NewListGroupsPager(opts *ListGroupsOptions) *runtime.Pager[GroupsPage] {
	top, filter := 1000, ""
	if opts != nil {
		if opts.PageSize > 0 {
			top = opts.PageSize
		}
		filter = opts.Filter
	}
	return runtime.NewPager(runtime.PagingHandler[GroupsPage]{
		More: func(p GroupsPage) bool { return len(p.Value) == p.top },
		Fetcher: func(ctx context.Context, cur *GroupsPage) (GroupsPage, error) {
			skip := 0
			if cur != nil {
				skip = cur.skip + len(cur.Value)
			}
			u := c.endpoint + "/groups?$top=" + strconv.Itoa(top) + "&$skip=" + strconv.Itoa(skip)
			if filter != "" {
				u += "&$filter=" + queryEscape(filter)
			}
			page := GroupsPage{skip: skip, top: top}
			err := c.doJSON(ctx, restclient.Request{Method: http.MethodGet, URL: u}, &page)
			return page, err
		},
	})
}

// DatasourceConnectionDetails locate a data source; which fields are
// set depends on its type.
type DatasourceConnectionDetails struct {
	Server   string `json:"server,omitempty"`
	Database string `json:"database,omitempty"`
	URL      string `json:"url,omitempty"`
	Path     string `json:"path,omitempty"`
	Kind     string `json:"kind,omitempty"`
}

// Datasource is one data source of a dataset.
type Datasource struct {
	DatasourceType    string                      `json:"datasourceType"`
	ConnectionDetails DatasourceConnectionDetails `json:"connectionDetails"`
	DatasourceID      string                      `json:"datasourceId,omitempty"`
	GatewayID         string                      `json:"gatewayId,omitempty"`
}

// GetDatasources returns a dataset's data sources.
//
// REST: GET /groups/{groupId}/datasets/{datasetId}/datasources (https://learn.microsoft.com/rest/api/power-bi/datasets/get-datasources-in-group).
// Scope: Dataset.Read.All or Dataset.ReadWrite.All. Errors are *ResponseError.
func (c *Client) GetDatasources(ctx context.Context, groupID, datasetID string) ([]Datasource, error) {
	if err := checkIDs(groupID, datasetID); err != nil {
		return nil, err
	}

	r := restclient.Request{Method: http.MethodGet, URL: c.dataset(groupID, datasetID, "datasources")}

	var out struct {
		Value []Datasource `json:"value"`
	}
	err := c.doJSON(ctx, r, &out)
	return out.Value, err
}

// BindToGatewayRequest names the gateway (for a cloud connection: the
// connection's gatewayId) and the data sources (the connection's id).
type BindToGatewayRequest struct {
	GatewayObjectID     string   `json:"gatewayObjectId"`
	DatasourceObjectIDs []string `json:"datasourceObjectIds,omitempty"`
}

// BindToGateway binds a dataset to a gateway or cloud connection.
//
// REST: POST /groups/{groupId}/datasets/{datasetId}/Default.BindToGateway (https://learn.microsoft.com/rest/api/power-bi/datasets/bind-to-gateway-in-group).
// Scope: Dataset.ReadWrite.All. Errors are *ResponseError.
func (c *Client) BindToGateway(ctx context.Context, groupID, datasetID string, req BindToGatewayRequest) error {
	if err := checkIDs(groupID, datasetID); err != nil {
		return err
	}
	if req.GatewayObjectID == "" {
		return errors.New("powerbi: gateway object id is empty")
	}

	r := restclient.Request{Method: http.MethodPost, URL: c.dataset(groupID, datasetID, "Default.BindToGateway"), Body: req}

	return c.doJSON(ctx, r, nil)
}

// RefreshOptions are the optional parameters of RefreshDataset.
type RefreshOptions struct {
	// NotifyOption is "NoNotification" (default), "MailOnFailure" or
	// "MailOnCompletion".
	NotifyOption string
}

// RefreshDataset starts a refresh and returns its request id (empty
// when the service does not send one). An Import model holds no data
// until its first refresh. The request is re-sent only after a 429 or a
// failed dial.
//
// REST: POST /groups/{groupId}/datasets/{datasetId}/refreshes (https://learn.microsoft.com/rest/api/power-bi/datasets/refresh-dataset-in-group).
// Scope: Dataset.ReadWrite.All. Errors are *ResponseError.
func (c *Client) RefreshDataset(ctx context.Context, groupID, datasetID string, opts *RefreshOptions) (string, error) {
	if err := checkIDs(groupID, datasetID); err != nil {
		return "", err
	}
	notify := "NoNotification"
	if opts != nil && opts.NotifyOption != "" {
		notify = opts.NotifyOption
	}

	body := map[string]string{"notifyOption": notify}
	r := restclient.Request{Method: http.MethodPost, URL: c.dataset(groupID, datasetID, "refreshes"), Body: body,
		OK: []int{http.StatusAccepted, http.StatusOK}, NonIdempotent: true}

	resp, err := c.rc.Do(ctx, r, newResponseError)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	return resp.Header.Get("RequestId"), nil
}

// Refresh is one entry of a dataset's refresh history.
type Refresh struct {
	RequestID   string     `json:"requestId"`
	ID          int64      `json:"id"`
	RefreshType string     `json:"refreshType"`
	StartTime   *time.Time `json:"startTime,omitempty"`
	EndTime     *time.Time `json:"endTime,omitempty"`
	// Status is "Unknown" (in progress), "Completed", "Failed" or "Disabled".
	Status               string `json:"status"`
	ServiceExceptionJSON string `json:"serviceExceptionJson,omitempty"`
}

// GetRefreshHistory returns the most recent refreshes, newest first; top
// <= 0 means all the service keeps.
//
// REST: GET /groups/{groupId}/datasets/{datasetId}/refreshes (https://learn.microsoft.com/rest/api/power-bi/datasets/get-refresh-history-in-group).
// Scope: Dataset.Read.All or Dataset.ReadWrite.All. Errors are *ResponseError.
func (c *Client) GetRefreshHistory(ctx context.Context, groupID, datasetID string, top int) ([]Refresh, error) {
	if err := checkIDs(groupID, datasetID); err != nil {
		return nil, err
	}

	u := c.dataset(groupID, datasetID, "refreshes")
	if top > 0 {
		u += "?$top=" + strconv.Itoa(top)
	}
	var out struct {
		Value []Refresh `json:"value"`
	}

	err := c.doJSON(ctx, restclient.Request{Method: http.MethodGet, URL: u}, &out)
	return out.Value, err
}

// TakeOver makes the caller the dataset's owner (needed to bind or
// refresh a model someone else created).
//
// REST: POST /groups/{groupId}/datasets/{datasetId}/Default.TakeOver (https://learn.microsoft.com/rest/api/power-bi/datasets/take-over-in-group).
// Scope: Dataset.ReadWrite.All. Errors are *ResponseError.
func (c *Client) TakeOver(ctx context.Context, groupID, datasetID string) error {
	if err := checkIDs(groupID, datasetID); err != nil {
		return err
	}

	r := restclient.Request{Method: http.MethodPost, URL: c.dataset(groupID, datasetID, "Default.TakeOver")}

	return c.doJSON(ctx, r, nil)
}

// DeleteDataset deletes a dataset (the semantic model).
//
// REST: DELETE /groups/{groupId}/datasets/{datasetId} (https://learn.microsoft.com/rest/api/power-bi/datasets/delete-dataset-in-group).
// Scope: Dataset.ReadWrite.All. Errors are *ResponseError.
func (c *Client) DeleteDataset(ctx context.Context, groupID, datasetID string) error {
	if err := checkIDs(groupID, datasetID); err != nil {
		return err
	}

	r := restclient.Request{Method: http.MethodDelete, URL: c.dataset(groupID, datasetID)}

	return c.doJSON(ctx, r, nil)
}

func (c *Client) dataset(groupID, datasetID string, rest ...string) string {
	return restclient.JoinURL(c.endpoint, append([]string{"groups", groupID, "datasets", datasetID}, rest...)...)
}

func (c *Client) doJSON(ctx context.Context, r restclient.Request, out any) error {
	_, err := c.rc.DoJSON(ctx, r, out, newResponseError)
	return err
}

func checkIDs(groupID, datasetID string) error {
	if strings.TrimSpace(groupID) == "" {
		return errors.New("powerbi: group id is empty")
	}
	if strings.TrimSpace(datasetID) == "" {
		return errors.New("powerbi: dataset id is empty")
	}
	return nil
}
