// Command connect is a tour of connecting a user's Power BI account:
// the organization owner configures and tests the Entra application,
// the user signs in and consents once, and the clients then get Power
// BI and Fabric tokens on the user's behalf, refreshed silently, until
// the user disconnects.
//
// Usage:
//
//	go run ./examples/connect
//
// By default it runs offline against entratest, a fake Entra authority
// started in this process, and plays the browser itself: nothing to
// click, no account needed.
//
// With ENTRA_TENANT_ID, ENTRA_CLIENT_ID and ENTRA_CLIENT_SECRET set (an
// application whose redirect URIs include
// http://localhost:8400/powerbi/callback) it serves
// http://localhost:8400 and waits for you to connect in a browser.
//
// Tokens are sealed with the keys in APPLICATION_ENCRYPTION_KEYS; the
// offline tour makes up a key for the run when none is set. Nothing
// secret is printed: tokens appear as their claims only.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/pbipublish/pbipublish/entra"
	"github.com/pbipublish/pbipublish/entra/entratest"
)

// The host's session would name these; the tour has one of each.
const (
	org  = "acme"
	user = "u-42"
)

func main() {
	var err error
	if os.Getenv("ENTRA_CLIENT_ID") != "" {
		err = serveReal(os.Stdout)
	} else {
		err = tour(context.Background(), os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "connect:", err)
		os.Exit(1)
	}
}

// keyring reads APPLICATION_ENCRYPTION_KEYS, or makes up a key when
// allowed.
func keyring(w io.Writer, makeUp bool) (*entra.Keyring, error) {
	if os.Getenv(entra.EnvEncryptionKeys) != "" || !makeUp {
		return entra.KeyringFromEnv()
	}
	k := make([]byte, 32)
	rand.Read(k)
	fmt.Fprintf(w, "(no %s: sealing with a key made up for this run)\n", entra.EnvEncryptionKeys)
	return entra.NewKeyring(hex.EncodeToString(k))
}

// tour runs the whole flow against a fake authority.
func tour(ctx context.Context, w io.Writer) error {
	// A callback server on a loopback port, like a host's web server.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	redirect := "http://" + ln.Addr().String() + entra.CallbackPath

	const clientID, secret = "11111111-2222-3333-4444-555555555555", "demo-secret-value"
	srv := entratest.NewServer(&entratest.Options{
		Users: []entratest.User{{OID: "aaaaaaaa-0000-0000-0000-000000000001", UPN: "alice@example.com", Name: "Alice"}},
		Apps:  []entratest.App{{ClientID: clientID, Secret: secret, DisplayName: "Contoso Publisher", RedirectURIs: []string{redirect}}},
	})
	defer srv.Close()

	keys, err := keyring(w, true)
	if err != nil {
		return err
	}
	c, err := entra.NewConnector(&entra.ConnectorOptions{
		Keyring:       keys,
		RedirectURL:   redirect,
		AuthorityHost: srv.URL(),
		GraphEndpoint: srv.URL(),
		HTTPClient:    srv.Client(),
		Identify:      func(*http.Request) (string, string, error) { return org, user, nil },
	})
	if err != nil {
		return err
	}
	web := &http.Server{Handler: mux(c)}
	go web.Serve(ln)
	defer web.Close()

	fmt.Fprintln(w, "1. The owner enters the organization's application and tests it.")
	err = c.SaveSettings(ctx, org, entra.Settings{Kind: entra.AppCustom, TenantID: srv.TenantID(), ClientID: clientID, ClientSecret: secret})
	if err != nil {
		return err
	}
	info, _ := c.Settings(ctx, org)
	fmt.Fprintf(w, "   client %s, secret set: %v\n", info.ClientID, info.SecretSet)
	res, err := c.TestConnection(ctx, org, nil)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "   test:", res.Message)

	fmt.Fprintln(w, "2. The user connects: the browser follows the authorization URL,")
	fmt.Fprintln(w, "   the authority signs in and consents, the callback stores the tokens.")
	authURL, err := c.Start(ctx, org, user, &entra.StartOptions{ReturnTo: "/"})
	if err != nil {
		return err
	}
	browser := &http.Client{Transport: srv.Client().Transport}
	resp, err := browser.Get(authURL)
	if err != nil {
		return err
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Fprintf(w, "   landed on: %s\n", strings.TrimSpace(string(page)))

	fmt.Fprintln(w, "3. The clients get tokens, one resource per credential.")
	for _, r := range []entra.Resource{entra.PowerBI, entra.Fabric} {
		tok, err := c.Credential(org, user, r).GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{string(r) + "/.default"}})
		if err != nil {
			return err
		}
		cl := claims(tok.Token)
		fmt.Fprintf(w, "   %s: for %v, scopes %q\n", r, cl["upn"], cl["scp"])
	}

	fmt.Fprintln(w, "4. The user disconnects; the stored tokens are deleted.")
	if err := c.Disconnect(ctx, org, user); err != nil {
		return err
	}
	_, err = c.Credential(org, user, entra.PowerBI).GetToken(ctx, policy.TokenRequestOptions{})
	fmt.Fprintln(w, "   next token request:", err)
	if !errors.Is(err, entra.ErrNotConnected) {
		return fmt.Errorf("still connected after disconnect")
	}
	return nil
}

