// Package publishtest runs the publish flow offline: the Fabric and Power
// BI emulator ([fabrictest]), a fake Entra ID ([entratest]) and an
// [entra.Connector] whose users connect through the real
// authorization-code flow, wired so that a [publish.Publisher] built from
// [Env.PublisherOptions] talks to them.
//
// It is what the examples run on when no real settings are given, and
// what a host that embeds the publisher can use in its own tests:
//
//	env, err := publishtest.Start(ctx, nil)
//	…
//	defer env.Close()
//	if err := env.Connect(ctx, publishtest.Ada); err != nil { … }
//	ws := env.AddWorkspace("Sales", publishtest.Ada)
//	pub, err := publish.New(env.PublisherOptions())
package publishtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/pbipublish/pbipublish/entra"
	"github.com/pbipublish/pbipublish/entra/entratest"
	"github.com/pbipublish/pbipublish/fabric"
	"github.com/pbipublish/pbipublish/fabric/fabrictest"
	"github.com/pbipublish/pbipublish/powerbi"
	"github.com/pbipublish/pbipublish/publish"
)

// User is a person who publishes: the host's id for them, and their
// Entra account.
type User struct {
	// ID is the host's identifier of the user, the one the Publisher and
	// the Connector are called with.
	ID string
	// OID, UPN and Name describe the user's Entra account.
	OID, UPN, Name string
}

// Ada is the demo user of the examples.
var Ada = User{ID: "u-ada", OID: "a11ce000-0000-4000-8000-00000000ada1", UPN: "ada@contoso.example", Name: "Ada"}

// The demo application registered with the fake authority.
const (
	ClientID    = "5e1f0000-0000-4000-8000-00000000c0de"
	RedirectURL = "http://localhost:8400" + entra.CallbackPath
	appName     = "Contoso Data Portal"
)

// Options configure Start. The zero value (or nil) gives one
// organization, "contoso", whose users are [Ada].
type Options struct {
	// Org is the host's organization id. Default "contoso".
	Org string
	// Users are the accounts the fake authority knows. Default: [Ada].
	Users []User
	// Fabric configures the emulator; nil means fabrictest's defaults.
	Fabric *fabrictest.Options
	// Entra configures the fake authority. Its Users and Apps are
	// filled in from Users and the demo application.
	Entra *entratest.Options
	// Keyring seals the users' tokens. Default: a random key for this
	// environment only.
	Keyring *entra.Keyring
}

// Env is a running offline world. Its fields are there for inspection
// and fault injection; Close stops it.
type Env struct {
	Org       string
	Fabric    *fabrictest.Server
	Entra     *entratest.Server
	Connector *entra.Connector
}

// Start starts both emulators and a Connector configured with the demo
// application as the organization's custom Entra app.
func Start(ctx context.Context, opts *Options) (*Env, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Org == "" {
		o.Org = "contoso"
	}
	if len(o.Users) == 0 {
		o.Users = []User{Ada}
	}
	var eo entratest.Options
	if o.Entra != nil {
		eo = *o.Entra
	}
	for _, u := range o.Users {
		eo.Users = append(eo.Users, entratest.User{OID: u.OID, UPN: u.UPN, Name: u.Name})
	}
	secret := randomHex(16)
	eo.Apps = append(eo.Apps, entratest.App{ClientID: ClientID, Secret: secret, DisplayName: appName, RedirectURIs: []string{RedirectURL}})
	if o.Keyring == nil {
		kr, err := entra.NewKeyring(randomHex(32))
		if err != nil {
			return nil, err
		}
		o.Keyring = kr
	}

	env := &Env{Org: o.Org, Entra: entratest.NewServer(&eo), Fabric: fabrictest.NewServer(o.Fabric)}
	conn, err := entra.NewConnector(&entra.ConnectorOptions{
		Keyring: o.Keyring, RedirectURL: RedirectURL, Now: eo.Now,
		AuthorityHost: env.Entra.URL(), GraphEndpoint: env.Entra.URL(), HTTPClient: env.Entra.Client(),
	})
	if err == nil {
		env.Connector = conn
		err = conn.SaveSettings(ctx, o.Org, entra.Settings{Kind: entra.AppCustom,
			TenantID: env.Entra.TenantID(), ClientID: ClientID, ClientSecret: secret})
	}
	if err != nil {
		env.Close()
		return nil, fmt.Errorf("publishtest: cannot configure the connector: %w", err)
	}
	return env, nil
}

// Connect connects u's Power BI account the way a browser would: it
// starts the flow, lets the fake authority sign u in and redirect back,
// and hands the callback's query to the Connector.
func (e *Env) Connect(ctx context.Context, u User) error {
	authURL, err := e.Connector.Start(ctx, e.Org, u.ID, &entra.StartOptions{LoginHint: u.UPN})
	if err != nil {
		return err
	}
	back, err := e.Entra.Authorize(authURL)
	if err != nil {
		return fmt.Errorf("publishtest: sign-in of %s failed: %w", u.UPN, err)
	}
	if back == nil {
		return errors.New("publishtest: the authority did not redirect back")
	}
	_, err = e.Connector.Callback(ctx, e.Org, u.ID, back.Query())
	return err
}

// AddWorkspace creates a workspace in which every one of contributors
// has the Contributor role, and returns its id.
func (e *Env) AddWorkspace(name string, contributors ...User) string {
	roles := make(map[string]fabrictest.Role, len(contributors))
	for _, u := range contributors {
		roles[u.OID] = fabrictest.Contributor
	}
	return e.Fabric.AddWorkspace(name, roles)
}

// PublisherOptions returns Publisher options that reach the emulators
// with the users' delegated tokens. Set the other fields (catalog, job
// store, hooks, logger) on the result as needed.
func (e *Env) PublisherOptions() *publish.Options {
	az := azcore.ClientOptions{Transport: e.Fabric.Client()}
	return &publish.Options{
		Credentials: e.Connector,
		Fabric:      &fabric.ClientOptions{ClientOptions: az, Endpoint: e.Fabric.FabricEndpoint()},
		PowerBI:     &powerbi.ClientOptions{ClientOptions: az, Endpoint: e.Fabric.PowerBIEndpoint()},
		LinkBase:    e.Fabric.URL(),
	}
}

// Close stops both emulators.
func (e *Env) Close() {
	e.Fabric.Close()
	e.Entra.Close()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
