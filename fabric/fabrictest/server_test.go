package fabrictest_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/google/go-cmp/cmp"

	"github.com/pbipublish/pbipublish/fabric"
	"github.com/pbipublish/pbipublish/fabric/fabrictest"
	"github.com/pbipublish/pbipublish/powerbi"
)

var (
	sfSource  = fabrictest.DataSource{Type: "Snowflake", Path: "acme.snowflakecomputing.com;WH"}
	dbxSource = fabrictest.DataSource{Type: "Databricks", Path: "adb-1.azuredatabricks.net;/sql/1.0/warehouses/abc"}
)

// setup starts a server with workspace "Sales" where alice is a
// Contributor and bob a Viewer.
func setup(t *testing.T, opts *fabrictest.Options) (*fabrictest.Server, string) {
	t.Helper()
	srv := fabrictest.NewServer(opts)
	t.Cleanup(srv.Close)
	ws := srv.AddWorkspace("Sales", map[string]fabrictest.Role{alice: fabrictest.Contributor, bob: fabrictest.Viewer})
	return srv, ws
}

func createModel(t *testing.T, fc *fabric.Client, ws, name string, parts []fabric.DefinitionPart) (fabric.Item, error) {
	t.Helper()
	ctx := context.Background()
	p, err := fc.BeginCreateSemanticModel(ctx, ws, fabric.CreateSemanticModelRequest{DisplayName: name, Parts: parts}, nil)
	if err != nil {
		return fabric.Item{}, err
	}
	return p.PollUntilDone(ctx, fastPoll)
}

// rawGet sends a request with the given token.
func rawGet(t *testing.T, srv *fabrictest.Server, path, token string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL()+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp, b.String()
}

func TestAuthentication(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	srv, _ := setup(t, &fabrictest.Options{Now: clock})
	fabTok := srv.Token(alice, fabrictest.AudienceFabric)
	pbiTok := srv.Token(alice, fabrictest.AudiencePowerBI)
	tests := []struct {
		name, path, token string
		status            int
		code              string
	}{
		{"fabric_ok", "/v1/workspaces", fabTok, 200, ""},
		{"powerbi_ok", "/v1.0/myorg/groups", pbiTok, 200, ""},
		{"no_token", "/v1/workspaces", "", 401, "Unauthorized"},
		{"malformed", "/v1/workspaces", "not-a-jwt", 401, "InvalidToken"},
		{"powerbi_token_on_fabric", "/v1/workspaces", pbiTok, 401, "InvalidToken"},
		{"fabric_token_on_powerbi", "/v1.0/myorg/groups", fabTok, 401, "InvalidToken"},
		{"graph_token", "/v1/workspaces", srv.Token(alice, fabrictest.AudienceGraph), 401, "InvalidToken"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := rawGet(t, srv, tc.path, tc.token)
			if resp.StatusCode != tc.status {
				t.Fatalf("GET %s = %d %s, want %d", tc.path, resp.StatusCode, body, tc.status)
			}
			if got := resp.Header.Get("x-ms-public-api-error-code"); got != tc.code {
				t.Errorf("error code = %q, want %q", got, tc.code)
			}
		})
	}
	t.Run("expired", func(t *testing.T) {
		mu.Lock()
		now = now.Add(2 * time.Hour)
		mu.Unlock()
		resp, _ := rawGet(t, srv, "/v1/workspaces", fabTok)
		if resp.StatusCode != 401 || resp.Header.Get("x-ms-public-api-error-code") != "TokenExpired" {
			t.Errorf("expired token: %d %s, want 401 TokenExpired", resp.StatusCode, resp.Header.Get("x-ms-public-api-error-code"))
		}
	})
}

