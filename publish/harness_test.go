package publish_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/pbipublish/pbipublish/entra"
	"github.com/pbipublish/pbipublish/entra/entratest"
	"github.com/pbipublish/pbipublish/fabric"
	"github.com/pbipublish/pbipublish/fabric/fabrictest"
	"github.com/pbipublish/pbipublish/odcs"
	"github.com/pbipublish/pbipublish/powerbi"
	"github.com/pbipublish/pbipublish/publish"
)

// Identities of the tests.
const (
	org          = "acme"
	aliceUser    = "u-alice" // the host's user id
	aliceOID     = "aaaaaaaa-0000-4000-8000-000000000001"
	aliceUPN     = "alice@acme.example"
	clientID     = "11111111-2222-3333-4444-555555555555"
	clientSecret = "app-secret~Value.0123456789abcdef"
	redirectURL  = "https://portal.example.com/powerbi/callback"
	testKey      = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

	snowflakePath  = "acme-analytics.snowflakecomputing.com;REPORTING_WH"
	databricksPath = "adb-1234567890123456.7.azuredatabricks.net;/sql/1.0/warehouses/8f3c2a1b9d4e5f60"
)

// clock is a settable clock shared by the emulators and the Connector.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// syncBuffer collects log output from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// env is the whole world of a test: fake Entra, the Fabric and Power BI
// emulator, a Connector with connected users, and a Publisher.
type env struct {
	entra *entratest.Server
	fab   *fabrictest.Server
	conn  *entra.Connector
	clock *clock
	logs  *syncBuffer
	cat   publish.Catalog
	jobs  publish.JobStore
	pub   publish.Publisher
	ws    string // the workspace alice is Contributor of
	opts  publish.Options
}

type envOptions struct {
	fabric   *fabrictest.Options
	users    int                                // extra users u-1 … u-n; default none
	tokenTTL time.Duration                      // access token lifetime; default 1 hour
	tweak    func(o *publish.Options)           // changes to the Publisher's options
	catalog  func(t testing.TB) publish.Catalog // default memory
}

// userOID is the Entra object id of extra user i.
func userOID(i int) string { return fmt.Sprintf("cccccccc-0000-4000-8000-%012d", i) }

