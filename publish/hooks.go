package publish

import (
	"context"

	"github.com/pbipublish/pbipublish/tmdl"
)

// StageHook is called at every transition of a job: when it enters a
// stage, and once more when it ends (ev.State succeeded or failed). It
// runs on the job's goroutine, in order, before watchers see the event;
// a slow hook delays the job, so hand long work to another goroutine.
// job is a copy the hook may keep. ctx ends when the job is cancelled
// or the Publisher closes.
type StageHook func(ctx context.Context, job *Job, ev Event)

// ModelHook may change the model built from the contract before it is
// uploaded: add measures, hide columns, rename tables. It runs once per
// job, in StageValidating, before any connection or model is created. A
// non-nil error fails the job in StageValidating with code
// CodeModelHook; nothing has been created then. The hook owns db while
// it runs and must not keep it.
type ModelHook func(ctx context.Context, job *Job, db *tmdl.Database) error

// SuccessHook is called once when a job has succeeded, after the model
// was registered in the catalog and before waiters are released. Its
// errors are the host's to handle; the job stays succeeded.
type SuccessHook func(ctx context.Context, job *Job, res *Result)
