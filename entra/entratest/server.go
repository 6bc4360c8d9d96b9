package entratest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Resources the server issues tokens for.
const (
	PowerBIResource = "https://analysis.windows.net/powerbi/api"
	FabricResource  = "https://api.fabric.microsoft.com"
	GraphResource   = "https://graph.microsoft.com"
)

// User is a person who can sign in.
type User struct {
	OID  string // object ID, a UUID
	UPN  string // user@example.com
	Name string
	// DeclineConsent makes the user refuse consent at /authorize
	// (AADSTS65004, access_denied).
	DeclineConsent bool
}

// App is a registered confidential application.
type App struct {
	ClientID     string
	Secret       string
	DisplayName  string
	RedirectURIs []string
	// GraphForbidden makes Graph answer 403 when the app reads its own
	// service principal.
	GraphForbidden bool
}

// Options configure a Server. The zero value of every field means the
// documented default.
type Options struct {
	// TenantID is the directory's ID. Default: a random UUID.
	TenantID string
	Users    []User
	Apps     []App
	// AccessTokenLifetime defaults to one hour.
	AccessTokenLifetime time.Duration
	// RefreshTokenLifetime defaults to 90 days.
	RefreshTokenLifetime time.Duration
	// CodeLifetime, for authorization codes, defaults to 10 minutes.
	CodeLifetime time.Duration
	// Now is the server's clock. Default: time.Now.
	Now func() time.Time
}

// Fault is an error answer the server gives on demand, in place of a
// normal one.
type Fault struct {
	// Endpoint is "authorize" or "token".
	Endpoint string
	// Grant restricts a token fault to one grant type
	// ("authorization_code", "refresh_token", "client_credentials");
	// empty matches any.
	Grant string
	// Code is the AADSTS number, e.g. 700082.
	Code int
	// Times is how many requests fail; zero means one.
	Times int
}

// Stats counts requests by kind.
type Stats struct {
	Discovery         int // openid-configuration and instance discovery
	Authorize         int // successful authorizations (codes issued)
	AuthCode          int // codes redeemed
	Refresh           int // refresh-token grants answered with tokens
	ClientCredentials int // client-credentials grants answered with tokens
	Graph             int // Graph lookups answered 200
	Errors            int // error answers of any kind
}

// Server is a fake Entra authority. It is safe for concurrent use.
type Server struct {
	srv    *httptest.Server
	tenant string
	key    []byte
	opts   Options

	mu       sync.Mutex
	users    map[string]User // by OID
	apps     map[string]App  // by client ID
	signedIn string
	consent  map[string]map[string]bool // clientID+"/"+oid -> permission -> granted
	codes    map[string]*authCode
	refresh  map[string]*refreshGrant
	revoked  map[string]bool // oid -> refresh tokens revoked
	faults   []Fault
	stats    Stats
	secrets  []string
	onToken  func(grant string)
}

type authCode struct {
	clientID, redirectURI, oid string
	challenge                  string
	issued                     time.Time
	used                       bool
}

type refreshGrant struct {
	clientID, oid string
	expires       time.Time
}

// NewServer starts a Server; Close it when done.
func NewServer(opts *Options) *Server {
	s := &Server{
		users:   map[string]User{},
		apps:    map[string]App{},
		consent: map[string]map[string]bool{},
		codes:   map[string]*authCode{},
		refresh: map[string]*refreshGrant{},
		revoked: map[string]bool{},
	}
	if opts != nil {
		s.opts = *opts
	}
	if s.opts.TenantID == "" {
		s.opts.TenantID = uuid.NewString()
	}
	if s.opts.AccessTokenLifetime == 0 {
		s.opts.AccessTokenLifetime = time.Hour
	}
	if s.opts.RefreshTokenLifetime == 0 {
		s.opts.RefreshTokenLifetime = 90 * 24 * time.Hour
	}
	if s.opts.CodeLifetime == 0 {
		s.opts.CodeLifetime = 10 * time.Minute
	}
	if s.opts.Now == nil {
		s.opts.Now = time.Now
	}
	s.tenant = strings.ToLower(s.opts.TenantID)
	s.key = make([]byte, 32)
	rand.Read(s.key)
	for _, u := range s.opts.Users {
		s.users[u.OID] = u
	}
	for _, a := range s.opts.Apps {
		s.apps[a.ClientID] = a
	}
	s.srv = httptest.NewTLSServer(http.HandlerFunc(s.serve))
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// URL is the authority host, e.g. https://127.0.0.1:41234. The
// authority for the tenant is URL()+"/"+TenantID().
func (s *Server) URL() string { return s.srv.URL }

// TenantID returns the directory's ID.
func (s *Server) TenantID() string { return s.opts.TenantID }

// Client returns an HTTP client that trusts the server's certificate.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// AddUser adds or replaces a user.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.OID] = u
}

