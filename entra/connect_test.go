package entra_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/pbipublish/pbipublish/entra"
	"github.com/pbipublish/pbipublish/entra/entratest"
)

func TestConnectPath(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()

	conn := h.connect(t, testUser)
	if conn.Username != "alice@example.com" {
		t.Errorf("Username = %q, want alice@example.com", conn.Username)
	}
	t.Logf("connection %+v", conn)

	pbi := h.c.Credential(testOrg, testUser, entra.PowerBI)
	tok, err := pbi.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{"https://analysis.windows.net/powerbi/api/.default"}})
	if err != nil {
		t.Fatalf("GetToken(PowerBI) = %v", err)
	}
	claims, err := h.srv.Claims(tok.Token)
	if err != nil {
		t.Fatal(err)
	}
	if claims["aud"] != entratest.PowerBIResource || claims["oid"] != aliceOID {
		t.Errorf("claims = %v", claims)
	}
	if got := h.srv.Stats().Refresh; got != 0 {
		t.Errorf("refreshes after connect = %d, want 0 (token from the code redemption)", got)
	}

	fab := h.c.Credential(testOrg, testUser, entra.Fabric)
	ftok, err := fab.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{"https://api.fabric.microsoft.com/.default"}})
	if err != nil {
		t.Fatalf("GetToken(Fabric) = %v", err)
	}
	fc, _ := h.srv.Claims(ftok.Token)
	if fc["aud"] != entratest.FabricResource {
		t.Errorf("fabric aud = %v", fc["aud"])
	}
	if got := h.srv.Stats().Refresh; got != 1 {
		t.Errorf("refreshes after fabric token = %d, want 1", got)
	}

	h.clock.Advance(3*time.Minute + time.Second)
	tok2, err := pbi.GetToken(ctx, policy.TokenRequestOptions{})
	if err != nil {
		t.Fatalf("GetToken after expiry = %v", err)
	}
	if tok2.Token == tok.Token {
		t.Error("token not refreshed at expiry")
	}
	if got := h.srv.Stats().Refresh; got != 2 {
		t.Errorf("refreshes = %d, want 2", got)
	}

	if got := h.srv.Stats().Discovery; got != 1 {
		t.Errorf("discovery requests = %d, want 1 (cached across MSAL clients)", got)
	}

	if err := h.c.Disconnect(ctx, testOrg, testUser); err != nil {
		t.Fatal(err)
	}
	if _, err := pbi.GetToken(ctx, policy.TokenRequestOptions{}); !errors.Is(err, entra.ErrNotConnected) {
		t.Errorf("GetToken after disconnect = %v, want ErrNotConnected", err)
	}
	conns, err := h.c.Connections(ctx, testOrg, testUser)
	if err != nil || len(conns) != 0 {
		t.Errorf("Connections after disconnect = %v, %v", conns, err)
	}
}

