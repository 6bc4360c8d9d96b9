package publish

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/google/uuid"

	"github.com/pbipublish/pbipublish/entra"
	"github.com/pbipublish/pbipublish/fabric"
	"github.com/pbipublish/pbipublish/powerbi"
)

// Publisher publishes output ports' contracts to Power BI as semantic
// models, on behalf of the users of organizations. [New] returns the
// default implementation; hosts may wrap it (to add authorization, for
// example). Implementations are safe for concurrent use.
//
// Job ids are not secrets and a Publisher does not check who asks for a
// job: a host shows users their own jobs by comparing Job.Org and
// Job.User with its session.
type Publisher interface {
	// Choices returns what a publish dialog offers the user for req's
	// contract and server: workspaces, fitting connections, the default
	// model name, the storage modes and the review of a new connection.
	Choices(ctx context.Context, org, user string, req *Request) (*Choices, error)

	// Review merges what the contract holds with what the user entered
	// for a new connection, for the user to check before publishing. It
	// does no I/O.
	Review(req *Request) (*Review, error)

	// Publish validates req and starts a job that publishes it. Problems
	// the user can fix come back at once as a *ValidationError. The job
	// runs after Publish returns, independently of ctx, until it ends or
	// the Publisher closes. A request identical to one whose job is
	// still running (secrets aside) returns that job.
	Publish(ctx context.Context, org, user string, req *Request) (*Job, error)

	// Job returns the job's current record.
	Job(ctx context.Context, id string) (*Job, error)

	// Wait blocks until the job has ended or ctx is done. It returns the
	// final record and, when the job failed, a *StageError. For a job
	// that ran in this process the error keeps its whole chain (match
	// causes with errors.Is); for one read from the store it carries the
	// recorded text only.
	Wait(ctx context.Context, id string) (*Job, error)

	// Watch returns a channel that receives the job's events: the ones
	// so far, then each as it happens. It is closed after the final
	// event, or when ctx is done. For a job this process does not run
	// (ended, or running elsewhere) it replays the stored events and
	// closes.
	Watch(ctx context.Context, id string) (<-chan Event, error)

	// Cancel stops a running job. A connection it created is deleted;
	// a model being created is left to finish, and Resume can pick it
	// up. Cancelling an ended job does nothing.
	Cancel(ctx context.Context, id string) error

	// Resume continues a job that a stopped process left unfinished
	// (running in the store, or interrupted) from its record, without
	// creating a second model. It returns at once; use Wait.
	Resume(ctx context.Context, id string) (*Job, error)

	// Published lists the models published from an output port, newest
	// first, from the catalog.
	Published(ctx context.Context, port OutputPort) ([]PublishedModel, error)

	// Close stops accepting jobs, interrupts the running ones (as
	// Cancel does) and waits for them to clean up, or for ctx.
	Close(ctx context.Context) error
}

// Credentials hands out a user's delegated token credential for one
// resource. *entra.Connector implements it.
type Credentials interface {
	Credential(org, user string, r entra.Resource) azcore.TokenCredential
}

// accountLister is what a Credentials source may also offer to name the
// account a user connected with; *entra.Connector does.
type accountLister interface {
	Connections(ctx context.Context, org, user string) ([]entra.Connection, error)
}

// author is who the catalog says published: the request's Author, the
// user's Entra account name, or the host's user id.
func (p *publisher) author(ctx context.Context, org, user string, req *Request) string {
	if req.Author != "" {
		return req.Author
	}
	if al, ok := p.o.Credentials.(accountLister); ok {
		if conns, err := al.Connections(ctx, org, user); err == nil && len(conns) > 0 && conns[0].Username != "" {
			return conns[0].Username
		}
	}
	return user
}