// AddApp adds or replaces an application registration.
func (s *Server) AddApp(a App) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apps[a.ClientID] = a
}

// SignIn sets the user the "browser" is signed in as: /authorize
// without a login_hint signs this user in. With a single configured
// user, that user is signed in by default.
func (s *Server) SignIn(oid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.signedIn = oid
}

// RevokeConsent withdraws a user's consent to an application: the next
// token request for it fails with AADSTS65001.
func (s *Server) RevokeConsent(clientID, oid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.consent, clientID+"/"+oid)
}

// RevokeSessions invalidates a user's refresh tokens (AADSTS50173).
func (s *Server) RevokeSessions(oid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoked[oid] = true
}

// Fail queues an error answer.
func (s *Server) Fail(f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f)
}

// OnToken sets a function called with the grant type of every token
// request before it is answered, outside the server's lock: tests use
// it to hold a request while something else happens. nil removes it.
func (s *Server) OnToken(f func(grant string)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onToken = f
}

// Secrets returns every secret value the server issued or received:
// authorization codes, PKCE verifiers, client secrets, access, refresh
// and ID tokens. Tests use it to prove none of them leaked.
func (s *Server) Secrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.secrets)
}

// Stats returns the request counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// Authorize plays the browser: it requests authURL (an authorization
// URL built for this server) and returns the redirect the server
// answers with, which carries code and state or an error.
func (s *Server) Authorize(authURL string) (*url.URL, error) {
	c := &http.Client{
		Transport: s.srv.Client().Transport,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	resp, err := c.Get(authURL)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		var b errorBody
		json.NewDecoder(resp.Body).Decode(&b)
		return nil, fmt.Errorf("entratest: authorize answered %d: %s", resp.StatusCode, b.Error)
	}
	return resp.Location()
}

// takeFault removes and returns a matching queued fault. Callers hold mu.
func (s *Server) takeFault(endpoint, grant string) (Fault, bool) {
	for i, f := range s.faults {
		if f.Endpoint != endpoint || (f.Grant != "" && f.Grant != grant) {
			continue
		}
		s.faults[i].Times--
		if s.faults[i].Times == 0 {
			s.faults = slices.Delete(s.faults, i, i+1)
		}
		return f, true
	}
	return Fault{}, false
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if strings.HasPrefix(path, "/v1.0/servicePrincipals") {
		s.graph(w, r)
		return
	}
	if path == "/common/discovery/instance" {
		s.instanceDiscovery(w, r)
		return
	}
	parts := strings.SplitN(strings.TrimPrefix(path, "/"), "/", 2)
	if len(parts) != 2 {
		http.NotFound(w, r)
		return
	}
	tenant, rest := strings.ToLower(parts[0]), parts[1]
	tenantOK := tenant == s.tenant
	switch rest {
	case "v2.0/.well-known/openid-configuration":
		if !tenantOK {
			s.writeError(w, http.StatusBadRequest, "invalid_tenant", 90002, "")
			return
		}
		s.openIDConfiguration(w, parts[0])
	case "oauth2/v2.0/authorize":
		if !tenantOK {
			s.writeError(w, http.StatusBadRequest, "invalid_request", 90002, "")
			return
		}
		s.authorize(w, r)
	case "oauth2/v2.0/token":
		if !tenantOK {
			s.writeError(w, http.StatusBadRequest, "invalid_request", 90002, "")
			return
		}
		s.token(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) openIDConfiguration(w http.ResponseWriter, tenant string) {
	s.mu.Lock()
	s.stats.Discovery++
	s.mu.Unlock()
	base := s.srv.URL + "/" + tenant
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                base + "/v2.0",
		"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
		"token_endpoint":                        base + "/oauth2/v2.0/token",
		"jwks_uri":                              base + "/discovery/v2.0/keys",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"tenant_region_scope":                   "EU",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post"},
		"code_challenge_methods_supported":      []string{"S256"},
	})
}

