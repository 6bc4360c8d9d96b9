package publish_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pbipublish/pbipublish/entra"
	"github.com/pbipublish/pbipublish/fabric"
	"github.com/pbipublish/pbipublish/fabric/fabrictest"
	"github.com/pbipublish/pbipublish/odcs"
	"github.com/pbipublish/pbipublish/publish"
	"github.com/pbipublish/pbipublish/tmdl"
)

// Credentials of every kind, with values a leak test can look for.
var (
	basicCred   = fabric.BasicCredential{Username: "svc_powerbi", Password: "Sn0w-PASSWORD-leak-canary"}
	keyPairCred = fabric.KeyPairCredential{Identifier: "svc_powerbi",
		PrivateKey: "-----BEGIN PRIVATE KEY-----\nMIIEvKEYPAIR-leak-canary\n-----END PRIVATE KEY-----\n",
		Passphrase: "PASSPHRASE-leak-canary"}
	keyCred = fabric.KeyCredential{Key: "dapiTOKEN-leak-canary"}
	spCred  = fabric.ServicePrincipalCredential{TenantID: "72f988bf-86f1-41af-91ab-2d7cd011db47",
		ClientID: "0c5e7b9e-1111-4222-8333-444455556666", ClientSecret: "SP-SECRET-leak-canary"}
	canaries = []string{"Sn0w-PASSWORD-leak-canary", "MIIEvKEYPAIR-leak-canary", "PASSPHRASE-leak-canary",
		"dapiTOKEN-leak-canary", "SP-SECRET-leak-canary"}
)

// fabricClient is alice's own Fabric client, for arranging state.
func (e *env) fabricClient(t testing.TB) *fabric.Client {
	t.Helper()
	fc, err := fabric.NewClient(e.conn.Credential(org, aliceUser, entra.Fabric), e.opts.Fabric)
	if err != nil {
		t.Fatal(err)
	}
	return fc
}

// stages returns the stages a job entered, and its final state.
func stages(j *publish.Job) []string {
	var out []string
	for _, ev := range j.Events {
		if ev.State == publish.StateRunning {
			out = append(out, string(ev.Stage))
		} else {
			out = append(out, string(ev.State))
		}
	}
	return out
}

var allStages = []string{"validating", "creating_connection", "creating_model", "binding_connection", "finalizing", "succeeded"}

func TestPublishEndToEnd(t *testing.T) {
	for _, tc := range []struct {
		name     string
		server   string
		mode     publish.Mode
		cred     fabric.Credential // nil: an existing connection
		wantType string
		wantPath string
	}{
		{"snowflake_import_basic", "snowflake-prod", publish.ModeImport, basicCred, "Snowflake", snowflakePath},
		{"snowflake_directquery_keypair", "snowflake-prod", publish.ModeDirectQuery, keyPairCred, "Snowflake", snowflakePath},
		{"snowflake_dual_existing", "snowflake-prod", publish.ModeDual, nil, "Snowflake", snowflakePath},
		{"databricks_import_key", "databricks-prod", publish.ModeImport, keyCred, "Databricks", databricksPath},
		{"databricks_directquery_service_principal", "databricks-prod", publish.ModeDirectQuery, spCred, "Databricks", databricksPath},
		{"databricks_import_existing", "databricks-prod", publish.ModeImport, nil, "Databricks", databricksPath},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			ctx := context.Background()
			req := e.request(t, tc.server, tc.mode, tc.cred)
			want := allStages
			if tc.cred == nil {
				host, second, _ := strings.Cut(tc.wantPath, ";")
				var cr fabric.CreateConnectionRequest
				if tc.wantType == "Snowflake" {
					cr = fabric.SnowflakeConnection("Team Snowflake", host, second, basicCred)
				} else {
					cr = fabric.DatabricksConnection("Team Databricks", host, second, keyCred)
				}
				conn, err := e.fabricClient(t).CreateConnection(ctx, cr)
				if err != nil {
					t.Fatal(err)
				}
				req.NewConnection, req.ConnectionID = nil, conn.ID
				want = []string{"validating", "creating_model", "binding_connection", "finalizing", "succeeded"}
			}

			j, err := e.publish(t, aliceUser, req)
			if err != nil {
				t.Fatalf("Wait = %v, want success", err)
			}
			if diff := cmp.Diff(want, stages(j)); diff != "" {
				t.Errorf("stages (-want +got):\n%s", diff)
			}
			for i := 1; i < len(j.Events); i++ {
				if j.Events[i].At.Before(j.Events[i-1].At) {
					t.Errorf("event %d at %v is before event %d at %v", i, j.Events[i].At, i-1, j.Events[i-1].At)
				}
			}

			models := e.models()
			m, ok := models["orders"]
			if !ok || len(models) != 1 {
				t.Fatalf("workspace models = %v, want one named orders", models)
			}
			src := fabrictest.DataSource{Type: tc.wantType, Path: tc.wantPath}
			conns := e.connections()
			if len(conns) != 1 {
				t.Fatalf("connections = %+v, want 1", conns)
			}
			if got := m.Bindings[src]; got != conns[0].ID || got != j.Result.ConnectionID {
				t.Errorf("binding of %v = %q, want connection %q (result %q)", src, got, conns[0].ID, j.Result.ConnectionID)
			}
			if tc.cred != nil && conns[0].CredentialType != tc.cred.CredentialType() {
				t.Errorf("connection credential type = %s, want %s", conns[0].CredentialType, tc.cred.CredentialType())
			}
			wantRefresh := tc.mode != publish.ModeDirectQuery
			if j.Result.RefreshStarted != wantRefresh || (len(m.Refreshes) > 0) != wantRefresh {
				t.Errorf("refresh started = %v with %d refreshes, want %v", j.Result.RefreshStarted, len(m.Refreshes), wantRefresh)
			}
			wantLink := "https://powerbi.test/groups/" + e.ws + "/datasets/" + m.ID + "/details"
			if j.Result.Link != wantLink || j.Result.ModelID != m.ID || j.Result.ModelName != "orders" {
				t.Errorf("result = %+v, want link %s", j.Result, wantLink)
			}

			published, err := e.pub.Published(ctx, port)
			if err != nil {
				t.Fatal(err)
			}
			if len(published) != 1 || published[0].Link != wantLink || published[0].Author != aliceUPN || published[0].Mode != string(tc.mode) {
				t.Errorf("Published = %+v, want the model by %s", published, aliceUPN)
			}
			stored, err := e.pub.Job(ctx, j.ID)
			if err != nil || stored.State != publish.StateSucceeded {
				t.Errorf("Job(%s) = %v, %v; want the succeeded job", j.ID, stored, err)
			}
		})
	}
}

