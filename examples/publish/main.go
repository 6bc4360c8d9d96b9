// Command publish is the whole publish flow in one run: a user connects
// their Power BI account, picks an output port's contract, and the
// Publisher creates a connection, creates the semantic model, binds it,
// starts its first refresh and records it in the catalog. It prints each
// stage as it happens, the model's link and the "Already connected to
// Power BI" list of the output port.
//
// Usage:
//
//	go run ./examples/publish [flags]
//
// With no settings it runs offline: it starts fabrictest (the Fabric and
// Power BI emulator) and entratest (a fake Entra ID) in this process,
// connects a demo user through the real connect flow (authorization URL,
// the authority's redirect, the callback), and publishes the sample
// contract shipped beside this file (orders.odcs.yaml: the "orders"
// output port of the Sales data product, on Snowflake and Databricks).
//
// Flags choose what to publish:
//
//	-contract FILE     the contract (default: the sample)
//	-server NAME       the contract server (default: snowflake-prod)
//	-mode MODE         import (default), directQuery or dual
//	-name NAME         the model name (default: the output port's name)
//	-product, -port    the output port in the catalog (sales, orders)
//	-connection ID     bind to an existing connection, or else a new one:
//	-auth KIND         basic (default for Snowflake), keypair, pat (default
//	                   for Databricks) or sp
//	-user NAME         Snowflake user, or the service principal's client id
//	-tenant ID         the service principal's tenant
//	-private-key FILE  a PKCS#8 PEM key for -auth keypair
//	-warehouse, -http-path  replace the contract's values
//	-catalog FILE      keep the catalog in FILE (see examples/published)
//
// Secrets come from the environment, never from flags:
// PBIPUBLISH_SOURCE_SECRET holds the Snowflake password, the Databricks
// token, the service principal's secret or the key's passphrase. Offline
// runs make up demo values.
//
// Against Microsoft's services: set PBIPUBLISH_TENANT_ID,
// PBIPUBLISH_CLIENT_ID and PBIPUBLISH_CLIENT_SECRET (an Entra application
// with the delegated Power BI Service permissions Workspace.Read.All,
// Dataset.ReadWrite.All, Item.ReadWrite.All and Connection.ReadWrite.All,
// and the redirect URI http://localhost:8400/powerbi/callback),
// APPLICATION_ENCRYPTION_KEYS (64 hex characters), and pass -workspace
// ID. The program opens the browser for sign-in and consent, waits for the
// callback on localhost:8400, then publishes. That path cannot be tested
// here; it uses the same code as the offline one with the default
// endpoints.
package main

import (
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/pbipublish/pbipublish/entra"
	"github.com/pbipublish/pbipublish/fabric"
	"github.com/pbipublish/pbipublish/fabric/fabrictest"
	"github.com/pbipublish/pbipublish/odcs"
	"github.com/pbipublish/pbipublish/powerbi"
	"github.com/pbipublish/pbipublish/publish"
	"github.com/pbipublish/pbipublish/publish/publishtest"
)

//go:embed orders.odcs.yaml
var sampleContract []byte

// The host's session would name the organization and the user; offline,
// the user is publishtest's demo user.
const (
	org      = "contoso"
	user     = "u-ada"
	callback = "http://localhost:8400" + entra.CallbackPath
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// config is what the flags say.
type config struct {
	contract, server, mode, name, product, port string
	connection, auth, user, tenant, privateKey  string
	warehouse, httpPath, workspace, catalog     string
}

// run is the program; it returns the exit code: 0 success, 1 failure,
// 2 usage.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var c config
	fs := flag.NewFlagSet("publish", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.contract, "contract", "", "contract `file` (default: the sample orders.odcs.yaml)")
	fs.StringVar(&c.server, "server", "snowflake-prod", "contract server `name`")
	fs.StringVar(&c.mode, "mode", "import", "storage mode: import, directQuery or dual")
	fs.StringVar(&c.name, "name", "", "model name (default: the output port's name)")
	fs.StringVar(&c.product, "product", "sales", "data product of the output port")
	fs.StringVar(&c.port, "port", "orders", "output port name")
	fs.StringVar(&c.connection, "connection", "", "existing connection `id` (default: create one)")
	fs.StringVar(&c.auth, "auth", "", "new connection's credential: basic, keypair, pat or sp")
	fs.StringVar(&c.user, "user", "", "Snowflake user, or the service principal's client id")
	fs.StringVar(&c.tenant, "tenant", "", "the service principal's tenant id")
	fs.StringVar(&c.privateKey, "private-key", "", "PKCS#8 PEM `file` for -auth keypair")
	fs.StringVar(&c.warehouse, "warehouse", "", "Snowflake warehouse (default: the contract's)")
	fs.StringVar(&c.httpPath, "http-path", "", "Databricks SQL warehouse HTTP path (default: the contract's)")
	fs.StringVar(&c.workspace, "workspace", "", "workspace `id` (default offline: the demo workspace)")
	fs.StringVar(&c.catalog, "catalog", "", "keep the catalog in this JSON `file` (default: in memory)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "publish: unexpected arguments %q\n", fs.Args())
		return 2
	}
	live := os.Getenv("PBIPUBLISH_CLIENT_ID") != ""
	if err := publishRun(ctx, &c, live, stdout); err != nil {
		fmt.Fprintln(stderr, "publish:", err)
		var ve *publish.ValidationError
		if errors.As(err, &ve) {
			for _, d := range ve.Diagnostics {
				fmt.Fprintln(stderr, "  ", d)
			}
			return 2
		}
		return 1
	}
	return 0
}

