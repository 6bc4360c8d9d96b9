package entra_test

import (
	"context"
	"fmt"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/pbipublish/pbipublish/entra"
	"github.com/pbipublish/pbipublish/entra/entratest"
)

// A user connects, the Power BI client gets a token, and the user
// disconnects, against the fake authority.
func Example() {
	const app = "11111111-2222-3333-4444-555555555555"
	srv := entratest.NewServer(&entratest.Options{
		Users: []entratest.User{{OID: "aaaaaaaa-0000-0000-0000-000000000001", UPN: "alice@example.com", Name: "Alice"}},
		Apps: []entratest.App{{ClientID: app, Secret: "app-secret-value", DisplayName: "Publisher",
			RedirectURIs: []string{"https://portal.example.com/powerbi/callback"}}},
	})
	defer srv.Close()

	keys, _ := entra.NewKeyring("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	c, err := entra.NewConnector(&entra.ConnectorOptions{
		Keyring:       keys,
		RedirectURL:   "https://portal.example.com" + entra.CallbackPath,
		AuthorityHost: srv.URL(),
		GraphEndpoint: srv.URL(),
		HTTPClient:    srv.Client(),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()

	// The owner configures the organization's app and tests it.
	c.SaveSettings(ctx, "acme", entra.Settings{Kind: entra.AppCustom, TenantID: srv.TenantID(), ClientID: app, ClientSecret: "app-secret-value"})
	res, _ := c.TestConnection(ctx, "acme", nil)
	fmt.Println(res.Message)

	// The user connects: the browser goes to the URL, the authority
	// redirects to the callback.
	authURL, _ := c.Start(ctx, "acme", "u42", nil)
	back, _ := srv.Authorize(authURL)
	conn, err := c.Callback(ctx, "acme", "u42", back.Query())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("connected as", conn.Username)

	// The clients get tokens for their resource.
	tok, _ := c.Credential("acme", "u42", entra.Fabric).GetToken(ctx, policy.TokenRequestOptions{
		Scopes: []string{"https://api.fabric.microsoft.com/.default"},
	})
	claims, _ := srv.Claims(tok.Token)
	fmt.Println("token for", claims["aud"])

	c.Disconnect(ctx, "acme", "u42")
	_, err = c.Credential("acme", "u42", entra.Fabric).GetToken(ctx, policy.TokenRequestOptions{})
	fmt.Println(err)
	// Output:
	// The credentials work for "Publisher".
	// connected as alice@example.com
	// token for https://api.fabric.microsoft.com
	// entra: user has not connected to Power BI
}