func (s *Server) instanceDiscovery(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.stats.Discovery++
	s.mu.Unlock()
	host := strings.TrimPrefix(s.srv.URL, "https://")
	writeJSON(w, http.StatusOK, map[string]any{
		"tenant_discovery_endpoint": s.srv.URL + "/" + s.opts.TenantID + "/v2.0/.well-known/openid-configuration",
		"api-version":               "1.1",
		"metadata": []map[string]any{{
			"preferred_network": host,
			"preferred_cache":   host,
			"aliases":           []string{host},
		}},
	})
}

// scopeSet splits a scope parameter into resource permissions, ignoring
// the OpenID scopes. It fails when the scopes name several resources.
func scopeSet(scope string) (resource string, perms []string, ok bool) {
	for _, sc := range strings.Fields(scope) {
		switch sc {
		case "openid", "profile", "offline_access", "email":
			continue
		}
		i := strings.LastIndex(sc, "/")
		if i <= 0 {
			return "", nil, false
		}
		res, perm := strings.TrimSuffix(sc[:i], "/"), sc[i+1:]
		if resource != "" && !strings.EqualFold(resource, res) {
			return "", nil, false
		}
		resource = res
		perms = append(perms, perm)
	}
	return strings.ToLower(resource), perms, resource != ""
}

func knownResource(res string) bool {
	switch res {
	case PowerBIResource, FabricResource, GraphResource:
		return true
	}
	return false
}