func TestPublishJoinsIdenticalRequestInFlight(t *testing.T) {
	release := make(chan struct{})
	e := newEnv(t, &envOptions{tweak: func(o *publish.Options) {
		o.OnStage = func(ctx context.Context, j *publish.Job, ev publish.Event) {
			if ev.Stage == publish.StageCreatingModel && ev.State == publish.StateRunning {
				<-release
			}
		}
	}})
	ctx := context.Background()
	first, err := e.pub.Publish(ctx, org, aliceUser, e.request(t, "snowflake-prod", publish.ModeImport, basicCred))
	if err != nil {
		t.Fatal(err)
	}
	// A double click: same request, even with the password typed again
	// differently, joins the running job.
	other := basicCred
	other.Password = "another-typing"
	second, err := e.pub.Publish(ctx, org, aliceUser, e.request(t, "snowflake-prod", publish.ModeImport, other))
	if err != nil {
		t.Fatal(err)
	}
	if second.ID != first.ID {
		t.Errorf("second Publish = job %s, want the running job %s", second.ID, first.ID)
	}
	// Another mode is another request.
	third, err := e.pub.Publish(ctx, org, aliceUser, e.request(t, "snowflake-prod", publish.ModeDirectQuery, basicCred))
	if err != nil {
		t.Fatal(err)
	}
	if third.ID == first.ID {
		t.Errorf("Publish with another mode joined job %s", first.ID)
	}
	close(release)
	for _, id := range []string{first.ID, third.ID} {
		if _, err := e.pub.Wait(ctx, id); err != nil {
			t.Fatalf("Wait(%s) = %v", id, err)
		}
	}
	models := e.models()
	if len(models) != 2 || len(e.connections()) != 2 {
		t.Errorf("after a double click and one other request: %d models, %d connections; want 2, 2", len(models), len(e.connections()))
	}
}

func TestPublishAgainAfterCompletionGetsSuffix(t *testing.T) {
	e := newEnv(t, nil)
	var names []string
	for range 3 {
		j, err := e.publish(t, aliceUser, e.request(t, "snowflake-prod", publish.ModeImport, basicCred))
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, j.Result.ModelName)
	}
	if diff := cmp.Diff([]string{"orders", "orders (2)", "orders (3)"}, names); diff != "" {
		t.Errorf("model names (-want +got):\n%s", diff)
	}
	published, _ := e.pub.Published(context.Background(), port)
	if len(published) != 3 {
		t.Errorf("Published lists %d models, want 3", len(published))
	}
}

