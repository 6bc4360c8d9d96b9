package publish

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// testJobStore runs the behaviour every JobStore must have.
func testJobStore(t *testing.T, s JobStore) {
	ctx := context.Background()
	at := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	job := &Job{
		ID: "j1", Org: "acme", User: "ada", Key: "k",
		State: StateRunning, Stage: StageValidating,
		Events:    []Event{{Stage: StageValidating, State: StateRunning, At: at}},
		CreatedAt: at, UpdatedAt: at,
	}

	if _, err := s.Get(ctx, "j1"); !errors.Is(err, ErrJobNotFound) {
		t.Fatalf("Get(unknown) = %v, want ErrJobNotFound", err)
	}
	if err := s.Put(ctx, job); err != nil {
		t.Fatalf("Put = %v", err)
	}

	// The store keeps a copy: later changes to the caller's job are not
	// stored until Put.
	job.Events = append(job.Events, Event{Stage: StageCreatingModel, State: StateRunning, At: at})
	got, err := s.Get(ctx, "j1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Events) != 1 {
		t.Errorf("stored job changed through the caller's pointer: %d events", len(got.Events))
	}

	job.State, job.Result = StateSucceeded, &Result{ModelID: "m"}
	if err := s.Put(ctx, job); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Get(ctx, "j1")
	if diff := cmp.Diff(job, got); diff != "" {
		t.Errorf("Get after replace (-want +got):\n%s", diff)
	}
	got.Result.ModelID = "changed"
	again, _ := s.Get(ctx, "j1")
	if again.Result.ModelID != "m" {
		t.Error("Get returned a job sharing memory with the store")
	}
	if err := s.Put(ctx, &Job{}); err == nil {
		t.Error("Put(job without id) succeeded")
	}
}

func TestMemoryJobStore(t *testing.T) {
	testJobStore(t, NewMemoryJobStore())
}

func TestStateDone(t *testing.T) {
	for _, tc := range []struct {
		s    State
		want bool
	}{{StateRunning, false}, {StateSucceeded, true}, {StateFailed, true}} {
		if got := tc.s.Done(); got != tc.want {
			t.Errorf("%s.Done() = %v, want %v", tc.s, got, tc.want)
		}
	}
}
