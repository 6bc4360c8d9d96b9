package fabric_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/google/go-cmp/cmp"

	"github.com/pbipublish/pbipublish/fabric"
)

// staticCred hands out a fixed token and records the scopes asked for.
type staticCred struct {
	mu     sync.Mutex
	scopes []string
}

const testToken = "header.eyJhdWQiOiJ4In0.sig"

func (c *staticCred) GetToken(_ context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	c.mu.Lock()
	c.scopes = append(c.scopes, o.Scopes...)
	c.mu.Unlock()
	return azcore.AccessToken{Token: testToken, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// seen is one request a test handler received.
type seen struct {
	Method, Path, Query string
	Header              http.Header
	Body                []byte
}

// recorder is an httptest TLS server answering with respond and
// recording each request.
type recorder struct {
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []seen
}

func newRecorder(t *testing.T, respond http.HandlerFunc) (*recorder, *fabric.Client) {
	t.Helper()
	rec := &recorder{}
	rec.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), b})
		rec.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(b))
		respond(w, r)
	}))
	t.Cleanup(rec.srv.Close)
	c, err := fabric.NewClient(&staticCred{}, &fabric.ClientOptions{
		ClientOptions: azcore.ClientOptions{Transport: rec.srv.Client(),
			Retry: policy.RetryOptions{MaxRetries: 3, RetryDelay: time.Millisecond, MaxRetryDelay: 200 * time.Millisecond}},
		Endpoint: rec.srv.URL + "/v1",
	})
	if err != nil {
		t.Fatal(err)
	}
	return rec, c
}

func (r *recorder) requests() []seen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]seen(nil), r.reqs...)
}

