package entra_test

import (
	"context"
	"strings"
	"testing"

	"github.com/pbipublish/pbipublish/entra"
	"github.com/pbipublish/pbipublish/entra/entratest"
)

func TestTestConnection(t *testing.T) {
	const forbiddenApp = "99999999-2222-3333-4444-555555555555"
	tests := []struct {
		name     string
		app      func(h *harness) entra.AppCredentials
		fault    int
		wantOK   bool
		want     entra.Problem
		wantName string
		wantCode int
	}{
		{"works", func(h *harness) entra.AppCredentials {
			return entra.AppCredentials{TenantID: h.srv.TenantID(), ClientID: clientID, ClientSecret: clientSecret}
		}, 0, true, entra.ProblemNone, "pbipublish test", 0},
		{"name_forbidden", func(h *harness) entra.AppCredentials {
			h.srv.AddApp(entratest.App{ClientID: forbiddenApp, Secret: "other-secret-value", GraphForbidden: true})
			return entra.AppCredentials{TenantID: h.srv.TenantID(), ClientID: forbiddenApp, ClientSecret: "other-secret-value"}
		}, 0, true, entra.ProblemNameUnavailable, "", 0},
		{"secret_invalid", func(h *harness) entra.AppCredentials {
			return entra.AppCredentials{TenantID: h.srv.TenantID(), ClientID: clientID, ClientSecret: "wrong~value"}
		}, 0, false, entra.ProblemSecretInvalid, "", 7000215},
		{"secret_id_pasted", func(h *harness) entra.AppCredentials {
			return entra.AppCredentials{TenantID: h.srv.TenantID(), ClientID: clientID, ClientSecret: "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"}
		}, 0, false, entra.ProblemSecretIDPasted, "", 7000215},
		{"secret_expired", func(h *harness) entra.AppCredentials {
			return entra.AppCredentials{TenantID: h.srv.TenantID(), ClientID: clientID, ClientSecret: clientSecret}
		}, 7000222, false, entra.ProblemSecretExpired, "", 7000222},
		{"app_not_in_tenant", func(h *harness) entra.AppCredentials {
			return entra.AppCredentials{TenantID: h.srv.TenantID(), ClientID: "12345678-1234-1234-1234-123456789012", ClientSecret: clientSecret}
		}, 0, false, entra.ProblemAppNotInTenant, "", 700016},
		{"bad_tenant", func(h *harness) entra.AppCredentials {
			return entra.AppCredentials{TenantID: "00000000-0000-0000-0000-00000000dead", ClientID: clientID, ClientSecret: clientSecret}
		}, 0, false, entra.ProblemBadTenant, "", 90002},
		{"invalid_input", func(h *harness) entra.AppCredentials {
			return entra.AppCredentials{TenantID: h.srv.TenantID(), ClientID: "nope"}
		}, 0, false, entra.ProblemInvalidInput, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			app := tt.app(h)
			if tt.fault != 0 {
				h.srv.Fail(entratest.Fault{Endpoint: "token", Grant: "client_credentials", Code: tt.fault})
			}
			res, err := entra.TestConnection(context.Background(), app, &entra.TestOptions{
				AuthorityHost: h.srv.URL(), GraphEndpoint: h.srv.URL(), HTTPClient: h.srv.Client(),
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.OK != tt.wantOK || res.Problem != tt.want || res.DisplayName != tt.wantName || res.Code != tt.wantCode {
				t.Errorf("TestConnection = %+v, want ok %v problem %v name %q code %d", res, tt.wantOK, tt.want, tt.wantName, tt.wantCode)
			}
			if res.Message == "" {
				t.Error("result has no message")
			}
			if app.ClientSecret != "" && strings.Contains(res.Message, app.ClientSecret) {
				t.Errorf("message %q holds the secret", res.Message)
			}
			if tt.wantCode != 0 && res.TraceID == "" {
				t.Error("result lost the trace id")
			}
		})
	}
}

func TestTestConnectionFreshCredential(t *testing.T) {
	h := newHarness(t, nil)
	opts := &entra.TestOptions{AuthorityHost: h.srv.URL(), GraphEndpoint: h.srv.URL(), HTTPClient: h.srv.Client()}
	app := entra.AppCredentials{TenantID: h.srv.TenantID(), ClientID: clientID, ClientSecret: clientSecret}
	for range 2 {
		if res, _ := entra.TestConnection(context.Background(), app, opts); !res.OK {
			t.Fatalf("TestConnection = %+v", res)
		}
	}
	if got := h.srv.Stats().ClientCredentials; got != 2 {
		t.Errorf("client-credentials grants = %d, want 2 (no cached token between tests)", got)
	}
}
