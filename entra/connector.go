package entra

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// ConnectorOptions configure a [Connector]. Keyring and RedirectURL are
// required; every other field's zero value means the documented
// default.
type ConnectorOptions struct {
	// Keyring seals token caches and client secrets. Required: there
	// is no unencrypted mode. See [KeyringFromEnv].
	Keyring *Keyring

	// RedirectURL is the absolute URL of the callback as registered on
	// the application, e.g. https://portal.example.com/powerbi/callback
	// (see [CallbackPath]). Required.
	RedirectURL string

	// Store keeps users' token records. Default: a new [MemoryStore].
	Store Store

	// Settings keeps organizations' application settings. Default:
	// Store, if it also implements [SettingsStore]; otherwise a new
	// [MemoryStore].
	Settings SettingsStore

	// SSO is the host's single sign-on application, used by
	// organizations whose settings choose [AppSSO]. Default: none, and
	// choosing AppSSO fails.
	SSO *AppCredentials

	// AuthorityHost is the Entra authority, without tenant. Default:
	// [DefaultAuthorityHost]. Tests point it at an entratest server.
	AuthorityHost string

	// GraphEndpoint is Microsoft Graph's base URL, used by
	// TestConnection. Default: https://graph.microsoft.com.
	GraphEndpoint string

	// HTTPClient sends every request to the authority and Graph.
	// Default: http.DefaultClient.
	HTTPClient *http.Client

	// Now is the clock for state expiry, token freshness and record
	// times; the ExpiresOn of tokens handed out is on this clock (the
	// lifetime MSAL reports, counted from Now). Default: time.Now.
	Now func() time.Time

	// Logger receives settings, connect, refresh and disconnect events
	// with stable keys (org, user, resource, aadsts, oauth_error,
	// action, trace_id, correlation_id). It never receives tokens,
	// codes, verifiers or secrets. Default: discard.
	Logger *slog.Logger

	// StateLifetime bounds the time between Start and Callback.
	// Default: 10 minutes.
	StateLifetime time.Duration

	// RefreshMargin is how long before expiry an access token is
	// refreshed. Default: 5 minutes (MSAL's own margin).
	RefreshMargin time.Duration

	// Identify tells the callback handler which organization and user
	// a request comes from (from the host's session). Required by
	// [Connector.CallbackHandler].
	Identify func(r *http.Request) (org, user string, err error)

	// Finish answers the browser after the callback handler ran: res
	// holds the connection or the error and where Start asked to
	// return. Default: on success a 303 redirect to res.ReturnTo; on
	// failure a plain-text page with the error and status 400 (bad
	// state) or 502 (the authority refused).
	Finish func(w http.ResponseWriter, r *http.Request, res *CallbackResult)
}

// Connector connects users of organizations to Power BI with delegated
// tokens: it keeps the organizations' application settings, runs the
// authorization code flow with PKCE, stores each user's token cache
// sealed, and hands out [azcore.TokenCredential] values that refresh
// silently.
//
// A Connector is safe for concurrent use. Pending sign-ins (state and
// PKCE verifier) are kept in memory, so the callback must reach the
// process that started the flow. Create one with [NewConnector].
type Connector struct {
	opts          ConnectorOptions
	keyring       *Keyring
	store         Store
	settings      SettingsStore
	authorityHost string
	graph         string
	http          *discoveryClient
	httpClient    *http.Client
	now           func() time.Time
	log           *slog.Logger

	stateMu sync.Mutex
	states  map[string]*pending

	tokMu  sync.Mutex
	tokens map[tokenKey]cachedToken
	gen    map[userKey]uint64 // bumped on connect and disconnect
	flight flightGroup
}