// world is where the Publisher runs: its credentials source and client
// options, and the workspace to publish to.
type world struct {
	conn      *entra.Connector
	fabric    *fabric.ClientOptions
	powerbi   *powerbi.ClientOptions
	linkBase  string
	workspace string
	close     func()
}

func publishRun(ctx context.Context, c *config, live bool, w io.Writer) error {
	contract, err := loadContract(c.contract)
	if err != nil {
		return err
	}
	var wd *world
	if live {
		wd, err = realWorld(ctx, c, w)
	} else {
		wd, err = offlineWorld(ctx, c, w)
	}
	if err != nil {
		return err
	}
	defer wd.close()

	catalog := publish.NewMemoryCatalog()
	if c.catalog != "" {
		if catalog, err = publish.NewFileCatalog(c.catalog); err != nil {
			return err
		}
	}
	pub, err := publish.New(&publish.Options{
		Credentials: wd.conn, Fabric: wd.fabric, PowerBI: wd.powerbi,
		Catalog: catalog, LinkBase: wd.linkBase,
		PollInterval: time.Second,
	})
	if err != nil {
		return err
	}
	defer pub.Close(context.WithoutCancel(ctx))

	req := &publish.Request{
		Contract: contract, Server: c.server, Mode: publish.Mode(c.mode), Name: c.name,
		Source:      publish.OutputPort{DataProduct: c.product, Port: c.port},
		WorkspaceID: wd.workspace, Warehouse: c.warehouse, HTTPPath: c.httpPath,
		ConnectionID: c.connection,
	}
	if c.connection == "" {
		cred, err := credential(c, contract, live)
		if err != nil {
			return err
		}
		req.NewConnection = &publish.NewConnection{Credential: cred}
	}

	what := "connection " + c.connection
	if req.NewConnection != nil {
		what = "a new connection (" + req.NewConnection.Credential.CredentialType() + " credential)"
	}
	fmt.Fprintf(w, "Publishing output port %s/%s (server %s) in %s mode, with %s:\n", c.product, c.port, c.server, c.mode, what)
	job, err := pub.Publish(ctx, org, user, req)
	if err != nil {
		return err
	}
	events, err := pub.Watch(ctx, job.ID)
	if err != nil {
		return err
	}
	start := job.CreatedAt
	for ev := range events {
		label := string(ev.Stage)
		if ev.State != publish.StateRunning {
			label = string(ev.State)
		}
		fmt.Fprintf(w, "  %6.3fs  %s\n", ev.At.Sub(start).Seconds(), label)
	}
	job, err = pub.Wait(ctx, job.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Model %q is published and bound.\n", job.Result.ModelName)
	if job.Result.RefreshStarted {
		fmt.Fprintln(w, "Its first refresh has started.")
	}
	fmt.Fprintln(w, "Link:", job.Result.Link)

	models, err := pub.Published(ctx, req.Source)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Already connected to Power BI (%s/%s):\n", c.product, c.port)
	for _, m := range models {
		fmt.Fprintf(w, "  %s, %s, created %s by %s\n    %s\n", m.Name, m.Mode, m.CreatedAt.Local().Format("2006-01-02 15:04"), m.Author, m.Link)
	}
	return nil
}

func loadContract(path string) (*odcs.Contract, error) {
	if path == "" {
		return odcs.Parse(sampleContract, &odcs.ParseOptions{Filename: "orders.odcs.yaml"})
	}
	return odcs.ParseFile(path)
}

// credential builds the new connection's credential from the flags and
// PBIPUBLISH_SOURCE_SECRET; offline runs make up what is missing.
func credential(c *config, contract *odcs.Contract, live bool) (fabric.Credential, error) {
	s, err := contract.Server(c.server)
	if err != nil {
		return nil, err
	}
	secret := os.Getenv("PBIPUBLISH_SOURCE_SECRET")
	if secret == "" && !live {
		secret = "demo-" + randomHex(8)
	}
	auth := c.auth
	if auth == "" {
		auth = "basic"
		if strings.EqualFold(s.Type, "databricks") {
			auth = "pat"
		}
	}
	name := c.user
	if name == "" && !live {
		name = "svc_powerbi"
	}
	switch auth {
	case "basic":
		return fabric.BasicCredential{Username: name, Password: secret}, nil
	case "keypair":
		key := "-----BEGIN PRIVATE KEY-----\nZGVtbw==\n-----END PRIVATE KEY-----\n"
		if c.privateKey != "" {
			b, err := os.ReadFile(c.privateKey)
			if err != nil {
				return nil, err
			}
			key = string(b)
		} else if live {
			return nil, errors.New("-auth keypair needs -private-key FILE")
		}
		pass := os.Getenv("PBIPUBLISH_SOURCE_SECRET")
		return fabric.KeyPairCredential{Identifier: name, PrivateKey: key, Passphrase: pass}, nil
	case "pat":
		return fabric.KeyCredential{Key: secret}, nil
	case "sp":
		tenant := c.tenant
		if tenant == "" && !live {
			tenant = fabrictest.TenantID
		}
		if name == "svc_powerbi" {
			name = "00000000-0000-4000-8000-0000000000c1"
		}
		return fabric.ServicePrincipalCredential{TenantID: tenant, ClientID: name, ClientSecret: secret}, nil
	}
	return nil, fmt.Errorf("-auth %q is not basic, keypair, pat or sp", auth)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// offlineWorld starts the emulators and connects the demo user through
// the connect flow, as a browser would: the authorization URL, the
// authority's sign-in and redirect, the callback.
func offlineWorld(ctx context.Context, c *config, w io.Writer) (*world, error) {
	keys, err := keyring(true)
	if err != nil {
		return nil, err
	}
	env, err := publishtest.Start(ctx, &publishtest.Options{Org: org, Keyring: keys})
	if err != nil {
		return nil, err
	}
	if err := env.Connect(ctx, publishtest.Ada); err != nil {
		env.Close()
		return nil, err
	}
	fmt.Fprintf(w, "Offline: Fabric and Power BI emulated at %s, Entra ID at %s.\n", env.Fabric.URL(), env.Entra.URL())
	fmt.Fprintf(w, "Connected %s to Power BI (authorize, redirect, callback).\n", publishtest.Ada.UPN)

	ws := c.workspace
	if ws == "" {
		ws = env.AddWorkspace("Sales analytics", publishtest.Ada)
		fmt.Fprintln(w, "Workspace: Sales analytics, where the user is Contributor.")
	}
	opts := env.PublisherOptions()
	return &world{
		conn:      env.Connector,
		fabric:    opts.Fabric,
		powerbi:   opts.PowerBI,
		linkBase:  opts.LinkBase,
		workspace: ws,
		close:     env.Close,
	}, nil
}

// keyring reads APPLICATION_ENCRYPTION_KEYS, or makes up a key for an
// offline run.
func keyring(makeUp bool) (*entra.Keyring, error) {
	if os.Getenv(entra.EnvEncryptionKeys) != "" || !makeUp {
		return entra.KeyringFromEnv()
	}
	return entra.NewKeyring(randomHex(32))
}

// realWorld connects the user to Microsoft Entra ID in the browser and
// targets the public cloud.
func realWorld(ctx context.Context, c *config, w io.Writer) (*world, error) {
	if c.workspace == "" {
		return nil, errors.New("with real settings, pass -workspace ID")
	}
	keys, err := keyring(false)
	if err != nil {
		return nil, err
	}
	done := make(chan *entra.CallbackResult, 1)
	conn, err := entra.NewConnector(&entra.ConnectorOptions{
		Keyring: keys, RedirectURL: callback,
		Identify: func(*http.Request) (string, string, error) { return org, user, nil },
		Finish: func(rw http.ResponseWriter, r *http.Request, res *entra.CallbackResult) {
			if res.Err != nil {
				http.Error(rw, res.Err.Error(), http.StatusBadGateway)
			} else {
				fmt.Fprintln(rw, "Connected. You can close this tab.")
			}
			done <- res
		},
	})
	if err != nil {
		return nil, err
	}
	err = conn.SaveSettings(ctx, org, entra.Settings{Kind: entra.AppCustom,
		TenantID: os.Getenv("PBIPUBLISH_TENANT_ID"), ClientID: os.Getenv("PBIPUBLISH_CLIENT_ID"),
		ClientSecret: os.Getenv("PBIPUBLISH_CLIENT_SECRET")})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "localhost:8400")
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle(entra.CallbackPath, conn.CallbackHandler())
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	defer srv.Close()

	u, err := conn.Start(ctx, org, user, nil)
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(w, "Sign in and consent in the browser; if it does not open, visit:")
	fmt.Fprintln(w, " ", u)
	openBrowser(u)
	select {
	case res := <-done:
		if res.Err != nil {
			return nil, res.Err
		}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	retry := azcore.ClientOptions{Retry: policy.RetryOptions{MaxRetries: 5}}
	return &world{
		conn:      conn,
		fabric:    &fabric.ClientOptions{ClientOptions: retry},
		powerbi:   &powerbi.ClientOptions{ClientOptions: retry},
		workspace: c.workspace,
		close:     func() {},
	}, nil
}

func openBrowser(u string) {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", u)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", u)
	default:
		cmd = exec.Command("xdg-open", u)
	}
	cmd.Start()
}
