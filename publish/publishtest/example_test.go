package publishtest_test

import (
	"context"
	"fmt"
	"log"

	"github.com/pbipublish/pbipublish/fabric"
	"github.com/pbipublish/pbipublish/odcs"
	"github.com/pbipublish/pbipublish/publish"
	"github.com/pbipublish/pbipublish/publish/publishtest"
)

const contract = `apiVersion: v3.1.0
kind: DataContract
id: urn:example:orders
version: 1.0.0
status: active
name: orders
servers:
  - server: prod
    type: snowflake
    account: acme
    database: SALES
    schema: MART
    warehouse: WH
schema:
  - name: orders
    properties:
      - name: order_id
        logicalType: integer
        primaryKey: true
      - name: amount
        logicalType: number
`

// A host tests its publish integration against the offline world: the
// user connects once, then publishes into a workspace of the emulator.
func Example() {
	ctx := context.Background()
	env, err := publishtest.Start(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer env.Close()
	if err := env.Connect(ctx, publishtest.Ada); err != nil {
		log.Fatal(err)
	}
	ws := env.AddWorkspace("Sales", publishtest.Ada)

	pub, err := publish.New(env.PublisherOptions())
	if err != nil {
		log.Fatal(err)
	}
	defer pub.Close(ctx)

	c, err := odcs.Parse([]byte(contract), &odcs.ParseOptions{Filename: "orders.odcs.yaml"})
	if err != nil {
		log.Fatal(err)
	}
	job, err := pub.Publish(ctx, env.Org, publishtest.Ada.ID, &publish.Request{
		Contract: c, Server: "prod", WorkspaceID: ws,
		Source:        publish.OutputPort{DataProduct: "sales", Port: "orders"},
		NewConnection: &publish.NewConnection{Credential: fabric.BasicCredential{Username: "svc", Password: "example-only"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	job, err = pub.Wait(ctx, job.ID)
	if err != nil {
		log.Fatal(err)
	}
	for _, ev := range job.Events {
		fmt.Println(ev.Stage, ev.State)
	}
	fmt.Println(job.Result.ModelName, job.Result.RefreshStarted)
	// Output:
	// validating running
	// creating_connection running
	// creating_model running
	// binding_connection running
	// finalizing running
	// finalizing succeeded
	// orders true
}
