package entra_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pbipublish/pbipublish/entra"
	"github.com/pbipublish/pbipublish/entra/entratest"
)

// Fixed identities for the tests.
const (
	testOrg      = "org-1"
	testUser     = "user-1"
	otherUser    = "user-2"
	clientID     = "11111111-2222-3333-4444-555555555555"
	clientSecret = "s3cr3t~Value.With-Chars_0123456789abcdef"
	aliceOID     = "aaaaaaaa-0000-0000-0000-000000000001"
	bobOID       = "bbbbbbbb-0000-0000-0000-000000000002"
	redirectURL  = "https://portal.example.com/powerbi/callback"
	testKeyA     = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	testKeyB     = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff00112233445566778899aabbccddeeff"
)

// fakeClock is a settable clock shared by the Connector and entratest.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
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

type harness struct {
	srv   *entratest.Server
	c     *entra.Connector
	store entra.Store
	clock *fakeClock
	logs  *syncBuffer
	kr    *entra.Keyring
}

type harnessOptions struct {
	store    entra.Store
	keys     string
	lifetime time.Duration // access tokens; default 4 minutes
	margin   time.Duration // refresh margin; default 1 minute
}

// newHarness starts entratest with two users and one app, and a
// Connector configured for the organization's custom app.
//
// Access tokens live 4 minutes by default: MSAL (which reads the real
// clock) then never serves them from its own cache, so each silent call
// the Connector makes is a real refresh the server counts, while the
// Connector's own cache follows the fake clock with a 1 minute margin.
func newHarness(t testing.TB, o *harnessOptions) *harness {
	t.Helper()
	if o == nil {
		o = &harnessOptions{}
	}
	if o.lifetime == 0 {
		o.lifetime = 4 * time.Minute
	}
	if o.margin == 0 {
		o.margin = time.Minute
	}
	if o.keys == "" {
		o.keys = testKeyA
	}
	if o.store == nil {
		o.store = entra.NewMemoryStore()
	}
	clock := &fakeClock{now: time.Now()}
	srv := entratest.NewServer(&entratest.Options{
		Users: []entratest.User{
			{OID: aliceOID, UPN: "alice@example.com", Name: "Alice"},
			{OID: bobOID, UPN: "bob@example.com", Name: "Bob"},
		},
		Apps: []entratest.App{{
			ClientID: clientID, Secret: clientSecret, DisplayName: "pbipublish test",
			RedirectURIs: []string{redirectURL},
		}},
		AccessTokenLifetime: o.lifetime,
		Now:                 clock.Now,
	})
	t.Cleanup(srv.Close)
	srv.SignIn(aliceOID)
	kr, err := entra.NewKeyring(o.keys)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	c, err := entra.NewConnector(&entra.ConnectorOptions{
		Keyring:       kr,
		RedirectURL:   redirectURL,
		Store:         o.store,
		AuthorityHost: srv.URL(),
		GraphEndpoint: srv.URL(),
		HTTPClient:    srv.Client(),
		Now:           clock.Now,
		Logger:        slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		RefreshMargin: o.margin,
		Identify: func(r *http.Request) (string, string, error) {
			if r.Header.Get("X-User") == "" {
				return "", "", errors.New("no session")
			}
			return r.Header.Get("X-Org"), r.Header.Get("X-User"), nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	err = c.SaveSettings(context.Background(), testOrg, entra.Settings{
		Kind: entra.AppCustom, TenantID: srv.TenantID(), ClientID: clientID, ClientSecret: clientSecret,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &harness{srv: srv, c: c, store: o.store, clock: clock, logs: logs, kr: kr}
}

// authorize starts a connect for user and plays the browser at the
// authority, returning the callback query.
func (h *harness) authorize(t testing.TB, user string, opts *entra.StartOptions) url.Values {
	t.Helper()
	u, err := h.c.Start(context.Background(), testOrg, user, opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	loc, err := h.srv.Authorize(u)
	if err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	if !strings.HasPrefix(loc.String(), redirectURL) {
		t.Fatalf("redirect = %s, want the callback", loc)
	}
	return loc.Query()
}

// connect runs the whole connect for user.
func (h *harness) connect(t testing.TB, user string) *entra.Connection {
	t.Helper()
	q := h.authorize(t, user, nil)
	conn, err := h.c.Callback(context.Background(), testOrg, user, q)
	if err != nil {
		t.Fatalf("Callback: %v", err)
	}
	return conn
}
