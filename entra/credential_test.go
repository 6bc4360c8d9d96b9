package entra_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/pbipublish/pbipublish/entra"
	"github.com/pbipublish/pbipublish/entra/entratest"
)

func TestCredentialScopeCheck(t *testing.T) {
	h := newHarness(t, nil)
	h.connect(t, testUser)
	_, err := h.c.Credential(testOrg, testUser, entra.PowerBI).GetToken(context.Background(),
		policy.TokenRequestOptions{Scopes: []string{"https://api.fabric.microsoft.com/.default"}})
	if err == nil {
		t.Error("Power BI credential served a Fabric scope")
	}
	_, err = h.c.Credential(testOrg, otherUser, entra.PowerBI).GetToken(context.Background(), policy.TokenRequestOptions{})
	if !errors.Is(err, entra.ErrNotConnected) {
		t.Errorf("GetToken(unconnected user) = %v, want ErrNotConnected", err)
	}
}

func TestConcurrentRefreshCollapses(t *testing.T) {
	h := newHarness(t, nil)
	h.connect(t, testUser)
	cred := h.c.Credential(testOrg, testUser, entra.PowerBI)
	ctx := context.Background()
	first, err := cred.GetToken(ctx, policy.TokenRequestOptions{})
	if err != nil {
		t.Fatal(err)
	}
	before := h.srv.Stats().Refresh
	h.clock.Advance(3*time.Minute + time.Second)

	var wg sync.WaitGroup
	start := make(chan struct{})
	toks := make([]string, 100)
	errs := make([]error, 100)
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			tk, err := h.c.Credential(testOrg, testUser, entra.PowerBI).GetToken(ctx, policy.TokenRequestOptions{})
			toks[i], errs[i] = tk.Token, err
		}()
	}
	close(start)
	wg.Wait()
	for i := range 100 {
		if errs[i] != nil {
			t.Fatalf("goroutine %d: %v", i, errs[i])
		}
		if toks[i] == first.Token || toks[i] != toks[0] {
			t.Fatalf("goroutine %d got a stale or different token", i)
		}
	}
	if got := h.srv.Stats().Refresh - before; got != 1 {
		t.Errorf("refreshes = %d, want exactly 1", got)
	}
	if _, err := cred.GetToken(ctx, policy.TokenRequestOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := h.srv.Stats().Refresh - before; got != 1 {
		t.Errorf("refreshes after one more GetToken = %d, want 1 (refreshed token is fresh)", got)
	}
}

func TestRefreshErrors(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(h *harness)
		want   error
		code   int
	}{
		{"refresh_token_expired", func(h *harness) { h.srv.Fail(entratest.Fault{Endpoint: "token", Grant: "refresh_token", Code: 700082}) }, entra.ErrReconnectRequired, 700082},
		{"sessions_revoked", func(h *harness) { h.srv.RevokeSessions(aliceOID) }, entra.ErrReconnectRequired, 50173},
		{"consent_revoked", func(h *harness) { h.srv.RevokeConsent(clientID, aliceOID) }, entra.ErrReconnectRequired, 65001},
		{"mfa_required", func(h *harness) { h.srv.Fail(entratest.Fault{Endpoint: "token", Code: 50076}) }, entra.ErrReconnectRequired, 50076},
		{"sign_in_frequency", func(h *harness) { h.srv.Fail(entratest.Fault{Endpoint: "token", Code: 70043}) }, entra.ErrReconnectRequired, 70043},
		{"secret_expired", func(h *harness) { h.srv.Fail(entratest.Fault{Endpoint: "token", Code: 7000222}) }, entra.ErrAppMisconfigured, 7000222},
		{"app_removed", func(h *harness) { h.srv.Fail(entratest.Fault{Endpoint: "token", Code: 700016}) }, entra.ErrAppMisconfigured, 700016},
		{"secret_changed", func(h *harness) {
			h.c.SaveSettings(context.Background(), testOrg, entra.Settings{Kind: entra.AppCustom, TenantID: h.srv.TenantID(), ClientID: clientID, ClientSecret: "wrong-secret-value"})
		}, entra.ErrAppMisconfigured, 7000215},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.connect(t, testUser)
			tt.break_(h)
			h.clock.Advance(3*time.Minute + time.Second)
			_, err := h.c.Credential(testOrg, testUser, entra.PowerBI).GetToken(context.Background(), policy.TokenRequestOptions{})
			if !errors.Is(err, tt.want) {
				t.Fatalf("GetToken = %v, want %v", err, tt.want)
			}
			var ae *entra.AuthError
			if !errors.As(err, &ae) || ae.Code != tt.code || ae.TraceID == "" {
				t.Errorf("GetToken = %#v, want an AuthError with AADSTS%d and a trace id", err, tt.code)
			}
		})
	}
}