func TestWorkspacesAndRoles(t *testing.T) {
	srv, ws := setup(t, &fabrictest.Options{PageSize: 1})
	srv.AddWorkspace("Other", map[string]fabrictest.Role{alice: fabrictest.Admin})
	srv.AddWorkspace("Hidden", map[string]fabrictest.Role{bob: fabrictest.Admin})
	fc, _ := clients(t, srv, alice)
	ctx := context.Background()
	list := func(opts *fabric.ListWorkspacesOptions) []string {
		var names []string
		p := fc.NewListWorkspacesPager(opts)
		for p.More() {
			pg, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range pg.Value {
				names = append(names, w.DisplayName)
			}
		}
		return names
	}
	if diff := cmp.Diff([]string{"Sales", "Other"}, list(nil)); diff != "" {
		t.Errorf("workspaces (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Other"}, list(&fabric.ListWorkspacesOptions{Roles: []string{"Admin"}})); diff != "" {
		t.Errorf("admin workspaces (-want +got):\n%s", diff)
	}

	bobFC, _ := clients(t, srv, bob)
	_, err := createModel(t, bobFC, ws, "M", fabrictest.SampleModel(sfSource, "import"))
	if !errors.Is(err, fabric.ErrForbidden) {
		t.Errorf("viewer create = %v, want ErrForbidden", err)
	}
	stranger, _ := clients(t, srv, "33333333-3333-4333-8333-333333333333")
	_, err = createModel(t, stranger, ws, "M", fabrictest.SampleModel(sfSource, "import"))
	if !errors.Is(err, fabric.ErrNotFound) {
		t.Errorf("stranger create = %v, want ErrNotFound", err)
	}
}

