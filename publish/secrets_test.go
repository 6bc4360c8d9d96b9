package publish_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pbipublish/pbipublish/fabric"
	"github.com/pbipublish/pbipublish/fabric/fabrictest"
	"github.com/pbipublish/pbipublish/publish"
)

// TestNoCredentialLeaks publishes with every credential kind, succeeding
// and failing, and looks for the credentials' secret values, and for the
// tokens and codes of the sign-in, in everything the package writes or
// returns: job records, the catalog file, logs, errors, events, hooks'
// copies and reviews.
func TestNoCredentialLeaks(t *testing.T) {
	catalogPath := filepath.Join(t.TempDir(), "catalog.json")
	var mu sync.Mutex
	var seen strings.Builder
	record := func(v ...any) {
		mu.Lock()
		defer mu.Unlock()
		for _, x := range v {
			b, _ := json.Marshal(x)
			fmt.Fprintf(&seen, "%s\n%+v\n%#v\n", b, x, x)
		}
	}
	e := newEnv(t, &envOptions{
		catalog: func(t testing.TB) publish.Catalog {
			c, err := publish.NewFileCatalog(catalogPath)
			if err != nil {
				t.Fatal(err)
			}
			return c
		},
		tweak: func(o *publish.Options) {
			o.OnStage = func(ctx context.Context, j *publish.Job, ev publish.Event) { record(j, ev) }
			o.OnSuccess = func(ctx context.Context, j *publish.Job, res *publish.Result) { record(j, res) }
		},
	})
	ctx := context.Background()

	type run struct {
		server string
		mode   publish.Mode
		cred   fabric.Credential
		fault  *fabrictest.Fault
	}
	bindFault := &fabrictest.Fault{Method: "POST", Path: "/v1/workspaces/*/semanticModels/*/bindConnection", Status: 400, Code: "BindConnectionDetailNotFound", Times: 1}
	connFault := &fabrictest.Fault{Method: "POST", Path: "/v1/connections", Status: 500, Times: 1, AfterHandler: true}
	runs := []run{
		{"snowflake-prod", publish.ModeImport, basicCred, nil},
		{"snowflake-prod", publish.ModeDirectQuery, keyPairCred, nil},
		{"databricks-prod", publish.ModeImport, keyCred, nil},
		{"databricks-prod", publish.ModeDual, spCred, nil},
		{"snowflake-prod", publish.ModeImport, basicCred, bindFault},
		{"databricks-prod", publish.ModeImport, spCred, connFault},
	}
	for _, r := range runs {
		if r.fault != nil {
			e.fab.AddFault(*r.fault)
		}
		req := e.request(t, r.server, r.mode, r.cred)
		rev, err := e.pub.Review(req)
		record(rev, err)
		j, err := e.pub.Publish(ctx, org, aliceUser, req)
		if err != nil {
			t.Fatalf("Publish = %v", err)
		}
		events, err := e.pub.Watch(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		for ev := range events {
			record(ev)
		}
		done, err := e.pub.Wait(ctx, j.ID)
		record(done, err)
		if err != nil {
			record(err.Error())
		}
		if (err != nil) != (r.fault != nil) {
			t.Errorf("run %+v: Wait = %v", r, err)
		}
	}
	// Validation errors too.
	bad := e.request(t, "snowflake-prod", publish.ModeImport, fabric.KeyPairCredential{Identifier: "x", PrivateKey: keyPairCred.Passphrase})
	_, err := e.pub.Publish(ctx, org, aliceUser, bad)
	record(err)
	if err != nil {
		record(err.Error())
	}

	// The run with the uncertain connection create left nothing behind.
	if n := len(e.connections()); n != 4 {
		t.Errorf("%d connections, want 4 (one per successful run)", n)
	}

	r := e.secrets(t)
	sources := map[string]string{
		"job records and events": seen.String(),
		"logs":                   e.logs.String(),
	}
	for where, text := range sources {
		if text == "" {
			t.Errorf("%s: nothing recorded, the test is blind", where)
		}
		r.CheckString(t, where, text)
	}
	// The catalog file, and anything else the package wrote beside it.
	r.CheckDir(t, filepath.Dir(catalogPath))
	r.CheckRequests(t, e.fab.Requests())
}