// Options configure a Publisher. Credentials is required; the zero
// value of every other field means the documented default.
type Options struct {
	// Credentials gives the users' Fabric and Power BI credentials.
	Credentials Credentials

	// Fabric and PowerBI configure the API clients (endpoint,
	// transport, retries). Default: the public cloud. A host that runs
	// many jobs at once should give a transport that keeps enough idle
	// connections per host (net/http keeps 2 by default), or each burst
	// pays for new TLS handshakes.
	Fabric  *fabric.ClientOptions
	PowerBI *powerbi.ClientOptions

	// Jobs keeps job records. Default NewMemoryJobStore().
	Jobs JobStore
	// Catalog registers published models. Default NewMemoryCatalog().
	Catalog Catalog

	// Logger receives one record per job transition and failure, with
	// the keys job, org, user, stage, state, workspace, model, code and
	// err. Never a credential or token. Nil discards.
	Logger *slog.Logger

	// Now is the clock of job timestamps and catalog records. Default
	// time.Now.
	Now func() time.Time

	// OnStage, OnModel and OnSuccess are the hooks; see their types.
	OnStage   StageHook
	OnModel   ModelHook
	OnSuccess SuccessHook

	// DataSourceWait bounds the wait for a new model's data sources to
	// appear in its item connections. Default 2 minutes.
	DataSourceWait time.Duration
	// ModelWait bounds the wait for a model whose create request had no
	// certain answer (a 5xx or a dropped connection after it was sent):
	// the service may have accepted it, so the job looks for the model
	// by name before giving up. Default 2 minutes.
	ModelWait time.Duration
	// PollInterval is the pause between two looks at the item
	// connections or the workspace's models, and between polls of an
	// operation whose answer has
	// no Retry-After (at least a second there, azcore's floor; a
	// Retry-After from the service always wins). Default 5 seconds.
	PollInterval time.Duration
	// CleanupTimeout bounds the deletion of a connection after a failure
	// or an interruption. Default 30 seconds.
	CleanupTimeout time.Duration

	// LinkBase is the Power BI web app the model's link points at.
	// Default "https://app.powerbi.com".
	LinkBase string
	// MaxNameSuffix is the highest suffix tried for a free model name
	// ("Orders (50)"). Default 50.
	MaxNameSuffix int
}

// DefaultLinkBase is the Power BI web app.
const DefaultLinkBase = "https://app.powerbi.com"