func TestCallbackRefusals(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, h *harness) (org, user string, q url.Values)
		want  error
	}{
		{"unknown_state", func(t *testing.T, h *harness) (string, string, url.Values) {
			q := h.authorize(t, testUser, nil)
			q.Set("state", "forged")
			return testOrg, testUser, q
		}, entra.ErrStateUnknown},
		{"missing_state", func(t *testing.T, h *harness) (string, string, url.Values) {
			q := h.authorize(t, testUser, nil)
			q.Del("state")
			return testOrg, testUser, q
		}, entra.ErrStateUnknown},
		{"expired_state", func(t *testing.T, h *harness) (string, string, url.Values) {
			q := h.authorize(t, testUser, nil)
			h.clock.Advance(11 * time.Minute)
			return testOrg, testUser, q
		}, entra.ErrStateExpired},
		{"reused_state", func(t *testing.T, h *harness) (string, string, url.Values) {
			q := h.authorize(t, testUser, nil)
			if _, err := h.c.Callback(context.Background(), testOrg, testUser, q); err != nil {
				t.Fatal(err)
			}
			return testOrg, testUser, q
		}, entra.ErrStateUsed},
		{"other_users_state", func(t *testing.T, h *harness) (string, string, url.Values) {
			return testOrg, otherUser, h.authorize(t, testUser, nil)
		}, entra.ErrStateMismatch},
		{"other_orgs_state", func(t *testing.T, h *harness) (string, string, url.Values) {
			return "org-2", testUser, h.authorize(t, testUser, nil)
		}, entra.ErrStateMismatch},
		{"user_declined", func(t *testing.T, h *harness) (string, string, url.Values) {
			h.srv.AddUser(entratest.User{OID: bobOID, UPN: "bob@example.com", Name: "Bob", DeclineConsent: true})
			return testOrg, testUser, h.authorize(t, testUser, &entra.StartOptions{LoginHint: "bob@example.com"})
		}, entra.ErrStartAgain},
		{"authorize_consent_error", func(t *testing.T, h *harness) (string, string, url.Values) {
			h.srv.Fail(entratest.Fault{Endpoint: "authorize", Code: 65001})
			return testOrg, testUser, h.authorize(t, testUser, nil)
		}, entra.ErrReconnectRequired},
		{"code_already_redeemed", func(t *testing.T, h *harness) (string, string, url.Values) {
			h.srv.Fail(entratest.Fault{Endpoint: "token", Grant: "authorization_code", Code: 54005})
			return testOrg, testUser, h.authorize(t, testUser, nil)
		}, entra.ErrStartAgain},
		{"code_expired", func(t *testing.T, h *harness) (string, string, url.Values) {
			q := h.authorize(t, testUser, &entra.StartOptions{})
			h.clock.Advance(9 * time.Minute) // state still valid, but…
			h.srv.Fail(entratest.Fault{Endpoint: "token", Grant: "authorization_code", Code: 70008})
			return testOrg, testUser, q
		}, entra.ErrStartAgain},
		{"redirect_uri_mismatch", func(t *testing.T, h *harness) (string, string, url.Values) {
			h.srv.Fail(entratest.Fault{Endpoint: "token", Grant: "authorization_code", Code: 50011})
			return testOrg, testUser, h.authorize(t, testUser, nil)
		}, entra.ErrAppMisconfigured},
		{"no_code", func(t *testing.T, h *harness) (string, string, url.Values) {
			q := h.authorize(t, testUser, nil)
			q.Del("code")
			return testOrg, testUser, q
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			org, user, q := tt.setup(t, h)
			conn, err := h.c.Callback(context.Background(), org, user, q)
			if err == nil {
				t.Fatalf("Callback = %+v, nil; want an error", conn)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("Callback = %v, want %v", err, tt.want)
			}
			if conns, _ := h.c.Connections(context.Background(), org, user); tt.name != "reused_state" && len(conns) != 0 {
				t.Errorf("refused callback stored a connection: %+v", conns)
			}
			var ae *entra.AuthError
			if errors.As(err, &ae) && ae.Code == 0 {
				t.Errorf("AuthError lost the AADSTS code: %v", err)
			}
		})
	}
}

func TestCallbackStateErrorsAreDistinct(t *testing.T) {
	errs := []error{entra.ErrStateUnknown, entra.ErrStateExpired, entra.ErrStateUsed, entra.ErrStateMismatch}
	for i, a := range errs {
		if !errors.Is(a, entra.ErrStateInvalid) {
			t.Errorf("%v does not match ErrStateInvalid", a)
		}
		for j, b := range errs {
			if i != j && errors.Is(a, b) {
				t.Errorf("%v matches %v", a, b)
			}
		}
	}
}

