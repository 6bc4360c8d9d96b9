package publish_test

import (
	"context"
	"fmt"
	"os"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/pbipublish/pbipublish/entra"
	"github.com/pbipublish/pbipublish/entra/entratest"
	"github.com/pbipublish/pbipublish/fabric"
	"github.com/pbipublish/pbipublish/fabric/fabrictest"
	"github.com/pbipublish/pbipublish/odcs"
	"github.com/pbipublish/pbipublish/powerbi"
	"github.com/pbipublish/pbipublish/publish"
)

// Publishing a contract end to end, offline: a fake Entra ID, the
// Fabric and Power BI emulator, a connected user, one publish.
func Example() {
	ctx := context.Background()
	const oid, app, secret = "a11ce000-0000-4000-8000-00000000ada1", "5e1f0000-0000-4000-8000-00000000c0de", "app-secret"
	const redirect = "https://portal.example.com" + entra.CallbackPath

	authority := entratest.NewServer(&entratest.Options{
		Users: []entratest.User{{OID: oid, UPN: "ada@contoso.example"}},
		Apps:  []entratest.App{{ClientID: app, Secret: secret, RedirectURIs: []string{redirect}}},
	})
	defer authority.Close()
	service := fabrictest.NewServer(nil)
	defer service.Close()
	workspace := service.AddWorkspace("Sales analytics", map[string]fabrictest.Role{oid: fabrictest.Contributor})

	// The host's Connector, and the user's connect: authorization URL,
	// the authority's redirect, the callback.
	keys, _ := entra.NewKeyring(testKey)
	conn, _ := entra.NewConnector(&entra.ConnectorOptions{Keyring: keys, RedirectURL: redirect,
		AuthorityHost: authority.URL(), GraphEndpoint: authority.URL(), HTTPClient: authority.Client()})
	conn.SaveSettings(ctx, "contoso", entra.Settings{Kind: entra.AppCustom, TenantID: authority.TenantID(), ClientID: app, ClientSecret: secret})
	u, _ := conn.Start(ctx, "contoso", "u-ada", nil)
	back, _ := authority.Authorize(u)
	if _, err := conn.Callback(ctx, "contoso", "u-ada", back.Query()); err != nil {
		fmt.Println(err)
		return
	}

	az := azcore.ClientOptions{Transport: service.Client()}
	pub, err := publish.New(&publish.Options{
		Credentials: conn,
		Fabric:      &fabric.ClientOptions{ClientOptions: az, Endpoint: service.FabricEndpoint()},
		PowerBI:     &powerbi.ClientOptions{ClientOptions: az, Endpoint: service.PowerBIEndpoint()},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pub.Close(ctx)

	data, _ := os.ReadFile("testdata/orders.odcs.yaml")
	contract, _ := odcs.Parse(data, &odcs.ParseOptions{Filename: "orders.odcs.yaml"})
	job, err := pub.Publish(ctx, "contoso", "u-ada", &publish.Request{
		Contract:      contract,
		Source:        publish.OutputPort{DataProduct: "sales", Port: "orders"},
		Server:        "snowflake-prod",
		WorkspaceID:   workspace,
		NewConnection: &publish.NewConnection{Credential: fabric.BasicCredential{Username: "svc_powerbi", Password: "…"}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	events, _ := pub.Watch(ctx, job.ID)
	for ev := range events {
		fmt.Println(ev.Stage, ev.State)
	}
	job, err = pub.Wait(ctx, job.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("model:", job.Result.ModelName, "refresh started:", job.Result.RefreshStarted)

	models, _ := pub.Published(ctx, publish.OutputPort{DataProduct: "sales", Port: "orders"})
	fmt.Println("already connected:", len(models), models[0].Name, "by", models[0].Author)
	// Output:
	// validating running
	// creating_connection running
	// creating_model running
	// binding_connection running
	// finalizing running
	// finalizing succeeded
	// model: orders refresh started: true
	// already connected: 1 orders by ada@contoso.example
}
