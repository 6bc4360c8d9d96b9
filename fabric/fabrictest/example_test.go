package fabrictest_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"

	"github.com/pbipublish/pbipublish/fabric"
	"github.com/pbipublish/pbipublish/fabric/fabrictest"
)

// A test of code that publishes to Fabric: start the emulator, give a
// user a workspace, point the client at it, and check the state after.
func Example() {
	srv := fabrictest.NewServer(nil)
	defer srv.Close()
	const user = "6f1c2d3e-0000-4000-8000-000000000001"
	ws := srv.AddWorkspace("Sales", map[string]fabrictest.Role{user: fabrictest.Contributor})

	client, err := fabric.NewClient(srv.Credential(user), &fabric.ClientOptions{
		ClientOptions: azcore.ClientOptions{Transport: srv.Client()},
		Endpoint:      srv.FabricEndpoint(),
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	src := fabrictest.DataSource{Type: "Snowflake", Path: "acme.snowflakecomputing.com;WH"}
	poller, err := client.BeginCreateSemanticModel(ctx, ws, fabric.CreateSemanticModelRequest{
		DisplayName: "Orders",
		Parts:       fabrictest.SampleModel(src, "directQuery"),
	}, nil)
	if err != nil {
		log.Fatal(err)
	}
	model, err := poller.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: 10 * time.Millisecond})
	if err != nil {
		log.Fatal(err)
	}

	page, err := client.NewListItemConnectionsPager(ws, model.ID).NextPage(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, ic := range page.Value {
		fmt.Println("data source:", ic.ConnectionDetails.Type, ic.ConnectionDetails.Path)
	}

	st := srv.State()
	fmt.Println("models:", len(st.Items), st.Items[0].DisplayName)
	// Output:
	// data source: Snowflake acme.snowflakecomputing.com;WH
	// models: 1 Orders
}