func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	app, ok := s.apps[q.Get("client_id")]
	if !ok {
		s.writeErrorLocked(w, http.StatusBadRequest, "unauthorized_client", 700016, "")
		return
	}
	redirect := q.Get("redirect_uri")
	if !slices.Contains(app.RedirectURIs, redirect) {
		s.writeErrorLocked(w, http.StatusBadRequest, "invalid_request", 50011, "")
		return
	}
	state := q.Get("state")
	fail := func(oauthErr string, code int) {
		s.stats.Errors++
		v := url.Values{}
		v.Set("error", oauthErr)
		v.Set("error_description", fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: %s", code, describe(code), uuid.NewString()))
		v.Set("error_codes", fmt.Sprint(code))
		if state != "" {
			v.Set("state", state)
		}
		http.Redirect(w, r, redirect+"?"+v.Encode(), http.StatusFound)
	}
	if f, ok := s.takeFault("authorize", ""); ok {
		fail(oauthErrorFor(f.Code), f.Code)
		return
	}
	if q.Get("response_type") != "code" {
		fail("unsupported_response_type", 700054)
		return
	}
	challenge := q.Get("code_challenge")
	if challenge != "" && q.Get("code_challenge_method") != "S256" {
		fail("invalid_request", 501491)
		return
	}
	resource, perms, ok := scopeSet(q.Get("scope"))
	if !ok || !knownResource(resource) {
		fail("invalid_scope", 28000)
		return
	}
	var user User
	found := false
	if hint := q.Get("login_hint"); hint != "" {
		for _, u := range s.users {
			if strings.EqualFold(u.UPN, hint) {
				user, found = u, true
			}
		}
	} else if s.signedIn != "" {
		user, found = s.users[s.signedIn]
	} else if len(s.users) == 1 {
		for _, u := range s.users {
			user, found = u, true
		}
	}
	if !found {
		fail("login_required", 50058)
		return
	}
	ck := app.ClientID + "/" + user.OID
	granted := s.consent[ck]
	need := q.Get("prompt") == "consent"
	for _, p := range perms {
		if !granted[p] {
			need = true
		}
	}
	if need {
		if user.DeclineConsent {
			fail("access_denied", 65004)
			return
		}
		if granted == nil {
			granted = map[string]bool{}
			s.consent[ck] = granted
		}
		for _, p := range perms {
			granted[p] = true
		}
	}
	code := randomString(32)
	s.secrets = append(s.secrets, code)
	s.codes[code] = &authCode{
		clientID:    app.ClientID,
		redirectURI: redirect,
		oid:         user.OID,
		challenge:   challenge,
		issued:      s.opts.Now(),
	}
	s.stats.Authorize++
	v := url.Values{}
	v.Set("code", code)
	if state != "" {
		v.Set("state", state)
	}
	http.Redirect(w, r, redirect+"?"+v.Encode(), http.StatusFound)
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		s.writeError(w, http.StatusBadRequest, "invalid_request", 900144, "")
		return
	}
	f := r.PostForm
	grant := f.Get("grant_type")
	s.mu.Lock()
	hook := s.onToken
	s.mu.Unlock()
	if hook != nil {
		hook(grant)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if fault, ok := s.takeFault("token", grant); ok {
		status := http.StatusBadRequest
		if oauthErrorFor(fault.Code) == "invalid_client" {
			status = http.StatusUnauthorized
		}
		s.writeErrorLocked(w, status, oauthErrorFor(fault.Code), fault.Code, "")
		return
	}
	for _, k := range []string{"client_secret", "code", "code_verifier", "refresh_token"} {
		if v := f.Get(k); v != "" {
			s.secrets = append(s.secrets, v)
		}
	}
	app, ok := s.apps[f.Get("client_id")]
	if !ok {
		s.writeErrorLocked(w, http.StatusBadRequest, "unauthorized_client", 700016, "")
		return
	}
	switch secret := f.Get("client_secret"); {
	case secret == "":
		s.writeErrorLocked(w, http.StatusUnauthorized, "invalid_client", 7000218, "")
		return
	case !hmac.Equal([]byte(secret), []byte(app.Secret)):
		s.writeErrorLocked(w, http.StatusUnauthorized, "invalid_client", 7000215, "")
		return
	}
	resource, perms, ok := scopeSet(f.Get("scope"))
	if !ok || !knownResource(resource) {
		s.writeErrorLocked(w, http.StatusBadRequest, "invalid_scope", 28000, "")
		return
	}
	now := s.opts.Now()
	switch grant {
	case "client_credentials":
		if len(perms) != 1 || perms[0] != ".default" {
			s.writeErrorLocked(w, http.StatusBadRequest, "invalid_scope", 1002012, "")
			return
		}
		s.stats.ClientCredentials++
		at := s.signSecret(map[string]any{
			"aud": resource, "tid": s.opts.TenantID, "appid": app.ClientID,
			"oid": app.ClientID, "roles": []string{}, "idtyp": "app",
			"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(s.opts.AccessTokenLifetime).Unix(),
			"iss": s.srv.URL + "/" + s.opts.TenantID + "/v2.0",
		})
		writeJSON(w, http.StatusOK, map[string]any{
			"token_type":     "Bearer",
			"expires_in":     int(s.opts.AccessTokenLifetime / time.Second),
			"ext_expires_in": int(s.opts.AccessTokenLifetime / time.Second),
			"access_token":   at,
		})
	case "authorization_code":
		code := f.Get("code")
		c, ok := s.codes[code]
		switch {
		case !ok || c.clientID != app.ClientID:
			s.writeErrorLocked(w, http.StatusBadRequest, "invalid_grant", 9002313, "")
			return
		case c.used:
			s.writeErrorLocked(w, http.StatusBadRequest, "invalid_grant", 54005, "")
			return
		case now.Sub(c.issued) > s.opts.CodeLifetime:
			s.writeErrorLocked(w, http.StatusBadRequest, "invalid_grant", 70008, "")
			return
		case f.Get("redirect_uri") != c.redirectURI:
			s.writeErrorLocked(w, http.StatusBadRequest, "invalid_grant", 50011, "")
			return
		}
		c.used = true
		if c.challenge != "" {
			sum := sha256.Sum256([]byte(f.Get("code_verifier")))
			if base64.RawURLEncoding.EncodeToString(sum[:]) != c.challenge {
				s.writeErrorLocked(w, http.StatusBadRequest, "invalid_grant", 501481, "")
				return
			}
		}
		if s.issueUserTokens(w, app, c.oid, resource, perms, now) {
			s.stats.AuthCode++
		}
	case "refresh_token":
		g, ok := s.refresh[f.Get("refresh_token")]
		switch {
		case !ok || g.clientID != app.ClientID:
			s.writeErrorLocked(w, http.StatusBadRequest, "invalid_grant", 9002313, "")
			return
		case s.revoked[g.oid]:
			s.writeErrorLocked(w, http.StatusBadRequest, "invalid_grant", 50173, "")
			return
		case now.After(g.expires):
			s.writeErrorLocked(w, http.StatusBadRequest, "invalid_grant", 700082, "")
			return
		}
		if s.issueUserTokens(w, app, g.oid, resource, perms, now) {
			s.stats.Refresh++
		}
	default:
		s.writeErrorLocked(w, http.StatusBadRequest, "unsupported_grant_type", 70003, "")
	}
}