func TestKeyRotationThroughConnector(t *testing.T) {
	store := entra.NewMemoryStore()
	h := newHarness(t, &harnessOptions{store: store, keys: testKeyA})
	h.connect(t, testUser)
	ctx := context.Background()
	rec, _ := store.Get(ctx, testOrg, testUser)
	oldID := entra.RecordKeyID(rec.Sealed)

	// The same store, now with B first: old records still open, and the
	// next write re-seals under B.
	h2 := newHarnessOn(t, h, testKeyB+","+testKeyA)
	newKR, _ := entra.NewKeyring(testKeyB)
	tok, err := h2.c.Credential(testOrg, testUser, entra.Fabric).GetToken(ctx, policy.TokenRequestOptions{})
	if err != nil || tok.Token == "" {
		t.Fatalf("GetToken with rotated keys = %v", err)
	}
	rec, _ = store.Get(ctx, testOrg, testUser)
	if got := entra.RecordKeyID(rec.Sealed); got == oldID || got != newKR.PrimaryKeyID() {
		t.Errorf("record key = %s, want the new key %s", got, newKR.PrimaryKeyID())
	}
	st, _ := store.GetSettings(ctx, testOrg)
	if entra.RecordKeyID(st.SealedSecret) != oldID {
		t.Errorf("settings were rewritten without a write")
	}

	// Only the old key: the re-sealed record no longer opens.
	h3 := newHarnessOn(t, h, testKeyA)
	_, err = h3.c.Credential(testOrg, testUser, entra.PowerBI).GetToken(ctx, policy.TokenRequestOptions{})
	if !errors.Is(err, entra.ErrReconnectRequired) || !errors.Is(err, entra.ErrRecordInvalid) {
		t.Errorf("GetToken without the new key = %v, want ErrReconnectRequired and ErrRecordInvalid", err)
	}
}