func TestCatalogNamesTheAuthor(t *testing.T) {
	e := newEnv(t, nil)
	first := e.request(t, "snowflake-prod", publish.ModeImport, basicCred)
	second := e.request(t, "snowflake-prod", publish.ModeImport, basicCred)
	second.Author = "Alice Example"
	for _, req := range []*publish.Request{first, second} {
		if _, err := e.publish(t, aliceUser, req); err != nil {
			t.Fatal(err)
		}
	}
	published, err := e.pub.Published(context.Background(), port)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, m := range published {
		got[m.Name] = m.Author
	}
	// By default the catalog names the Entra account the user connected
	// with, which the Connector knows; a request may name someone else.
	want := map[string]string{"orders": aliceUPN, "orders (2)": "Alice Example"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("authors by model (-want +got):\n%s", diff)
	}
}

func TestPublishRetriesNextSuffixWhenNameTaken(t *testing.T) {
	e := newEnv(t, nil)
	// Someone creates "orders" between the listing and the create.
	e.fab.AddFault(fabrictest.Fault{Method: "POST", Path: "/v1/workspaces/*/semanticModels", Times: 1,
		Status: 409, Code: "ItemDisplayNameAlreadyInUse"})
	j, err := e.publish(t, aliceUser, e.request(t, "snowflake-prod", publish.ModeImport, basicCred))
	if err != nil {
		t.Fatal(err)
	}
	if j.Result.ModelName != "orders (2)" {
		t.Errorf("model name = %q, want %q", j.Result.ModelName, "orders (2)")
	}
	if n := len(e.models()); n != 1 {
		t.Errorf("%d models, want 1", n)
	}
}

// failed checks that err is the StageError of stage with code, and that
// the job record says the same.
func failed(t *testing.T, j *publish.Job, err error, stage publish.Stage, code string) *publish.StageError {
	t.Helper()
	var se *publish.StageError
	if !errors.As(err, &se) {
		t.Fatalf("Wait error = %v, want a *StageError", err)
	}
	if se.Stage != stage || se.Code != code {
		t.Errorf("error stage, code = %s, %s; want %s, %s (%v)", se.Stage, se.Code, stage, code, err)
	}
	if j == nil || j.State != publish.StateFailed || j.Failure == nil || j.Failure.Stage != stage || j.Failure.Code != code {
		t.Errorf("job = %+v, want failed in %s with %s", j, stage, code)
	}
	return se
}

func TestPublishBindFailure(t *testing.T) {
	for _, tc := range []struct {
		name       string
		mode       publish.Mode
		wantRemedy string
	}{
		{"import", publish.ModeImport, "Gateway and cloud connections"},
		{"directquery", publish.ModeDirectQuery, "Power BI Desktop"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.fab.AddFault(fabrictest.Fault{Method: "POST", Path: "/v1/workspaces/*/semanticModels/*/bindConnection",
				Status: 400, Code: "BindConnectionDetailNotFound", Message: "no such data source"})
			j, err := e.publish(t, aliceUser, e.request(t, "snowflake-prod", tc.mode, basicCred))
			se := failed(t, j, err, publish.StageBindingConnection, publish.CodeBind)
			if !errors.Is(err, fabric.ErrBindConnectionDetailNotFound) {
				t.Errorf("error %v does not match fabric.ErrBindConnectionDetailNotFound", err)
			}
			if !strings.Contains(se.Remedy, tc.wantRemedy) || !strings.Contains(err.Error(), tc.wantRemedy) {
				t.Errorf("remedy = %q, want it to mention %q", se.Remedy, tc.wantRemedy)
			}
			if c := e.connections(); len(c) != 0 {
				t.Errorf("connections after a failed bind = %+v, want the job's one deleted", c)
			}
			if m := e.models(); len(m) != 1 {
				t.Errorf("models after a failed bind = %d, want the model kept", len(m))
			}
			if published, _ := e.pub.Published(context.Background(), port); len(published) != 0 {
				t.Errorf("catalog lists a model that was not bound: %+v", published)
			}
		})
	}
}

func TestPublishDataSourcesNeverAppear(t *testing.T) {
	e := newEnv(t, &envOptions{fabric: &fabrictest.Options{ItemConnectionsAfter: -1}})
	start := time.Now()
	j, err := e.publish(t, aliceUser, e.request(t, "snowflake-prod", publish.ModeDirectQuery, keyPairCred))
	se := failed(t, j, err, publish.StageBindingConnection, publish.CodeNoDataSources)
	if !errors.Is(err, publish.ErrNoDataSources) {
		t.Errorf("error %v does not match ErrNoDataSources", err)
	}
	if !strings.Contains(se.Remedy, "Power BI Desktop") {
		t.Errorf("remedy = %q, want Power BI Desktop", se.Remedy)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the bounded wait took %v", d)
	}
	if len(e.connections()) != 0 || len(e.models()) != 1 {
		t.Errorf("%d connections, %d models; want the connection deleted and the model kept", len(e.connections()), len(e.models()))
	}
}

