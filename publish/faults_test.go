package publish_test

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path"
	"testing"
	"time"

	"github.com/pbipublish/pbipublish/fabric"
	"github.com/pbipublish/pbipublish/fabric/fabrictest"
	"github.com/pbipublish/pbipublish/internal/secrettest"
	"github.com/pbipublish/pbipublish/publish"
)

// The faults of the matrix, in the order of its columns.
const (
	throttled   = iota // 429 with Retry-After (twice)
	serverError        // 500 (once)
	unavailable        // 503 with Retry-After (once)
	dropped            // the connection closed without an answer (once)
	slow               // an answer later than the per-try deadline (once)
	lroFailed          // the long-running operation ends Failed
	numFaults
)

var faultNames = [numFaults]string{"429", "500", "503", "dropped", "past_deadline", "lro_failed"}

// outcome is what one cell of the matrix expects.
type outcome struct {
	// stage and code name the failure; both empty mean success.
	stage publish.Stage
	code  string
	// noRefresh: the job succeeds, but the first refresh was not started
	// (the model is published all the same; Result.RefreshError says
	// why).
	noRefresh bool
	// na gives the reason a cell makes no sense.
	na string
}

var (
	// retried: the client retries, the job succeeds.
	retried = outcome{}
	// refreshLost: a refresh that could not be started is not fatal.
	refreshLost = outcome{noRefresh: true}
)

func failsIn(stage publish.Stage, code string) outcome { return outcome{stage: stage, code: code} }
func na(reason string) outcome                         { return outcome{na: reason} }

var (
	connFails  = failsIn(publish.StageCreatingConnection, publish.CodeConnection)
	modelFails = failsIn(publish.StageCreatingModel, publish.CodeModel)
	// modelUnsure: the create got no certain answer and no model of its
	// name appeared; Resume can pick it up later.
	modelUnsure = failsIn(publish.StageCreatingModel, publish.CodeModelUncertain)
	// adopted: the service made the model although the create failed;
	// the job finds it by name and finishes with it.
	adopted  = outcome{}
	catFails = failsIn(publish.StageFinalizing, publish.CodeCatalog)
	noLRO    = na("the step starts no long-running operation")
)

// faultMatrix is the expected outcome of each fault at each step of a
// publish (Snowflake, Import, new connection). GETs and the bind (an
// idempotent POST) are retried whatever the fault. The creates
// (connection, model) and the refresh are not idempotent: the client
// re-sends them only after a 429, which the service answers before any
// work; after a 5xx, a dropped connection or a timeout the server may
// have acted. The job then looks for what it may have created, by its
// unique name: a connection is deleted (the step fails), a model is
// adopted when it appears within ModelWait (the job carries on, binds
// it and succeeds) and otherwise the job fails resumable with
// CodeModelUncertain. A refresh that cannot be started leaves a
// published model with Result.RefreshError. The catalog is the host's
// code, not HTTP: every failure there fails the finalizing stage with
// the model kept and bound.
var faultMatrix = []struct {
	step   string
	method string
	path   string // path.Match pattern; empty for the catalog
	// acted makes the HTTP faults answer after the server did the work.
	acted bool
	cells [numFaults]outcome
}{
	// Columns: 429, 500, 503, dropped, past_deadline, lro_failed.
	{"workspace_check", "GET", "/v1/workspaces", false, [numFaults]outcome{retried, retried, retried, retried, retried, noLRO}},
	{"connection_create", "POST", "/v1/connections", false, [numFaults]outcome{retried, connFails, connFails, connFails, connFails, noLRO}},
	{"connection_create_acted", "POST", "/v1/connections", true, [numFaults]outcome{
		na("a 429 is answered before any work"), connFails, connFails, connFails,
		na("the server acts only after the latency; see connection_create"), noLRO}},
	{"model_names", "GET", "/v1/workspaces/*/items", false, [numFaults]outcome{retried, retried, retried, retried, retried, noLRO}},
	{"model_create", "POST", "/v1/workspaces/*/semanticModels", false, [numFaults]outcome{retried, modelUnsure, modelUnsure, modelUnsure, modelUnsure,
		na("the create answers 202 and an operation; its failure is seen by the poll: see lro_poll")}},
	{"model_create_acted", "POST", "/v1/workspaces/*/semanticModels", true, [numFaults]outcome{
		na("a 429 is answered before any work"), adopted, adopted, adopted,
		na("the server acts only after the latency; see model_create"),
		na("see lro_poll")}},
	{"lro_poll", "GET", "/v1/operations/*", false, [numFaults]outcome{retried, retried, retried, retried, retried, modelFails}},
	{"item_connections", "GET", "/v1/workspaces/*/items/*/connections", false, [numFaults]outcome{retried, retried, retried, retried, retried, noLRO}},
	{"bind", "POST", "/v1/workspaces/*/semanticModels/*/bindConnection", false, [numFaults]outcome{retried, retried, retried, retried, retried, noLRO}},
	{"refresh", "POST", "/v1.0/myorg/groups/*/datasets/*/refreshes", false, [numFaults]outcome{retried, refreshLost, refreshLost, refreshLost, refreshLost,
		na("a refresh is not an operation the job waits for")}},
	{"catalog", "", "", false, [numFaults]outcome{catFails, catFails, catFails, catFails,
		na("the job's context has no deadline: a slow catalog only delays the job"),
		na("the catalog runs no operation")}},
}

