package publish_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pbipublish/pbipublish/entra"
	"github.com/pbipublish/pbipublish/fabric/fabrictest"
	"github.com/pbipublish/pbipublish/publish"
)

// loadRoutes are the calls of a publish that the load test's random
// faults hit.
var loadRoutes = []struct{ method, path string }{
	{"GET", "/v1/workspaces"},
	{"POST", "/v1/connections"},
	{"GET", "/v1/workspaces/*/items"},
	{"POST", "/v1/workspaces/*/semanticModels"},
	{"GET", "/v1/operations/*"},
	{"GET", "/v1/workspaces/*/items/*/connections"},
	{"POST", "/v1/workspaces/*/semanticModels/*/bindConnection"},
	{"POST", "/v1.0/myorg/groups/*/datasets/*/refreshes"},
}

// tokenLine matches the Connector's record of a token it got from the
// authority (not from its cache): one refresh-token grant.
var tokenLine = regexp.MustCompile(`msg="entra: token acquired" org=\S+ user=(\S+) resource=(\S+) from_cache=false`)

// TestLoad runs 200 publishes by 50 users, two rounds of 100 jobs in
// parallel (two per user at once), with random faults at a low rate and
// the shared clock moved past every token's lifetime in the middle of
// each round and between them. Every job must end in success or a
// clean failure, the workspace must hold one model per successful job,
// no connection may be left unbound, and each user's tokens are
// refreshed once per expiry at most. Set PBIPUBLISH_LOAD_SEED to replay
// a run.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test: skipped under -short")
	}
	const (
		users     = 50
		rounds    = 2
		perRound  = 100 // two jobs per user
		numFaults = 24  // over about 2,000 requests
	)
	seed := time.Now().UnixNano()
	if s := os.Getenv("PBIPUBLISH_LOAD_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseInt(s, 10, 64); err != nil {
			t.Fatalf("PBIPUBLISH_LOAD_SEED=%q: %v", s, err)
		}
	}
	t.Logf("seed %d (PBIPUBLISH_LOAD_SEED=%d replays the faults)", seed, seed)
	rng := rand.New(rand.NewSource(seed))

	e := newEnv(t, &envOptions{users: users, fabric: &fabrictest.Options{PageSize: 1000}})
	for range numFaults {
		r := loadRoutes[rng.Intn(len(loadRoutes))]
		f := fabrictest.Fault{Method: r.method, Path: r.path, Times: 1, Skip: rng.Intn(perRound * rounds)}
		switch rng.Intn(4) {
		case 0:
			f.Status, f.RetryAfter = 429, time.Millisecond
		case 1:
			f.Status = 500
		case 2:
			f.Status, f.RetryAfter = 503, time.Millisecond
		case 3:
			f.Drop = true
		}
		e.fab.AddFault(f)
	}
	opFailures := rng.Intn(3)
	for range opFailures {
		e.fab.FailNextOperation(fabrictest.OperationFailure{Code: "InternalError", Message: "injected by the load test"})
	}
	refreshesBefore := e.entra.Stats().Refresh
	logsBefore := len(e.logs.String())

	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	type outcome struct {
		job *publish.Job
		err error
	}
	var (
		mu       sync.Mutex
		results  []outcome
		advances int
	)
	advance := func() {
		// Past the 4-minute lifetime of every access token issued so
		// far.
		e.clock.Advance(5 * time.Minute)
		advances++
	}
	start := time.Now()
	for round := range rounds {
		done := 0
		var wg sync.WaitGroup
		for i := range perRound {
			wg.Add(1)
			go func() {
				defer wg.Done()
				user := fmt.Sprintf("u-%d", i%users+1)
				req := e.request(t, "snowflake-prod", publish.ModeImport, basicCred)
				req.Name = fmt.Sprintf("orders r%d j%d", round, i)
				j, err := e.pub.Publish(ctx, org, user, req)
				if err != nil {
					t.Errorf("Publish(%s) = %v", req.Name, err)
					return
				}
				j, err = e.pub.Wait(ctx, j.ID)
				mu.Lock()
				defer mu.Unlock()
				results = append(results, outcome{j, err})
				done++
				if done == perRound/2 {
					advance() // mid-round: jobs in flight meet expired tokens
				}
			}()
		}
		wg.Wait()
		if round < rounds-1 {
			advance() // every user's tokens of this round expire
		}
	}
	elapsed := time.Since(start)
	if ctx.Err() != nil {
		t.Fatalf("the load did not finish within its bound: %v", ctx.Err())
	}

	// Every job ended cleanly.
	byCause := map[string]int{}
	succeeded := map[string]*publish.Job{} // by model id
	failedWithModel := 0
	r := e.secrets(t)
	for _, o := range results {
		j, err := o.job, o.err
		if j == nil {
			t.Errorf("Wait = nil job, %v", err)
			continue
		}
		r.CheckError(t, "a job's error", err)
		r.CheckValue(t, "a job record", j)
		if err == nil {
			if j.State != publish.StateSucceeded || j.Result == nil || j.ModelID == "" {
				t.Errorf("job %s: no error but %+v", j.ID, j)
				continue
			}
			if prev, dup := succeeded[j.ModelID]; dup {
				t.Errorf("jobs %s and %s report the same model %s", prev.ID, j.ID, j.ModelID)
			}
			succeeded[j.ModelID] = j
			cause := "succeeded"
			if !j.Result.RefreshStarted {
				cause = "succeeded, refresh not started"
			}
			byCause[cause]++
			continue
		}
		var se *publish.StageError
		if !errors.As(err, &se) || se.Stage == "" || se.Code == "" || j.State != publish.StateFailed || j.Failure == nil {
			t.Errorf("job %s: unclean failure %v (record %+v)", j.ID, err, j.Failure)
			continue
		}
		if se.Code == publish.CodeInterrupted || se.Code == publish.CodeUnauthorized {
			t.Errorf("job %s failed with %s: %v; expired tokens and faults must not do that", j.ID, se.Code, err)
		}
		if j.ModelID != "" {
			failedWithModel++
		}
		byCause[fmt.Sprintf("failed in %s: %s", se.Stage, se.Code)]++
	}
	if len(results) != rounds*perRound {
		t.Errorf("%d jobs ended, want %d", len(results), rounds*perRound)
	}

	// One model per successful job; a job that failed before its model
	// existed left none.
	s := e.fab.State()
	models := 0
	for _, it := range s.Items {
		if it.WorkspaceID != e.ws {
			continue
		}
		models++
		if j, ok := succeeded[it.ID]; ok && it.DisplayName != j.ModelName {
			t.Errorf("model %s is called %q, its job says %q", it.ID, it.DisplayName, j.ModelName)
		}
	}
	for id := range succeeded {
		found := false
		for _, it := range s.Items {
			found = found || it.ID == id
		}
		if !found {
			t.Errorf("model %s of a successful job is not in the workspace", id)
		}
	}
	if want := len(succeeded) + failedWithModel; models != want {
		t.Errorf("%d models in the workspace, want %d (%d successes, %d failed after creating theirs)", models, want, len(succeeded), failedWithModel)
	}
	if o := orphans(s); len(o) != 0 {
		t.Errorf("%d orphan connections: %+v", len(o), o)
	}

	// Refresh-token grants: per user and resource, at most one for the
	// first token and one per expiry; every user refreshed its Fabric
	// token after an expiry.
	grants := map[[2]string]int{}
	total := 0
	for _, m := range tokenLine.FindAllStringSubmatch(e.logs.String()[logsBefore:], -1) {
		grants[[2]string{m[1], m[2]}]++
		total++
	}
	if got := e.entra.Stats().Refresh - refreshesBefore; got != total {
		t.Errorf("the authority answered %d refresh grants, the Connector logged %d", got, total)
	}
	maxGrants := 0
	for k, n := range grants {
		maxGrants = max(maxGrants, n)
		if n > advances+1 {
			t.Errorf("user %s got %d %s tokens from the authority over %d expiries; want at most %d", k[0], n, k[1], advances, advances+1)
		}
	}
	for i := 1; i <= users; i++ {
		if n := grants[[2]string{fmt.Sprintf("u-%d", i), string(entra.Fabric)}]; n < 2 {
			t.Errorf("user u-%d got %d Fabric tokens; want the first and at least one after an expiry", i, n)
		}
	}

	// Nothing secret in the logs, the requests or the catalog.
	e.scan(t, r, nil, nil)

	var causes []string
	for c, n := range byCause {
		causes = append(causes, fmt.Sprintf("%s: %d", c, n))
	}
	sort.Strings(causes)
	t.Logf("%d publishes by %d users in %v: %.1f publishes/s; %d requests, %d faults programmed, %d operation failures; %d clock advances, %d refresh grants (at most %d per user and resource)\n  %s",
		len(results), users, elapsed.Round(time.Millisecond), float64(len(results))/elapsed.Seconds(),
		len(e.fab.Requests()), numFaults, opFailures, advances, total, maxGrants, strings.Join(causes, "\n  "))
}