func TestPublishDataSourcesAppearLate(t *testing.T) {
	e := newEnv(t, &envOptions{fabric: &fabrictest.Options{ItemConnectionsAfter: 3}})
	if _, err := e.publish(t, aliceUser, e.request(t, "snowflake-prod", publish.ModeDirectQuery, basicCred)); err != nil {
		t.Fatalf("Wait = %v, want success once the sources appear", err)
	}
}

func TestPublishOperationFails(t *testing.T) {
	e := newEnv(t, nil)
	e.fab.FailNextOperation(fabrictest.OperationFailure{Code: "Workload_FailedToParseFile", Message: "bad tmdl"})
	j, err := e.publish(t, aliceUser, e.request(t, "databricks-prod", publish.ModeImport, keyCred))
	failed(t, j, err, publish.StageCreatingModel, publish.CodeModel)
	if !errors.Is(err, fabric.ErrOperationFailed) {
		t.Errorf("error %v does not match fabric.ErrOperationFailed", err)
	}
	if len(e.connections()) != 0 {
		t.Errorf("connections = %+v, want none left", e.connections())
	}
	if j.ResumeToken != "" {
		t.Errorf("a failed operation left resume token %q", j.ResumeToken)
	}
}

func TestPublishIncorrectCredentials(t *testing.T) {
	e := newEnv(t, nil)
	e.fab.SourceCredential(fabrictest.DataSource{Type: "Snowflake", Path: snowflakePath}, "Basic",
		map[string]string{"username": "svc_powerbi", "password": "the-right-one"})
	j, err := e.publish(t, aliceUser, e.request(t, "snowflake-prod", publish.ModeImport, basicCred))
	failed(t, j, err, publish.StageCreatingConnection, publish.CodeConnection)
	if !errors.Is(err, fabric.ErrIncorrectCredentials) {
		t.Errorf("error %v does not match fabric.ErrIncorrectCredentials", err)
	}
	if len(e.connections()) != 0 || len(e.models()) != 0 {
		t.Error("a refused credential left a connection or a model")
	}
}

func TestPublishThrottlingStorm(t *testing.T) {
	e := newEnv(t, nil)
	for _, f := range []fabrictest.Fault{
		{Method: "GET", Path: "/v1/workspaces"},
		{Method: "POST", Path: "/v1/connections"},
		{Method: "GET", Path: "/v1/workspaces/*/items"},
		{Method: "POST", Path: "/v1/workspaces/*/semanticModels"},
		{Method: "GET", Path: "/v1/operations/*"},
		{Method: "GET", Path: "/v1/workspaces/*/items/*/connections"},
		{Method: "POST", Path: "/v1/workspaces/*/semanticModels/*/bindConnection"},
		{Method: "POST", Path: "/v1.0/myorg/groups/*/datasets/*/refreshes"},
	} {
		f.Status, f.Times, f.RetryAfter = 429, 3, time.Millisecond
		e.fab.AddFault(f)
	}
	j, err := e.publish(t, aliceUser, e.request(t, "snowflake-prod", publish.ModeImport, basicCred))
	if err != nil {
		t.Fatalf("Wait = %v, want success through the storm", err)
	}
	if !j.Result.RefreshStarted {
		t.Errorf("refresh not started: %s", j.Result.RefreshError)
	}
	var throttled int
	for _, r := range e.fab.Requests() {
		if r.Status == 429 {
			throttled++
		}
	}
	if throttled != 24 {
		t.Errorf("%d throttled answers, want 24", throttled)
	}
	if len(e.models()) != 1 || len(e.connections()) != 1 {
		t.Errorf("%d models, %d connections; want exactly one each", len(e.models()), len(e.connections()))
	}
}

func TestPublishThrottledForGood(t *testing.T) {
	e := newEnv(t, nil)
	e.fab.AddFault(fabrictest.Fault{Method: "POST", Path: "/v1/workspaces/*/semanticModels", Status: 429,
		Code: "CapacityLimitExceeded", RetryAfter: time.Hour})
	j, err := e.publish(t, aliceUser, e.request(t, "snowflake-prod", publish.ModeImport, basicCred))
	failed(t, j, err, publish.StageCreatingModel, publish.CodeThrottled)
	if len(e.connections()) != 0 {
		t.Error("connection left after throttling")
	}
}

