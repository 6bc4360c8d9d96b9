package publish_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pbipublish/pbipublish/fabric"
	"github.com/pbipublish/pbipublish/fabric/fabrictest"
	"github.com/pbipublish/pbipublish/publish"
)

func TestResumeAfterRestartMakesNoSecondModel(t *testing.T) {
	// Operations run for many polls, so the job is caught mid-creation.
	e := newEnv(t, &envOptions{fabric: &fabrictest.Options{OperationPolls: 40}})
	ctx := context.Background()
	conn, err := e.fabricClient(t).CreateConnection(ctx, fabric.SnowflakeConnection("Team", "acme-analytics.snowflakecomputing.com", "REPORTING_WH", basicCred))
	if err != nil {
		t.Fatal(err)
	}
	req := e.request(t, "snowflake-prod", publish.ModeImport, nil)
	req.NewConnection, req.ConnectionID = nil, conn.ID

	j, err := e.pub.Publish(ctx, org, aliceUser, req)
	if err != nil {
		t.Fatal(err)
	}
	// Wait until the job has recorded the operation, then stop the
	// process's Publisher.
	deadline := time.Now().Add(10 * time.Second)
	for {
		cur, err := e.pub.Job(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if cur.ResumeToken != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("job never recorded a resume token")
		}
		time.Sleep(time.Millisecond)
	}
	if err := e.pub.Close(ctx); err != nil {
		t.Fatal(err)
	}
	stopped, err := e.jobs.Get(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stopped.ResumeToken == "" || stopped.Failure == nil || stopped.Failure.Code != publish.CodeInterrupted {
		t.Fatalf("stopped job = %+v, want interrupted with a resume token", stopped)
	}
	creates := func() int {
		n := 0
		for _, r := range e.fab.Requests() {
			if r.Method == "POST" && strings.HasSuffix(r.Path, "/semanticModels") {
				n++
			}
		}
		return n
	}
	if creates() != 1 {
		t.Fatalf("%d create requests before resume, want 1", creates())
	}

	// A new process: same stores, new Publisher.
	pub2, err := publish.New(&e.opts)
	if err != nil {
		t.Fatal(err)
	}
	defer pub2.Close(ctx)
	if _, err := pub2.Resume(ctx, j.ID); err != nil {
		t.Fatalf("Resume = %v", err)
	}
	done, err := pub2.Wait(ctx, j.ID)
	if err != nil {
		t.Fatalf("Wait after Resume = %v", err)
	}
	if creates() != 1 || len(e.models()) != 1 {
		t.Errorf("%d create requests, %d models after resume; want 1, 1", creates(), len(e.models()))
	}
	if m := e.models()["orders"]; m.ID != done.Result.ModelID || len(m.Bindings) != 1 {
		t.Errorf("resumed result %+v does not match the bound model %+v", done.Result, m.Bindings)
	}
	if _, err := pub2.Resume(ctx, j.ID); !errors.Is(err, publish.ErrNotResumable) {
		t.Errorf("Resume of a succeeded job = %v, want ErrNotResumable", err)
	}
}

func TestResumeOfJobThatNeverCreatedIsRefused(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	j := &publish.Job{ID: "j-1", Org: org, User: aliceUser, State: publish.StateRunning, Stage: publish.StageCreatingConnection,
		Spec: &publish.Spec{WorkspaceID: e.ws, Name: "orders"}}
	if err := e.jobs.Put(ctx, j); err != nil {
		t.Fatal(err)
	}
	if _, err := e.pub.Resume(ctx, "j-1"); !errors.Is(err, publish.ErrNotResumable) {
		t.Errorf("Resume = %v, want ErrNotResumable", err)
	}
	if _, err := e.pub.Resume(ctx, "nope"); !errors.Is(err, publish.ErrJobNotFound) {
		t.Errorf("Resume(unknown) = %v, want ErrJobNotFound", err)
	}
}

func TestResumeAfterCrashUsesTheJobsConnection(t *testing.T) {
	crashed := make(chan struct{})
	e := newEnv(t, &envOptions{tweak: func(o *publish.Options) {
		o.OnStage = func(ctx context.Context, j *publish.Job, ev publish.Event) {
			if ev.Stage == publish.StageBindingConnection && ev.State == publish.StateRunning {
				// The process "crashes" here: it does nothing more
				// until the test ends.
				close(crashed)
				<-ctx.Done()
			}
		}
	}})
	ctx := context.Background()
	j, err := e.pub.Publish(ctx, org, aliceUser, e.request(t, "databricks-prod", publish.ModeImport, keyCred))
	if err != nil {
		t.Fatal(err)
	}
	<-crashed
	record, err := e.jobs.Get(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if record.State != publish.StateRunning || record.ModelID == "" || !record.ConnectionCreated {
		t.Fatalf("record at the crash = %+v, want running with its model and connection", record)
	}

	// The restarted process has the record as the crash left it.
	store := publish.NewMemoryJobStore()
	if err := store.Put(ctx, record); err != nil {
		t.Fatal(err)
	}
	opts := e.opts
	opts.Jobs, opts.OnStage = store, nil
	pub2, err := publish.New(&opts)
	if err != nil {
		t.Fatal(err)
	}
	defer pub2.Close(ctx)
	if _, err := pub2.Resume(ctx, j.ID); err != nil {
		t.Fatal(err)
	}
	done, err := pub2.Wait(ctx, j.ID)
	if err != nil {
		t.Fatalf("Wait after Resume = %v", err)
	}
	m := e.models()["orders"]
	src := fabrictest.DataSource{Type: "Databricks", Path: databricksPath}
	if len(e.models()) != 1 || m.Bindings[src] != record.ConnectionID || done.Result.ConnectionID != record.ConnectionID {
		t.Errorf("after resume: %d models, binding %q; want the one model bound to %s", len(e.models()), m.Bindings[src], record.ConnectionID)
	}
	want := []string{"validating", "creating_connection", "creating_model", "binding_connection", "binding_connection", "finalizing", "succeeded"}
	if diff := cmp.Diff(want, stages(done)); diff != "" {
		t.Errorf("stages of the resumed job (-want +got):\n%s", diff)
	}
}

func TestResumeAdoptsAModelCreatedAfterAnUncertainAnswer(t *testing.T) {
	// The service accepts the create, answers 500 all the same, and
	// finishes the model only after the job has stopped looking for it.
	const late = 400 * time.Millisecond
	e := newEnv(t, &envOptions{fabric: &fabrictest.Options{Now: time.Now, OperationPolls: 1000, OperationDuration: late}})
	ctx := context.Background()
	conn, err := e.fabricClient(t).CreateConnection(ctx, fabric.SnowflakeConnection("Team", "acme-analytics.snowflakecomputing.com", "REPORTING_WH", basicCred))
	if err != nil {
		t.Fatal(err)
	}
	e.fab.AddFault(fabrictest.Fault{Method: "POST", Path: "/v1/workspaces/*/semanticModels", Status: 500, AfterHandler: true, Times: 1})
	req := e.request(t, "snowflake-prod", publish.ModeImport, nil)
	req.NewConnection, req.ConnectionID = nil, conn.ID

	j, err := e.pub.Publish(ctx, org, aliceUser, req)
	if err != nil {
		t.Fatal(err)
	}
	failed, err := e.pub.Wait(ctx, j.ID)
	var se *publish.StageError
	if !errors.As(err, &se) || se.Code != publish.CodeModelUncertain || se.Remedy == "" {
		t.Fatalf("Wait = %v, want a StageError with %s and a remedy", err, publish.CodeModelUncertain)
	}
	if failed.ModelName != "orders" || !failed.CreateSent {
		t.Fatalf("failed job = %+v, want the name its create went out under", failed)
	}

	time.Sleep(late)
	if _, err := e.pub.Resume(ctx, j.ID); err != nil {
		t.Fatalf("Resume = %v", err)
	}
	done, err := e.pub.Wait(ctx, j.ID)
	if err != nil {
		t.Fatalf("Wait after Resume = %v", err)
	}
	creates := 0
	for _, r := range e.fab.Requests() {
		if r.Method == "POST" && strings.HasSuffix(r.Path, "/semanticModels") {
			creates++
		}
	}
	m := e.models()["orders"]
	if creates != 1 || len(e.models()) != 1 || m.ID != done.Result.ModelID || len(m.Bindings) != 1 {
		t.Errorf("%d creates, %d models, result %+v; want the one model adopted and bound", creates, len(e.models()), done.Result)
	}
}
