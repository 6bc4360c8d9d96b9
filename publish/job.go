package publish

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// Stage is a step of a publish job, in the order a job passes through
// them. A job that needs no new connection skips StageCreatingConnection.
type Stage string

const (
	StageValidating         Stage = "validating"
	StageCreatingConnection Stage = "creating_connection"
	StageCreatingModel      Stage = "creating_model"
	StageBindingConnection  Stage = "binding_connection"
	StageFinalizing         Stage = "finalizing"
)

// State is where a job is in its life: running until it has succeeded or
// failed, then never changing again.
type State string

const (
	StateRunning   State = "running"
	StateSucceeded State = "succeeded"
	StateFailed    State = "failed"
)

// Done reports whether s is final.
func (s State) Done() bool { return s == StateSucceeded || s == StateFailed }

// Event is one transition of a job: it entered Stage, or ended in State.
type Event struct {
	Stage Stage     `json:"stage"`
	State State     `json:"state"`
	At    time.Time `json:"at"`
}

// Job is the record of one publish: what was asked (without secrets), the
// stages passed, and the outcome. Jobs read from a [JobStore] are copies;
// changing one changes nothing stored.
type Job struct {
	ID   string `json:"id"`
	Org  string `json:"org"`
	User string `json:"user"`
	// Key identifies the request for joining a duplicate while this job
	// runs. It is derived from the request without its secrets.
	Key string `json:"key"`

	State  State   `json:"state"`
	Stage  Stage   `json:"stage"`
	Events []Event `json:"events"`

	// Result is set when the job has succeeded.
	Result *Result `json:"result,omitempty"`
	// Failure is set when the job has failed.
	Failure *Failure `json:"failure,omitempty"`

	// Spec is what was asked, without secrets: what Resume needs to
	// finish the job in another process.
	Spec *Spec `json:"spec,omitempty"`

	// ResumeToken lets a job interrupted while its model was being created
	// wait for that same creation instead of starting a second one.
	ResumeToken string `json:"resumeToken,omitempty"`
	// CreateSent records that the create-model request was sent under
	// ModelName, so a resumed job looks for that model before creating
	// another.
	CreateSent bool `json:"createSent,omitempty"`
	// ModelID and ModelName are set once the model exists (ModelName is
	// set as the create request goes out).
	ModelID   string `json:"modelId,omitempty"`
	ModelName string `json:"modelName,omitempty"`
	// ConnectionID is the connection the model is bound to: the one
	// asked for, or the one this job created (ConnectionCreated).
	ConnectionID      string `json:"connectionId,omitempty"`
	ConnectionCreated bool   `json:"connectionCreated,omitempty"`

	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Clone returns a deep copy of j.
func (j *Job) Clone() *Job {
	if j == nil {
		return nil
	}
	c := *j
	c.Events = slices.Clone(j.Events)
	if j.Result != nil {
		r := *j.Result
		c.Result = &r
	}
	if j.Failure != nil {
		f := *j.Failure
		c.Failure = &f
	}
	if j.Spec != nil {
		sp := *j.Spec
		c.Spec = &sp
	}
	return &c
}

// Spec is a publish request as a job keeps it: every choice, no
// secret.
type Spec struct {
	WorkspaceID string     `json:"workspaceId"`
	Source      OutputPort `json:"source"`
	Server      string     `json:"server"`
	// Name is the model name asked for; the model may get a suffix.
	Name string `json:"name"`
	Mode Mode   `json:"mode"`
	// DataSourceType and DataSourcePath are what the model reads from
	// ("Snowflake", "acme.snowflakecomputing.com;WH"); the connection
	// must match them exactly.
	DataSourceType string `json:"dataSourceType"`
	DataSourcePath string `json:"dataSourcePath"`
	// ConnectionID is the existing connection asked for, if any.
	ConnectionID string `json:"connectionId,omitempty"`
	// NewConnectionName and CredentialType describe the connection to
	// create, if any; never the credential itself.
	NewConnectionName string `json:"newConnectionName,omitempty"`
	CredentialType    string `json:"credentialType,omitempty"`
	Purpose           string `json:"purpose,omitempty"`
	// Author is who published, as the catalog records it.
	Author string `json:"author,omitempty"`
}

// Result is what a successful publish produced.
type Result struct {
	WorkspaceID  string `json:"workspaceId"`
	ModelID      string `json:"modelId"`
	ModelName    string `json:"modelName"`
	Link         string `json:"link"`
	ConnectionID string `json:"connectionId,omitempty"`
	// RefreshStarted reports whether an Import model's first refresh was
	// started.
	RefreshStarted bool `json:"refreshStarted"`
	// RefreshError says why the first refresh could not be started; the
	// model is published all the same.
	RefreshError string `json:"refreshError,omitempty"`
}

// Failure is why a job failed: the stage it was in, a stable code a host
// can branch on, and text for the user. It never holds a credential.
type Failure struct {
	Stage   Stage  `json:"stage"`
	Code    string `json:"code"`
	Message string `json:"message"`
	// Remedy tells the user what they can do, where there is something.
	Remedy string `json:"remedy,omitempty"`
}

// ErrJobNotFound is returned by a JobStore for an unknown job id.
var ErrJobNotFound = errors.New("publish: job not found")

// JobStore keeps job records. Put stores a copy of the job, replacing any
// record with the same ID; Get returns a copy or an error wrapping
// ErrJobNotFound. Implementations must be safe for concurrent use; the
// Publisher writes each job from one goroutine at a time, so last write
// wins is enough.
type JobStore interface {
	Put(ctx context.Context, job *Job) error
	Get(ctx context.Context, id string) (*Job, error)
}

// NewMemoryJobStore returns a JobStore that keeps jobs in memory; it is
// the Publisher's default.
func NewMemoryJobStore() JobStore {
	return &memoryJobStore{jobs: make(map[string]*Job)}
}

type memoryJobStore struct {
	mu   sync.RWMutex
	jobs map[string]*Job
}

func (s *memoryJobStore) Put(ctx context.Context, job *Job) error {
	if job == nil || job.ID == "" {
		return errors.New("publish: job without id")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.jobs[job.ID] = job.Clone()
	return nil
}

func (s *memoryJobStore) Get(ctx context.Context, id string) (*Job, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	j, ok := s.jobs[id]
	if !ok {
		return nil, ErrJobNotFound
	}
	return j.Clone(), nil
}