func TestPublishTokenExpiresMidJob(t *testing.T) {
	var e *env
	e = newEnv(t, &envOptions{tweak: func(o *publish.Options) {
		o.OnStage = func(ctx context.Context, j *publish.Job, ev publish.Event) {
			if ev.Stage == publish.StageCreatingModel && ev.State == publish.StateRunning {
				// Two hours pass: every access token issued so far has
				// expired for the emulator.
				e.clock.Advance(2 * time.Hour)
			}
		}
	}})
	before := e.entra.Stats().Refresh
	if _, err := e.publish(t, aliceUser, e.request(t, "snowflake-prod", publish.ModeImport, basicCred)); err != nil {
		t.Fatalf("Wait = %v, want success with refreshed tokens", err)
	}
	if got := e.entra.Stats().Refresh; got < before+2 {
		t.Errorf("refresh grants = %d, want at least %d (Fabric and Power BI)", got, before+2)
	}
	// azcore's bearer policy keeps a token by the real clock, so the
	// first call after the jump carries the expired token, gets a 401,
	// and is sent again once with a fresh token: one 401 per client at
	// most, and never a failed job.
	unauthorized := 0
	for _, r := range e.fab.Requests() {
		if r.Status == 401 {
			unauthorized++
		}
	}
	if unauthorized == 0 || unauthorized > 2 {
		t.Errorf("%d answers 401, want 1 or 2 (one per API)", unauthorized)
	}
}

func TestPublishUserMustReconnect(t *testing.T) {
	e := newEnv(t, nil)
	if err := e.conn.Disconnect(context.Background(), org, aliceUser); err != nil {
		t.Fatal(err)
	}
	j, err := e.publish(t, aliceUser, e.request(t, "snowflake-prod", publish.ModeImport, basicCred))
	se := failed(t, j, err, publish.StageValidating, publish.CodeUnauthorized)
	if !errors.Is(err, entra.ErrNotConnected) || !strings.Contains(se.Remedy, "connect") {
		t.Errorf("error = %v, want entra.ErrNotConnected with a reconnect remedy", err)
	}
}

func TestPublishCancel(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stage publish.Stage
	}{
		{"after_connection", publish.StageCreatingModel},
		{"while_binding", publish.StageBindingConnection},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e *env
			e = newEnv(t, &envOptions{tweak: func(o *publish.Options) {
				o.OnStage = func(ctx context.Context, j *publish.Job, ev publish.Event) {
					if ev.Stage == tc.stage && ev.State == publish.StateRunning {
						e.pub.Cancel(context.Background(), j.ID)
					}
				}
			}})
			j, err := e.publish(t, aliceUser, e.request(t, "snowflake-prod", publish.ModeImport, basicCred))
			failed(t, j, err, tc.stage, publish.CodeInterrupted)
			if !errors.Is(err, publish.ErrInterrupted) {
				t.Errorf("error %v does not match ErrInterrupted", err)
			}
			if c := e.connections(); len(c) != 0 {
				t.Errorf("connections after cancel = %+v, want no orphan", c)
			}
		})
	}
}

func TestCloseInterruptsAndCleansUp(t *testing.T) {
	var e *env
	closed := make(chan error, 1)
	e = newEnv(t, &envOptions{tweak: func(o *publish.Options) {
		o.OnStage = func(ctx context.Context, j *publish.Job, ev publish.Event) {
			if ev.Stage == publish.StageCreatingModel && ev.State == publish.StateRunning {
				go func() { closed <- e.pub.Close(context.Background()) }()
				<-ctx.Done()
			}
		}
	}})
	j, err := e.publish(t, aliceUser, e.request(t, "snowflake-prod", publish.ModeImport, basicCred))
	failed(t, j, err, publish.StageCreatingModel, publish.CodeInterrupted)
	if err := <-closed; err != nil {
		t.Errorf("Close = %v", err)
	}
	if len(e.connections()) != 0 || len(e.models()) != 0 {
		t.Errorf("after Close: %d connections, %d models; want none", len(e.connections()), len(e.models()))
	}
	if _, err := e.pub.Publish(context.Background(), org, aliceUser, e.request(t, "snowflake-prod", publish.ModeImport, basicCred)); !errors.Is(err, publish.ErrClosed) {
		t.Errorf("Publish after Close = %v, want ErrClosed", err)
	}
}

