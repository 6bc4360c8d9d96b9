package entra_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/pbipublish/pbipublish/entra"
	"github.com/pbipublish/pbipublish/entra/entratest"
)

func TestNewConnectorOptions(t *testing.T) {
	kr, _ := entra.NewKeyring(testKeyA)
	tests := []struct {
		name string
		opts *entra.ConnectorOptions
		ok   bool
	}{
		{"nil", nil, false},
		{"no_keyring", &entra.ConnectorOptions{RedirectURL: redirectURL}, false},
		{"zero_keyring", &entra.ConnectorOptions{Keyring: &entra.Keyring{}, RedirectURL: redirectURL}, false},
		{"relative_redirect", &entra.ConnectorOptions{Keyring: kr, RedirectURL: "/powerbi/callback"}, false},
		{"http_redirect", &entra.ConnectorOptions{Keyring: kr, RedirectURL: "http://portal.example.com/powerbi/callback"}, false},
		{"http_localhost", &entra.ConnectorOptions{Keyring: kr, RedirectURL: "http://localhost:8400/powerbi/callback"}, true},
		{"http_authority", &entra.ConnectorOptions{Keyring: kr, RedirectURL: redirectURL, AuthorityHost: "http://login.example"}, false},
		{"bad_sso", &entra.ConnectorOptions{Keyring: kr, RedirectURL: redirectURL, SSO: &entra.AppCredentials{TenantID: "t"}}, false},
		{"defaults", &entra.ConnectorOptions{Keyring: kr, RedirectURL: redirectURL}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := entra.NewConnector(tt.opts)
			if (err == nil) != tt.ok {
				t.Errorf("NewConnector = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

// TestNoSecretsAtRest runs the whole path on a disk store and checks
// that no token, code, verifier or secret appears in plain text in its
// files, the logs or the errors.
func TestNoSecretsAtRest(t *testing.T) {
	dir := t.TempDir()
	disk, err := entra.NewDiskStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, &harnessOptions{store: disk})
	ctx := context.Background()
	q := h.authorize(t, testUser, nil)
	if _, err := h.c.Callback(ctx, testOrg, testUser, q); err != nil {
		t.Fatal(err)
	}
	var errTexts []string
	if _, err := h.c.Callback(ctx, testOrg, testUser, q); err != nil {
		errTexts = append(errTexts, err.Error())
	}
	for _, res := range []entra.Resource{entra.PowerBI, entra.Fabric} {
		if _, err := h.c.Credential(testOrg, testUser, res).GetToken(ctx, policy.TokenRequestOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	h.clock.Advance(3*time.Minute + time.Second)
	h.c.Credential(testOrg, testUser, entra.PowerBI).GetToken(ctx, policy.TokenRequestOptions{})
	h.srv.Fail(entratest.Fault{Endpoint: "token", Code: 700082})
	h.clock.Advance(3*time.Minute + time.Second)
	if _, err := h.c.Credential(testOrg, testUser, entra.PowerBI).GetToken(ctx, policy.TokenRequestOptions{}); err != nil {
		errTexts = append(errTexts, err.Error())
	}
	res, err := h.c.TestConnection(ctx, testOrg, nil)
	if err != nil || !res.OK {
		t.Fatalf("TestConnection = %+v, %v", res, err)
	}

	secrets := append(h.srv.Secrets(), clientSecret)
	if len(secrets) < 8 {
		t.Fatalf("only %d secrets recorded; the test would prove little", len(secrets))
	}
	var files []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return err
	})
	if len(files) < 2 {
		t.Fatalf("store wrote %d files, want a token and a settings record", len(files))
	}
	logs := h.logs.String()
	for _, s := range secrets {
		for _, f := range files {
			b, _ := os.ReadFile(f)
			if strings.Contains(string(b), s) {
				t.Errorf("%s holds a secret in plain text", filepath.Base(f))
			}
		}
		if strings.Contains(logs, s) {
			t.Error("logs hold a secret")
		}
		for _, e := range errTexts {
			if strings.Contains(e, s) {
				t.Errorf("error %q holds a secret", e)
			}
		}
	}
	if !strings.Contains(logs, "entra: connected") || !strings.Contains(logs, "aadsts=700082") {
		t.Errorf("logs lack the expected events:\n%s", logs)
	}
}
