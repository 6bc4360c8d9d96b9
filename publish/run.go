package publish

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"

	"github.com/pbipublish/pbipublish/entra"
	"github.com/pbipublish/pbipublish/fabric"
	"github.com/pbipublish/pbipublish/internal/restclient"
	"github.com/pbipublish/pbipublish/powerbi"
)

// execute runs a new job to its end.
func (p *publisher) execute(ctx context.Context, r *run, j *Job, ck *checked) {
	// Publish recorded the first event; the hook and the log see it here.
	p.log.Info("publish: stage", "job", j.ID, "org", j.Org, "user", j.User, "stage", string(StageValidating))
	if p.o.OnStage != nil {
		p.o.OnStage(ctx, j.Clone(), j.Events[0])
	}
	err := p.steps(ctx, r, j, ck)
	p.end(ctx, r, j, err)
}

// steps runs the stages of a new job.
func (p *publisher) steps(ctx context.Context, r *run, j *Job, ck *checked) error {
	fc, pc, err := p.clients(j.Org, j.User)
	if err != nil {
		return p.fail(ctx, StageValidating, CodeValidation, "", err)
	}

	// Validating: the workspace, the connection chosen, the model.
	if err := p.checkWorkspace(ctx, fc, j.Spec.WorkspaceID); err != nil {
		return err
	}
	if j.Spec.ConnectionID != "" {
		if err := p.checkConnection(ctx, fc, j.Spec); err != nil {
			return err
		}
		j.ConnectionID = j.Spec.ConnectionID
	}
	if p.o.OnModel != nil {
		if err := p.o.OnModel(ctx, j.Clone(), ck.db); err != nil {
			return p.fail(ctx, StageValidating, CodeModelHook, "", fmt.Errorf("model hook: %w", err))
		}
	}
	tparts, err := ck.db.Parts()
	if err != nil {
		return p.fail(ctx, StageValidating, CodeValidation, "", fmt.Errorf("cannot encode the model: %w", err))
	}
	parts := make([]fabric.DefinitionPart, len(tparts))
	for i, tp := range tparts {
		parts[i] = fabric.DefinitionPart{Path: tp.Path, Payload: tp.Payload}
	}

	if nc := ck.req.NewConnection; nc != nil {
		p.enter(ctx, r, j, StageCreatingConnection)
		err := p.createConnection(ctx, fc, j, ck.target, nc)
		// The credential has been sent; forget it.
		ck.req.NewConnection = nil
		if err != nil {
			return err
		}
	}

	return p.complete(ctx, r, j, fc, pc, parts)
}

// complete runs the stages every job ends with, new or resumed: it
// creates the model (unless a resumed job already has it; parts is nil
// then and the stored poller token is followed instead), binds it and
// finalizes. When it fails before the model is bound, a connection this
// job made is deleted: it is useless to a model not bound to it, and a
// failed or interrupted job must leave no orphan behind.
func (p *publisher) complete(ctx context.Context, r *run, j *Job, fc *fabric.Client, pc *powerbi.Client, parts []fabric.DefinitionPart) (err error) {
	bound := false
	defer func() {
		if err != nil && !bound {
			p.dropConnection(ctx, fc, j)
		}
	}()

	if j.ModelID == "" {
		p.enter(ctx, r, j, StageCreatingModel)
		if err := p.createModel(ctx, fc, j, parts); err != nil {
			return err
		}
	}

	p.enter(ctx, r, j, StageBindingConnection)
	if err := p.bind(ctx, fc, j); err != nil {
		return err
	}
	bound = true

	p.enter(ctx, r, j, StageFinalizing)
	return p.finalize(ctx, pc, j)
}

// fail builds the StageError of a failure in stage. An interruption, an
// expired sign-in and throttling get their own codes and remedies.
func (p *publisher) fail(ctx context.Context, stage Stage, code, remedy string, err error) error {
	switch {
	case ctx.Err() != nil:
		code, remedy = CodeInterrupted, "publish again, or resume the job"
		err = fmt.Errorf("%w: %w", ErrInterrupted, err)
	case errors.Is(err, entra.ErrNotConnected), errors.Is(err, entra.ErrReconnectRequired),
		errors.Is(err, fabric.ErrUnauthorized), errors.Is(err, powerbi.ErrUnauthorized):
		code, remedy = CodeUnauthorized, "connect your Power BI account again, then publish again"
	case errors.Is(err, fabric.ErrThrottled), errors.Is(err, powerbi.ErrThrottled):
		code, remedy = CodeThrottled, "Power BI is busy; publish again in a few minutes"
	}
	return &StageError{Stage: stage, Code: code, Remedy: remedy, Err: err}
}