// issueUserTokens answers a delegated grant and reports whether it
// issued tokens. Callers hold mu.
func (s *Server) issueUserTokens(w http.ResponseWriter, app App, oid, resource string, perms []string, now time.Time) bool {
	user, ok := s.users[oid]
	if !ok {
		s.writeErrorLocked(w, http.StatusBadRequest, "invalid_grant", 50034, "")
		return false
	}
	granted := s.consent[app.ClientID+"/"+oid]
	var scopes, names []string
	for _, p := range perms {
		if p == ".default" {
			for g := range granted {
				names = append(names, g)
			}
			slices.Sort(names)
			for _, n := range names {
				scopes = append(scopes, resource+"/"+n)
			}
			scopes = append(scopes, resource+"/.default")
			continue
		}
		if !granted[p] {
			s.writeErrorLocked(w, http.StatusBadRequest, "invalid_grant", 65001, "")
			return false
		}
		names = append(names, p)
		scopes = append(scopes, resource+"/"+p)
	}
	exp := now.Add(s.opts.AccessTokenLifetime)
	iss := s.srv.URL + "/" + s.opts.TenantID + "/v2.0"
	at := s.signSecret(map[string]any{
		"aud": resource, "oid": oid, "tid": s.opts.TenantID, "upn": user.UPN,
		"name": user.Name, "scp": strings.Join(names, " "), "appid": app.ClientID,
		"iat": now.Unix(), "nbf": now.Unix(), "exp": exp.Unix(), "iss": iss,
	})
	idt := s.signSecret(map[string]any{
		"aud": app.ClientID, "iss": iss, "oid": oid, "sub": oid, "tid": s.opts.TenantID,
		"preferred_username": user.UPN, "name": user.Name, "ver": "2.0",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": exp.Unix(),
	})
	rt := randomString(48)
	s.secrets = append(s.secrets, rt)
	s.refresh[rt] = &refreshGrant{clientID: app.ClientID, oid: oid, expires: now.Add(s.opts.RefreshTokenLifetime)}
	ci, _ := json.Marshal(map[string]string{"uid": oid, "utid": s.opts.TenantID})
	writeJSON(w, http.StatusOK, map[string]any{
		"token_type":     "Bearer",
		"scope":          strings.Join(scopes, " "),
		"expires_in":     int(s.opts.AccessTokenLifetime / time.Second),
		"ext_expires_in": int(s.opts.AccessTokenLifetime / time.Second),
		"access_token":   at,
		"refresh_token":  rt,
		"id_token":       idt,
		"client_info":    base64.RawURLEncoding.EncodeToString(ci),
	})
	return true
}

