package fabric_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	azlog "github.com/Azure/azure-sdk-for-go/sdk/azcore/log"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/pbipublish/pbipublish/fabric"
	"github.com/pbipublish/pbipublish/fabric/fabrictest"
)

const (
	secretPassword = "Pa55-w0rd-never-shown"
	secretKey      = "dapi0123456789abcdef-never"
	secretPEM      = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAAOC-never\n-----END ENCRYPTED PRIVATE KEY-----"
	secretPhrase   = "passphrase-never-shown"
	secretSP       = "sp-secret-never-shown"
)

var allSecrets = []string{secretPassword, secretKey, "MIIEvQIBADANBgkqhkiG9w0BAQEFAAOC-never", secretPhrase, secretSP}

var creds = []fabric.Credential{
	fabric.BasicCredential{Username: "svc", Password: secretPassword},
	fabric.KeyCredential{Key: secretKey},
	fabric.KeyPairCredential{Identifier: "svc", PrivateKey: secretPEM, Passphrase: secretPhrase},
	fabric.ServicePrincipalCredential{TenantID: "t", ClientID: "c", ClientSecret: secretSP},
}

func assertNoSecret(t *testing.T, where, text string) {
	t.Helper()
	for _, s := range allSecrets {
		if strings.Contains(text, s) {
			t.Errorf("%s contains a secret:\n%s", where, text)
		}
	}
}

func TestCredentialsDoNotPrintSecrets(t *testing.T) {
	for _, c := range creds {
		req := fabric.SnowflakeConnection("n", "s", "w", c)
		var logged bytes.Buffer
		slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "cred", c, "req", req)
		js, _ := json.Marshal(c)
		jsReq, _ := json.Marshal(req)
		for _, out := range []string{
			fmt.Sprint(c), fmt.Sprintf("%v %+v %#v %s", c, c, c, c),
			fmt.Sprintf("%v %+v %#v", req, req, req), string(js), string(jsReq), logged.String(),
		} {
			assertNoSecret(t, c.CredentialType()+" output", out)
		}
	}
}

// echoServer answers every POST /connections with an error that echoes
// the request body, as a careless service might.
func echoHandler(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	body, _ := json.Marshal(map[string]any{
		"errorCode":   "InvalidCredentialDetails",
		"message":     "cannot parse request " + string(b),
		"moreDetails": []map[string]string{{"errorCode": "Echo", "message": string(b)}},
	})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	w.Write(body)
}

func TestSecretsNeverInErrorsOrLogs(t *testing.T) {
	var mu sync.Mutex
	var azOut strings.Builder
	azlog.SetListener(func(_ azlog.Event, msg string) {
		mu.Lock()
		azOut.WriteString(msg + "\n")
		mu.Unlock()
	})
	defer azlog.SetListener(nil)

	var logged bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r, _ := newRecorder(t, echoHandler)
	c, err := fabric.NewClient(&staticCred{}, &fabric.ClientOptions{
		ClientOptions: azcore.ClientOptions{Transport: r.srv.Client(), Logging: policy.LogOptions{IncludeBody: false}},
		Endpoint:      r.srv.URL + "/v1", Logger: logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, cred := range creds {
		_, err := c.CreateConnection(context.Background(), fabric.SnowflakeConnection("n", "s", "w", cred))
		if err == nil {
			t.Fatal("CreateConnection succeeded against the echo server")
		}
		assertNoSecret(t, "error", err.Error())
		assertNoSecret(t, "error %+v", fmt.Sprintf("%+v %#v", err, err))
	}
	// The secrets did reach the server: the body carries them.
	sent := 0
	for _, req := range r.requests() {
		for _, s := range allSecrets {
			if bytes.Contains(req.Body, []byte(s)) || bytes.Contains(req.Body, []byte(strings.ReplaceAll(s, "\n", `\n`))) {
				sent++
			}
		}
	}
	if sent < len(creds) {
		t.Errorf("only %d secrets reached the server, want every credential's", sent)
	}
	if logged.Len() == 0 {
		t.Error("the client logger recorded nothing")
	}
	assertNoSecret(t, "client log", logged.String())
	for _, key := range []string{"service=fabric", "method=POST", "path=/v1/connections", "status=400"} {
		if !strings.Contains(logged.String(), key) {
			t.Errorf("client log lacks %q:\n%s", key, logged.String())
		}
	}
	mu.Lock()
	assertNoSecret(t, "azcore log", azOut.String())
	if strings.Contains(azOut.String(), testToken) {
		t.Error("azcore log contains the bearer token")
	}
	mu.Unlock()
	if strings.Contains(logged.String(), testToken) {
		t.Error("client log contains the bearer token")
	}
}

func TestSecretsNeverInEmulatorRecords(t *testing.T) {
	srv := fabrictest.NewServer(nil)
	defer srv.Close()
	fc, err := fabric.NewClient(srv.Credential("u1"), &fabric.ClientOptions{
		ClientOptions: azcore.ClientOptions{Transport: srv.Client()}, Endpoint: srv.FabricEndpoint()})
	if err != nil {
		t.Fatal(err)
	}
	srv.SourceCredential(fabrictest.DataSource{Type: "Snowflake", Path: "s;w"}, "Basic", map[string]string{"username": "svc", "password": "other"})
	for i, cred := range creds {
		req := fabric.SnowflakeConnection(fmt.Sprint("n", i), "s", "w", cred)
		if cred.CredentialType() == fabric.CredentialTypeKey || cred.CredentialType() == fabric.CredentialTypeServicePrincipal {
			req = fabric.DatabricksConnection(fmt.Sprint("n", i), "h", "/p", cred)
		}
		_, err := fc.CreateConnection(context.Background(), req)
		if err != nil {
			assertNoSecret(t, "error", err.Error())
		}
	}
	var all strings.Builder
	for _, r := range srv.Requests() {
		fmt.Fprintf(&all, "%+v %s\n", r, r.Body)
	}
	fmt.Fprintf(&all, "%+v", srv.State())
	assertNoSecret(t, "emulator records", all.String())
	if len(srv.Requests()) != len(creds) {
		t.Errorf("%d recorded requests, want %d", len(srv.Requests()), len(creds))
	}
}