func TestPublishValidating(t *testing.T) {
	ctx := context.Background()

	t.Run("no_workspace_access", func(t *testing.T) {
		e := newEnv(t, nil)
		other := e.fab.AddWorkspace("Finance", map[string]fabrictest.Role{aliceOID: fabrictest.Viewer})
		req := e.request(t, "snowflake-prod", publish.ModeImport, basicCred)
		req.WorkspaceID = other
		j, err := e.publish(t, aliceUser, req)
		failed(t, j, err, publish.StageValidating, publish.CodeWorkspaceAccess)
		if !errors.Is(err, publish.ErrNoWorkspaceAccess) {
			t.Errorf("error %v does not match ErrNoWorkspaceAccess", err)
		}
		if len(e.connections()) != 0 {
			t.Error("a connection was created for a workspace the user cannot publish to")
		}
	})

	t.Run("existing_connection_elsewhere", func(t *testing.T) {
		e := newEnv(t, nil)
		conn, err := e.fabricClient(t).CreateConnection(ctx, fabric.SnowflakeConnection("Other WH", "acme-analytics.snowflakecomputing.com", "OTHER_WH", basicCred))
		if err != nil {
			t.Fatal(err)
		}
		req := e.request(t, "snowflake-prod", publish.ModeImport, nil)
		req.NewConnection, req.ConnectionID = nil, conn.ID
		j, err := e.publish(t, aliceUser, req)
		failed(t, j, err, publish.StageValidating, publish.CodeConnection)
		if !errors.Is(err, publish.ErrConnectionMismatch) {
			t.Errorf("error %v does not match ErrConnectionMismatch", err)
		}
		if len(e.models()) != 0 {
			t.Error("a model was created for a mismatched connection")
		}
		// The warehouse can be changed in the form: then it fits.
		req.Warehouse = "OTHER_WH"
		if _, err := e.publish(t, aliceUser, req); err != nil {
			t.Errorf("with Warehouse OTHER_WH: %v", err)
		}
	})

	t.Run("model_hook", func(t *testing.T) {
		hookErr := errors.New("naming policy says no")
		fail := true
		e := newEnv(t, &envOptions{tweak: func(o *publish.Options) {
			o.OnModel = func(ctx context.Context, j *publish.Job, db *tmdl.Database) error {
				if fail {
					return hookErr
				}
				db.Model.Tables[0].Description = "Adjusted by the host"
				return nil
			}
		}})
		j, err := e.publish(t, aliceUser, e.request(t, "snowflake-prod", publish.ModeImport, basicCred))
		failed(t, j, err, publish.StageValidating, publish.CodeModelHook)
		if !errors.Is(err, hookErr) || len(e.connections()) != 0 {
			t.Errorf("error = %v with %d connections; want the hook's error and nothing created", err, len(e.connections()))
		}
		fail = false
		if _, err := e.publish(t, aliceUser, e.request(t, "snowflake-prod", publish.ModeImport, basicCred)); err != nil {
			t.Fatal(err)
		}
		var found bool
		for _, p := range e.models()["orders"].Parts {
			found = found || strings.Contains(string(p.Payload), "/// Adjusted by the host")
		}
		if !found {
			t.Error("the hook's change is not in the uploaded definition")
		}
	})
}

func TestPublishRejectsBadRequests(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	good := func() *publish.Request { return e.request(t, "snowflake-prod", publish.ModeImport, basicCred) }
	for _, tc := range []struct {
		name   string
		change func(r *publish.Request)
		want   []string // fields
	}{
		{"no_contract", func(r *publish.Request) { r.Contract = nil }, []string{"Contract"}},
		{"ambiguous_server", func(r *publish.Request) { r.Server = "" }, []string{"Server"}},
		{"unknown_server", func(r *publish.Request) { r.Server = "postgres" }, []string{"Server"}},
		{"no_workspace", func(r *publish.Request) { r.WorkspaceID = "" }, []string{"WorkspaceID"}},
		{"bad_mode", func(r *publish.Request) { r.Mode = "push" }, []string{"Mode"}},
		{"both_connections", func(r *publish.Request) { r.ConnectionID = "c" }, []string{"ConnectionID"}},
		{"no_connection", func(r *publish.Request) { r.NewConnection = nil }, []string{"ConnectionID"}},
		{"no_credential", func(r *publish.Request) { r.NewConnection.Credential = nil }, []string{"NewConnection.Credential"}},
		{"wrong_credential_kind", func(r *publish.Request) { r.NewConnection.Credential = keyCred }, []string{"NewConnection.Credential"}},
		{"missing_password", func(r *publish.Request) {
			r.NewConnection.Credential = fabric.BasicCredential{Username: "svc"}
		}, []string{"NewConnection.Credential.Password"}},
		{"key_pair_not_pem", func(r *publish.Request) {
			r.NewConnection.Credential = fabric.KeyPairCredential{Identifier: "svc", PrivateKey: "KEY-leak-canary"}
		}, []string{"NewConnection.Credential.PrivateKey"}},
		{"service_principal_incomplete", func(r *publish.Request) {
			r.Server = "databricks-prod"
			r.NewConnection.Credential = fabric.ServicePrincipalCredential{TenantID: "t"}
		}, []string{"NewConnection.Credential.ClientID", "NewConnection.Credential.ClientSecret"}},
		{"control_character_in_name", func(r *publish.Request) { r.Name = "Orders\x00" }, []string{"Name"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := good()
			tc.change(r)
			j, err := e.pub.Publish(ctx, org, aliceUser, r)
			var ve *publish.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, publish.ErrInvalidRequest) || j != nil {
				t.Fatalf("Publish = %v, %v; want a *ValidationError", j, err)
			}
			var fields []string
			for _, f := range ve.Fields {
				fields = append(fields, f.Field)
			}
			if diff := cmp.Diff(tc.want, fields); diff != "" {
				t.Errorf("fields (-want +got):\n%s\n%v", diff, err)
			}
			if strings.Contains(err.Error(), "leak-canary") {
				t.Errorf("validation error quotes a secret: %v", err)
			}
		})
	}
	if len(e.fab.Requests()) != 0 {
		t.Errorf("invalid requests reached the service: %v", e.requests())
	}
}