// newHarnessOn makes a second Connector with other keys over h's server
// and store.
func newHarnessOn(t *testing.T, h *harness, keys string) *harness {
	t.Helper()
	kr, err := entra.NewKeyring(keys)
	if err != nil {
		t.Fatal(err)
	}
	c, err := entra.NewConnector(&entra.ConnectorOptions{
		Keyring: kr, RedirectURL: redirectURL, Store: h.store,
		AuthorityHost: h.srv.URL(), HTTPClient: h.srv.Client(), Now: h.clock.Now, RefreshMargin: time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	return &harness{srv: h.srv, c: c, store: h.store, clock: h.clock, kr: kr}
}

func TestMovedRecordRejected(t *testing.T) {
	h := newHarness(t, nil)
	h.connect(t, testUser)
	ctx := context.Background()
	rec, _ := h.store.Get(ctx, testOrg, testUser)
	rec.User = otherUser
	if _, err := h.store.Put(ctx, rec, entra.AnyVersion); err != nil {
		t.Fatal(err)
	}
	_, err := h.c.Credential(testOrg, otherUser, entra.PowerBI).GetToken(ctx, policy.TokenRequestOptions{})
	if !errors.Is(err, entra.ErrRecordInvalid) || !errors.Is(err, entra.ErrReconnectRequired) {
		t.Errorf("GetToken with another user's record = %v, want ErrRecordInvalid", err)
	}
	rec.User = testUser
	rec.Sealed[len(rec.Sealed)/2] ^= 0x80
	h.store.Put(ctx, rec, entra.AnyVersion)
	h.clock.Advance(3*time.Minute + time.Second)
	_, err = h.c.Credential(testOrg, testUser, entra.PowerBI).GetToken(ctx, policy.TokenRequestOptions{})
	if !errors.Is(err, entra.ErrRecordInvalid) {
		t.Errorf("GetToken with a tampered record = %v, want ErrRecordInvalid", err)
	}
	rec.Sealed[len(rec.Sealed)/2] ^= 0x80
	rec.Sealed = rec.Sealed[:len(rec.Sealed)-1]
	h.store.Put(ctx, rec, entra.AnyVersion)
	h.clock.Advance(3*time.Minute + time.Second)
	_, err = h.c.Credential(testOrg, testUser, entra.PowerBI).GetToken(ctx, policy.TokenRequestOptions{})
	if !errors.Is(err, entra.ErrRecordInvalid) {
		t.Errorf("GetToken with a truncated record = %v, want ErrRecordInvalid", err)
	}
}

func TestDisconnectDuringRefresh(t *testing.T) {
	h := newHarness(t, nil)
	h.connect(t, testUser)
	ctx := context.Background()

	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	h.srv.OnToken(func(grant string) {
		if grant == "refresh_token" {
			once.Do(func() { close(entered) })
			<-release
		}
	})
	done := make(chan error)
	go func() {
		_, err := h.c.Credential(testOrg, testUser, entra.Fabric).GetToken(ctx, policy.TokenRequestOptions{})
		done <- err
	}()
	<-entered
	if err := h.c.Disconnect(ctx, testOrg, testUser); err != nil {
		t.Fatal(err)
	}
	close(release)
	if err := <-done; !errors.Is(err, entra.ErrNotConnected) {
		t.Errorf("refresh across a disconnect = %v, want ErrNotConnected", err)
	}
	if _, err := h.store.Get(ctx, testOrg, testUser); !errors.Is(err, entra.ErrNotFound) {
		t.Errorf("record after disconnect: %v, want ErrNotFound (not resurrected)", err)
	}
	if err := h.c.Disconnect(ctx, testOrg, testUser); err != nil {
		t.Errorf("second Disconnect = %v, want nil", err)
	}
}

func TestResealWithoutRefresh(t *testing.T) {
	// Hour-long tokens: MSAL serves the access token from its cache, so
	// the cache blob does not change; the record is re-sealed anyway
	// because it was sealed under a key that is no longer first.
	store := entra.NewMemoryStore()
	h := newHarness(t, &harnessOptions{store: store, keys: testKeyA, lifetime: time.Hour, margin: 5 * time.Minute})
	h.connect(t, testUser)
	h2 := newHarnessOn(t, h, testKeyB+","+testKeyA)
	if _, err := h2.c.Credential(testOrg, testUser, entra.PowerBI).GetToken(context.Background(), policy.TokenRequestOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := h.srv.Stats().Refresh; got != 0 {
		t.Errorf("refreshes = %d, want 0 (token from MSAL's cache)", got)
	}
	rec, _ := store.Get(context.Background(), testOrg, testUser)
	if got := entra.RecordKeyID(rec.Sealed); got != h2.kr.PrimaryKeyID() {
		t.Errorf("record key = %s, want %s", got, h2.kr.PrimaryKeyID())
	}
}

func BenchmarkGetTokenCached(b *testing.B) {
	h := newHarness(b, &harnessOptions{lifetime: time.Hour, margin: 5 * time.Minute})
	h.connect(b, testUser)
	cred := h.c.Credential(testOrg, testUser, entra.PowerBI)
	ctx := context.Background()
	opts := policy.TokenRequestOptions{Scopes: []string{"https://analysis.windows.net/powerbi/api/.default"}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cred.GetToken(ctx, opts); err != nil {
			b.Fatal(err)
		}
	}
}