// checkWorkspace makes sure the user may create items in ws.
func (p *publisher) checkWorkspace(ctx context.Context, fc *fabric.Client, ws string) error {
	pager := fc.NewListWorkspacesPager(&fabric.ListWorkspacesOptions{Roles: contributorRoles})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return p.fail(ctx, StageValidating, CodeWorkspaceAccess, "", fmt.Errorf("cannot list workspaces: %w", err))
		}
		for _, w := range page.Value {
			if strings.EqualFold(w.ID, ws) {
				return nil
			}
		}
	}
	return &StageError{Stage: StageValidating, Code: CodeWorkspaceAccess,
		Remedy: "ask a workspace admin for the Contributor role, or choose another workspace",
		Err:    fmt.Errorf("%w %s", ErrNoWorkspaceAccess, ws)}
}

var contributorRoles = []string{fabric.RoleAdmin, fabric.RoleMember, fabric.RoleContributor}

// checkConnection makes sure the existing connection asked for exists
// and points exactly at the model's data source.
func (p *publisher) checkConnection(ctx context.Context, fc *fabric.Client, s *Spec) error {
	pager := fc.NewListConnectionsPager()
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return p.fail(ctx, StageValidating, CodeConnection, "", fmt.Errorf("cannot list connections: %w", err))
		}
		for _, c := range page.Value {
			if c.ID != s.ConnectionID {
				continue
			}
			if c.ConnectionDetails.Type != s.DataSourceType || c.ConnectionDetails.Path != s.DataSourcePath {
				return &StageError{Stage: StageValidating, Code: CodeConnection,
					Remedy: "choose a connection to " + s.DataSourcePath + ", or create a new one",
					Err: fmt.Errorf("%w: connection %s is %s %q, the model reads %s %q", ErrConnectionMismatch,
						c.ID, c.ConnectionDetails.Type, c.ConnectionDetails.Path, s.DataSourceType, s.DataSourcePath)}
			}
			return nil
		}
	}
	return &StageError{Stage: StageValidating, Code: CodeConnection,
		Remedy: "choose one of your connections, or create a new one",
		Err:    fmt.Errorf("%w: connection %s does not exist or is not shared with you", ErrConnectionMismatch, s.ConnectionID)}
}

// createConnection creates the job's new connection.
func (p *publisher) createConnection(ctx context.Context, fc *fabric.Client, j *Job, t *target, nc *NewConnection) error {
	name := j.Spec.NewConnectionName
	if name == "" {
		name = fmt.Sprintf("%s %s (%s, %s)", t.kind, strings.ReplaceAll(t.details().Path, ";", " "), j.Spec.Name, j.ID[:8])
	}
	var req fabric.CreateConnectionRequest
	if t.kind == fabric.ConnectionTypeSnowflake {
		req = fabric.SnowflakeConnection(name, t.host, t.warehouse, nc.Credential)
	} else {
		req = fabric.DatabricksConnection(name, t.host, t.httpPath, nc.Credential)
	}
	req.SkipTestConnection = nc.SkipTestConnection

	conn, err := fc.CreateConnection(ctx, req)
	if err != nil {
		// After a 5xx or a dropped connection the service may have
		// created it: find it by its unique name and delete it.
		if uncertain(err) {
			p.dropConnectionNamed(ctx, fc, name)
		}
		remedy := ""
		switch {
		case errors.Is(err, fabric.ErrIncorrectCredentials):
			remedy = "the data source refused the credentials; check them and publish again"
		case errors.Is(err, fabric.ErrDuplicateConnectionName):
			remedy = "a connection of that name exists; choose it, or another name"
		case errors.Is(err, fabric.ErrInvalidConnectionDetails):
			remedy = "check the server, warehouse or HTTP path"
		}
		return p.fail(ctx, StageCreatingConnection, CodeConnection, remedy, fmt.Errorf("cannot create the connection: %w", err))
	}
	j.ConnectionID, j.ConnectionCreated = conn.ID, true
	p.save(ctx, j)
	return nil
}

// dropConnection deletes the connection j created, if any, even when
// ctx is done.
func (p *publisher) dropConnection(ctx context.Context, fc *fabric.Client, j *Job) {
	if !j.ConnectionCreated || j.ConnectionID == "" {
		return
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.o.CleanupTimeout)
	defer cancel()
	if err := fc.DeleteConnection(cctx, j.ConnectionID); err != nil && !errors.Is(err, fabric.ErrNotFound) {
		p.log.Warn("publish: cannot delete the job's connection", "job", j.ID, "connection", j.ConnectionID, "err", err.Error())
		return
	}
	p.log.Info("publish: deleted the job's connection", "job", j.ID, "connection", j.ConnectionID)
	j.ConnectionID = ""
	p.save(ctx, j)
}

