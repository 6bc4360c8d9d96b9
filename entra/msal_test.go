package entra

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"
)

type fakeCache struct{ got []byte }

func (f *fakeCache) Unmarshal(b []byte) error { f.got = b; return nil }
func (f *fakeCache) Marshal() ([]byte, error) { return []byte(`{"AccessToken":{}}`), nil }

func TestCacheAccessor(t *testing.T) {
	ctx := context.Background()
	var a cacheAccessor
	var fc fakeCache
	if err := a.Replace(ctx, &fc, cache.ReplaceHints{PartitionKey: "someone-else"}); err != nil || string(fc.got) != "{}" {
		t.Errorf("Replace on an empty accessor gave %q, %v; want an empty cache", fc.got, err)
	}
	if err := a.Export(ctx, &fc, cache.ExportHints{PartitionKey: "ignored"}); err != nil {
		t.Fatal(err)
	}
	data, changed := a.snapshot()
	if !changed || string(data) != `{"AccessToken":{}}` {
		t.Errorf("snapshot = %q, %v", data, changed)
	}
	b := cacheAccessor{data: []byte(`{"AccessToken":{}}`)}
	b.Export(ctx, &fc, cache.ExportHints{})
	if _, changed := b.snapshot(); changed {
		t.Error("an identical export counts as a change")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := a.Replace(cctx, &fc, cache.ReplaceHints{}); err == nil {
		t.Error("Replace ignored a canceled context")
	}
}

func TestDiscoveryClientCaches(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, `{"issuer":"x"}`)
	}))
	defer srv.Close()
	d := &discoveryClient{inner: srv.Client(), ttl: time.Hour, entries: map[string]discoveryEntry{}}
	for range 3 {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/t/v2.0/.well-known/openid-configuration", nil)
		resp, err := d.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != `{"issuer":"x"}` {
			t.Errorf("body = %q", b)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/t/oauth2/v2.0/token", nil)
	resp, _ := d.Do(req)
	resp.Body.Close()
	if got := hits.Load(); got != 2 {
		t.Errorf("server hits = %d, want 2 (one discovery, one token)", got)
	}
}