// NewConnector checks opts and returns a Connector.
func NewConnector(opts *ConnectorOptions) (*Connector, error) {
	if opts == nil {
		return nil, errors.New("entra: connector options are required")
	}
	o := *opts
	if o.Keyring == nil || len(o.Keyring.keys) == 0 {
		return nil, errors.New("entra: connector needs a keyring (see KeyringFromEnv)")
	}
	u, err := url.Parse(o.RedirectURL)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return nil, errors.New("entra: redirect URL must be absolute, e.g. https://host" + CallbackPath)
	}
	if u.Scheme != "https" && !isLoopback(u.Hostname()) {
		return nil, errors.New("entra: redirect URL must use https (only localhost may use http)")
	}
	if o.Store == nil {
		o.Store = NewMemoryStore()
	}
	if o.Settings == nil {
		if ss, ok := o.Store.(SettingsStore); ok {
			o.Settings = ss
		} else {
			o.Settings = NewMemoryStore()
		}
	}
	if o.AuthorityHost == "" {
		o.AuthorityHost = DefaultAuthorityHost
	}
	o.AuthorityHost = strings.TrimSuffix(o.AuthorityHost, "/")
	if !strings.HasPrefix(o.AuthorityHost, "https://") {
		return nil, errors.New("entra: authority host must use https")
	}
	if o.GraphEndpoint == "" {
		o.GraphEndpoint = "https://graph.microsoft.com"
	}
	o.GraphEndpoint = strings.TrimSuffix(o.GraphEndpoint, "/")
	if o.HTTPClient == nil {
		o.HTTPClient = http.DefaultClient
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.StateLifetime <= 0 {
		o.StateLifetime = 10 * time.Minute
	}
	if o.RefreshMargin <= 0 {
		o.RefreshMargin = 5 * time.Minute
	}
	if o.SSO != nil {
		if err := o.SSO.Validate(); err != nil {
			return nil, fmt.Errorf("entra: SSO application: %w", err)
		}
	}
	return &Connector{
		opts:          o,
		keyring:       o.Keyring,
		store:         o.Store,
		settings:      o.Settings,
		authorityHost: o.AuthorityHost,
		graph:         o.GraphEndpoint,
		http:          &discoveryClient{inner: o.HTTPClient, ttl: time.Hour, entries: map[string]discoveryEntry{}},
		httpClient:    o.HTTPClient,
		now:           o.Now,
		log:           o.Logger,
		states:        map[string]*pending{},
		tokens:        map[tokenKey]cachedToken{},
		gen:           map[userKey]uint64{},
	}, nil
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// SaveSettings stores an organization's application settings. For
// [AppCustom] an empty ClientSecret keeps the stored secret. The secret
// is sealed before it reaches the store.
func (c *Connector) SaveSettings(ctx context.Context, org string, s Settings) error {
	if org == "" {
		return errors.New("entra: organization is required")
	}
	rec := &SettingsRecord{Org: org, Kind: s.Kind, UpdatedAt: c.now().UTC()}
	switch s.Kind {
	case AppSSO:
		if c.opts.SSO == nil {
			return errors.New("entra: this host offers no single sign-on application")
		}
	case AppCustom:
		rec.TenantID = strings.TrimSpace(s.TenantID)
		rec.ClientID = strings.TrimSpace(s.ClientID)
		secret := s.ClientSecret
		if secret == "" {
			old, err := c.settings.GetSettings(ctx, org)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			if old != nil && old.Kind == AppCustom && len(old.SealedSecret) > 0 {
				plain, err := c.keyring.Open(PurposeClientSecret, org, "", old.SealedSecret)
				if err != nil {
					return fmt.Errorf("entra: stored client secret cannot be opened, enter it again: %w", err)
				}
				secret = string(plain)
			}
		}
		if err := (AppCredentials{rec.TenantID, rec.ClientID, secret}).Validate(); err != nil {
			return err
		}
		sealed, err := c.keyring.Seal(PurposeClientSecret, org, "", []byte(secret))
		if err != nil {
			return err
		}
		rec.SealedSecret = sealed
	default:
		return errors.New("entra: settings kind must be AppSSO or AppCustom")
	}
	if err := c.settings.PutSettings(ctx, rec); err != nil {
		return fmt.Errorf("entra: cannot save settings: %w", err)
	}
	c.log.Info("entra: settings saved", "org", org, "kind", rec.Kind.String())
	return nil
}

// Settings reads an organization's settings back: whether a secret is
// set, never its value. It returns ErrNotConfigured when there are none.
func (c *Connector) Settings(ctx context.Context, org string) (SettingsInfo, error) {
	rec, err := c.settings.GetSettings(ctx, org)
	if errors.Is(err, ErrNotFound) {
		return SettingsInfo{}, ErrNotConfigured
	}
	if err != nil {
		return SettingsInfo{}, err
	}
	info := SettingsInfo{Kind: rec.Kind, TenantID: rec.TenantID, ClientID: rec.ClientID, SecretSet: len(rec.SealedSecret) > 0, UpdatedAt: rec.UpdatedAt}
	if rec.Kind == AppSSO && c.opts.SSO != nil {
		info.TenantID, info.ClientID, info.SecretSet = c.opts.SSO.TenantID, c.opts.SSO.ClientID, c.opts.SSO.ClientSecret != ""
	}
	return info, nil
}

// appCredentials resolves the application an organization signs in with.
func (c *Connector) appCredentials(ctx context.Context, org string) (AppCredentials, error) {
	rec, err := c.settings.GetSettings(ctx, org)
	if errors.Is(err, ErrNotFound) {
		return AppCredentials{}, ErrNotConfigured
	}
	if err != nil {
		return AppCredentials{}, err
	}
	switch rec.Kind {
	case AppSSO:
		if c.opts.SSO == nil {
			return AppCredentials{}, fmt.Errorf("entra: organization chose the SSO application, which this host does not offer: %w", ErrAppMisconfigured)
		}
		return *c.opts.SSO, nil
	case AppCustom:
		plain, err := c.keyring.Open(PurposeClientSecret, org, "", rec.SealedSecret)
		if err != nil {
			return AppCredentials{}, fmt.Errorf("entra: stored client secret cannot be opened (%w): %w", err, ErrAppMisconfigured)
		}
		return AppCredentials{TenantID: rec.TenantID, ClientID: rec.ClientID, ClientSecret: string(plain)}, nil
	}
	return AppCredentials{}, ErrNotConfigured
}

// Connection describes a user's connection for a profile page.
type Connection struct {
	Org           string
	User          string
	Username      string // the Entra account's user principal name
	HomeAccountID string
	Scopes        []string
	ConnectedAt   time.Time
	UpdatedAt     time.Time
}

func connectionOf(r *Record) Connection {
	return Connection{
		Org: r.Org, User: r.User, Username: r.Username, HomeAccountID: r.HomeAccountID,
		Scopes: r.Scopes, ConnectedAt: r.ConnectedAt, UpdatedAt: r.UpdatedAt,
	}
}

// Connections lists the user's connections: none, or the one Power BI
// connection (whose tokens serve both Power BI and Fabric).
func (c *Connector) Connections(ctx context.Context, org, user string) ([]Connection, error) {
	rec, err := c.store.Get(ctx, org, user)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("entra: cannot read connection: %w", err)
	}
	return []Connection{connectionOf(rec)}, nil
}

// Disconnect deletes the user's stored tokens and forgets cached access
// tokens. Entra has no endpoint to revoke one application's refresh
// token, so deleting it is the disconnect. Disconnecting a user who is
// not connected is not an error.
func (c *Connector) Disconnect(ctx context.Context, org, user string) error {
	c.forget(org, user)
	err := c.store.Delete(ctx, org, user)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("entra: cannot disconnect: %w", err)
	}
	c.forget(org, user)
	c.log.Info("entra: disconnected", "org", org, "user", user)
	return nil
}

// forget drops the user's cached access tokens and makes refreshes in
// flight discard theirs.
func (c *Connector) forget(org, user string) {
	c.tokMu.Lock()
	defer c.tokMu.Unlock()
	c.gen[userKey{org, user}]++
	for k := range c.tokens {
		if k.org == org && k.user == user {
			delete(c.tokens, k)
		}
	}
}
