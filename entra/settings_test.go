package entra_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/pbipublish/pbipublish/entra"
)

func TestSettingsReadBack(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	info, err := h.c.Settings(ctx, testOrg)
	if err != nil {
		t.Fatal(err)
	}
	want := entra.SettingsInfo{Kind: entra.AppCustom, TenantID: h.srv.TenantID(), ClientID: clientID, SecretSet: true}
	if diff := cmp.Diff(want, info, cmpopts.IgnoreFields(entra.SettingsInfo{}, "UpdatedAt")); diff != "" {
		t.Errorf("Settings (-want +got):\n%s", diff)
	}
	if strings.Contains(fmt.Sprintf("%v %+v %#v", info, info, info), clientSecret) {
		t.Error("settings read back show the secret")
	}
	st, _ := h.store.(entra.SettingsStore).GetSettings(ctx, testOrg)
	if strings.Contains(string(st.SealedSecret), clientSecret) {
		t.Error("stored settings hold the secret in plain text")
	}

	// An update without a secret keeps the stored one.
	if err := h.c.SaveSettings(ctx, testOrg, entra.Settings{Kind: entra.AppCustom, TenantID: h.srv.TenantID(), ClientID: clientID}); err != nil {
		t.Fatalf("SaveSettings without secret = %v", err)
	}
	if res, err := h.c.TestConnection(ctx, testOrg, nil); err != nil || !res.OK {
		t.Errorf("TestConnection after keeping the secret = %+v, %v", res, err)
	}
	if _, err := h.c.Settings(ctx, "org-none"); !errors.Is(err, entra.ErrNotConfigured) {
		t.Errorf("Settings(unknown org) = %v, want ErrNotConfigured", err)
	}
	s := entra.Settings{Kind: entra.AppCustom, ClientSecret: clientSecret}
	if strings.Contains(fmt.Sprintf("%v %+v %#v", s, s, s), clientSecret) {
		t.Error("formatting Settings shows the secret")
	}
}

func TestSaveSettingsValidation(t *testing.T) {
	h := newHarness(t, nil)
	tests := []struct {
		name string
		s    entra.Settings
		want string
	}{
		{"no_kind", entra.Settings{}, "kind"},
		{"sso_not_offered", entra.Settings{Kind: entra.AppSSO}, "no single sign-on"},
		{"bad_tenant", entra.Settings{Kind: entra.AppCustom, TenantID: "not a tenant", ClientID: clientID, ClientSecret: "x"}, "tenant ID"},
		{"bad_client", entra.Settings{Kind: entra.AppCustom, TenantID: h.srv.TenantID(), ClientID: "abc", ClientSecret: "x"}, "client ID"},
		{"no_secret", entra.Settings{Kind: entra.AppCustom, TenantID: h.srv.TenantID(), ClientID: clientID}, "client secret: missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := h.c.SaveSettings(context.Background(), "org-new", tt.s)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("SaveSettings(%v) = %v, want error containing %q", tt.s, err, tt.want)
			}
		})
	}
}

func TestSSOSettings(t *testing.T) {
	h := newHarness(t, nil)
	kr, _ := entra.NewKeyring(testKeyA)
	c, err := entra.NewConnector(&entra.ConnectorOptions{
		Keyring: kr, RedirectURL: redirectURL, AuthorityHost: h.srv.URL(), GraphEndpoint: h.srv.URL(),
		HTTPClient: h.srv.Client(), Now: h.clock.Now,
		SSO: &entra.AppCredentials{TenantID: h.srv.TenantID(), ClientID: clientID, ClientSecret: clientSecret},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := c.SaveSettings(ctx, testOrg, entra.Settings{Kind: entra.AppSSO}); err != nil {
		t.Fatal(err)
	}
	info, _ := c.Settings(ctx, testOrg)
	if info.Kind != entra.AppSSO || info.ClientID != clientID || !info.SecretSet {
		t.Errorf("Settings = %+v", info)
	}
	res, err := c.TestConnection(ctx, testOrg, nil)
	if err != nil || !res.OK || res.DisplayName != "pbipublish test" {
		t.Errorf("TestConnection(SSO) = %+v, %v", res, err)
	}
}
