package publishtest

import (
	"context"
	"errors"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/pbipublish/pbipublish/entra"
	"github.com/pbipublish/pbipublish/fabric"
)

var fabricScope = policy.TokenRequestOptions{Scopes: []string{fabric.Scope}}

func TestConnectStoresTokensForThatUserOnly(t *testing.T) {
	ctx := context.Background()
	bob := User{ID: "u-bob", OID: "b0b00000-0000-4000-8000-000000000b0b", UPN: "bob@contoso.example", Name: "Bob"}
	env, err := Start(ctx, &Options{Org: "acme", Users: []User{Ada, bob}})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()

	if err := env.Connect(ctx, Ada); err != nil {
		t.Fatalf("Connect(Ada) = %v", err)
	}
	conns, err := env.Connector.Connections(ctx, "acme", Ada.ID)
	if err != nil || len(conns) != 1 {
		t.Fatalf("Connections(Ada) = %v, %v; want one", conns, err)
	}
	if _, err := env.Connector.Credential("acme", Ada.ID, entra.Fabric).GetToken(ctx, fabricScope); err != nil {
		t.Errorf("Ada's Fabric token: %v", err)
	}
	_, err = env.Connector.Credential("acme", bob.ID, entra.Fabric).GetToken(ctx, fabricScope)
	if !errors.Is(err, entra.ErrNotConnected) {
		t.Errorf("Bob's token before he connected: %v, want ErrNotConnected", err)
	}
}

func TestAddWorkspaceGivesContributorRole(t *testing.T) {
	ctx := context.Background()
	env, err := Start(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	ws := env.AddWorkspace("Sales", Ada)
	opts := env.PublisherOptions()
	if opts.Credentials == nil || opts.Fabric.Endpoint != env.Fabric.FabricEndpoint() || opts.PowerBI.Endpoint != env.Fabric.PowerBIEndpoint() {
		t.Errorf("PublisherOptions() = %+v, want the emulator's endpoints and the connector", opts)
	}
	if ws == "" {
		t.Error("AddWorkspace returned no id")
	}
}