// dropConnectionNamed deletes the connection called name, if the
// service created it despite an error.
func (p *publisher) dropConnectionNamed(ctx context.Context, fc *fabric.Client, name string) {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.o.CleanupTimeout)
	defer cancel()
	pager := fc.NewListConnectionsPager()
	for pager.More() {
		page, err := pager.NextPage(cctx)
		if err != nil {
			p.log.Warn("publish: cannot look for a half-created connection", "err", err.Error())
			return
		}
		for _, c := range page.Value {
			if c.DisplayName == name {
				if err := fc.DeleteConnection(cctx, c.ID); err != nil {
					p.log.Warn("publish: cannot delete a half-created connection", "connection", c.ID, "err", err.Error())
				}
				return
			}
		}
	}
}

// pollFrequency is the operation polling interval when the service
// sends no Retry-After; azcore refuses less than a second.
func (p *publisher) pollFrequency() *runtime.PollUntilDoneOptions {
	f := p.o.PollInterval
	if f < time.Second {
		f = time.Second
	}
	return &runtime.PollUntilDoneOptions{Frequency: f}
}

// createModel creates the model under a free name, or finishes the
// creation a resumed job started. parts is nil when resuming.
func (p *publisher) createModel(ctx context.Context, fc *fabric.Client, j *Job, parts []fabric.DefinitionPart) error {
	ws := j.Spec.WorkspaceID
	modelErr := func(err error) error {
		remedy := ""
		if errors.Is(err, fabric.ErrOperationFailed) {
			remedy = "Power BI could not create the model; check the contract and publish again"
		}
		return p.fail(ctx, StageCreatingModel, CodeModel, remedy, fmt.Errorf("cannot create the model: %w", err))
	}

	if j.ResumeToken != "" {
		poller, err := fc.BeginCreateSemanticModel(ctx, ws, fabric.CreateSemanticModelRequest{}, &fabric.BeginCreateSemanticModelOptions{ResumeToken: j.ResumeToken})
		if err != nil {
			return modelErr(err)
		}
		return p.awaitModel(ctx, j, poller, modelErr)
	}

	taken, err := p.modelNames(ctx, fc, ws)
	if err != nil {
		return p.fail(ctx, StageCreatingModel, CodeModel, "", fmt.Errorf("cannot list the workspace's items: %w", err))
	}
	if j.CreateSent && j.ModelName != "" {
		// A resumed job whose create request went out without a
		// poller to resume: the model is the one of that name.
		if id, ok := taken[strings.ToLower(j.ModelName)]; ok {
			j.ModelID = id
			p.save(ctx, j)
			return nil
		}
	}
	if parts == nil {
		return &StageError{Stage: StageCreatingModel, Code: CodeModel, Remedy: "publish again",
			Err: fmt.Errorf("%w: the model was not created", ErrNotResumable)}
	}

	for n := 1; n <= p.o.MaxNameSuffix; n++ {
		name := j.Spec.Name
		if n > 1 {
			name = fmt.Sprintf("%s (%d)", j.Spec.Name, n)
		}
		if _, ok := taken[strings.ToLower(name)]; ok {
			continue
		}
		j.ModelName, j.CreateSent = name, true
		p.save(ctx, j)
		poller, err := fc.BeginCreateSemanticModel(ctx, ws, fabric.CreateSemanticModelRequest{
			DisplayName: name, Description: description(j), Parts: parts}, nil)
		if errors.Is(err, fabric.ErrItemDisplayNameAlreadyInUse) || errors.Is(err, fabric.ErrItemDisplayNameNotAvailableYet) {
			// Someone took the name since the listing: try the next.
			taken[strings.ToLower(name)] = ""
			j.CreateSent = false
			continue
		}
		if err != nil && uncertain(err) && ctx.Err() == nil {
			return p.adoptModel(ctx, fc, j, err)
		}
		if err != nil {
			return modelErr(err)
		}
		if tok, err := poller.ResumeToken(); err == nil {
			j.ResumeToken = tok
			p.save(ctx, j)
		}
		return p.awaitModel(ctx, j, poller, modelErr)
	}
	return &StageError{Stage: StageCreatingModel, Code: CodeNameUnavailable, Remedy: "choose another model name",
		Err: fmt.Errorf("%w: %q and its suffixes up to (%d) are taken", ErrNameUnavailable, j.Spec.Name, p.o.MaxNameSuffix)}
}

