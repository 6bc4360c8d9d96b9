package fabrictest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/pbipublish/pbipublish/fabric"
	"github.com/pbipublish/pbipublish/fabric/fabrictest"
)

// BenchmarkRawRequest is the baseline: the same GET with net/http and a
// fixed token, no pipeline.
func BenchmarkRawRequest(b *testing.B) {
	srv := fabrictest.NewServer(nil)
	defer srv.Close()
	ws := srv.AddWorkspace("Sales", map[string]fabrictest.Role{alice: fabrictest.Contributor})
	tok := srv.Token(alice, fabrictest.AudienceFabric)
	hc := srv.Client()
	u := srv.FabricEndpoint() + "/workspaces/" + ws + "/items"
	b.ReportAllocs()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// BenchmarkClientRequest is one typed call through the azcore pipeline
// (telemetry, retry, bearer, logging policies, JSON decode) against the
// emulator; compare with BenchmarkRawRequest for the client's overhead.
func BenchmarkClientRequest(b *testing.B) {
	srv := fabrictest.NewServer(nil)
	defer srv.Close()
	ws := srv.AddWorkspace("Sales", map[string]fabrictest.Role{alice: fabrictest.Contributor})
	fc, _ := clients(b, srv, alice)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := fc.NewListItemsPager(ws, nil).NextPage(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPublishSequence runs the calls of one publish: create model
// (202 + one poll + /result), list item connections, create connection,
// bind, start refresh, then clean up (delete model and connection).
func BenchmarkPublishSequence(b *testing.B) {
	srv := fabrictest.NewServer(&fabrictest.Options{OperationPolls: -1, RetryAfter: -1})
	defer srv.Close()
	ws := srv.AddWorkspace("Sales", map[string]fabrictest.Role{alice: fabrictest.Contributor})
	fc, pc := clients(b, srv, alice)
	ctx := context.Background()
	src := fabrictest.DataSource{Type: "Snowflake", Path: "acme.snowflakecomputing.com;WH"}
	parts := fabrictest.SampleModel(src, "import")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		p, err := fc.BeginCreateSemanticModel(ctx, ws, fabric.CreateSemanticModelRequest{DisplayName: fmt.Sprint("M", i), Parts: parts}, nil)
		if err != nil {
			b.Fatal(err)
		}
		m, err := p.PollUntilDone(ctx, fastPoll)
		if err != nil {
			b.Fatal(err)
		}
		pg, err := fc.NewListItemConnectionsPager(ws, m.ID).NextPage(ctx)
		if err != nil || len(pg.Value) != 1 {
			b.Fatal(err, pg.Value)
		}
		conn, err := fc.CreateConnection(ctx, fabric.SnowflakeConnection(fmt.Sprint("C", i), "acme.snowflakecomputing.com", "WH",
			fabric.BasicCredential{Username: "u", Password: "p"}))
		if err != nil {
			b.Fatal(err)
		}
		if err := fc.BindSemanticModelConnection(ctx, ws, m.ID, fabric.ConnectionBinding{ID: conn.ID, ConnectionDetails: pg.Value[0].ConnectionDetails}); err != nil {
			b.Fatal(err)
		}
		if _, err := pc.RefreshDataset(ctx, ws, m.ID, nil); err != nil {
			b.Fatal(err)
		}
		if err := fc.DeleteSemanticModel(ctx, ws, m.ID); err != nil {
			b.Fatal(err)
		}
		if err := fc.DeleteConnection(ctx, conn.ID); err != nil {
			b.Fatal(err)
		}
		srv.ResetRequests()
	}
}
