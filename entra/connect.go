package entra

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/confidential"
)

// Callback refusals: a state the Connector did not issue (or has
// forgotten), one past its lifetime, one already used, or one issued to
// another user or organization. All match ErrStateInvalid as well.
var (
	ErrStateInvalid  = errors.New("entra: sign-in state is invalid")
	ErrStateUnknown  = &StateError{Reason: "unknown"}
	ErrStateExpired  = &StateError{Reason: "expired"}
	ErrStateUsed     = &StateError{Reason: "already used"}
	ErrStateMismatch = &StateError{Reason: "issued to another user"}
)

// StateError is a refused callback state. Compare with the ErrState
// values using errors.Is.
type StateError struct{ Reason string }

func (e *StateError) Error() string { return "entra: sign-in state " + e.Reason + "; start again" }

// Is makes every StateError match ErrStateInvalid.
func (e *StateError) Is(target error) bool { return target == ErrStateInvalid }

// maxPending bounds the sign-ins kept in memory between Start and
// Callback, so that a flood of Start calls cannot exhaust memory.
const maxPending = 100_000

// pending is one started sign-in.
type pending struct {
	org, user string
	verifier  string
	returnTo  string
	expires   time.Time
	used      bool
}

// StartOptions adjust [Connector.Start]. The zero value starts a first
// connect without a login hint that returns to "/".
type StartOptions struct {
	// Reconnect asks the user to consent again (prompt=consent).
	Reconnect bool
	// LoginHint pre-fills the account (a user principal name).
	LoginHint string
	// ReturnTo is the local path the callback handler sends the user
	// to afterwards. It must start with a single "/". Default: "/".
	ReturnTo string
}

// Start begins a user's connect: it returns the authorization URL to
// send the browser to. The URL carries a random single-use state bound
// to org and user and valid for StateLifetime, a PKCE S256 challenge,
// the Power BI scopes with offline_access, and prompt=consent when
// reconnecting.
func (c *Connector) Start(ctx context.Context, org, user string, opts *StartOptions) (string, error) {
	if org == "" || user == "" {
		return "", errors.New("entra: organization and user are required")
	}
	var o StartOptions
	if opts != nil {
		o = *opts
	}
	if o.ReturnTo == "" {
		o.ReturnTo = "/"
	}
	if !localPath(o.ReturnTo) {
		return "", errors.New("entra: return path must be a local path starting with a single /")
	}
	app, err := c.appCredentials(ctx, org)
	if err != nil {
		return "", err
	}
	client, err := c.newMSALClient(app, &cacheAccessor{})
	if err != nil {
		return "", fmt.Errorf("entra: cannot build client: %w", err)
	}
	scopes := append(PowerBI.Scopes(), "offline_access", "openid", "profile")
	var urlOpts []confidential.AuthCodeURLOption
	if o.LoginHint != "" {
		urlOpts = append(urlOpts, confidential.WithLoginHint(o.LoginHint))
	}
	raw, err := client.AuthCodeURL(ctx, app.ClientID, c.opts.RedirectURL, scopes, urlOpts...)
	if err != nil {
		return "", mapMSALError("build authorization URL", err)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("entra: cannot build authorization URL: %w", err)
	}
	state, verifier := randomToken(32), randomToken(32)
	sum := sha256.Sum256([]byte(verifier))
	q := u.Query()
	q.Set("state", state)
	q.Set("code_challenge", base64.RawURLEncoding.EncodeToString(sum[:]))
	q.Set("code_challenge_method", "S256")
	if o.Reconnect {
		q.Set("prompt", "consent")
	}
	u.RawQuery = q.Encode()

	now := c.now()
	c.stateMu.Lock()
	c.pruneStates(now)
	if len(c.states) >= maxPending {
		c.stateMu.Unlock()
		return "", errors.New("entra: too many sign-ins in progress; try again in a few minutes")
	}
	c.states[state] = &pending{org: org, user: user, verifier: verifier, returnTo: o.ReturnTo, expires: now.Add(c.opts.StateLifetime)}
	c.stateMu.Unlock()
	c.log.Info("entra: connect started", "org", org, "user", user, "reconnect", o.Reconnect)
	return u.String(), nil
}

// Reconnect is Start with consent asked again.
func (c *Connector) Reconnect(ctx context.Context, org, user string, opts *StartOptions) (string, error) {
	var o StartOptions
	if opts != nil {
		o = *opts
	}
	o.Reconnect = true
	return c.Start(ctx, org, user, &o)
}

// pruneStates forgets states that expired more than a lifetime ago
// (until then they answer "expired" or "already used", not "unknown").
// Callers hold stateMu.
func (c *Connector) pruneStates(now time.Time) {
	for k, p := range c.states {
		if now.Sub(p.expires) > c.opts.StateLifetime {
			delete(c.states, k)
		}
	}
}

func localPath(p string) bool {
	return strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") && !strings.HasPrefix(p, "/\\") && !strings.ContainsAny(p, "\r\n")
}

func randomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// takeState checks and consumes a callback's state.
func (c *Connector) takeState(org, user, state string) (*pending, error) {
	now := c.now()
	c.stateMu.Lock()
	defer c.stateMu.Unlock()
	p, ok := c.states[state]
	switch {
	case state == "" || !ok:
		return nil, ErrStateUnknown
	case p.used:
		return nil, ErrStateUsed
	case !now.Before(p.expires):
		p.used, p.verifier = true, ""
		return nil, ErrStateExpired
	case p.org != org || p.user != user:
		// A state presented by someone else is burnt: the flow it
		// belongs to may have leaked.
		p.used, p.verifier = true, ""
		return nil, ErrStateMismatch
	}
	taken := *p
	// The entry stays, to answer "already used", without its verifier.
	p.used, p.verifier = true, ""
	return &taken, nil
}

