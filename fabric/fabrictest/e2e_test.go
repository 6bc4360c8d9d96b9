package fabrictest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"

	"github.com/pbipublish/pbipublish/fabric"
	"github.com/pbipublish/pbipublish/fabric/fabrictest"
	"github.com/pbipublish/pbipublish/powerbi"
)

const alice = "11111111-1111-4111-8111-111111111111"
const bob = "22222222-2222-4222-8222-222222222222"

var fastPoll = &runtime.PollUntilDoneOptions{Frequency: time.Millisecond}

func clients(t testing.TB, srv *fabrictest.Server, oid string) (*fabric.Client, *powerbi.Client) {
	t.Helper()
	az := azcore.ClientOptions{Transport: srv.Client(), Retry: policy.RetryOptions{RetryDelay: time.Millisecond, MaxRetryDelay: 50 * time.Millisecond}}
	fc, err := fabric.NewClient(srv.Credential(oid), &fabric.ClientOptions{ClientOptions: az, Endpoint: srv.FabricEndpoint()})
	if err != nil {
		t.Fatal(err)
	}
	pc, err := powerbi.NewClient(srv.Credential(oid), &powerbi.ClientOptions{ClientOptions: az, Endpoint: srv.PowerBIEndpoint()})
	if err != nil {
		t.Fatal(err)
	}
	return fc, pc
}

func itemConnections(ctx context.Context, t testing.TB, fc *fabric.Client, ws, id string) []fabric.ItemConnection {
	t.Helper()
	var out []fabric.ItemConnection
	p := fc.NewListItemConnectionsPager(ws, id)
	for p.More() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatalf("ListItemConnections: %v", err)
		}
		out = append(out, page.Value...)
	}
	return out
}

func TestEndToEnd(t *testing.T) {
	for _, tc := range []struct {
		name string
		src  fabrictest.DataSource
		cred fabric.Credential
		req  func(fabric.Credential) fabric.CreateConnectionRequest
	}{
		{"snowflake_basic", fabrictest.DataSource{Type: "Snowflake", Path: "acme.snowflakecomputing.com;WH"},
			fabric.BasicCredential{Username: "svc", Password: "s3cret-pass"},
			func(c fabric.Credential) fabric.CreateConnectionRequest {
				return fabric.SnowflakeConnection("sales-sf", "acme.snowflakecomputing.com", "WH", c)
			}},
		{"databricks_key", fabrictest.DataSource{Type: "Databricks", Path: "adb-1.azuredatabricks.net;/sql/1.0/warehouses/abc"},
			fabric.KeyCredential{Key: "dapi-secret-token"},
			func(c fabric.Credential) fabric.CreateConnectionRequest {
				return fabric.DatabricksConnection("sales-dbx", "adb-1.azuredatabricks.net", "/sql/1.0/warehouses/abc", c)
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			srv := fabrictest.NewServer(&fabrictest.Options{OperationPolls: 2})
			defer srv.Close()
			ws := srv.AddWorkspace("Sales", map[string]fabrictest.Role{alice: fabrictest.Contributor})
			fc, pc := clients(t, srv, alice)

			poller, err := fc.BeginCreateSemanticModel(ctx, ws, fabric.CreateSemanticModelRequest{
				DisplayName: "Orders", Parts: fabrictest.SampleModel(tc.src, "import")}, nil)
			if err != nil {
				t.Fatalf("BeginCreateSemanticModel: %v", err)
			}
			model, err := poller.PollUntilDone(ctx, fastPoll)
			if err != nil {
				t.Fatalf("PollUntilDone: %v", err)
			}
			if model.ID == "" || model.DisplayName != "Orders" || model.Type != fabric.ItemTypeSemanticModel {
				t.Fatalf("created model = %+v", model)
			}

			ics := itemConnections(ctx, t, fc, ws, model.ID)
			if len(ics) != 1 || ics[0].ConnectionDetails.Type != tc.src.Type || ics[0].ConnectionDetails.Path != tc.src.Path {
				t.Fatalf("item connections = %+v, want one %+v", ics, tc.src)
			}

			conn, err := fc.CreateConnection(ctx, tc.req(tc.cred))
			if err != nil {
				t.Fatalf("CreateConnection: %v", err)
			}
			err = fc.BindSemanticModelConnection(ctx, ws, model.ID, fabric.ConnectionBinding{
				ID: conn.ID, ConnectionDetails: ics[0].ConnectionDetails})
			if err != nil {
				t.Fatalf("BindSemanticModelConnection: %v", err)
			}
			if got := itemConnections(ctx, t, fc, ws, model.ID); got[0].ID != conn.ID {
				t.Fatalf("after bind, item connection id = %q, want %q", got[0].ID, conn.ID)
			}

			if _, err := pc.RefreshDataset(ctx, ws, model.ID, nil); err != nil {
				t.Fatalf("RefreshDataset: %v", err)
			}
			var status string
			for i := 0; i < 5 && status != "Completed"; i++ {
				hist, err := pc.GetRefreshHistory(ctx, ws, model.ID, 1)
				if err != nil {
					t.Fatalf("GetRefreshHistory: %v", err)
				}
				status = hist[0].Status
			}
			if status != "Completed" {
				t.Fatalf("refresh status = %q, want Completed", status)
			}

			if err := fc.DeleteSemanticModel(ctx, ws, model.ID); err != nil {
				t.Fatalf("DeleteSemanticModel: %v", err)
			}
			if err := fc.DeleteConnection(ctx, conn.ID); err != nil {
				t.Fatalf("DeleteConnection: %v", err)
			}
			if st := srv.State(); len(st.Items) != 0 || len(st.Connections) != 0 {
				t.Fatalf("state after delete = %+v", st)
			}
			if err := fc.DeleteSemanticModel(ctx, ws, model.ID); !errors.Is(err, fabric.ErrNotFound) {
				t.Fatalf("second delete = %v, want ErrNotFound", err)
			}
		})
	}
}
