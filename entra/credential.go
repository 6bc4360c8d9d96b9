package entra

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
)

type tokenKey struct {
	org, user string
	res       Resource
}

type cachedToken struct {
	token   string
	expires time.Time
}

// Credential returns the user's delegated credential for one resource
// ([PowerBI] or [Fabric]). Its GetToken serves a cached access token
// until RefreshMargin before expiry, then refreshes silently through
// MSAL with the stored refresh token and stores the rotated cache.
// Concurrent refreshes for one user and resource are collapsed into
// one. Errors match ErrNotConnected, ErrReconnectRequired,
// ErrAppMisconfigured or ErrNotConfigured (errors.Is).
//
// The credential is cheap; get one per client. It is safe for
// concurrent use.
func (c *Connector) Credential(org, user string, res Resource) azcore.TokenCredential {
	return &userCredential{c: c, key: tokenKey{org, user, res}}
}

type userCredential struct {
	c   *Connector
	key tokenKey
}

// GetToken implements azcore.TokenCredential. Requested scopes must
// belong to the credential's resource (".default" included); the token
// carries the scopes the user consented to.
func (u *userCredential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if err := u.key.res.valid(); err != nil {
		return azcore.AccessToken{}, err
	}
	for _, s := range opts.Scopes {
		if !u.key.res.covers(s) {
			return azcore.AccessToken{}, fmt.Errorf("entra: credential for %s cannot serve scope %q; ask for one resource per credential", u.key.res, s)
		}
	}
	if t, ok := u.c.cached(u.key); ok {
		return t, nil
	}
	return u.c.flight.do(ctx, u.key, func(ctx context.Context) (azcore.AccessToken, error) {
		if t, ok := u.c.cached(u.key); ok {
			return t, nil
		}
		return u.c.refresh(ctx, u.key)
	})
}

// expiry moves MSAL's expiry time, which it computes on the system
// clock, onto the Connector's clock: what counts is the lifetime left.
// With the default clock the two are the same.
func (c *Connector) expiry(msal time.Time) time.Time {
	return c.now().Add(time.Until(msal))
}

// cached returns a token that is not yet due for refresh.
func (c *Connector) cached(k tokenKey) (azcore.AccessToken, bool) {
	c.tokMu.Lock()
	t, ok := c.tokens[k]
	c.tokMu.Unlock()
	if !ok || !c.now().Before(t.expires.Add(-c.opts.RefreshMargin)) {
		return azcore.AccessToken{}, false
	}
	return c.accessToken(t), true
}

func (c *Connector) accessToken(t cachedToken) azcore.AccessToken {
	return azcore.AccessToken{Token: t.token, ExpiresOn: t.expires, RefreshOn: t.expires.Add(-c.opts.RefreshMargin)}
}

func (c *Connector) generation(org, user string) uint64 {
	c.tokMu.Lock()
	defer c.tokMu.Unlock()
	return c.gen[userKey{org, user}]
}

// remember caches a token unless the user connected or disconnected
// since gen was read.
func (c *Connector) remember(k tokenKey, token string, expires time.Time, gen uint64) bool {
	c.tokMu.Lock()
	defer c.tokMu.Unlock()
	if c.gen[userKey{k.org, k.user}] != gen {
		return false
	}
	if len(c.tokens) >= pruneTokensAt {
		now := c.now()
		for key, t := range c.tokens {
			if !now.Before(t.expires) {
				delete(c.tokens, key)
			}
		}
	}
	c.tokens[k] = cachedToken{token: token, expires: expires}
	return true
}

// pruneTokensAt is the number of cached access tokens above which
// expired ones are dropped before another is added.
const pruneTokensAt = 4096