func TestWatch(t *testing.T) {
	release := make(chan struct{})
	e := newEnv(t, &envOptions{tweak: func(o *publish.Options) {
		o.OnStage = func(ctx context.Context, j *publish.Job, ev publish.Event) {
			if ev.Stage == publish.StageCreatingConnection {
				<-release
			}
		}
	}})
	ctx := context.Background()
	j, err := e.pub.Publish(ctx, org, aliceUser, e.request(t, "snowflake-prod", publish.ModeImport, basicCred))
	if err != nil {
		t.Fatal(err)
	}
	ch1, err := e.pub.Watch(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithCancel(ctx)
	ch2, _ := e.pub.Watch(wctx, j.ID)
	cancel()
	close(release)
	var got []string
	for ev := range ch1 {
		if ev.State == publish.StateRunning {
			got = append(got, string(ev.Stage))
		} else {
			got = append(got, string(ev.State))
		}
	}
	if diff := cmp.Diff(allStages, got); diff != "" {
		t.Errorf("watched events (-want +got):\n%s", diff)
	}
	for range ch2 {
		// A cancelled watch ends: the loop terminates.
	}
	// Watching an ended job replays its events.
	ch3, err := e.pub.Watch(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for range ch3 {
		n++
	}
	if n != len(allStages) {
		t.Errorf("replay of an ended job gave %d events, want %d", n, len(allStages))
	}
	if _, err := e.pub.Watch(ctx, "unknown"); !errors.Is(err, publish.ErrJobNotFound) {
		t.Errorf("Watch(unknown) = %v, want ErrJobNotFound", err)
	}
}

func TestHooksSeeEveryTransition(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	var success []*publish.Result
	e := newEnv(t, &envOptions{tweak: func(o *publish.Options) {
		o.OnStage = func(ctx context.Context, j *publish.Job, ev publish.Event) {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, fmt.Sprintf("%s/%s/%d", ev.Stage, ev.State, len(j.Events)))
		}
		o.OnSuccess = func(ctx context.Context, j *publish.Job, res *publish.Result) {
			mu.Lock()
			defer mu.Unlock()
			success = append(success, res)
		}
	}})
	j, err := e.publish(t, aliceUser, e.request(t, "databricks-prod", publish.ModeImport, keyCred))
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{"validating/running/1", "creating_connection/running/2", "creating_model/running/3", "binding_connection/running/4",
		"finalizing/running/5", "finalizing/succeeded/6"}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("stage hook calls (-want +got):\n%s", diff)
	}
	if len(success) != 1 || success[0].ModelID != j.Result.ModelID {
		t.Errorf("success hook calls = %+v, want one with the result", success)
	}
}

func TestPublishConnectionCreateOutcomeUnknown(t *testing.T) {
	e := newEnv(t, nil)
	// The service creates the connection, then the answer is lost.
	e.fab.AddFault(fabrictest.Fault{Method: "POST", Path: "/v1/connections", Status: 502, Times: 1, AfterHandler: true})
	j, err := e.publish(t, aliceUser, e.request(t, "snowflake-prod", publish.ModeImport, basicCred))
	failed(t, j, err, publish.StageCreatingConnection, publish.CodeConnection)
	posts := 0
	for _, r := range e.fab.Requests() {
		if r.Method == "POST" && r.Path == "/v1/connections" {
			posts++
		}
	}
	if posts != 1 {
		t.Errorf("%d connection creates, want 1 (never re-sent after a 5xx)", posts)
	}
	if c := e.connections(); len(c) != 0 {
		t.Errorf("connections = %+v, want the half-created one found and deleted", c)
	}
}