// New returns the default Publisher.
func New(opts *Options) (Publisher, error) {
	if opts == nil || opts.Credentials == nil {
		return nil, errors.New("publish: options need Credentials")
	}
	o := *opts
	if o.Jobs == nil {
		o.Jobs = NewMemoryJobStore()
	}
	if o.Catalog == nil {
		o.Catalog = NewMemoryCatalog()
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.DataSourceWait <= 0 {
		o.DataSourceWait = 2 * time.Minute
	}
	if o.ModelWait <= 0 {
		o.ModelWait = 2 * time.Minute
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 5 * time.Second
	}
	if o.CleanupTimeout <= 0 {
		o.CleanupTimeout = 30 * time.Second
	}
	if o.LinkBase == "" {
		o.LinkBase = DefaultLinkBase
	}
	if o.MaxNameSuffix <= 0 {
		o.MaxNameSuffix = 50
	}
	// The caller's options are copied, never changed.
	fo, po := fabric.ClientOptions{}, powerbi.ClientOptions{}
	if o.Fabric != nil {
		fo = *o.Fabric
	}
	if o.PowerBI != nil {
		po = *o.PowerBI
	}
	fo.PerCallPolicies = append(slices.Clip(fo.PerCallPolicies), reauthPolicy{})
	po.PerCallPolicies = append(slices.Clip(po.PerCallPolicies), reauthPolicy{})
	o.Fabric, o.PowerBI = &fo, &po
	base, cancel := context.WithCancel(context.Background())
	return &publisher{o: o, log: o.Logger, base: base, stop: cancel,
		runs: map[string]*run{}, inflight: map[string]string{}, ended: map[string]error{}}, nil
}

// publisher is the default Publisher.
type publisher struct {
	o    Options
	log  *slog.Logger
	base context.Context
	stop context.CancelFunc

	mu       sync.Mutex
	closed   bool
	runs     map[string]*run   // jobs running in this process, by id
	inflight map[string]string // org, user and request key → job id
	wg       sync.WaitGroup

	// ended keeps the errors of the jobs that ended here most recently,
	// with their whole chain, for Wait calls that come after the end.
	ended     map[string]error
	endedRing []string
	endedNext int
}

// endedKept is how many ended jobs' errors a publisher keeps.
const endedKept = 4096

// rememberLocked keeps err as job id's outcome; p.mu is held.
func (p *publisher) rememberLocked(id string, err error) {
	if len(p.endedRing) < endedKept {
		p.endedRing = append(p.endedRing, id)
	} else {
		delete(p.ended, p.endedRing[p.endedNext])
		p.endedRing[p.endedNext] = id
		p.endedNext = (p.endedNext + 1) % endedKept
	}
	p.ended[id] = err
}

// run is a job running in this process.
type run struct {
	id     string
	key    string // inflight key, "" for a resumed job
	cancel context.CancelFunc
	done   chan struct{}
	err    error // set before done is closed
	// stored is closed once the job's first record is stored, with
	// storeErr set if that failed.
	stored   chan struct{}
	storeErr error

	// Guarded by publisher.mu.
	events []Event
	subs   map[chan Event]struct{}
}

// clients returns the user's API clients.
func (p *publisher) clients(org, user string) (*fabric.Client, *powerbi.Client, error) {
	fc, err := fabric.NewClient(p.o.Credentials.Credential(org, user, entra.Fabric), p.o.Fabric)
	if err != nil {
		return nil, nil, fmt.Errorf("publish: cannot create the Fabric client: %w", err)
	}
	pc, err := powerbi.NewClient(p.o.Credentials.Credential(org, user, entra.PowerBI), p.o.PowerBI)
	if err != nil {
		return nil, nil, fmt.Errorf("publish: cannot create the Power BI client: %w", err)
	}
	return fc, pc, nil
}

func (p *publisher) Publish(ctx context.Context, org, user string, req *Request) (*Job, error) {
	if org == "" || user == "" {
		return nil, errors.New("publish: organization and user are required")
	}
	ck, err := check(req)
	if err != nil {
		return nil, err
	}
	flight := org + "\x00" + user + "\x00" + ck.key
	author := p.author(ctx, org, user, req)

	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, ErrClosed
	}
	if id, ok := p.inflight[flight]; ok {
		// Join the running job, once its first record is stored.
		r := p.runs[id]
		p.mu.Unlock()
		select {
		case <-r.stored:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if r.storeErr != nil {
			return nil, r.storeErr
		}
		return p.o.Jobs.Get(ctx, id)
	}
	now := p.o.Now().UTC()
	j := &Job{
		ID: uuid.NewString(), Org: org, User: user, Key: ck.key,
		State: StateRunning, Stage: StageValidating,
		Events:    []Event{{Stage: StageValidating, State: StateRunning, At: now}},
		Spec:      specOf(ck),
		CreatedAt: now, UpdatedAt: now,
	}
	j.Spec.Author = author
	r, rctx := p.startLocked(j, flight)
	p.mu.Unlock()

	// The store is written outside the lock: a slow store delays this
	// request only.
	if err := p.o.Jobs.Put(ctx, j); err != nil {
		err = fmt.Errorf("publish: cannot store the job: %w", err)
		r.storeErr = err
		close(r.stored)
		p.mu.Lock()
		r.err = err
		delete(p.runs, r.id)
		delete(p.inflight, flight)
		for ch := range r.subs {
			close(ch)
		}
		r.subs = nil
		p.mu.Unlock()
		close(r.done)
		r.cancel()
		p.wg.Done()
		return nil, err
	}
	close(r.stored)

	first := j.Clone()
	go p.execute(rctx, r, j, ck)
	return first, nil
}

// startLocked registers a run for j; p.mu is held.
func (p *publisher) startLocked(j *Job, flight string) (*run, context.Context) {
	ctx, cancel := context.WithCancel(p.base)
	r := &run{id: j.ID, key: flight, cancel: cancel, done: make(chan struct{}), stored: make(chan struct{}),
		events: append([]Event(nil), j.Events...), subs: map[chan Event]struct{}{}}
	p.runs[j.ID] = r
	if flight != "" {
		p.inflight[flight] = j.ID
	}
	p.wg.Add(1)
	return r, ctx
}

func specOf(ck *checked) *Spec {
	d := ck.target.details()
	s := &Spec{
		WorkspaceID: ck.req.WorkspaceID, Source: ck.source, Server: ck.target.server.Server,
		Name: ck.name, Mode: ck.mode, DataSourceType: d.Type, DataSourcePath: d.Path,
		ConnectionID: ck.req.ConnectionID, Purpose: ck.req.Purpose,
	}
	if nc := ck.req.NewConnection; nc != nil {
		s.NewConnectionName = nc.DisplayName
		s.CredentialType = nc.Credential.CredentialType()
	}
	return s
}

func (p *publisher) Job(ctx context.Context, id string) (*Job, error) {
	return p.o.Jobs.Get(ctx, id)
}

func (p *publisher) Wait(ctx context.Context, id string) (*Job, error) {
	p.mu.Lock()
	r := p.runs[id]
	p.mu.Unlock()
	if r != nil {
		select {
		case <-r.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		j, err := p.o.Jobs.Get(context.WithoutCancel(ctx), id)
		if err != nil {
			return nil, err
		}
		return j, r.err
	}
	// Not running here: it ended, or another process runs it.
	for {
		j, err := p.o.Jobs.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		if j.State.Done() {
			p.mu.Lock()
			jerr, ok := p.ended[id]
			p.mu.Unlock()
			if !ok {
				jerr = errorOf(j)
			}
			return j, jerr
		}
		t := time.NewTimer(p.o.PollInterval)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
	}
}

func (p *publisher) Watch(ctx context.Context, id string) (<-chan Event, error) {
	p.mu.Lock()
	r := p.runs[id]
	if r == nil {
		p.mu.Unlock()
		j, err := p.o.Jobs.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		ch := make(chan Event, len(j.Events))
		for _, ev := range j.Events {
			ch <- ev
		}
		close(ch)
		return ch, nil
	}
	// A run adds at most six events to its history, so this buffer
	// never blocks the job.
	ch := make(chan Event, len(r.events)+16)
	for _, ev := range r.events {
		ch <- ev
	}
	r.subs[ch] = struct{}{}
	p.mu.Unlock()

	go func() {
		select {
		case <-ctx.Done():
		case <-r.done:
			return
		}
		p.mu.Lock()
		if _, ok := r.subs[ch]; ok {
			delete(r.subs, ch)
			close(ch)
		}
		p.mu.Unlock()
	}()
	return ch, nil
}

func (p *publisher) Cancel(ctx context.Context, id string) error {
	p.mu.Lock()
	r := p.runs[id]
	p.mu.Unlock()
	if r == nil {
		_, err := p.o.Jobs.Get(ctx, id)
		return err
	}
	r.cancel()
	return nil
}

func (p *publisher) Published(ctx context.Context, port OutputPort) ([]PublishedModel, error) {
	return p.o.Catalog.Published(ctx, port)
}

func (p *publisher) Close(ctx context.Context) error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.stop()

	done := make(chan struct{})
	go func() {
		p.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("publish: close: jobs still cleaning up: %w", ctx.Err())
	}
}

// emit records a transition: in the job, the store, the hooks, the
// log and the watchers.
func (p *publisher) emit(ctx context.Context, r *run, j *Job, ev Event) {
	j.Events = append(j.Events, ev)
	j.Stage, j.State, j.UpdatedAt = ev.Stage, ev.State, ev.At
	p.save(ctx, j)
	if p.o.OnStage != nil {
		p.o.OnStage(ctx, j.Clone(), ev)
	}
	p.mu.Lock()
	r.events = append(r.events, ev)
	for ch := range r.subs {
		ch <- ev
	}
	p.mu.Unlock()
}

// enter moves j to stage st.
func (p *publisher) enter(ctx context.Context, r *run, j *Job, st Stage) {
	p.log.Info("publish: stage", "job", j.ID, "org", j.Org, "user", j.User, "stage", string(st))
	p.emit(ctx, r, j, Event{Stage: st, State: StateRunning, At: p.o.Now().UTC()})
}

// save stores j; a store failure is logged and the job goes on, since
// the job's outcome matters more than its record.
func (p *publisher) save(ctx context.Context, j *Job) {
	j.UpdatedAt = p.o.Now().UTC()
	if err := p.o.Jobs.Put(context.WithoutCancel(ctx), j); err != nil {
		p.log.Warn("publish: cannot store job", "job", j.ID, "err", err.Error())
	}
}

// end finishes the run: final event, record, release of waiters.
func (p *publisher) end(ctx context.Context, r *run, j *Job, err error) {
	state := StateSucceeded
	var se *StageError
	if err != nil {
		state = StateFailed
		if !errors.As(err, &se) {
			se = &StageError{Stage: j.Stage, Code: CodeModel, Err: err}
		}
		j.Failure = se.failure()
		p.log.Warn("publish: failed", "job", j.ID, "org", j.Org, "user", j.User, "stage", string(se.Stage),
			"code", se.Code, "workspace", j.Spec.WorkspaceID, "model", j.ModelID, "err", se.Error())
		err = se
	} else {
		p.log.Info("publish: succeeded", "job", j.ID, "org", j.Org, "user", j.User,
			"workspace", j.Spec.WorkspaceID, "model", j.ModelID)
	}
	p.emit(ctx, r, j, Event{Stage: j.Stage, State: state, At: p.o.Now().UTC()})
	if err == nil && p.o.OnSuccess != nil {
		p.o.OnSuccess(ctx, j.Clone(), j.Result)
	}

	p.mu.Lock()
	r.err = err
	p.rememberLocked(r.id, err)
	delete(p.runs, r.id)
	if r.key != "" && p.inflight[r.key] == r.id {
		delete(p.inflight, r.key)
	}
	for ch := range r.subs {
		close(ch)
	}
	r.subs = nil
	p.mu.Unlock()
	close(r.done)
	r.cancel()
	p.wg.Done()
}