// mux is the host's web server: the callback, and a page that shows
// the user's connection.
func mux(c *entra.Connector) *http.ServeMux {
	m := http.NewServeMux()
	m.Handle(entra.CallbackPath, c.CallbackHandler())
	m.HandleFunc("/connect", func(w http.ResponseWriter, r *http.Request) {
		u, err := c.Start(r.Context(), org, user, &entra.StartOptions{Reconnect: r.URL.Query().Has("again")})
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		http.Redirect(w, r, u, http.StatusFound)
	})
	m.HandleFunc("/disconnect", func(w http.ResponseWriter, r *http.Request) {
		c.Disconnect(r.Context(), org, user)
		http.Redirect(w, r, "/", http.StatusFound)
	})
	m.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		conns, err := c.Connections(r.Context(), org, user)
		switch {
		case err != nil:
			http.Error(w, err.Error(), http.StatusInternalServerError)
		case len(conns) == 0:
			fmt.Fprintln(w, "not connected: open /connect")
		default:
			fmt.Fprintf(w, "connected as %s since %s (%d scopes); /disconnect to end\n",
				conns[0].Username, conns[0].ConnectedAt.Format("15:04:05"), len(conns[0].Scopes))
		}
	})
	return m
}

// serveReal runs the host against Microsoft Entra ID.
func serveReal(w io.Writer) error {
	keys, err := keyring(w, false)
	if err != nil {
		return err
	}
	store, err := entra.NewDiskStore(".pbipublish/entra")
	if err != nil {
		return err
	}
	c, err := entra.NewConnector(&entra.ConnectorOptions{
		Keyring:     keys,
		RedirectURL: "http://localhost:8400" + entra.CallbackPath,
		Store:       store,
		Identify:    func(*http.Request) (string, string, error) { return org, user, nil },
	})
	if err != nil {
		return err
	}
	ctx := context.Background()
	err = c.SaveSettings(ctx, org, entra.Settings{Kind: entra.AppCustom,
		TenantID: os.Getenv("ENTRA_TENANT_ID"), ClientID: os.Getenv("ENTRA_CLIENT_ID"), ClientSecret: os.Getenv("ENTRA_CLIENT_SECRET")})
	if err != nil {
		return err
	}
	res, err := c.TestConnection(ctx, org, nil)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "test connection:", res.Message)
	fmt.Fprintln(w, "open http://localhost:8400/connect")
	return http.ListenAndServe("localhost:8400", mux(c))
}

// claims decodes a JWT's claims for display; the token itself is never
// printed.
func claims(tok string) map[string]any {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil
	}
	b, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var m map[string]any
	json.Unmarshal(b, &m)
	return m
}