func TestPublishRejectsInvalidContract(t *testing.T) {
	e := newEnv(t, nil)
	data, err := os.ReadFile(filepath.Join("testdata", "orders.odcs.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.Replace(data, []byte("logicalType: integer"), []byte("logicalType: quantum"), 1)
	c, err := odcs.Parse(data, &odcs.ParseOptions{Filename: "bad.odcs.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	req := e.request(t, "snowflake-prod", publish.ModeImport, basicCred)
	req.Contract = c
	_, err = e.pub.Publish(context.Background(), org, aliceUser, req)
	var ve *publish.ValidationError
	if !errors.As(err, &ve) || len(ve.Diagnostics) == 0 || ve.Fields[0].Field != "Contract" {
		t.Fatalf("Publish(invalid contract) = %v, want a ValidationError with diagnostics", err)
	}
}

// failingCatalog refuses every registration.
type failingCatalog struct{ publish.Catalog }

func (failingCatalog) Register(context.Context, publish.Registration) (*publish.ConsumerProduct, *publish.Agreement, error) {
	return nil, nil, errors.New("catalog is read-only today")
}

func TestPublishCatalogFailureKeepsBoundModel(t *testing.T) {
	e := newEnv(t, &envOptions{catalog: func(testing.TB) publish.Catalog { return failingCatalog{publish.NewMemoryCatalog()} }})
	j, err := e.publish(t, aliceUser, e.request(t, "snowflake-prod", publish.ModeImport, basicCred))
	se := failed(t, j, err, publish.StageFinalizing, publish.CodeCatalog)
	if !strings.Contains(se.Remedy, "/details") {
		t.Errorf("remedy %q does not give the model's link", se.Remedy)
	}
	m := e.models()["orders"]
	if len(e.connections()) != 1 || len(m.Bindings) != 1 {
		t.Errorf("%d connections, %d bindings; the bound model and its connection must stay", len(e.connections()), len(m.Bindings))
	}
}

func TestPublishNoMatchingDataSource(t *testing.T) {
	e := newEnv(t, &envOptions{tweak: func(o *publish.Options) {
		o.OnModel = func(ctx context.Context, j *publish.Job, db *tmdl.Database) error {
			// The host points the model at another warehouse than the
			// connection's.
			for _, tb := range db.Model.Tables {
				for _, p := range tb.Partitions {
					p.Source = strings.ReplaceAll(p.Source, `"REPORTING_WH"`, `"OTHER_WH"`)
				}
			}
			return nil
		}
	}})
	j, err := e.publish(t, aliceUser, e.request(t, "snowflake-prod", publish.ModeImport, basicCred))
	failed(t, j, err, publish.StageBindingConnection, publish.CodeBind)
	if !errors.Is(err, publish.ErrNoMatchingDataSource) || !strings.Contains(err.Error(), "OTHER_WH") {
		t.Errorf("error = %v, want ErrNoMatchingDataSource naming what the model reads", err)
	}
	if len(e.connections()) != 0 {
		t.Error("the job's connection was not deleted")
	}
}

// flakyStore fails Put while broken is set.
type flakyStore struct {
	publish.JobStore
	mu     sync.Mutex
	broken bool
}

func (s *flakyStore) Put(ctx context.Context, j *publish.Job) error {
	s.mu.Lock()
	broken := s.broken
	s.mu.Unlock()
	if broken {
		return errors.New("database is down")
	}
	return s.JobStore.Put(ctx, j)
}

func TestPublishWhenTheStoreFails(t *testing.T) {
	store := &flakyStore{JobStore: publish.NewMemoryJobStore(), broken: true}
	e := newEnv(t, &envOptions{tweak: func(o *publish.Options) { o.Jobs = store }})
	ctx := context.Background()
	if _, err := e.pub.Publish(ctx, org, aliceUser, e.request(t, "snowflake-prod", publish.ModeImport, basicCred)); err == nil || !strings.Contains(err.Error(), "database is down") {
		t.Fatalf("Publish with a failing store = %v, want the store's error", err)
	}
	if len(e.fab.Requests()) != 0 {
		t.Error("a job that could not be recorded reached the service")
	}
	store.mu.Lock()
	store.broken = false
	store.mu.Unlock()
	if _, err := e.publish(t, aliceUser, e.request(t, "snowflake-prod", publish.ModeImport, basicCred)); err != nil {
		t.Errorf("Publish after the store recovered = %v", err)
	}
}
