package publish_test

import (
	"context"
	"sync"
	"testing"

	"github.com/pbipublish/pbipublish/fabric/fabrictest"
	"github.com/pbipublish/pbipublish/internal/secrettest"
	"github.com/pbipublish/pbipublish/publish"
)

// secrets returns the registry of every secret the env's tests use: the
// data source credentials, the app's client secret, the keyring key and
// whatever went through the fake Entra (codes, verifiers, tokens). Call
// it after the run, when the Entra list is complete.
func (e *env) secrets(t testing.TB) *secrettest.Registry {
	t.Helper()
	r := &secrettest.Registry{}
	r.Add("data source credential", canaries...)
	r.Add("app client secret", clientSecret)
	r.Add("keyring key", testKey)
	r.Add("entra secret", e.entra.Secrets()...)
	r.Check(t)
	return r
}

// scan looks for every registered secret in what a job left behind: its
// error, its record in the store, the logs, the requests the emulator
// recorded and the catalog's entries.
func (e *env) scan(t testing.TB, r *secrettest.Registry, j *publish.Job, err error) {
	t.Helper()
	ctx := context.Background()
	r.CheckError(t, "the job's error", err)
	if j != nil {
		stored, gerr := e.jobs.Get(ctx, j.ID)
		if gerr != nil {
			t.Errorf("Get(%s) = %v", j.ID, gerr)
		}
		r.CheckValue(t, "the job record", stored)
	}
	r.CheckString(t, "the logs", e.logs.String())
	r.CheckRequests(t, e.fab.Requests())
	published, perr := e.cat.Published(ctx, port)
	if perr != nil {
		t.Errorf("Published = %v", perr)
	}
	r.CheckValue(t, "the catalog entries", published)
}

// orphans returns the emulator's connections that no model is bound to.
func orphans(s fabrictest.Snapshot) []fabrictest.ConnectionState {
	bound := map[string]bool{}
	for _, it := range s.Items {
		for _, c := range it.Bindings {
			bound[c] = true
		}
	}
	var out []fabrictest.ConnectionState
	for _, c := range s.Connections {
		if !bound[c.ID] {
			out = append(out, c)
		}
	}
	return out
}

// recordingCatalog keeps what Register was given and returned, for the
// secret scan, and fails every registration while fail is set.
type recordingCatalog struct {
	publish.Catalog
	mu      sync.Mutex
	fail    error
	calls   int
	records []any
}

func (c *recordingCatalog) Register(ctx context.Context, reg publish.Registration) (*publish.ConsumerProduct, *publish.Agreement, error) {
	c.mu.Lock()
	c.calls++
	fail := c.fail
	c.mu.Unlock()
	if fail != nil {
		return nil, nil, fail
	}
	p, a, err := c.Catalog.Register(ctx, reg)
	c.mu.Lock()
	c.records = append(c.records, reg, p, a)
	c.mu.Unlock()
	return p, a, err
}

// entries returns what the catalog registered, and how many calls it got.
func (c *recordingCatalog) entries() ([]any, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]any(nil), c.records...), c.calls
}
