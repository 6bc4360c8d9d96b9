package powerbi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/google/go-cmp/cmp"

	"github.com/pbipublish/pbipublish/powerbi"
)

type staticCred struct {
	mu     sync.Mutex
	scopes []string
}

func (c *staticCred) GetToken(_ context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	c.mu.Lock()
	c.scopes = append(c.scopes, o.Scopes...)
	c.mu.Unlock()
	return azcore.AccessToken{Token: "tok", ExpiresOn: time.Now().Add(time.Hour)}, nil
}

type seen struct {
	Method, Path, Query string
	Header              http.Header
	Body                []byte
}

func newServer(t *testing.T, respond http.HandlerFunc) (*[]seen, *powerbi.Client, *staticCred) {
	t.Helper()
	var mu sync.Mutex
	reqs := &[]seen{}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		*reqs = append(*reqs, seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), b})
		mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(b))
		respond(w, r)
	}))
	t.Cleanup(srv.Close)
	cred := &staticCred{}
	c, err := powerbi.NewClient(cred, &powerbi.ClientOptions{
		ClientOptions: azcore.ClientOptions{Transport: srv.Client(), Retry: policy.RetryOptions{RetryDelay: time.Millisecond, MaxRetryDelay: 100 * time.Millisecond}},
		Endpoint:      srv.URL + "/v1.0/myorg",
	})
	if err != nil {
		t.Fatal(err)
	}
	return reqs, c, cred
}

func respond(status int, body string, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

func TestClientMethods(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name                string
		respond             http.HandlerFunc
		call                func(c *powerbi.Client) (any, error)
		method, path, query string
		body                string
		want                any
	}{
		{
			name: "list_groups", respond: respond(200, `{"value":[{"id":"g1","name":"Sales","isReadOnly":false}]}`),
			call: func(c *powerbi.Client) (any, error) {
				pg, err := c.NewListGroupsPager(&powerbi.ListGroupsOptions{PageSize: 10, Filter: "name eq 'a'"}).NextPage(ctx)
				return pg.Value, err
			},
			method: "GET", path: "/v1.0/myorg/groups", query: "$top=10&$skip=0&$filter=name+eq+%27a%27",
			want: []powerbi.Group{{ID: "g1", Name: "Sales"}},
		},
		{
			name: "get_datasources", respond: respond(200, `{"value":[{"datasourceType":"Snowflake","connectionDetails":{"server":"s","path":"s;w"},"datasourceId":"d","gatewayId":"g"}]}`),
			call:   func(c *powerbi.Client) (any, error) { return c.GetDatasources(ctx, "g1", "d1") },
			method: "GET", path: "/v1.0/myorg/groups/g1/datasets/d1/datasources",
			want: []powerbi.Datasource{{DatasourceType: "Snowflake", ConnectionDetails: powerbi.DatasourceConnectionDetails{Server: "s", Path: "s;w"}, DatasourceID: "d", GatewayID: "g"}},
		},
		{
			name: "bind_to_gateway", respond: respond(200, ``),
			call: func(c *powerbi.Client) (any, error) {
				return nil, c.BindToGateway(ctx, "g1", "d1", powerbi.BindToGatewayRequest{GatewayObjectID: "gw", DatasourceObjectIDs: []string{"c1"}})
			},
			method: "POST", path: "/v1.0/myorg/groups/g1/datasets/d1/Default.BindToGateway",
			body: `{"gatewayObjectId":"gw","datasourceObjectIds":["c1"]}`,
		},
		{
			name: "refresh", respond: respond(202, ``, "RequestId", "r-1"),
			call:   func(c *powerbi.Client) (any, error) { return c.RefreshDataset(ctx, "g1", "d1", nil) },
			method: "POST", path: "/v1.0/myorg/groups/g1/datasets/d1/refreshes",
			body: `{"notifyOption":"NoNotification"}`, want: "r-1",
		},
		{
			name: "refresh_history", respond: respond(200, `{"value":[{"requestId":"r-1","id":1,"refreshType":"ViaApi","status":"Completed"}]}`),
			call:   func(c *powerbi.Client) (any, error) { return c.GetRefreshHistory(ctx, "g1", "d1", 1) },
			method: "GET", path: "/v1.0/myorg/groups/g1/datasets/d1/refreshes", query: "$top=1",
			want: []powerbi.Refresh{{RequestID: "r-1", ID: 1, RefreshType: "ViaApi", Status: "Completed"}},
		},
		{
			name: "take_over", respond: respond(200, ``),
			call:   func(c *powerbi.Client) (any, error) { return nil, c.TakeOver(ctx, "g1", "d1") },
			method: "POST", path: "/v1.0/myorg/groups/g1/datasets/d1/Default.TakeOver",
		},
		{
			name: "delete_dataset", respond: respond(200, ``),
			call:   func(c *powerbi.Client) (any, error) { return nil, c.DeleteDataset(ctx, "g1", "d1") },
			method: "DELETE", path: "/v1.0/myorg/groups/g1/datasets/d1",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reqs, c, cred := newServer(t, tc.respond)
			got, err := tc.call(c)
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			if tc.want != nil {
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("result (-want +got):\n%s", diff)
				}
			}
			if len(*reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(*reqs))
			}
			r := (*reqs)[0]
			if r.Method != tc.method || r.Path != tc.path || r.Query != tc.query {
				t.Errorf("request = %s %s?%s, want %s %s?%s", r.Method, r.Path, r.Query, tc.method, tc.path, tc.query)
			}
			if r.Header.Get("Authorization") != "Bearer tok" {
				t.Errorf("Authorization = %q", r.Header.Get("Authorization"))
			}
			if diff := cmp.Diff([]string{powerbi.Scope}, cred.scopes); diff != "" {
				t.Errorf("scopes (-want +got):\n%s", diff)
			}
			if tc.body == "" {
				if len(r.Body) != 0 {
					t.Errorf("body = %s, want none", r.Body)
				}
				return
			}
			var want, gotBody any
			json.Unmarshal([]byte(tc.body), &want)
			if err := json.Unmarshal(r.Body, &gotBody); err != nil {
				t.Fatalf("body %s: %v", r.Body, err)
			}
			if diff := cmp.Diff(want, gotBody); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGroupsPaging(t *testing.T) {
	reqs, c, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("$skip") {
		case "0":
			respond(200, `{"value":[{"id":"a"},{"id":"b"}]}`)(w, r)
		default:
			respond(200, `{"value":[{"id":"c"}]}`)(w, r)
		}
	})
	var ids []string
	p := c.NewListGroupsPager(&powerbi.ListGroupsOptions{PageSize: 2})
	for p.More() {
		pg, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range pg.Value {
			ids = append(ids, g.ID)
		}
	}
	if diff := cmp.Diff([]string{"a", "b", "c"}, ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	if (*reqs)[1].Query != "$top=2&$skip=2" {
		t.Errorf("second query = %q", (*reqs)[1].Query)
	}
}

func TestRefreshNotResentAfter500(t *testing.T) {
	reqs, c, _ := newServer(t, respond(500, `{"error":{"code":"InternalError"}}`))
	if _, err := c.RefreshDataset(context.Background(), "g", "d", nil); err == nil {
		t.Fatal("RefreshDataset succeeded against a 500")
	}
	if len(*reqs) != 1 {
		t.Errorf("%d requests, want 1 (a refresh is not re-sent after a 5xx)", len(*reqs))
	}
}