// refresh gets a token for k through MSAL from the user's stored cache
// and writes the cache back if MSAL changed it (a rotated refresh
// token) or if it was sealed under an older key.
func (c *Connector) refresh(ctx context.Context, k tokenKey) (azcore.AccessToken, error) {
	gen := c.generation(k.org, k.user)
	rec, err := c.store.Get(ctx, k.org, k.user)
	if errors.Is(err, ErrNotFound) {
		return azcore.AccessToken{}, ErrNotConnected
	}
	if err != nil {
		return azcore.AccessToken{}, fmt.Errorf("entra: cannot read stored tokens: %w", err)
	}
	blob, err := c.keyring.Open(PurposeTokenCache, k.org, k.user, rec.Sealed)
	if err != nil {
		c.log.Error("entra: stored tokens cannot be opened", "org", k.org, "user", k.user, "key_id", RecordKeyID(rec.Sealed))
		return azcore.AccessToken{}, fmt.Errorf("entra: stored tokens cannot be opened (%w): %w", err, ErrReconnectRequired)
	}
	app, err := c.appCredentials(ctx, k.org)
	if err != nil {
		return azcore.AccessToken{}, err
	}
	acc := &cacheAccessor{data: blob}
	client, err := c.newMSALClient(app, acc)
	if err != nil {
		return azcore.AccessToken{}, fmt.Errorf("entra: cannot build client: %w", err)
	}
	account, err := client.Account(ctx, rec.HomeAccountID)
	if err != nil {
		return azcore.AccessToken{}, mapMSALError("refresh", err)
	}
	if account.IsZero() {
		return azcore.AccessToken{}, fmt.Errorf("entra: stored tokens hold no account: %w", ErrReconnectRequired)
	}
	res, err := client.AcquireTokenSilent(ctx, k.res.Scopes(), confidential.WithSilentAccount(account))
	if err != nil {
		err = mapMSALError("refresh", err)
		c.logError("entra: refresh failed", k.org, k.user, err)
		return azcore.AccessToken{}, err
	}
	if data, changed := acc.snapshot(); changed || c.keyring.NeedsReseal(rec.Sealed) {
		if err := c.writeBack(ctx, rec, data); err != nil {
			return azcore.AccessToken{}, err
		}
	}
	expires := c.expiry(res.ExpiresOn)
	if !c.remember(k, res.AccessToken, expires, gen) {
		return azcore.AccessToken{}, ErrNotConnected
	}
	c.log.Debug("entra: token acquired", "org", k.org, "user", k.user, "resource", string(k.res), "from_cache", res.Metadata.TokenSource == confidential.TokenSourceCache)
	return c.accessToken(cachedToken{token: res.AccessToken, expires: expires}), nil
}

// writeBack seals data under the primary key and stores it if the
// record is still the one read. A record deleted meanwhile (the user
// disconnected) is not resurrected; one replaced meanwhile (a newer
// connect or refresh) is kept.
func (c *Connector) writeBack(ctx context.Context, rec *Record, data []byte) error {
	sealed, err := c.keyring.Seal(PurposeTokenCache, rec.Org, rec.User, data)
	if err != nil {
		return err
	}
	next := *rec
	next.Sealed = sealed
	next.UpdatedAt = c.now().UTC()
	_, err = c.store.Put(ctx, &next, rec.Version)
	if errors.Is(err, ErrConflict) {
		if _, gerr := c.store.Get(ctx, rec.Org, rec.User); errors.Is(gerr, ErrNotFound) {
			return ErrNotConnected
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("entra: cannot store refreshed tokens: %w", err)
	}
	return nil
}

// flightGroup collapses concurrent calls with the same key into one.
// The shared call runs detached from any one caller's cancellation
// (bounded by a timeout); each caller stops waiting when its own
// context is done.
type flightGroup struct {
	mu    sync.Mutex
	calls map[tokenKey]*flightCall
}

type flightCall struct {
	done chan struct{}
	val  azcore.AccessToken
	err  error
}

const flightTimeout = time.Minute

func (g *flightGroup) do(ctx context.Context, k tokenKey, fn func(context.Context) (azcore.AccessToken, error)) (azcore.AccessToken, error) {
	g.mu.Lock()
	if g.calls == nil {
		g.calls = map[tokenKey]*flightCall{}
	}
	call, ok := g.calls[k]
	if !ok {
		call = &flightCall{done: make(chan struct{})}
		g.calls[k] = call
		shared, cancel := context.WithTimeout(context.WithoutCancel(ctx), flightTimeout)
		go func() {
			defer cancel()
			call.val, call.err = fn(shared)
			g.mu.Lock()
			delete(g.calls, k)
			g.mu.Unlock()
			close(call.done)
		}()
	}
	g.mu.Unlock()
	select {
	case <-call.done:
		return call.val, call.err
	case <-ctx.Done():
		return azcore.AccessToken{}, ctx.Err()
	}
}
