package fabric_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/pbipublish/pbipublish/fabric"
	"github.com/pbipublish/pbipublish/fabric/fabrictest"
)

// Creating a Snowflake connection: the credential goes to Fabric in the
// request body, but printing the request shows no secret, and errors
// match sentinels.
func ExampleClient_CreateConnection() {
	srv := fabrictest.NewServer(nil)
	defer srv.Close()
	const user = "6f1c2d3e-0000-4000-8000-000000000002"
	client, err := fabric.NewClient(srv.Credential(user), &fabric.ClientOptions{
		ClientOptions: azcore.ClientOptions{Transport: srv.Client()},
		Endpoint:      srv.FabricEndpoint(),
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	req := fabric.SnowflakeConnection("sales-snowflake", "acme.snowflakecomputing.com", "WH",
		fabric.BasicCredential{Username: "svc_powerbi", Password: "correct horse battery staple"})
	fmt.Println(req.Credential)

	conn, err := client.CreateConnection(ctx, req)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(conn.ConnectionDetails.Type, conn.ConnectionDetails.Path, conn.CredentialDetails.CredentialType)

	_, err = client.CreateConnection(ctx, req)
	fmt.Println(errors.Is(err, fabric.ErrDuplicateConnectionName))
	// Output:
	// Basic{username: "svc_powerbi", password: REDACTED}
	// Snowflake acme.snowflakecomputing.com;WH Basic
	// true
}