func TestDuplicateNames(t *testing.T) {
	srv, ws := setup(t, &fabrictest.Options{NameReuseDelay: time.Hour})
	fc, _ := clients(t, srv, alice)
	ctx := context.Background()
	parts := fabrictest.SampleModel(sfSource, "import")

	// A name is taken as soon as the create is accepted.
	p, err := fc.BeginCreateSemanticModel(ctx, ws, fabric.CreateSemanticModelRequest{DisplayName: "Orders", Parts: parts}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := createModel(t, fc, ws, "orders", parts); !errors.Is(err, fabric.ErrItemDisplayNameAlreadyInUse) {
		t.Errorf("create during operation = %v, want ErrItemDisplayNameAlreadyInUse", err)
	}
	m, err := p.PollUntilDone(ctx, fastPoll)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := createModel(t, fc, ws, "Orders", parts); !errors.Is(err, fabric.ErrItemDisplayNameAlreadyInUse) {
		t.Errorf("second create = %v, want ErrItemDisplayNameAlreadyInUse", err)
	}
	if err := fc.DeleteSemanticModel(ctx, ws, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := createModel(t, fc, ws, "Orders", parts); !errors.Is(err, fabric.ErrItemDisplayNameNotAvailableYet) {
		t.Errorf("create after delete = %v, want ErrItemDisplayNameNotAvailableYet", err)
	}
}

func TestDefinitionRoundTripAndParseFailure(t *testing.T) {
	srv, ws := setup(t, nil)
	fc, _ := clients(t, srv, alice)
	ctx := context.Background()
	parts := fabrictest.SampleModel(dbxSource, "directQuery")
	m, err := createModel(t, fc, ws, "Orders", parts)
	if err != nil {
		t.Fatal(err)
	}
	gp, err := fc.BeginGetSemanticModelDefinition(ctx, ws, m.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	def, err := gp.PollUntilDone(ctx, fastPoll)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(parts, def.Parts); diff != "" {
		t.Errorf("definition as read back (-want +got):\n%s", diff)
	}

	// Update to a Snowflake source: the data sources follow.
	up, err := fc.BeginUpdateSemanticModelDefinition(ctx, ws, m.ID, fabrictest.SampleModel(sfSource, "import"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := up.PollUntilDone(ctx, fastPoll); err != nil {
		t.Fatal(err)
	}
	if got := itemConnections(ctx, t, fc, ws, m.ID); len(got) != 1 || got[0].ConnectionDetails.Type != "Snowflake" {
		t.Errorf("item connections after update = %+v", got)
	}

	bad := []struct {
		name  string
		parts []fabric.DefinitionPart
	}{
		{"no_pbism", parts[1:]},
		{"bad_table", append(append([]fabric.DefinitionPart(nil), parts[:3]...), fabric.DefinitionPart{Path: "definition/tables/X.tmdl", Payload: []byte("\ttable X\n")})},
		{"pbism_not_json", append([]fabric.DefinitionPart{{Path: "definition.pbism", Payload: []byte("{")}}, parts[1:]...)},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := createModel(t, fc, ws, "Bad "+tc.name, tc.parts)
			var re *fabric.ResponseError
			if !errors.As(err, &re) || re.ErrorCode != "Workload_FailedToParseFile" || !errors.Is(err, fabric.ErrOperationFailed) {
				t.Fatalf("create = %v, want operation failure Workload_FailedToParseFile", err)
			}
		})
	}
	if n := len(srv.State().Items); n != 1 {
		t.Errorf("%d items after failed creates, want 1", n)
	}
}

func TestConnectionValidation(t *testing.T) {
	srv, _ := setup(t, nil)
	srv.SourceCredential(sfSource, "Basic", map[string]string{"username": "svc", "password": "right"})
	fc, _ := clients(t, srv, alice)
	ctx := context.Background()
	sf := func(name string, c fabric.Credential) fabric.CreateConnectionRequest {
		return fabric.SnowflakeConnection(name, "acme.snowflakecomputing.com", "WH", c)
	}
	tests := []struct {
		name string
		req  fabric.CreateConnectionRequest
		code string
	}{
		{"ok_basic", sf("a", fabric.BasicCredential{Username: "svc", Password: "right"}), ""},
		{"duplicate_name", sf("A", fabric.BasicCredential{Username: "svc", Password: "right"}), "DuplicateConnectionName"},
		{"incorrect_credentials", sf("b", fabric.BasicCredential{Username: "svc", Password: "wrong"}), "IncorrectCredentials"},
		{"skip_test", func() fabric.CreateConnectionRequest {
			r := sf("c", fabric.BasicCredential{Username: "svc", Password: "wrong"})
			r.SkipTestConnection = true
			return r
		}(), ""},
		{"wrong_creation_method", func() fabric.CreateConnectionRequest {
			r := sf("d", fabric.BasicCredential{Username: "svc", Password: "right"})
			r.CreationMethod = "Snowflake"
			return r
		}(), "InvalidConnectionDetails"},
		{"missing_parameter", fabric.SnowflakeConnection("e", "acme.snowflakecomputing.com", "", fabric.BasicCredential{Username: "u", Password: "p"}), "InvalidConnectionDetails"},
		{"unknown_parameter", func() fabric.CreateConnectionRequest {
			r := sf("f", fabric.BasicCredential{Username: "svc", Password: "right"})
			r.Parameters = append(r.Parameters, fabric.ConnectionParameter{Name: "database", Value: "x"})
			return r
		}(), "InvalidConnectionDetails"},
		{"unknown_type", fabric.CreateConnectionRequest{DisplayName: "g", Type: "Oracle", CreationMethod: "Oracle.Database", Credential: fabric.BasicCredential{Username: "u", Password: "p"}}, "InvalidConnectionDetails"},
		{"key_not_for_snowflake", sf("h", fabric.KeyCredential{Key: "k"}), "InvalidCredentialDetails"},
		{"keypair_ok", sf("i", fabric.KeyPairCredential{Identifier: "svc", PrivateKey: "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----"}), "IncorrectCredentials"},
		{"basic_without_password", sf("j", fabric.BasicCredential{Username: "svc"}), "InvalidCredentialDetails"},
		{"databricks_key", fabric.DatabricksConnection("k", "adb.net", "/sql/x", fabric.KeyCredential{Key: "dapi"}), ""},
		{"databricks_sp", fabric.DatabricksConnection("l", "adb.net", "/sql/y", fabric.ServicePrincipalCredential{TenantID: "t", ClientID: "c", ClientSecret: "s"}), ""},
		{"databricks_keypair", fabric.DatabricksConnection("m", "adb.net", "/sql/z", fabric.KeyPairCredential{Identifier: "u", PrivateKey: "k"}), "InvalidCredentialDetails"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := fc.CreateConnection(ctx, tc.req)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("CreateConnection = %v, want success", err)
				}
				if conn.ConnectionDetails.Type != tc.req.Type || conn.CredentialDetails.CredentialType != tc.req.Credential.CredentialType() || conn.GatewayID == "" {
					t.Errorf("connection = %+v", conn)
				}
				return
			}
			var re *fabric.ResponseError
			if !errors.As(err, &re) || re.ErrorCode != tc.code {
				t.Fatalf("CreateConnection = %v, want code %s", err, tc.code)
			}
		})
	}
	// Connections are private to their owner.
	bobFC, _ := clients(t, srv, bob)
	conns := srv.State().Connections
	if _, err := bobFC.GetConnection(ctx, conns[0].ID); !errors.Is(err, fabric.ErrNotFound) {
		t.Errorf("bob GetConnection = %v, want ErrNotFound", err)
	}
	// Test connection reports the declared source's verdict.
	for _, c := range conns {
		p, err := fc.BeginTestConnection(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		res, err := p.PollUntilDone(ctx, fastPoll)
		if err != nil {
			t.Fatal(err)
		}
		want := "Online"
		if c.DisplayName == "c" { // created with the wrong password, test skipped
			want = "Offline"
		}
		if res.Status != want {
			t.Errorf("test of %s = %s, want %s", c.DisplayName, res.Status, want)
		}
	}
	// Supported types list what the emulator checks.
	pg, err := fc.NewListSupportedConnectionTypesPager().NextPage(ctx)
	if err != nil || len(pg.Value) != 2 || pg.Value[0].CreationMethods[0].Name != fabric.CreationMethodSnowflake {
		t.Errorf("supported types = %+v, %v", pg.Value, err)
	}
}

func TestBindingRules(t *testing.T) {
	srv, ws := setup(t, nil)
	srv.SetRole(ws, bob, fabrictest.Contributor)
	fc, pc := clients(t, srv, alice)
	bobFC, bobPC := clients(t, srv, bob)
	ctx := context.Background()
	m, err := createModel(t, fc, ws, "Orders", fabrictest.SampleModel(sfSource, "directQuery"))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := fc.CreateConnection(ctx, fabric.SnowflakeConnection("sf", "acme.snowflakecomputing.com", "WH", fabric.BasicCredential{Username: "u", Password: "p"}))
	if err != nil {
		t.Fatal(err)
	}
	other, err := fc.CreateConnection(ctx, fabric.SnowflakeConnection("sf2", "acme.snowflakecomputing.com", "WH2", fabric.BasicCredential{Username: "u", Password: "p"}))
	if err != nil {
		t.Fatal(err)
	}
	bind := func(c *fabric.Client, id, path string) error {
		return c.BindSemanticModelConnection(ctx, ws, m.ID, fabric.ConnectionBinding{ID: id, ConnectionDetails: fabric.ConnectionDetails{Type: "Snowflake", Path: path}})
	}
	if err := bind(fc, conn.ID, sfSource.Path+"/"); !errors.Is(err, fabric.ErrBindConnectionDetailNotFound) {
		t.Errorf("bind with trailing slash = %v, want ErrBindConnectionDetailNotFound", err)
	}
	if err := bind(fc, other.ID, sfSource.Path); !errors.Is(err, fabric.ErrBindConnectionDetailNotFound) {
		t.Errorf("bind to a connection of another path = %v, want ErrBindConnectionDetailNotFound", err)
	}

	// The refresh fails while the source has no connection.
	if _, err := pc.RefreshDataset(ctx, ws, m.ID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := pc.RefreshDataset(ctx, ws, m.ID, nil); !errors.Is(err, powerbi.ErrRefreshInProgress) {
		t.Errorf("second refresh = %v, want ErrRefreshInProgress", err)
	}
	pc.GetRefreshHistory(ctx, ws, m.ID, 0)
	hist, _ := pc.GetRefreshHistory(ctx, ws, m.ID, 0)
	if len(hist) != 1 || hist[0].Status != "Failed" || !strings.Contains(hist[0].ServiceExceptionJSON, "CredentialsNotSpecified") {
		t.Errorf("refresh of an unbound model = %+v, want Failed", hist)
	}

	// Only the owner binds; bob takes over, then binds his own connection.
	bobConn, err := bobFC.CreateConnection(ctx, fabric.SnowflakeConnection("bob-sf", "acme.snowflakecomputing.com", "WH", fabric.BasicCredential{Username: "u", Password: "p"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := bind(bobFC, bobConn.ID, sfSource.Path); !errors.Is(err, fabric.ErrForbidden) {
		t.Errorf("non-owner bind = %v, want ErrForbidden", err)
	}
	if err := bobPC.TakeOver(ctx, ws, m.ID); err != nil {
		t.Fatal(err)
	}
	if err := bind(bobFC, conn.ID, sfSource.Path); !errors.Is(err, fabric.ErrNotFound) {
		t.Errorf("bind to another user's connection = %v, want ErrNotFound", err)
	}
	if err := bind(bobFC, bobConn.ID, sfSource.Path); err != nil {
		t.Errorf("owner bind = %v", err)
	}
	st := srv.State()
	if got := st.Items[0].Bindings[sfSource]; got != bobConn.ID || st.Items[0].Owner != bob {
		t.Errorf("state = %+v, want bound to %s and owned by bob", st.Items[0], bobConn.ID)
	}

	// Power BI sees the binding.
	ds, err := bobPC.GetDatasources(ctx, ws, m.ID)
	if err != nil || len(ds) != 1 || ds[0].DatasourceID != bobConn.ID || ds[0].GatewayID != bobConn.GatewayID {
		t.Errorf("datasources = %+v, %v", ds, err)
	}
}

func TestBindToGateway(t *testing.T) {
	srv, ws := setup(t, nil)
	fc, pc := clients(t, srv, alice)
	ctx := context.Background()
	m, err := createModel(t, fc, ws, "Orders", fabrictest.SampleModel(dbxSource, "import"))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := fc.CreateConnection(ctx, fabric.DatabricksConnection("dbx", "adb-1.azuredatabricks.net", "/sql/1.0/warehouses/abc", fabric.KeyCredential{Key: "dapi"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := pc.BindToGateway(ctx, ws, m.ID, powerbi.BindToGatewayRequest{GatewayObjectID: "wrong", DatasourceObjectIDs: []string{conn.ID}}); err == nil {
		t.Error("bind to a wrong gateway succeeded")
	}
	if err := pc.BindToGateway(ctx, ws, m.ID, powerbi.BindToGatewayRequest{GatewayObjectID: conn.GatewayID, DatasourceObjectIDs: []string{conn.ID}}); err != nil {
		t.Fatalf("BindToGateway: %v", err)
	}
	if got := srv.State().Items[0].Bindings[dbxSource]; got != conn.ID {
		t.Errorf("binding = %q, want %q", got, conn.ID)
	}
	groups, err := pc.NewListGroupsPager(nil).NextPage(ctx)
	if err != nil || len(groups.Value) != 1 || groups.Value[0].ID != ws {
		t.Errorf("groups = %+v, %v", groups.Value, err)
	}
	if err := pc.DeleteDataset(ctx, ws, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := pc.GetDatasources(ctx, ws, m.ID); !errors.Is(err, powerbi.ErrNotFound) {
		t.Errorf("datasources of a deleted dataset = %v, want ErrNotFound", err)
	}
}

func TestItemConnectionsLateOrNever(t *testing.T) {
	srv, ws := setup(t, &fabrictest.Options{ItemConnectionsAfter: 2})
	fc, _ := clients(t, srv, alice)
	ctx := context.Background()
	m, err := createModel(t, fc, ws, "Late", fabrictest.SampleModel(sfSource, "directQuery"))
	if err != nil {
		t.Fatal(err)
	}
	var counts []int
	for i := 0; i < 3; i++ {
		counts = append(counts, len(itemConnections(ctx, t, fc, ws, m.ID)))
	}
	if diff := cmp.Diff([]int{0, 0, 1}, counts); diff != "" {
		t.Errorf("item connections per listing (-want +got):\n%s", diff)
	}
	srv.SetItemConnectionsAfter("", -1)
	never, err := createModel(t, fc, ws, "Never", fabrictest.SampleModel(sfSource, "directQuery"))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if n := len(itemConnections(ctx, t, fc, ws, never.ID)); n != 0 {
			t.Fatalf("listing %d: %d item connections, want none ever", i, n)
		}
	}
	conn, _ := fc.CreateConnection(ctx, fabric.SnowflakeConnection("sf", "acme.snowflakecomputing.com", "WH", fabric.BasicCredential{Username: "u", Password: "p"}))
	err = fc.BindSemanticModelConnection(ctx, ws, never.ID, fabric.ConnectionBinding{ID: conn.ID, ConnectionDetails: fabric.ConnectionDetails(sfSource)})
	if !errors.Is(err, fabric.ErrBindConnectionDetailNotFound) {
		t.Errorf("bind while sources are invisible = %v, want ErrBindConnectionDetailNotFound", err)
	}
}

// TestCreateThen429OnPollingYieldsOneModel is the case a naive client
// gets wrong: the create is accepted (202), then polling is throttled.
// The poll is retried with the server's Retry-After, never the POST.
func TestCreateThen429OnPollingYieldsOneModel(t *testing.T) {
	srv, ws := setup(t, &fabrictest.Options{OperationPolls: 2})
	srv.AddFault(fabrictest.Fault{Method: "GET", Path: "/v1/operations/*", Status: 429, RetryAfter: 30 * time.Millisecond, Skip: 1, Times: 2})
	fc, _ := clients(t, srv, alice)
	start := time.Now()
	m, err := createModel(t, fc, ws, "Orders", fabrictest.SampleModel(sfSource, "import"))
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Errorf("create took %v, want at least the two 30ms Retry-After waits", d)
	}
	st := srv.State()
	if len(st.Items) != 1 || st.Items[0].ID != m.ID {
		t.Errorf("items = %+v, want exactly the one model", st.Items)
	}
	var posts, throttled int
	for _, r := range srv.Requests() {
		if r.Method == "POST" {
			posts++
		}
		if r.Status == 429 {
			throttled++
		}
	}
	if posts != 1 || throttled != 2 {
		t.Errorf("POSTs = %d, 429s = %d; want 1 and 2", posts, throttled)
	}
}

// TestFaultAfterServerActed: the server creates the connection, then
// answers 500. The client must not re-send (no duplicate) and reports
// the error; the connection is found by listing.
func TestFaultAfterServerActed(t *testing.T) {
	srv, _ := setup(t, nil)
	srv.AddFault(fabrictest.Fault{Method: "POST", Path: "/v1/connections", Status: 500, AfterHandler: true, Times: 1})
	fc, _ := clients(t, srv, alice)
	ctx := context.Background()
	_, err := fc.CreateConnection(ctx, fabric.SnowflakeConnection("sf", "acme.snowflakecomputing.com", "WH", fabric.BasicCredential{Username: "u", Password: "p"}))
	if err == nil {
		t.Fatal("CreateConnection succeeded, want the injected 500")
	}
	if n := len(srv.State().Connections); n != 1 {
		t.Fatalf("%d connections, want 1 (created once, not re-sent)", n)
	}
	pg, err := fc.NewListConnectionsPager().NextPage(ctx)
	if err != nil || len(pg.Value) != 1 || pg.Value[0].DisplayName != "sf" {
		t.Errorf("list after fault = %+v, %v", pg.Value, err)
	}
}

func TestOperationsEndOnTheirOwn(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	srv, ws := setup(t, &fabrictest.Options{OperationPolls: 100, OperationDuration: time.Minute, Now: clock})
	fc, _ := clients(t, srv, alice)
	ctx := context.Background()

	// The create is accepted and its operation is never polled, as when
	// a client loses the answer.
	if _, err := fc.BeginCreateSemanticModel(ctx, ws, fabric.CreateSemanticModelRequest{
		DisplayName: "Orders", Parts: fabrictest.SampleModel(sfSource, "import")}, nil); err != nil {
		t.Fatal(err)
	}
	names := func() []string {
		pg, err := fc.NewListItemsPager(ws, nil).NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, it := range pg.Value {
			out = append(out, it.DisplayName)
		}
		return out
	}
	if got := names(); len(got) != 0 {
		t.Errorf("items while the operation runs = %v, want none", got)
	}
	mu.Lock()
	now = now.Add(time.Minute)
	mu.Unlock()
	if diff := cmp.Diff([]string{"Orders"}, names()); diff != "" {
		t.Errorf("items once the operation is due (-want +got):\n%s", diff)
	}
}

func TestFaults(t *testing.T) {
	srv, ws := setup(t, nil)
	fc, pc := clients(t, srv, alice)
	ctx := context.Background()

	t.Run("dropped_get_is_retried", func(t *testing.T) {
		srv.ClearFaults()
		srv.AddFault(fabrictest.Fault{Path: "/v1/workspaces", Drop: true, Times: 1})
		if _, err := fc.NewListWorkspacesPager(nil).NextPage(ctx); err != nil {
			t.Errorf("list after one dropped connection = %v, want success", err)
		}
	})
	t.Run("dropped_post_is_returned", func(t *testing.T) {
		srv.ClearFaults()
		srv.AddFault(fabrictest.Fault{Method: "POST", Path: "/v1/workspaces/*/semanticModels", Drop: true, Times: 1})
		if _, err := createModel(t, fc, ws, "Dropped", fabrictest.SampleModel(sfSource, "import")); err == nil {
			t.Error("create through a dropped connection succeeded")
		}
	})
	t.Run("503_then_ok", func(t *testing.T) {
		srv.ClearFaults()
		srv.AddFault(fabrictest.Fault{Path: "/v1.0/myorg/groups", Status: 503, RetryAfter: 5 * time.Millisecond, Times: 2})
		if _, err := pc.NewListGroupsPager(nil).NextPage(ctx); err != nil {
			t.Errorf("groups after two 503s = %v", err)
		}
	})
	t.Run("latency_respects_context", func(t *testing.T) {
		srv.ClearFaults()
		srv.AddFault(fabrictest.Fault{Path: "/v1/connections", Latency: time.Minute})
		cctx, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
		defer cancel()
		if _, err := fc.NewListConnectionsPager().NextPage(cctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("slow list = %v, want DeadlineExceeded", err)
		}
	})
	t.Run("failed_operation", func(t *testing.T) {
		srv.ClearFaults()
		srv.FailNextOperation(fabrictest.OperationFailure{Code: "CapacityNotActive", Message: "paused"})
		_, err := createModel(t, fc, ws, "Fails", fabrictest.SampleModel(sfSource, "import"))
		var re *fabric.ResponseError
		if !errors.As(err, &re) || re.ErrorCode != "CapacityNotActive" {
			t.Fatalf("create = %v, want CapacityNotActive", err)
		}
		for _, it := range srv.State().Items {
			if it.DisplayName == "Fails" {
				t.Error("a failed create left its model behind")
			}
		}
		// The name is free again.
		if _, err := createModel(t, fc, ws, "Fails", fabrictest.SampleModel(sfSource, "import")); err != nil {
			t.Errorf("create after a failed one = %v", err)
		}
	})
	t.Run("throttled_gives_up_beyond_max_delay", func(t *testing.T) {
		srv.ClearFaults()
		srv.AddFault(fabrictest.Fault{Path: "/v1/connections", Status: 429, RetryAfter: 10 * time.Second})
		_, err := fc.NewListConnectionsPager().NextPage(ctx)
		var re *fabric.ResponseError
		if !errors.Is(err, fabric.ErrThrottled) || !errors.As(err, &re) || re.RetryAfter != 10*time.Second {
			t.Errorf("list = %v, want ErrThrottled with RetryAfter 10s", err)
		}
		srv.ClearFaults()
	})
}

func TestRecordedRequestsRedactToken(t *testing.T) {
	srv, _ := setup(t, nil)
	fc, _ := clients(t, srv, alice)
	if _, err := fc.NewListWorkspacesPager(nil).NextPage(context.Background()); err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 || reqs[0].OID != alice || reqs[0].Header.Get("Authorization") != "Bearer REDACTED" || reqs[0].Status != 200 {
		t.Errorf("recorded = %+v", reqs)
	}
}

func TestCredentialAudience(t *testing.T) {
	srv, _ := setup(t, nil)
	tok, err := srv.Credential(alice).GetToken(context.Background(), policy.TokenRequestOptions{Scopes: []string{powerbi.Scope}})
	if err != nil {
		t.Fatal(err)
	}
	resp, _ := rawGet(t, srv, "/v1.0/myorg/groups", tok.Token)
	if resp.StatusCode != 200 {
		t.Errorf("Power BI token from Credential: %d", resp.StatusCode)
	}
}

// wrongAudience hands a Power BI token whatever scope is asked.
type wrongAudience struct{ srv *fabrictest.Server }

func (w wrongAudience) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{Token: w.srv.Token(alice, fabrictest.AudiencePowerBI), ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func TestClientWithPowerBITokenOnFabricFails(t *testing.T) {
	srv, _ := setup(t, nil)
	fc, err := fabric.NewClient(wrongAudience{srv}, &fabric.ClientOptions{
		ClientOptions: azcore.ClientOptions{Transport: srv.Client()}, Endpoint: srv.FabricEndpoint()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fc.NewListWorkspacesPager(nil).NextPage(context.Background()); !errors.Is(err, fabric.ErrUnauthorized) {
		t.Errorf("list with a Power BI token = %v, want ErrUnauthorized", err)
	}
}