func newEnv(t testing.TB, o *envOptions) *env {
	t.Helper()
	if o == nil {
		o = &envOptions{}
	}
	clk := &clock{now: time.Now()}
	if o.tokenTTL == 0 {
		// Shorter than MSAL's own five-minute margin, so that MSAL never
		// serves a token from its cache by the real clock: every token
		// the Connector needs after the fake clock moved is a refresh.
		o.tokenTTL = 4 * time.Minute
	}
	users := []entratest.User{{OID: aliceOID, UPN: aliceUPN, Name: "Alice"}}
	for i := 1; i <= o.users; i++ {
		users = append(users, entratest.User{OID: userOID(i), UPN: fmt.Sprintf("user%d@acme.example", i), Name: fmt.Sprintf("User %d", i)})
	}
	es := entratest.NewServer(&entratest.Options{
		Users:               users,
		Apps:                []entratest.App{{ClientID: clientID, Secret: clientSecret, DisplayName: "Publisher", RedirectURIs: []string{redirectURL}}},
		AccessTokenLifetime: o.tokenTTL,
		Now:                 clk.Now,
	})
	t.Cleanup(es.Close)

	fo := fabrictest.Options{}
	if o.fabric != nil {
		fo = *o.fabric
	}
	if fo.Now == nil {
		fo.Now = clk.Now
	}
	if fo.RetryAfter == 0 {
		fo.RetryAfter = time.Millisecond
	}
	fs := fabrictest.NewServer(&fo)
	t.Cleanup(fs.Close)

	kr, err := entra.NewKeyring(testKey)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	c, err := entra.NewConnector(&entra.ConnectorOptions{
		Keyring: kr, RedirectURL: redirectURL,
		AuthorityHost: es.URL(), GraphEndpoint: es.URL(), HTTPClient: es.Client(),
		Now:           clk.Now,
		RefreshMargin: time.Minute,
		Logger:        slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := c.SaveSettings(ctx, org, entra.Settings{Kind: entra.AppCustom, TenantID: es.TenantID(), ClientID: clientID, ClientSecret: clientSecret}); err != nil {
		t.Fatal(err)
	}
	connect := func(user, oid string) {
		es.SignIn(oid)
		u, err := c.Start(ctx, org, user, nil)
		if err != nil {
			t.Fatalf("Start(%s): %v", user, err)
		}
		back, err := es.Authorize(u)
		if err != nil {
			t.Fatalf("Authorize(%s): %v", user, err)
		}
		if _, err := c.Callback(ctx, org, user, back.Query()); err != nil {
			t.Fatalf("Callback(%s): %v", user, err)
		}
	}
	connect(aliceUser, aliceOID)
	roles := map[string]fabrictest.Role{aliceOID: fabrictest.Contributor}
	for i := 1; i <= o.users; i++ {
		connect(fmt.Sprintf("u-%d", i), userOID(i))
		roles[userOID(i)] = fabrictest.Member
	}
	ws := fs.AddWorkspace("Sales analytics", roles)

	// Many jobs call one host at once: keep enough idle connections that
	// they are reused rather than handshaken again (net/http keeps 2 per
	// host by default).
	tr := fs.Client().Transport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 256
	az := azcore.ClientOptions{Transport: &http.Client{Transport: tr}, Retry: policy.RetryOptions{
		MaxRetries: 6, RetryDelay: time.Millisecond, MaxRetryDelay: 20 * time.Millisecond}}
	cat := publish.NewMemoryCatalog()
	if o.catalog != nil {
		cat = o.catalog(t)
	}
	jobs := publish.NewMemoryJobStore()
	opts := publish.Options{
		Credentials:    c,
		Fabric:         &fabric.ClientOptions{ClientOptions: az, Endpoint: fs.FabricEndpoint()},
		PowerBI:        &powerbi.ClientOptions{ClientOptions: az, Endpoint: fs.PowerBIEndpoint()},
		Jobs:           jobs,
		Catalog:        cat,
		Logger:         slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		DataSourceWait: 150 * time.Millisecond,
		ModelWait:      150 * time.Millisecond,
		PollInterval:   5 * time.Millisecond,
		LinkBase:       "https://powerbi.test",
	}
	if o.tweak != nil {
		o.tweak(&opts)
	}
	pub, err := publish.New(&opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		pub.Close(ctx)
	})
	return &env{entra: es, fab: fs, conn: c, clock: clk, logs: logs, cat: cat, jobs: jobs, pub: pub, ws: ws, opts: opts}
}

// contract parses the sample contract.
func contract(t testing.TB) *odcs.Contract {
	t.Helper()
	c, err := odcs.ParseFile(filepath.Join("testdata", "orders.odcs.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// port is the sample's output port in the catalog.
var port = publish.OutputPort{DataProduct: "sales", Port: "orders"}

// request is a publish of the sample contract's server with a new
// connection using cred.
func (e *env) request(t testing.TB, server string, mode publish.Mode, cred fabric.Credential) *publish.Request {
	return &publish.Request{
		Contract: contract(t), Source: port, Server: server, WorkspaceID: e.ws, Mode: mode,
		NewConnection: &publish.NewConnection{Credential: cred},
	}
}

// publish runs a request to its end.
func (e *env) publish(t testing.TB, user string, req *publish.Request) (*publish.Job, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	j, err := e.pub.Publish(ctx, org, user, req)
	if err != nil {
		t.Fatalf("Publish = %v", err)
	}
	return e.pub.Wait(ctx, j.ID)
}

// models returns the workspace's models by name.
func (e *env) models() map[string]fabrictest.ItemState {
	out := map[string]fabrictest.ItemState{}
	for _, it := range e.fab.State().Items {
		if it.WorkspaceID == e.ws {
			out[it.DisplayName] = it
		}
	}
	return out
}

// connections returns the emulator's connections.
func (e *env) connections() []fabrictest.ConnectionState { return e.fab.State().Connections }

// requests counts recorded requests by "METHOD path-pattern".
func (e *env) requests() []string {
	var out []string
	for _, r := range e.fab.Requests() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}
