package entratest_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pbipublish/pbipublish/entra/entratest"
)

const (
	clientID = "11111111-2222-3333-4444-555555555555"
	secret   = "app-secret-value"
	redirect = "https://app.example.com/powerbi/callback"
	oid      = "aaaaaaaa-0000-0000-0000-000000000001"
	pbiScope = "https://analysis.windows.net/powerbi/api/Dataset.ReadWrite.All"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newServer(t *testing.T) (*entratest.Server, *clock) {
	t.Helper()
	clk := &clock{t: time.Unix(1_800_000_000, 0)}
	s := entratest.NewServer(&entratest.Options{
		Users:                []entratest.User{{OID: oid, UPN: "alice@example.com", Name: "Alice"}},
		Apps:                 []entratest.App{{ClientID: clientID, Secret: secret, DisplayName: "App", RedirectURIs: []string{redirect}}},
		RefreshTokenLifetime: 24 * time.Hour,
		Now:                  clk.now,
	})
	t.Cleanup(s.Close)
	return s, clk
}

func authorizeURL(s *entratest.Server, challenge string, extra url.Values) string {
	v := url.Values{
		"client_id": {clientID}, "response_type": {"code"}, "redirect_uri": {redirect},
		"scope": {pbiScope + " offline_access openid profile"}, "state": {"st"},
		"code_challenge": {challenge}, "code_challenge_method": {"S256"},
	}
	for k, vs := range extra {
		v[k] = vs
	}
	return s.URL() + "/" + s.TenantID() + "/oauth2/v2.0/authorize?" + v.Encode()
}

func challengeOf(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

type tokenAnswer struct {
	Status       int
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	IDToken      string `json:"id_token"`
	ClientInfo   string `json:"client_info"`
	Scope        string `json:"scope"`
	ExpiresIn    int    `json:"expires_in"`
	Error        string `json:"error"`
	ErrorCodes   []int  `json:"error_codes"`
	TraceID      string `json:"trace_id"`
}

func postToken(t *testing.T, s *entratest.Server, form url.Values) tokenAnswer {
	t.Helper()
	form.Set("client_id", clientID)
	if form.Get("client_secret") == "" {
		form.Set("client_secret", secret)
	}
	resp, err := s.Client().PostForm(s.URL()+"/"+s.TenantID()+"/oauth2/v2.0/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a tokenAnswer
	json.NewDecoder(resp.Body).Decode(&a)
	a.Status = resp.StatusCode
	return a
}

func claims(t *testing.T, tok string) map[string]any {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	head, _ := base64.RawURLEncoding.DecodeString(parts[0])
	if string(head) != `{"alg":"HS256","typ":"JWT"}` {
		t.Errorf("header = %s", head)
	}
	b, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func code(t *testing.T, s *entratest.Server, verifier string) string {
	t.Helper()
	loc, err := s.Authorize(authorizeURL(s, challengeOf(verifier), nil))
	if err != nil {
		t.Fatal(err)
	}
	if loc.Query().Get("state") != "st" || loc.Query().Get("code") == "" {
		t.Fatalf("redirect = %s", loc)
	}
	return loc.Query().Get("code")
}

func TestDiscovery(t *testing.T) {
	s, _ := newServer(t)
	resp, err := s.Client().Get(s.URL() + "/" + s.TenantID() + "/v2.0/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc map[string]any
	json.NewDecoder(resp.Body).Decode(&doc)
	if doc["issuer"] != s.URL()+"/"+s.TenantID()+"/v2.0" || !strings.HasSuffix(doc["token_endpoint"].(string), "/oauth2/v2.0/token") {
		t.Errorf("discovery = %v", doc)
	}
	resp2, _ := s.Client().Get(s.URL() + "/no-such-tenant/v2.0/.well-known/openid-configuration")
	resp2.Body.Close()
	if resp2.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown tenant status = %d, want 400", resp2.StatusCode)
	}
}

func TestAuthCodeAndRefresh(t *testing.T) {
	s, clk := newServer(t)
	c := code(t, s, "verifier-1")
	a := postToken(t, s, url.Values{"grant_type": {"authorization_code"}, "code": {c}, "code_verifier": {"verifier-1"},
		"redirect_uri": {redirect}, "scope": {pbiScope + " openid offline_access profile"}})
	if a.Status != 200 || a.RefreshToken == "" || a.IDToken == "" || a.ClientInfo == "" {
		t.Fatalf("code redemption = %+v", a)
	}
	at := claims(t, a.AccessToken)
	for k, want := range map[string]any{"aud": entratest.PowerBIResource, "oid": oid, "tid": s.TenantID(),
		"upn": "alice@example.com", "name": "Alice", "scp": "Dataset.ReadWrite.All", "appid": clientID} {
		if at[k] != want {
			t.Errorf("access token %s = %v, want %v", k, at[k], want)
		}
	}
	for _, k := range []string{"iat", "nbf", "exp"} {
		if _, ok := at[k].(float64); !ok {
			t.Errorf("access token lacks %s", k)
		}
	}
	if id := claims(t, a.IDToken); id["preferred_username"] != "alice@example.com" || id["aud"] != clientID {
		t.Errorf("id token = %v", id)
	}
	if _, err := s.Claims(a.AccessToken); err != nil {
		t.Errorf("Claims = %v", err)
	}

	again := postToken(t, s, url.Values{"grant_type": {"authorization_code"}, "code": {c}, "code_verifier": {"verifier-1"}, "redirect_uri": {redirect}, "scope": {pbiScope}})
	if again.Status != 400 || again.ErrorCodes[0] != 54005 {
		t.Errorf("second redemption = %+v, want AADSTS54005", again)
	}

	r := postToken(t, s, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {a.RefreshToken},
		"scope": {"https://api.fabric.microsoft.com/Item.ReadWrite.All"}})
	if r.Status != 400 || r.ErrorCodes[0] != 65001 {
		t.Errorf("refresh for an unconsented scope = %+v, want AADSTS65001", r)
	}
	r = postToken(t, s, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {a.RefreshToken},
		"scope": {"https://api.fabric.microsoft.com/Dataset.ReadWrite.All openid"}})
	if r.Status != 200 || r.RefreshToken == a.RefreshToken || claims(t, r.AccessToken)["aud"] != entratest.FabricResource {
		t.Errorf("refresh = %+v, want a Fabric token and a new refresh token", r)
	}
	if got := s.Stats(); got.Refresh != 1 || got.AuthCode != 1 || got.Authorize != 1 {
		t.Errorf("Stats = %+v", got)
	}
	clk.add(25 * time.Hour)
	r = postToken(t, s, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {r.RefreshToken}, "scope": {pbiScope}})
	if r.Status != 400 || r.ErrorCodes[0] != 700082 || r.TraceID == "" {
		t.Errorf("expired refresh token = %+v, want AADSTS700082", r)
	}
	if _, err := s.Claims(a.AccessToken); err == nil {
		t.Error("Claims accepted an expired token")
	}
}

func TestTokenRefusals(t *testing.T) {
	tests := []struct {
		name   string
		form   func(t *testing.T, s *entratest.Server) url.Values
		status int
		code   int
	}{
		{"pkce_mismatch", func(t *testing.T, s *entratest.Server) url.Values {
			return url.Values{"grant_type": {"authorization_code"}, "code": {code(t, s, "right")}, "code_verifier": {"wrong"}, "redirect_uri": {redirect}, "scope": {pbiScope}}
		}, 400, 501481},
		{"redirect_mismatch", func(t *testing.T, s *entratest.Server) url.Values {
			return url.Values{"grant_type": {"authorization_code"}, "code": {code(t, s, "v")}, "code_verifier": {"v"}, "redirect_uri": {"https://other.example/cb"}, "scope": {pbiScope}}
		}, 400, 50011},
		{"wrong_secret", func(t *testing.T, s *entratest.Server) url.Values {
			return url.Values{"grant_type": {"client_credentials"}, "client_secret": {"nope"}, "scope": {"https://graph.microsoft.com/.default"}}
		}, 401, 7000215},
		{"two_resources", func(t *testing.T, s *entratest.Server) url.Values {
			return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}, "scope": {pbiScope + " https://graph.microsoft.com/User.Read"}}
		}, 400, 28000},
		{"unknown_refresh_token", func(t *testing.T, s *entratest.Server) url.Values {
			return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"forged"}, "scope": {pbiScope}}
		}, 400, 9002313},
		{"fault_on_demand", func(t *testing.T, s *entratest.Server) url.Values {
			s.Fail(entratest.Fault{Endpoint: "token", Code: 900023})
			return url.Values{"grant_type": {"client_credentials"}, "scope": {"https://graph.microsoft.com/.default"}}
		}, 400, 900023},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newServer(t)
			a := postToken(t, s, tt.form(t, s))
			if a.Status != tt.status || len(a.ErrorCodes) == 0 || a.ErrorCodes[0] != tt.code {
				t.Errorf("token = %+v, want %d AADSTS%d", a, tt.status, tt.code)
			}
		})
	}
}