// adoptModel follows a create request whose outcome is unknown (cause
// is the 5xx or transport error it got): the service may have accepted
// it and be creating the model, so the job waits (bounded by ModelWait)
// for a model of the requested name to appear and carries on with it.
// A second create would make a duplicate. When none appears the job
// fails resumable: a later Resume looks for the model again.
func (p *publisher) adoptModel(ctx context.Context, fc *fabric.Client, j *Job, cause error) error {
	p.log.Warn("publish: model create outcome unknown; looking for the model", "job", j.ID, "err", cause.Error())
	err := p.waitFor(ctx, p.o.ModelWait, func() (bool, error) {
		taken, err := p.modelNames(ctx, fc, j.Spec.WorkspaceID)
		if err != nil {
			return false, err
		}
		j.ModelID = taken[strings.ToLower(j.ModelName)]
		return j.ModelID != "", nil
	})
	if err == nil {
		p.save(ctx, j)
		return nil
	}
	if errors.Is(err, errWaitExpired) {
		err = fmt.Errorf("model %q did not appear within %s: %w", j.ModelName, p.o.ModelWait, cause)
	}
	return p.fail(ctx, StageCreatingModel, CodeModelUncertain,
		fmt.Sprintf("Power BI may still create the model %q; resume the job to pick it up, or look in the workspace before publishing again", j.ModelName),
		fmt.Errorf("cannot create the model: %w", err))
}

// errWaitExpired is what waitFor returns when its bound passes.
var errWaitExpired = errors.New("publish: wait expired")

// waitFor calls check every PollInterval until it reports done, fails,
// ctx ends, or bound has passed (errWaitExpired).
func (p *publisher) waitFor(ctx context.Context, bound time.Duration, check func() (bool, error)) error {
	deadline := time.Now().Add(bound)
	for {
		done, err := check()
		if err != nil || done {
			return err
		}
		left := time.Until(deadline)
		if left <= 0 {
			return errWaitExpired
		}
		t := time.NewTimer(min(p.o.PollInterval, left))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
}

// uncertain reports whether a failed create request may still have taken
// effect: the service answered 5xx, or the request failed after it may
// have been sent (a dropped connection, a per-try timeout). A 4xx
// answer, 429 included, or a connection never made means it did not.
func uncertain(err error) bool {
	var re *fabric.ResponseError
	if errors.As(err, &re) {
		return re.StatusCode >= 500
	}
	return !restclient.SafeToResend(nil, err)
}

// awaitModel waits for the create operation and records the model.
func (p *publisher) awaitModel(ctx context.Context, j *Job, poller *runtime.Poller[fabric.Item], modelErr func(error) error) error {
	item, err := poller.PollUntilDone(ctx, p.pollFrequency())
	if err != nil {
		if ctx.Err() == nil {
			// The operation ended; there is nothing left to resume.
			j.ResumeToken = ""
		}
		return modelErr(err)
	}
	j.ModelID, j.ResumeToken = item.ID, ""
	if item.DisplayName != "" {
		j.ModelName = item.DisplayName
	}
	p.save(ctx, j)
	return nil
}

// description is the model's description in the workspace.
func description(j *Job) string {
	d := "Published by pbipublish from output port " + j.Spec.Source.Port + " of " + j.Spec.Source.DataProduct
	if r := []rune(d); len(r) > 256 {
		d = string(r[:256])
	}
	return d
}

// modelNames lists the workspace's semantic model names (lower case)
// with their ids.
func (p *publisher) modelNames(ctx context.Context, fc *fabric.Client, ws string) (map[string]string, error) {
	taken := map[string]string{}
	pager := fc.NewListItemsPager(ws, &fabric.ListItemsOptions{Type: fabric.ItemTypeSemanticModel})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, it := range page.Value {
			taken[strings.ToLower(it.DisplayName)] = it.ID
		}
	}
	return taken, nil
}