// graph answers GET /v1.0/servicePrincipals(appId='…').
func (s *Server) graph(w http.ResponseWriter, r *http.Request) {
	claims, err := s.verify(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	s.mu.Lock()
	defer s.mu.Unlock()
	graphErr := func(status int, code, msg string) {
		s.stats.Errors++
		writeJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": msg}})
	}
	if err != nil || claims["aud"] != GraphResource {
		graphErr(http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token validation failure.")
		return
	}
	rest := strings.TrimPrefix(r.URL.Path, "/v1.0/servicePrincipals")
	appID, ok := strings.CutPrefix(rest, "(appId='")
	appID, ok2 := strings.CutSuffix(appID, "')")
	if !ok || !ok2 {
		graphErr(http.StatusBadRequest, "BadRequest", "Unsupported request.")
		return
	}
	app, found := s.apps[appID]
	if !found {
		graphErr(http.StatusNotFound, "Request_ResourceNotFound", "Resource not found.")
		return
	}
	if app.GraphForbidden || claims["appid"] != appID {
		graphErr(http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
		return
	}
	s.stats.Graph++
	writeJSON(w, http.StatusOK, map[string]any{"displayName": app.DisplayName})
}

type errorBody struct {
	Error         string `json:"error"`
	Description   string `json:"error_description"`
	ErrorCodes    []int  `json:"error_codes"`
	Timestamp     string `json:"timestamp"`
	TraceID       string `json:"trace_id"`
	CorrelationID string `json:"correlation_id"`
}

func (s *Server) writeError(w http.ResponseWriter, status int, oauthErr string, code int, detail string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writeErrorLocked(w, status, oauthErr, code, detail)
}

func (s *Server) writeErrorLocked(w http.ResponseWriter, status int, oauthErr string, code int, detail string) {
	s.stats.Errors++
	trace, corr := uuid.NewString(), uuid.NewString()
	now := s.opts.Now().UTC().Format("2006-01-02 15:04:05Z")
	if detail == "" {
		detail = describe(code)
	}
	writeJSON(w, status, errorBody{
		Error:         oauthErr,
		Description:   fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s", code, detail, trace, corr, now),
		ErrorCodes:    []int{code},
		Timestamp:     now,
		TraceID:       trace,
		CorrelationID: corr,
	})
}

// oauthErrorFor gives the OAuth error Entra pairs with an AADSTS code.
func oauthErrorFor(code int) string {
	switch code {
	case 7000215, 7000222, 7000218:
		return "invalid_client"
	case 700016:
		return "unauthorized_client"
	case 90002, 900023, 50011:
		return "invalid_request"
	case 65004:
		return "access_denied"
	case 50058:
		return "login_required"
	}
	return "invalid_grant"
}

func describe(code int) string {
	switch code {
	case 65001:
		return "The user or administrator has not consented to use the application."
	case 65004:
		return "User declined to consent to access the app."
	case 700082:
		return "The refresh token has expired due to inactivity."
	case 50173:
		return "The provided grant has expired due to it being revoked."
	case 50076:
		return "Due to a configuration change made by your administrator, you must use multi-factor authentication."
	case 70043:
		return "The refresh token has expired or is invalid due to sign-in frequency checks by conditional access."
	case 7000215:
		return "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID."
	case 7000222:
		return "The provided client secret keys for app are expired."
	case 7000218:
		return "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."
	case 700016:
		return "Application was not found in the directory."
	case 90002:
		return "Tenant not found."
	case 900023:
		return "Specified tenant identifier is neither a valid DirectoryId nor a valid domain name."
	case 50011:
		return "The redirect URI specified in the request does not match the redirect URIs configured for the application."
	case 70008:
		return "The provided authorization code or refresh token has expired due to inactivity."
	case 54005:
		return "OAuth2 Authorization code was already redeemed."
	case 501481:
		return "The Code_Verifier does not match the code_challenge supplied in the authorization request."
	case 28000:
		return "Provided value for the input parameter scope is not valid because it contains more than one resource."
	}
	return "The request failed."
}

// sign makes an HS256 JWT with the server's key.
func (s *Server) sign(claims map[string]any) string {
	head := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	body, _ := json.Marshal(claims)
	msg := head + "." + base64.RawURLEncoding.EncodeToString(body)
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(msg))
	return msg + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// signSecret signs a token and remembers it for Secrets. Callers hold mu.
func (s *Server) signSecret(claims map[string]any) string {
	t := s.sign(claims)
	s.secrets = append(s.secrets, t)
	return t
}

// verify checks a token's signature and lifetime and returns its claims.
func (s *Server) verify(tok string) (map[string]any, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("entratest: malformed token")
	}
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(parts[0] + "." + parts[1]))
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, m.Sum(nil)) {
		return nil, fmt.Errorf("entratest: bad signature")
	}
	return decodeClaims(parts[1], s.opts.Now())
}

func decodeClaims(part string, now time.Time) (map[string]any, error) {
	b, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return nil, fmt.Errorf("entratest: malformed claims")
	}
	var claims map[string]any
	if err := json.Unmarshal(b, &claims); err != nil {
		return nil, fmt.Errorf("entratest: malformed claims")
	}
	if exp, _ := claims["exp"].(float64); int64(exp) <= now.Unix() {
		return nil, fmt.Errorf("entratest: token expired")
	}
	return claims, nil
}

// Claims decodes an access token this server issued, checking its
// signature and expiry against the server's clock.
func (s *Server) Claims(token string) (map[string]any, error) { return s.verify(token) }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