func TestAuthorizeRefusals(t *testing.T) {
	s, _ := newServer(t)
	if _, err := s.Authorize(authorizeURL(s, challengeOf("v"), url.Values{"redirect_uri": {"https://evil.example/cb"}})); err == nil {
		t.Error("authorize redirected to an unregistered URI")
	}
	loc, err := s.Authorize(authorizeURL(s, challengeOf("v"), url.Values{"code_challenge_method": {"plain"}}))
	if err != nil || loc.Query().Get("error") != "invalid_request" || loc.Query().Get("state") != "st" {
		t.Errorf("plain PKCE: %v %v", loc, err)
	}
	s.Fail(entratest.Fault{Endpoint: "authorize", Code: 65001})
	loc, _ = s.Authorize(authorizeURL(s, challengeOf("v"), nil))
	if !strings.HasPrefix(loc.Query().Get("error_description"), "AADSTS65001") {
		t.Errorf("fault: %v", loc)
	}
}

func TestClientCredentialsAndGraph(t *testing.T) {
	s, _ := newServer(t)
	a := postToken(t, s, url.Values{"grant_type": {"client_credentials"}, "scope": {"https://graph.microsoft.com/.default"}})
	if a.Status != 200 || a.RefreshToken != "" {
		t.Fatalf("client credentials = %+v", a)
	}
	req, _ := http.NewRequest(http.MethodGet, s.URL()+"/v1.0/servicePrincipals(appId='"+clientID+"')?$select=displayName", nil)
	req.Header.Set("Authorization", "Bearer "+a.AccessToken)
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sp map[string]any
	json.NewDecoder(resp.Body).Decode(&sp)
	if resp.StatusCode != 200 || sp["displayName"] != "App" {
		t.Errorf("graph = %d %v", resp.StatusCode, sp)
	}
	req.Header.Set("Authorization", "Bearer forged.token.here")
	resp2, _ := s.Client().Do(req)
	resp2.Body.Close()
	if resp2.StatusCode != 401 {
		t.Errorf("graph with a forged token = %d, want 401", resp2.StatusCode)
	}
}