// tryTimeout is the per-try deadline of the past_deadline column; the
// slow answer would come far later.
const tryTimeout = 2 * time.Second

func TestFaultMatrix(t *testing.T) {
	for _, row := range faultMatrix {
		for f := range numFaults {
			want := row.cells[f]
			if want.na != "" {
				t.Logf("%s/%s: n/a: %s", row.step, faultNames[f], want.na)
				continue
			}
			t.Run(row.step+"/"+faultNames[f], func(t *testing.T) {
				if f == slow {
					// These wait for the deadline: run them together.
					t.Parallel()
				}
				runFaultCell(t, row.step, row.method, row.path, row.acted, f, want)
			})
		}
	}
}

func runFaultCell(t *testing.T, step, method, pattern string, acted bool, f int, want outcome) {
	cat := &recordingCatalog{Catalog: publish.NewMemoryCatalog()}
	var logs *secrettest.Handler
	var fo *fabrictest.Options
	if acted && step == "model_create_acted" {
		// The operation the service started runs on by itself, as
		// Fabric's do, so the model appears although no one polls it.
		fo = &fabrictest.Options{Now: time.Now, OperationDuration: 20 * time.Millisecond}
	}
	e := newEnv(t, &envOptions{
		fabric:  fo,
		catalog: func(testing.TB) publish.Catalog { return cat },
		tweak: func(o *publish.Options) {
			// Record the Publisher's log attributes raw, before any
			// handler escapes them.
			logs = secrettest.NewHandler(o.Logger.Handler())
			o.Logger = slog.New(logs)
			if f != slow {
				return
			}
			fo, po := *o.Fabric, *o.PowerBI
			fo.Retry.TryTimeout, po.Retry.TryTimeout = tryTimeout, tryTimeout
			o.Fabric, o.PowerBI = &fo, &po
		},
	})

	t.Cleanup(func() {
		if t.Failed() {
			for _, r := range e.fab.Requests() {
				t.Logf("request %s %s: %d", r.Method, r.Path, r.Status)
			}
			t.Logf("logs:\n%s", e.logs.String())
		}
	})

	// Program the fault.
	var hit func(r fabrictest.Request) bool
	switch {
	case pattern == "": // the catalog
		cat.fail = fmt.Errorf("catalog answered %s", faultNames[f])
	case f == lroFailed:
		e.fab.FailNextOperation(fabrictest.OperationFailure{Code: "Workload_FailedToParseFile", Message: "injected"})
	default:
		ft := fabrictest.Fault{Method: method, Path: pattern, Times: 1, AfterHandler: acted}
		status := 0
		switch f {
		case throttled:
			ft.Status, ft.RetryAfter, ft.Times = http.StatusTooManyRequests, time.Millisecond, 2
			status = ft.Status
		case serverError:
			ft.Status = http.StatusInternalServerError
			status = ft.Status
		case unavailable:
			ft.Status, ft.RetryAfter = http.StatusServiceUnavailable, time.Millisecond
			status = ft.Status
		case dropped:
			ft.Drop = true
		case slow:
			ft.Latency = time.Minute
		}
		e.fab.AddFault(ft)
		hit = func(r fabrictest.Request) bool {
			ok, _ := path.Match(pattern, r.Path)
			return ok && r.Method == method && r.Status == status
		}
	}

	start := time.Now()
	j, err := e.publish(t, aliceUser, e.request(t, "snowflake-prod", publish.ModeImport, basicCred))
	elapsed := time.Since(start)

	// The fault happened: a cell that never met its fault proves nothing.
	switch {
	case hit != nil:
		// The server records a request the client gave up on once it
		// notices: wait for that a little.
		applied := func() bool {
			for _, r := range e.fab.Requests() {
				if hit(r) {
					return true
				}
			}
			return false
		}
		deadline := time.Now().Add(5 * time.Second)
		for !applied() && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		if !applied() {
			t.Errorf("the %s fault on %s %s never applied", faultNames[f], method, pattern)
		}
	case pattern == "":
		if _, calls := cat.entries(); calls == 0 {
			t.Error("the catalog was never called")
		}
	case f == lroFailed:
		if !errors.Is(err, fabric.ErrOperationFailed) {
			t.Errorf("error %v does not match fabric.ErrOperationFailed", err)
		}
	}

	// The outcome.
	if want.stage == "" {
		if err != nil {
			t.Fatalf("Wait = %v, want success", err)
		}
		if j.State != publish.StateSucceeded || j.Result == nil {
			t.Fatalf("job = %+v, want succeeded with a result", j)
		}
		if j.Result.RefreshStarted == want.noRefresh {
			t.Errorf("RefreshStarted = %v (%q), want %v", j.Result.RefreshStarted, j.Result.RefreshError, !want.noRefresh)
		}
		if want.noRefresh && j.Result.RefreshError == "" {
			t.Error("refresh not started, and RefreshError does not say why")
		}
	} else {
		se := failed(t, j, err, want.stage, want.code)
		if want.code == publish.CodeModelUncertain && (!j.CreateSent || j.ModelName == "") {
			// The service may have created the model: the record must
			// say under which name, for the user to find it.
			t.Errorf("job = CreateSent %v, ModelName %q; want the name the create went out under", j.CreateSent, j.ModelName)
		}
		if se != nil && se.Remedy == "" && want.code != publish.CodeConnection && want.code != publish.CodeModel {
			t.Errorf("failure %v has no remedy", err)
		}
	}
	if elapsed > 10*time.Second {
		t.Errorf("the cell took %v", elapsed)
	}

	// No orphan connection, no duplicate model.
	s := e.fab.State()
	if o := orphans(s); len(o) != 0 {
		t.Errorf("orphan connections: %+v", o)
	}
	models := e.models()
	if len(models) > 1 {
		t.Errorf("%d models, want at most one", len(models))
	}
	if err == nil || want.stage == publish.StageFinalizing {
		if m, ok := models["orders"]; !ok || m.ID != j.ModelID || len(m.Bindings) != 1 {
			t.Errorf("model %q (id %s, %d bindings, found %v), want it bound, with the job's id %s", "orders", m.ID, len(m.Bindings), ok, j.ModelID)
		}
	}
	if want.stage == publish.StageCreatingConnection || want.stage == publish.StageValidating {
		if len(models) != 0 || len(s.Connections) != 0 {
			t.Errorf("a job failed in %s left %d models, %d connections", want.stage, len(models), len(s.Connections))
		}
	}

	// Nothing secret anywhere.
	r := e.secrets(t)
	e.scan(t, r, j, err)
	entries, _ := cat.entries()
	r.CheckValue(t, "the catalog's registrations", entries)
	r.CheckLogs(t, logs)
	if j != nil && j.Result != nil {
		r.CheckString(t, "the refresh error", j.Result.RefreshError)
	}
}