func jsonHandler(status int, body string, headers ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		if body != "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

func mustJSON(t *testing.T, b []byte) any {
	t.Helper()
	if len(b) == 0 {
		return nil
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("body %q is not JSON: %v", b, err)
	}
	return v
}

func TestClientMethods(t *testing.T) {
	ctx := context.Background()
	sfReq := fabric.SnowflakeConnection("conn", "acme.snowflakecomputing.com", "WH", fabric.BasicCredential{Username: "u", Password: "p@ss"})
	tests := []struct {
		name    string
		respond http.HandlerFunc
		call    func(c *fabric.Client) (any, error)
		method  string
		path    string
		query   string
		body    string // JSON, compared structurally; "" = no body
		want    any
	}{
		{
			name:    "list_workspaces_roles",
			respond: jsonHandler(200, `{"value":[{"id":"w1","displayName":"Sales","type":"Workspace"}]}`),
			call: func(c *fabric.Client) (any, error) {
				p := c.NewListWorkspacesPager(&fabric.ListWorkspacesOptions{Roles: []string{fabric.RoleAdmin, fabric.RoleContributor}})
				pg, err := p.NextPage(ctx)
				return pg.Value, err
			},
			method: "GET", path: "/v1/workspaces", query: "roles=Admin%2CContributor",
			want: []fabric.Workspace{{ID: "w1", DisplayName: "Sales", Type: "Workspace"}},
		},
		{
			name:    "list_items_type",
			respond: jsonHandler(200, `{"value":[{"id":"i1","displayName":"M","type":"SemanticModel","workspaceId":"w1"}]}`),
			call: func(c *fabric.Client) (any, error) {
				pg, err := c.NewListItemsPager("w1", &fabric.ListItemsOptions{Type: fabric.ItemTypeSemanticModel}).NextPage(ctx)
				return pg.Value, err
			},
			method: "GET", path: "/v1/workspaces/w1/items", query: "type=SemanticModel",
			want: []fabric.Item{{ID: "i1", DisplayName: "M", Type: "SemanticModel", WorkspaceID: "w1"}},
		},
		{
			name:    "create_semantic_model_201",
			respond: jsonHandler(201, `{"id":"m1","displayName":"Orders","type":"SemanticModel","workspaceId":"w1"}`),
			call: func(c *fabric.Client) (any, error) {
				p, err := c.BeginCreateSemanticModel(ctx, "w1", fabric.CreateSemanticModelRequest{DisplayName: "Orders", Description: "d",
					Parts: []fabric.DefinitionPart{{Path: "definition.pbism", Payload: []byte("{}")}}}, nil)
				if err != nil {
					return nil, err
				}
				return p.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: time.Millisecond})
			},
			method: "POST", path: "/v1/workspaces/w1/semanticModels",
			body: `{"displayName":"Orders","description":"d","definition":{"parts":[{"path":"definition.pbism","payload":"e30=","payloadType":"InlineBase64"}]}}`,
			want: fabric.Item{ID: "m1", DisplayName: "Orders", Type: "SemanticModel", WorkspaceID: "w1"},
		},
		{
			name:    "get_definition_200",
			respond: jsonHandler(200, `{"definition":{"format":"TMDL","parts":[{"path":"definition/model.tmdl","payload":"bW9kZWwgTQ==","payloadType":"InlineBase64"}]}}`),
			call: func(c *fabric.Client) (any, error) {
				p, err := c.BeginGetSemanticModelDefinition(ctx, "w1", "m1", nil)
				if err != nil {
					return nil, err
				}
				return p.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: time.Millisecond})
			},
			method: "POST", path: "/v1/workspaces/w1/semanticModels/m1/getDefinition", query: "format=TMDL",
			want: fabric.Definition{Format: "TMDL", Parts: []fabric.DefinitionPart{{Path: "definition/model.tmdl", Payload: []byte("model M")}}},
		},
		{
			name:    "update_definition_200",
			respond: jsonHandler(200, ``),
			call: func(c *fabric.Client) (any, error) {
				p, err := c.BeginUpdateSemanticModelDefinition(ctx, "w1", "m1", []fabric.DefinitionPart{{Path: "a", Payload: []byte("x")}},
					&fabric.BeginUpdateSemanticModelDefinitionOptions{UpdateMetadata: true})
				if err != nil {
					return nil, err
				}
				return p.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: time.Millisecond})
			},
			method: "POST", path: "/v1/workspaces/w1/semanticModels/m1/updateDefinition", query: "updateMetadata=true",
			body: `{"definition":{"parts":[{"path":"a","payload":"eA==","payloadType":"InlineBase64"}]}}`,
			want: fabric.UpdateDefinitionResult{},
		},
		{
			name:    "delete_semantic_model",
			respond: jsonHandler(200, ``),
			call:    func(c *fabric.Client) (any, error) { return nil, c.DeleteSemanticModel(ctx, "w1", "m 1") },
			method:  "DELETE", path: "/v1/workspaces/w1/semanticModels/m 1",
		},
		{
			name:    "list_item_connections",
			respond: jsonHandler(200, `{"value":[{"connectivityType":"Automatic","connectionDetails":{"type":"Snowflake","path":"a;b"}}]}`),
			call: func(c *fabric.Client) (any, error) {
				pg, err := c.NewListItemConnectionsPager("w1", "m1").NextPage(ctx)
				return pg.Value, err
			},
			method: "GET", path: "/v1/workspaces/w1/items/m1/connections",
			want: []fabric.ItemConnection{{ConnectivityType: "Automatic", ConnectionDetails: fabric.ConnectionDetails{Type: "Snowflake", Path: "a;b"}}},
		},
		{
			name:    "bind_connection",
			respond: jsonHandler(200, ``),
			call: func(c *fabric.Client) (any, error) {
				return nil, c.BindSemanticModelConnection(ctx, "w1", "m1", fabric.ConnectionBinding{ID: "c1",
					ConnectionDetails: fabric.ConnectionDetails{Type: "Snowflake", Path: "a;b"}})
			},
			method: "POST", path: "/v1/workspaces/w1/semanticModels/m1/bindConnection",
			body: `{"connectionBinding":{"id":"c1","connectivityType":"ShareableCloud","connectionDetails":{"type":"Snowflake","path":"a;b"}}}`,
		},
		{
			name:    "get_operation",
			respond: jsonHandler(200, `{"status":"Running","percentComplete":25}`),
			call:    func(c *fabric.Client) (any, error) { return c.GetOperation(ctx, "op1") },
			method:  "GET", path: "/v1/operations/op1",
			want: fabric.OperationState{Status: "Running", PercentComplete: 25},
		},
		{
			name:    "list_connections",
			respond: jsonHandler(200, `{"value":[{"id":"c1","displayName":"n","connectivityType":"ShareableCloud","connectionDetails":{"type":"Snowflake","path":"a;b"},"credentialDetails":{"credentialType":"Basic"}}]}`),
			call: func(c *fabric.Client) (any, error) {
				pg, err := c.NewListConnectionsPager().NextPage(ctx)
				return pg.Value, err
			},
			method: "GET", path: "/v1/connections",
			want: []fabric.Connection{{ID: "c1", DisplayName: "n", ConnectivityType: "ShareableCloud",
				ConnectionDetails: fabric.ConnectionDetails{Type: "Snowflake", Path: "a;b"}, CredentialDetails: fabric.CredentialDetails{CredentialType: "Basic"}}},
		},
		{
			name:    "get_connection",
			respond: jsonHandler(200, `{"id":"c1","displayName":"n","connectivityType":"ShareableCloud","connectionDetails":{"type":"Snowflake","path":"a;b"}}`),
			call:    func(c *fabric.Client) (any, error) { return c.GetConnection(ctx, "c1") },
			method:  "GET", path: "/v1/connections/c1",
			want: fabric.Connection{ID: "c1", DisplayName: "n", ConnectivityType: "ShareableCloud", ConnectionDetails: fabric.ConnectionDetails{Type: "Snowflake", Path: "a;b"}},
		},
		{
			name:    "create_connection_snowflake_basic",
			respond: jsonHandler(201, `{"id":"c1","displayName":"conn","connectivityType":"ShareableCloud","connectionDetails":{"type":"Snowflake","path":"acme.snowflakecomputing.com;WH"}}`),
			call:    func(c *fabric.Client) (any, error) { return c.CreateConnection(ctx, sfReq) },
			method:  "POST", path: "/v1/connections",
			body: `{"connectivityType":"ShareableCloud","displayName":"conn","privacyLevel":"Organizational",
				"connectionDetails":{"type":"Snowflake","creationMethod":"Snowflake.Databases","parameters":[
					{"name":"server","dataType":"Text","value":"acme.snowflakecomputing.com"},{"name":"warehouse","dataType":"Text","value":"WH"}]},
				"credentialDetails":{"singleSignOnType":"None","connectionEncryption":"NotEncrypted","skipTestConnection":false,
					"credentials":{"credentialType":"Basic","username":"u","password":"p@ss"}}}`,
			want: fabric.Connection{ID: "c1", DisplayName: "conn", ConnectivityType: "ShareableCloud",
				ConnectionDetails: fabric.ConnectionDetails{Type: "Snowflake", Path: "acme.snowflakecomputing.com;WH"}},
		},
		{
			name:    "create_connection_databricks_service_principal",
			respond: jsonHandler(201, `{"id":"c2"}`),
			call: func(c *fabric.Client) (any, error) {
				r := fabric.DatabricksConnection("dbx", "adb.net", "/sql/x", fabric.ServicePrincipalCredential{TenantID: "t", ClientID: "ci", ClientSecret: "cs"})
				r.SkipTestConnection = true
				return c.CreateConnection(ctx, r)
			},
			method: "POST", path: "/v1/connections",
			body: `{"connectivityType":"ShareableCloud","displayName":"dbx","privacyLevel":"Organizational",
				"connectionDetails":{"type":"Databricks","creationMethod":"Databricks.Catalogs","parameters":[
					{"name":"host","dataType":"Text","value":"adb.net"},{"name":"httpPath","dataType":"Text","value":"/sql/x"}]},
				"credentialDetails":{"singleSignOnType":"None","connectionEncryption":"NotEncrypted","skipTestConnection":true,
					"credentials":{"credentialType":"ServicePrincipal","tenantId":"t","servicePrincipalClientId":"ci","servicePrincipalSecret":"cs"}}}`,
			want: fabric.Connection{ID: "c2"},
		},
		{
			name:    "create_connection_keypair",
			respond: jsonHandler(201, `{"id":"c3"}`),
			call: func(c *fabric.Client) (any, error) {
				return c.CreateConnection(ctx, fabric.SnowflakeConnection("kp", "s", "w", fabric.KeyPairCredential{Identifier: "u", PrivateKey: "PEM", Passphrase: "pp"}))
			},
			method: "POST", path: "/v1/connections",
			body: `{"connectivityType":"ShareableCloud","displayName":"kp","privacyLevel":"Organizational",
				"connectionDetails":{"type":"Snowflake","creationMethod":"Snowflake.Databases","parameters":[
					{"name":"server","dataType":"Text","value":"s"},{"name":"warehouse","dataType":"Text","value":"w"}]},
				"credentialDetails":{"singleSignOnType":"None","connectionEncryption":"NotEncrypted","skipTestConnection":false,
					"credentials":{"credentialType":"KeyPair","identifier":"u","privateKey":"PEM","passphrase":"pp"}}}`,
			want: fabric.Connection{ID: "c3"},
		},
		{
			name:    "delete_connection",
			respond: jsonHandler(200, ``),
			call:    func(c *fabric.Client) (any, error) { return nil, c.DeleteConnection(ctx, "c1") },
			method:  "DELETE", path: "/v1/connections/c1",
		},
		{
			name:    "supported_connection_types",
			respond: jsonHandler(200, `{"value":[{"type":"Snowflake","creationMethods":[{"name":"Snowflake.Databases","parameters":[{"name":"server","dataType":"Text","required":true}]}],"supportedCredentialTypes":["Basic"]}]}`),
			call: func(c *fabric.Client) (any, error) {
				pg, err := c.NewListSupportedConnectionTypesPager().NextPage(ctx)
				return pg.Value, err
			},
			method: "GET", path: "/v1/connections/supportedConnectionTypes", query: "showAllCreationMethods=true",
			want: []fabric.SupportedConnectionType{{Type: "Snowflake", CreationMethods: []fabric.CreationMethod{{Name: "Snowflake.Databases",
				Parameters: []fabric.ParameterSchema{{Name: "server", DataType: "Text", Required: true}}}}, SupportedCredentialTypes: []string{"Basic"}}},
		},
		{
			name:    "test_connection_200",
			respond: jsonHandler(200, `{"status":"Online","errors":[]}`),
			call: func(c *fabric.Client) (any, error) {
				p, err := c.BeginTestConnection(ctx, "c1")
				if err != nil {
					return nil, err
				}
				return p.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: time.Millisecond})
			},
			method: "POST", path: "/v1/connections/c1/testConnection",
			want: fabric.TestConnectionResult{Status: "Online", Errors: []fabric.TestConnectionError{}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, c := newRecorder(t, tc.respond)
			got, err := tc.call(c)
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			if tc.want != nil {
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("result mismatch (-want +got):\n%s", diff)
				}
			}
			reqs := rec.requests()
			if len(reqs) != 1 {
				t.Fatalf("got %d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.Method != tc.method || r.Path != tc.path || r.Query != tc.query {
				t.Errorf("request = %s %s?%s, want %s %s?%s", r.Method, r.Path, r.Query, tc.method, tc.path, tc.query)
			}
			if got := r.Header.Get("Authorization"); got != "Bearer "+testToken {
				t.Errorf("Authorization = %q, want the bearer token", got)
			}
			if got := r.Header.Get("Accept"); got != "application/json" {
				t.Errorf("Accept = %q, want application/json", got)
			}
			if !strings.Contains(r.Header.Get("User-Agent"), "fabric/v0.1.0") {
				t.Errorf("User-Agent = %q, want module telemetry", r.Header.Get("User-Agent"))
			}
			if tc.body == "" {
				if len(r.Body) != 0 {
					t.Errorf("body = %s, want none", r.Body)
				}
				return
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
			if diff := cmp.Diff(mustJSON(t, []byte(tc.body)), mustJSON(t, r.Body)); diff != "" {
				t.Errorf("body mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestScopeIsFabric(t *testing.T) {
	cred := &staticCred{}
	srv := httptest.NewTLSServer(jsonHandler(200, `{"status":"Succeeded"}`))
	defer srv.Close()
	c, err := fabric.NewClient(cred, &fabric.ClientOptions{ClientOptions: azcore.ClientOptions{Transport: srv.Client()}, Endpoint: srv.URL + "/v1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetOperation(context.Background(), "x"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{fabric.Scope}, cred.scopes); diff != "" {
		t.Errorf("scopes (-want +got):\n%s", diff)
	}
}

func TestParameterChecks(t *testing.T) {
	rec, c := newRecorder(t, jsonHandler(200, `{}`))
	ctx := context.Background()
	for name, call := range map[string]func() error{
		"empty_workspace":  func() error { return c.DeleteSemanticModel(ctx, "", "m") },
		"empty_model":      func() error { return c.DeleteSemanticModel(ctx, "w", " ") },
		"empty_connection": func() error { return c.DeleteConnection(ctx, "") },
		"no_display_name": func() error {
			_, err := c.BeginCreateSemanticModel(ctx, "w", fabric.CreateSemanticModelRequest{Parts: []fabric.DefinitionPart{{Path: "a"}}}, nil)
			return err
		},
		"no_parts": func() error {
			_, err := c.BeginCreateSemanticModel(ctx, "w", fabric.CreateSemanticModelRequest{DisplayName: "x"}, nil)
			return err
		},
		"long_description": func() error {
			_, err := c.BeginCreateSemanticModel(ctx, "w", fabric.CreateSemanticModelRequest{DisplayName: "x", Description: strings.Repeat("é", 257), Parts: []fabric.DefinitionPart{{Path: "a"}}}, nil)
			return err
		},
		"no_credential": func() error {
			_, err := c.CreateConnection(ctx, fabric.SnowflakeConnection("n", "s", "w", nil))
			return err
		},
		"binding_without_path": func() error { return c.BindSemanticModelConnection(ctx, "w", "m", fabric.ConnectionBinding{ID: "c"}) },
	} {
		t.Run(name, func(t *testing.T) {
			if err := call(); err == nil || !strings.HasPrefix(err.Error(), "fabric: ") {
				t.Errorf("error = %v, want a fabric: error", err)
			}
		})
	}
	if n := len(rec.requests()); n != 0 {
		t.Errorf("%d requests sent for invalid parameters, want 0", n)
	}
}
