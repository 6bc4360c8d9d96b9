package restclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// Operation states of the Fabric long-running operations API.
const (
	StateNotStarted = "NotStarted"
	StateRunning    = "Running"
	StateSucceeded  = "Succeeded"
	StateFailed     = "Failed"
	StateUndefined  = "Undefined"
)

// Operation is the runtime.PollingHandler of a Fabric long-running
// operation. Its exported fields are its resume token; the client and
// error constructor are set again on resume.
type Operation[T any] struct {
	// Endpoint is the client's base URL; operation URLs must share its
	// origin.
	Endpoint string `json:"endpoint"`
	// Location is the URL polled next, exactly as the service gave it.
	Location string `json:"location,omitempty"`
	// OperationID is x-ms-operation-id, for error reports.
	OperationID string `json:"operationId,omitempty"`
	// Status is the last state seen.
	Status string `json:"status,omitempty"`
	// ResultURL is set when the success response carried a Location:
	// only then does the operation have a result to fetch.
	ResultURL string `json:"resultUrl,omitempty"`
	// Final holds the body of a synchronous (200/201) answer.
	Final json.RawMessage `json:"final,omitempty"`
	// Sync marks an operation that completed in its first response.
	Sync bool `json:"sync,omitempty"`
	// ErrCode and ErrMessage describe a Failed or Undefined operation.
	ErrCode    string        `json:"errorCode,omitempty"`
	ErrMessage string        `json:"errorMessage,omitempty"`
	ErrDetails []ErrorDetail `json:"errorDetails,omitempty"`

	c      *Client
	newErr ErrorFunc
}

// NewPoller starts a poller from the first response of an operation:
// 200 or 201 complete at once (the body is the result), 202 carries a
// Location to poll. The response body is consumed and closed.
func NewPoller[T any](c *Client, endpoint string, resp *http.Response, newErr ErrorFunc) (*runtime.Poller[T], error) {
	op := &Operation[T]{Endpoint: endpoint, c: c, newErr: newErr}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK, http.StatusCreated:
		op.Sync = true
		op.Status = StateSucceeded
		var raw json.RawMessage
		if err := DecodeBody(resp, &raw); err != nil {
			return nil, err
		}
		op.Final = raw
	case http.StatusAccepted:
		op.Location = resp.Header.Get("Location")
		op.OperationID = resp.Header.Get("x-ms-operation-id")
		op.Status = StateNotStarted
		if op.Location == "" {
			return nil, errors.New("202 response without a Location header")
		}
		if err := SameOrigin(endpoint, op.Location); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("unexpected status %d for a long-running operation", resp.StatusCode)
	}
	return runtime.NewPoller(resp, c.Pipeline, &runtime.NewPollerOptions[T]{Handler: op})
}

// ResumePoller rebuilds a poller from a token returned by ResumeToken.
func ResumePoller[T any](c *Client, token string, newErr ErrorFunc) (*runtime.Poller[T], error) {
	op := &Operation[T]{c: c, newErr: newErr}
	p, err := runtime.NewPollerFromResumeToken(token, c.Pipeline, &runtime.NewPollerFromResumeTokenOptions[T]{Handler: op})
	if err != nil {
		return nil, err
	}
	if op.Location != "" && op.Endpoint != "" {
		if err := SameOrigin(op.Endpoint, op.Location); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Done reports whether the operation reached a terminal state.
func (o *Operation[T]) Done() bool {
	switch o.Status {
	case StateSucceeded, StateFailed, StateUndefined:
		return true
	}
	return false
}

// Poll fetches the operation state from Location.
func (o *Operation[T]) Poll(ctx context.Context) (*http.Response, error) {
	resp, err := o.c.Do(ctx, Request{Method: http.MethodGet, URL: o.Location}, o.newErr)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var state struct {
		Status string `json:"status"`
		Error  *struct {
			ErrorCode   string `json:"errorCode"`
			Message     string `json:"message"`
			MoreDetails []struct {
				ErrorCode string `json:"errorCode"`
				Message   string `json:"message"`
			} `json:"moreDetails"`
		} `json:"error"`
	}
	if err := DecodeBody(resp, &state); err != nil {
		return nil, err
	}
	if state.Status == "" {
		return nil, errors.New("operation state without a status")
	}
	o.Status = state.Status
	loc := resp.Header.Get("Location")
	switch state.Status {
	case StateSucceeded:
		if loc != "" {
			if err := SameOrigin(o.Endpoint, loc); err != nil {
				return nil, err
			}
			o.ResultURL = loc
		}
	case StateFailed, StateUndefined:
		if e := state.Error; e != nil {
			o.ErrCode, o.ErrMessage = e.ErrorCode, ScrubText(e.Message, nil)
			for _, d := range e.MoreDetails {
				o.ErrDetails = append(o.ErrDetails, ErrorDetail{Code: d.ErrorCode, Message: ScrubText(d.Message, nil)})
			}
		}
	default:
		if loc != "" && loc != o.Location {
			if err := SameOrigin(o.Endpoint, loc); err != nil {
				return nil, err
			}
			o.Location = loc
		}
	}
	return resp, nil
}

// Result decodes the operation's result into out: the synchronous body,
// or /result when the service announced one. A failed operation yields
// the package's error carrying the operation's error code.
func (o *Operation[T]) Result(ctx context.Context, out *T) error {
	switch {
	case o.Sync:
		if len(o.Final) > 0 {
			if err := json.Unmarshal(o.Final, out); err != nil {
				return fmt.Errorf("cannot decode result: %w", err)
			}
		}
		return nil
	case o.Status == StateFailed || o.Status == StateUndefined:
		code := o.ErrCode
		if code == "" {
			code = "Operation" + o.Status
		}
		msg := o.ErrMessage
		if msg == "" {
			msg = "the operation ended in state " + o.Status
		}
		return o.newErr(ErrorInfo{StatusCode: http.StatusOK, Code: code, Message: msg,
			Details: o.ErrDetails, OperationID: o.OperationID}, http.MethodGet, StripQuery(o.Location))
	case o.Status != StateSucceeded:
		return errors.New("operation is not done")
	case o.ResultURL == "":
		return nil
	}
	_, err := o.c.DoJSON(ctx, Request{Method: http.MethodGet, URL: o.ResultURL}, out, o.newErr)
	return err
}
