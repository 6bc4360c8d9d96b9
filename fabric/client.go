package fabric

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"

	"github.com/pbipublish/pbipublish/internal/restclient"
)

const (
	moduleName    = "github.com/pbipublish/pbipublish/fabric"
	moduleVersion = "v0.1.0"

	// DefaultEndpoint is the public cloud's Fabric REST API.
	DefaultEndpoint = "https://api.fabric.microsoft.com/v1"

	// Scope is the OAuth scope the client asks its credential for: the
	// Fabric resource's default scope, which covers the delegated
	// permissions consented for the application (Workspace.Read.All,
	// Item.ReadWrite.All, Connection.ReadWrite.All).
	Scope = "https://api.fabric.microsoft.com/.default"
)

// ClientOptions configures a Client. A nil *ClientOptions, and the zero
// value of every field, mean the documented default.
type ClientOptions struct {
	// ClientOptions are azcore's pipeline options: transport, retry
	// (default 3 retries, honouring Retry-After on 408, 429 and 5xx),
	// logging (headers redacted except an allow-list), tracing,
	// telemetry. Requests that create something (POST of a model or a
	// connection, a refresh) are only re-sent when the server certainly
	// did not act; see the package documentation.
	azcore.ClientOptions

	// Endpoint is the API's base URL, ending in /v1. Default
	// DefaultEndpoint; set it for the emulator (fabrictest) or a
	// sovereign cloud.
	Endpoint string

	// Logger receives one record per HTTP attempt (method, path,
	// status, request id, elapsed). Nil discards. Bodies, headers and
	// tokens are never logged.
	Logger *slog.Logger
}

// Client calls the Fabric REST API with a caller's delegated token.
// Create it with NewClient; the zero value is not usable. A Client is
// safe for concurrent use by multiple goroutines.
type Client struct {
	endpoint string
	rc       *restclient.Client
}

// NewClient returns a client that authenticates every request with a
// token for Scope obtained from cred.
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
		Options: &opts.ClientOptions, Logger: opts.Logger, Service: "fabric",
	})
	if err != nil {
		return nil, fmt.Errorf("fabric: %w", err)
	}
	return &Client{endpoint: endpoint, rc: rc}, nil
}

// Endpoint returns the base URL the client calls.
func (c *Client) Endpoint() string { return c.endpoint }

// url joins escaped path segments to the endpoint.
func (c *Client) url(segments ...string) string {
	return restclient.JoinURL(c.endpoint, segments...)
}

// do sends one request and returns its response (or a *ResponseError).
func (c *Client) do(ctx context.Context, r restclient.Request) (*http.Response, error) {
	return c.rc.Do(ctx, r, newResponseError)
}

// doJSON sends one request and decodes the answer into out.
func (c *Client) doJSON(ctx context.Context, r restclient.Request, out any) error {
	_, err := c.rc.DoJSON(ctx, r, out, newResponseError)
	return err
}

// pager builds a runtime.Pager over a Fabric list whose pages carry
// continuationUri/continuationToken; next pages are fetched from the
// continuationUri (refused if it leaves the endpoint's host), else from
// first with continuationToken added.
func pager[P any](c *Client, first string, cont func(*P) (uri, token string)) *runtime.Pager[P] {
	return runtime.NewPager(runtime.PagingHandler[P]{
		More: func(p P) bool {
			u, t := cont(&p)
			return u != "" || t != ""
		},
		Fetcher: func(ctx context.Context, cur *P) (P, error) {
			var page P
			next := first
			if cur != nil {
				u, t := cont(cur)
				switch {
				case u != "":
					if err := restclient.SameOrigin(c.endpoint, u); err != nil {
						return page, fmt.Errorf("fabric: %w", err)
					}
					next = u
				default:
					next = addQuery(first, "continuationToken", t)
				}
			}
			err := c.doJSON(ctx, restclient.Request{Method: http.MethodGet, URL: next}, &page)
			return page, err
		},
	})
}

func addQuery(u, k, v string) string {
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return u + sep + k + "=" + escapeQuery(v)
}

func checkID(name, v string) error {
	if strings.TrimSpace(v) == "" {
		return fmt.Errorf("fabric: %s is empty", name)
	}
	return nil
}
