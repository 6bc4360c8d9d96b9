package entra

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
)

// DefaultAuthorityHost is Microsoft Entra ID's public cloud.
const DefaultAuthorityHost = "https://login.microsoftonline.com"

// cacheAccessor hands MSAL one user's cache blob for the length of one
// operation. It ignores MSAL's partition hints (they are not stable
// between calls) because the accessor itself is bound to one user, and
// it gives MSAL an empty cache when the user has none, so that nothing
// from another user can reach this user's blob.
type cacheAccessor struct {
	mu      sync.Mutex
	data    []byte
	changed bool
}

func (a *cacheAccessor) Replace(ctx context.Context, u cache.Unmarshaler, _ cache.ReplaceHints) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.data) == 0 {
		return u.Unmarshal([]byte("{}"))
	}
	return u.Unmarshal(a.data)
}

func (a *cacheAccessor) Export(ctx context.Context, m cache.Marshaler, _ cache.ExportHints) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b, err := m.Marshal()
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if !bytes.Equal(a.data, b) {
		a.data = b
		a.changed = true
	}
	return nil
}

func (a *cacheAccessor) snapshot() ([]byte, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.data, a.changed
}

// newMSALClient builds a confidential client for one operation on one
// user's cache.
func (c *Connector) newMSALClient(app AppCredentials, acc *cacheAccessor) (confidential.Client, error) {
	cred, err := confidential.NewCredFromSecret(app.ClientSecret)
	if err != nil {
		return confidential.Client{}, err
	}
	opts := []confidential.Option{
		confidential.WithCache(acc),
		confidential.WithHTTPClient(c.http),
	}
	if c.authorityHost != DefaultAuthorityHost {
		// A private or fake authority: MSAL must not ask
		// login.microsoftonline.com to validate it.
		opts = append(opts, confidential.WithInstanceDiscovery(false))
	}
	return confidential.New(c.authorityHost+"/"+app.TenantID, app.ClientID, cred, opts...)
}

// discoveryClient caches the authority's discovery documents: MSAL
// fetches them for every new client, and this package makes a client
// per operation. Only successful GETs of the OpenID configuration and
// instance discovery are cached; everything else passes through.
type discoveryClient struct {
	inner *http.Client
	ttl   time.Duration

	mu      sync.Mutex
	entries map[string]discoveryEntry
}

type discoveryEntry struct {
	header  http.Header
	body    []byte
	expires time.Time
}

func cacheable(r *http.Request) bool {
	return r.Method == http.MethodGet &&
		(strings.HasSuffix(r.URL.Path, "/.well-known/openid-configuration") ||
			strings.HasSuffix(r.URL.Path, "/common/discovery/instance"))
}

func (d *discoveryClient) Do(r *http.Request) (*http.Response, error) {
	if !cacheable(r) {
		return d.inner.Do(r)
	}
	key := r.URL.String()
	d.mu.Lock()
	e, ok := d.entries[key]
	d.mu.Unlock()
	if ok && time.Now().Before(e.expires) {
		return &http.Response{
			Status:        "200 OK",
			StatusCode:    http.StatusOK,
			Proto:         "HTTP/1.1",
			ProtoMajor:    1,
			ProtoMinor:    1,
			Header:        e.header.Clone(),
			Body:          io.NopCloser(bytes.NewReader(e.body)),
			ContentLength: int64(len(e.body)),
			Request:       r,
		}, nil
	}
	resp, err := d.inner.Do(r)
	if err != nil || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	d.mu.Lock()
	d.entries[key] = discoveryEntry{header: resp.Header.Clone(), body: body, expires: time.Now().Add(d.ttl)}
	d.mu.Unlock()
	return resp, nil
}

func (d *discoveryClient) CloseIdleConnections() { d.inner.CloseIdleConnections() }