// Callback completes a connect with the query the authority redirected
// to the callback with. It refuses states that are unknown, expired,
// reused or another user's; turns an error answer into an [*AuthError];
// redeems the code with the PKCE verifier through MSAL; and stores the
// user's sealed token cache.
func (c *Connector) Callback(ctx context.Context, org, user string, query url.Values) (*Connection, error) {
	p, err := c.takeState(org, user, query.Get("state"))
	if err != nil {
		c.log.Warn("entra: callback refused", "org", org, "user", user, "reason", err.Error())
		return nil, err
	}
	if e := query.Get("error"); e != "" {
		ae := newAuthError("authorize", 0, oauthBody{Error: e, Description: query.Get("error_description")})
		if ae.Code == 0 {
			if n, err := strconv.Atoi(strings.Fields(query.Get("error_codes") + " 0")[0]); err == nil {
				ae.Code = n
				ae.Action = actionFor(n, e)
			}
		}
		c.logAuthError("entra: authorization refused", org, user, ae)
		return nil, ae
	}
	code := query.Get("code")
	if code == "" {
		return nil, errors.New("entra: callback carries neither a code nor an error")
	}
	app, err := c.appCredentials(ctx, org)
	if err != nil {
		return nil, err
	}
	acc := &cacheAccessor{} // a fresh cache: nothing of an earlier sign-in mixes in
	client, err := c.newMSALClient(app, acc)
	if err != nil {
		return nil, fmt.Errorf("entra: cannot build client: %w", err)
	}
	res, err := client.AcquireTokenByAuthCode(ctx, code, c.opts.RedirectURL, PowerBI.Scopes(), confidential.WithChallenge(p.verifier))
	if err != nil {
		err = mapMSALError("redeem code", err)
		c.logError("entra: code redemption failed", org, user, err)
		return nil, err
	}
	blob, _ := acc.snapshot()
	sealed, err := c.keyring.Seal(PurposeTokenCache, org, user, blob)
	if err != nil {
		return nil, err
	}
	now := c.now().UTC()
	rec := &Record{
		Org: org, User: user,
		HomeAccountID: res.Account.HomeAccountID,
		Username:      res.Account.PreferredUsername,
		Scopes:        res.GrantedScopes,
		ConnectedAt:   now,
		UpdatedAt:     now,
		Sealed:        sealed,
	}
	c.forget(org, user)
	v, err := c.store.Put(ctx, rec, AnyVersion)
	if err != nil {
		return nil, fmt.Errorf("entra: cannot store tokens: %w", err)
	}
	rec.Version = v
	c.remember(tokenKey{org, user, PowerBI}, res.AccessToken, c.expiry(res.ExpiresOn), c.generation(org, user))
	c.log.Info("entra: connected", "org", org, "user", user, "scopes", len(rec.Scopes))
	conn := connectionOf(rec)
	return &conn, nil
}

// CallbackResult is what the callback handler hands to
// [ConnectorOptions].Finish.
type CallbackResult struct {
	Connection *Connection // nil on failure
	Err        error
	// ReturnTo is the local path given to Start ("/" when unknown).
	ReturnTo string
}

// CallbackHandler returns the http.Handler a host mounts at
// [CallbackPath]. It asks Identify who is calling, runs Callback with
// the request's query, and lets Finish answer the browser.
func (c *Connector) CallbackHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		res := &CallbackResult{ReturnTo: "/"}
		if c.opts.Identify == nil {
			res.Err = errors.New("entra: callback handler has no Identify function")
		} else if org, user, err := c.opts.Identify(r); err != nil {
			res.Err = &identifyError{err}
		} else {
			q := r.URL.Query()
			c.stateMu.Lock()
			if p, ok := c.states[q.Get("state")]; ok && p.org == org && p.user == user {
				res.ReturnTo = p.returnTo
			}
			c.stateMu.Unlock()
			res.Connection, res.Err = c.Callback(r.Context(), org, user, q)
		}
		if c.opts.Finish != nil {
			c.opts.Finish(w, r, res)
			return
		}
		defaultFinish(w, r, res)
	})
}

// identifyError is a failure of ConnectorOptions.Identify.
type identifyError struct{ err error }

func (e *identifyError) Error() string { return "entra: cannot identify the user: " + e.err.Error() }
func (e *identifyError) Unwrap() error { return e.err }

func defaultFinish(w http.ResponseWriter, r *http.Request, res *CallbackResult) {
	if res.Err == nil {
		http.Redirect(w, r, res.ReturnTo, http.StatusSeeOther)
		return
	}
	var ie *identifyError
	status := http.StatusBadGateway
	switch {
	case errors.As(res.Err, &ie):
		status = http.StatusUnauthorized
	case errors.Is(res.Err, ErrStateInvalid):
		status = http.StatusBadRequest
	}
	http.Error(w, res.Err.Error(), status)
}

func (c *Connector) logAuthError(msg, org, user string, ae *AuthError) {
	c.log.Warn(msg, "org", org, "user", user, "aadsts", ae.Code, "oauth_error", ae.OAuthError, "action", ae.Action.String(), "trace_id", ae.TraceID, "correlation_id", ae.CorrelationID)
}

func (c *Connector) logError(msg, org, user string, err error) {
	var ae *AuthError
	if errors.As(err, &ae) {
		c.logAuthError(msg, org, user, ae)
		return
	}
	c.log.Warn(msg, "org", org, "user", user, "error", err.Error())
}
