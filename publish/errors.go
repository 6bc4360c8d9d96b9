package publish

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pbipublish/pbipublish/odcs"
)

// Sentinels for the conditions callers branch on; match them with
// errors.Is against errors of Publish, Wait and Resume.
var (
	// ErrInvalidRequest: the request has fields the user must fix; the
	// error is a *ValidationError listing them.
	ErrInvalidRequest = errors.New("publish: invalid request")
	// ErrClosed: the Publisher was closed.
	ErrClosed = errors.New("publish: publisher is closed")
	// ErrNoWorkspaceAccess: the user is not Contributor, Member or Admin
	// of the workspace.
	ErrNoWorkspaceAccess = errors.New("publish: no contributor access to the workspace")
	// ErrConnectionMismatch: the existing connection chosen does not
	// exist for the user or does not point at the contract's server.
	ErrConnectionMismatch = errors.New("publish: connection does not fit the server")
	// ErrNameUnavailable: no free model name was found.
	ErrNameUnavailable = errors.New("publish: no free model name")
	// ErrNoDataSources: the model's data sources never appeared in its
	// item connections within Options.DataSourceWait, so it cannot be
	// bound through the API.
	ErrNoDataSources = errors.New("publish: the model's data sources did not appear")
	// ErrNoMatchingDataSource: the model lists data sources, but none
	// has the connection's type and path.
	ErrNoMatchingDataSource = errors.New("publish: no data source matches the connection")
	// ErrNotResumable: Resume found nothing it could continue (the job
	// never sent its create request, or is already done).
	ErrNotResumable = errors.New("publish: job cannot be resumed")
	// ErrInterrupted: the job was stopped by Close or by a cancelled
	// context before it finished.
	ErrInterrupted = errors.New("publish: job interrupted")
)

// FieldError is one problem with one field of a request.
type FieldError struct {
	// Field names the request field, e.g. "WorkspaceID" or
	// "NewConnection.Credential.Password"; "Contract" for the contract.
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (f FieldError) String() string { return f.Field + ": " + f.Message }

// ValidationError lists everything wrong with a request that the user
// can fix in the publish form. It matches ErrInvalidRequest. It never
// quotes a credential.
type ValidationError struct {
	Fields []FieldError
	// Diagnostics are the contract's problems, when the model cannot be
	// built from it.
	Diagnostics odcs.Diagnostics
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("publish: invalid request: ")
	for i, f := range e.Fields {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(f.String())
	}
	return b.String()
}

// Is makes a ValidationError match ErrInvalidRequest.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidRequest }

// Failure codes: Failure.Code and StageError.Code.
const (
	CodeValidation       = "validation"
	CodeWorkspaceAccess  = "workspace_access"
	CodeConnection       = "connection_failed"
	CodeModelHook        = "model_hook"
	CodeNameUnavailable  = "name_unavailable"
	CodeModel            = "model_failed"
	CodeModelUncertain   = "model_uncertain"
	CodeNoDataSources    = "data_sources_not_found"
	CodeBind             = "bind_failed"
	CodeCatalog          = "catalog_failed"
	CodeInterrupted      = "interrupted"
	CodeUnauthorized     = "unauthorized"
	CodeThrottled        = "throttled"
	CodeConnectionDelete = "connection_cleanup_failed"
)

// StageError is the error of a failed job: the stage it failed in, a
// stable code, the cause and what the user can do. Its text never
// holds a credential. Failure records the same in the job.
type StageError struct {
	Stage  Stage
	Code   string
	Remedy string
	Err    error
}

func (e *StageError) Error() string {
	s := fmt.Sprintf("publish: %s failed: %v", e.Stage, e.Err)
	if e.Remedy != "" {
		s += " (" + e.Remedy + ")"
	}
	return s
}

func (e *StageError) Unwrap() error { return e.Err }

// failure is the record of e kept in a job.
func (e *StageError) failure() *Failure {
	return &Failure{Stage: e.Stage, Code: e.Code, Message: e.Err.Error(), Remedy: e.Remedy}
}

// errorOf rebuilds the error of a failed job read from a store.
func errorOf(j *Job) error {
	if j == nil || j.Failure == nil {
		return nil
	}
	return &StageError{Stage: j.Failure.Stage, Code: j.Failure.Code, Remedy: j.Failure.Remedy, Err: errors.New(j.Failure.Message)}
}