func TestStartURL(t *testing.T) {
	h := newHarness(t, nil)
	raw, err := h.c.Start(context.Background(), testOrg, testUser, nil)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(raw)
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 {
		t.Errorf("PKCE parameters missing: %s", raw)
	}
	if len(q.Get("state")) < 32 {
		t.Errorf("state %q too short", q.Get("state"))
	}
	if !strings.Contains(q.Get("scope"), "offline_access") || !strings.Contains(q.Get("scope"), "https://analysis.windows.net/powerbi/api/Dataset.ReadWrite.All") {
		t.Errorf("scope = %q", q.Get("scope"))
	}
	if q.Get("prompt") != "" {
		t.Errorf("first connect has prompt=%q", q.Get("prompt"))
	}
	if q.Get("redirect_uri") != redirectURL {
		t.Errorf("redirect_uri = %q", q.Get("redirect_uri"))
	}
	raw2, _ := h.c.Reconnect(context.Background(), testOrg, testUser, nil)
	u2, _ := url.Parse(raw2)
	if u2.Query().Get("prompt") != "consent" {
		t.Errorf("reconnect URL lacks prompt=consent: %s", raw2)
	}
	if u2.Query().Get("state") == q.Get("state") {
		t.Error("state reused between starts")
	}
	if _, err := h.c.Start(context.Background(), testOrg, testUser, &entra.StartOptions{ReturnTo: "//evil.example"}); err == nil {
		t.Error("Start accepted an off-site return path")
	}
	h.c.SaveSettings(context.Background(), "org-bad-tenant", entra.Settings{Kind: entra.AppCustom,
		TenantID: "00000000-0000-0000-0000-00000000dead", ClientID: clientID, ClientSecret: clientSecret})
	if _, err := h.c.Start(context.Background(), "org-bad-tenant", testUser, nil); !errors.Is(err, entra.ErrAppMisconfigured) {
		t.Errorf("Start(unknown tenant) = %v, want ErrAppMisconfigured", err)
	}
	if _, err := h.c.Start(context.Background(), "no-such-org", testUser, nil); !errors.Is(err, entra.ErrNotConfigured) {
		t.Errorf("Start(unconfigured org) = %v, want ErrNotConfigured", err)
	}
}

func TestCallbackHandler(t *testing.T) {
	h := newHarness(t, nil)
	q := h.authorize(t, testUser, &entra.StartOptions{ReturnTo: "/profile?tab=powerbi"})
	handler := h.c.CallbackHandler()
	serve := func(user string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, entra.CallbackPath+"?"+q.Encode(), nil)
		r.Header.Set("X-Org", testOrg)
		r.Header.Set("X-User", user)
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, r)
		return w
	}
	if w := serve(otherUser); w.Code != http.StatusBadRequest {
		t.Errorf("other user's callback: status %d, want 400", w.Code)
	}
	// The mismatch burnt the state: the rightful user must start again.
	if w := serve(testUser); w.Code != http.StatusBadRequest {
		t.Errorf("callback after state was burnt: status %d, want 400", w.Code)
	}
	q = h.authorize(t, testUser, &entra.StartOptions{ReturnTo: "/profile?tab=powerbi"})
	w := serve(testUser)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/profile?tab=powerbi" {
		t.Errorf("callback: status %d location %q, want 303 to /profile?tab=powerbi", w.Code, w.Header().Get("Location"))
	}
	if w := serve(testUser); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "already used") {
		t.Errorf("replayed callback: status %d body %q", w.Code, w.Body.String())
	}
	if w := serve(""); w.Code != http.StatusUnauthorized {
		t.Errorf("unidentified callback: status %d, want 401", w.Code)
	}
}

func FuzzCallbackQuery(f *testing.F) {
	f.Add("state=x&code=y")
	f.Add("error=access_denied&error_description=AADSTS65004%3A+no&state=")
	f.Add("code=&state=%ff")
	f.Add("error_codes=abc&error=x&state=s")
	h := newHarness(f, nil)
	f.Fuzz(func(t *testing.T, raw string) {
		q, _ := url.ParseQuery(raw)
		conn, err := h.c.Callback(context.Background(), testOrg, testUser, q)
		if err == nil {
			t.Fatalf("Callback(%q) = %+v, nil; a query without an issued state must fail", raw, conn)
		}
	})
}