// bind waits for the model's data sources and binds the one the
// connection fits.
func (p *publisher) bind(ctx context.Context, fc *fabric.Client, j *Job) error {
	s := j.Spec
	desktop := "open the model once in Power BI Desktop, connect it to " + s.DataSourcePath + " and bind it there"
	settings := "open the model's settings in Power BI, under Gateway and cloud connections map its data source to a connection"
	remedy := settings
	if s.Mode == ModeDirectQuery {
		remedy = desktop
	}
	if j.ConnectionID == "" {
		return &StageError{Stage: StageBindingConnection, Code: CodeBind, Remedy: settings + ", or publish again",
			Err: errors.New("the connection this job created was deleted when it was interrupted")}
	}

	sources, err := p.itemConnections(ctx, fc, s.WorkspaceID, j.ModelID)
	if err != nil {
		if errors.Is(err, ErrNoDataSources) {
			return &StageError{Stage: StageBindingConnection, Code: CodeNoDataSources, Remedy: desktop, Err: err}
		}
		return p.fail(ctx, StageBindingConnection, CodeBind, remedy, err)
	}
	var found []string
	matched := 0
	for _, src := range sources {
		d := src.ConnectionDetails
		if d.Type != s.DataSourceType || d.Path != s.DataSourcePath {
			found = append(found, d.Type+" "+d.Path)
			continue
		}
		err := fc.BindSemanticModelConnection(ctx, s.WorkspaceID, j.ModelID, fabric.ConnectionBinding{
			ID: j.ConnectionID, ConnectivityType: fabric.ConnectivityShareableCloud, ConnectionDetails: d})
		if err != nil {
			return p.fail(ctx, StageBindingConnection, CodeBind, remedy, fmt.Errorf("cannot bind the model to connection %s: %w", j.ConnectionID, err))
		}
		matched++
	}
	if matched == 0 {
		return &StageError{Stage: StageBindingConnection, Code: CodeBind, Remedy: remedy,
			Err: fmt.Errorf("%w: the model reads %s, not %s %s", ErrNoMatchingDataSource, strings.Join(found, ", "), s.DataSourceType, s.DataSourcePath)}
	}
	return nil
}

// itemConnections lists the model's data sources, waiting (bounded by
// DataSourceWait) for them to appear.
func (p *publisher) itemConnections(ctx context.Context, fc *fabric.Client, ws, model string) ([]fabric.ItemConnection, error) {
	var all []fabric.ItemConnection
	err := p.waitFor(ctx, p.o.DataSourceWait, func() (bool, error) {
		all = all[:0]
		pager := fc.NewListItemConnectionsPager(ws, model)
		for pager.More() {
			page, err := pager.NextPage(ctx)
			if err != nil {
				return false, fmt.Errorf("cannot list the model's data sources: %w", err)
			}
			all = append(all, page.Value...)
		}
		return len(all) > 0, nil
	})
	if errors.Is(err, errWaitExpired) {
		return nil, fmt.Errorf("%w after %s", ErrNoDataSources, p.o.DataSourceWait)
	}
	return all, err
}

// finalize starts an Import model's first refresh and registers the
// model in the catalog.
func (p *publisher) finalize(ctx context.Context, pc *powerbi.Client, j *Job) error {
	s := j.Spec
	res := &Result{
		WorkspaceID: s.WorkspaceID, ModelID: j.ModelID, ModelName: j.ModelName,
		Link:         modelLink(p.o.LinkBase, s.WorkspaceID, j.ModelID),
		ConnectionID: j.ConnectionID,
	}
	if s.Mode == ModeImport || s.Mode == ModeDual {
		if _, err := pc.RefreshDataset(ctx, s.WorkspaceID, j.ModelID, nil); err != nil {
			// The model is published and bound; a refresh can be
			// started later, from Power BI or by schedule.
			res.RefreshError = err.Error()
			p.log.Warn("publish: cannot start the first refresh", "job", j.ID, "model", j.ModelID, "err", err.Error())
		} else {
			res.RefreshStarted = true
		}
	}
	_, _, err := p.o.Catalog.Register(ctx, Registration{
		Source: s.Source,
		Model: PublishedModel{Name: j.ModelName, WorkspaceID: s.WorkspaceID, ModelID: j.ModelID, Link: res.Link,
			Mode: string(s.Mode), CreatedAt: p.o.Now().UTC(), Author: cmp.Or(s.Author, j.User)},
		Purpose: s.Purpose,
	})
	if err != nil {
		return p.fail(ctx, StageFinalizing, CodeCatalog,
			"the model is published and bound at "+res.Link+"; it is missing from the catalog",
			fmt.Errorf("cannot register the model in the catalog: %w", err))
	}
	j.Result = res
	return nil
}

// modelLink is the model's page in the Power BI web app.
func modelLink(base, ws, model string) string {
	return strings.TrimSuffix(base, "/") + "/groups/" + url.PathEscape(ws) + "/datasets/" + url.PathEscape(model) + "/details"
}
