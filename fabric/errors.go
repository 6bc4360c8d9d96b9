package fabric

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pbipublish/pbipublish/internal/restclient"
)

// Sentinels for the conditions callers act on; match them with
// errors.Is against any error the Client returns.
var (
	// ErrItemDisplayNameAlreadyInUse: the workspace has an item of that
	// name. Choose another name.
	ErrItemDisplayNameAlreadyInUse = errors.New("fabric: item display name already in use")
	// ErrItemDisplayNameNotAvailableYet: the name was freed by a recent
	// delete. Retry later or choose another name.
	ErrItemDisplayNameNotAvailableYet = errors.New("fabric: item display name not available yet")
	// ErrBindConnectionDetailNotFound: the binding's type and path match
	// none of the model's data sources.
	ErrBindConnectionDetailNotFound = errors.New("fabric: bind connection detail not found")
	// ErrDuplicateConnectionName: a connection of that name exists.
	ErrDuplicateConnectionName = errors.New("fabric: duplicate connection name")
	// ErrIncorrectCredentials: the data source rejected the credentials
	// while the service tested a new connection.
	ErrIncorrectCredentials = errors.New("fabric: incorrect credentials")
	// ErrInvalidConnectionDetails: type, creation method or parameters
	// are not what the service supports.
	ErrInvalidConnectionDetails = errors.New("fabric: invalid connection details")
	// ErrNotFound: the resource does not exist (HTTP 404 or a *NotFound
	// error code).
	ErrNotFound = errors.New("fabric: not found")
	// ErrThrottled: HTTP 429 after the retry policy gave up; the error's
	// RetryAfter says when to try again.
	ErrThrottled = errors.New("fabric: throttled")
	// ErrUnauthorized: HTTP 401, the token is missing, expired or for
	// another audience. Reconnect the user.
	ErrUnauthorized = errors.New("fabric: unauthorized")
	// ErrForbidden: HTTP 403, or the caller lacks the role or ownership
	// the operation needs.
	ErrForbidden = errors.New("fabric: forbidden")
	// ErrOperationFailed: a long-running operation ended Failed or
	// Undefined; ErrorCode holds the operation's error code.
	ErrOperationFailed = errors.New("fabric: operation failed")
)

var codeSentinels = map[string]error{
	"ItemDisplayNameAlreadyInUse":    ErrItemDisplayNameAlreadyInUse,
	"ItemDisplayNameNotAvailableYet": ErrItemDisplayNameNotAvailableYet,
	"BindConnectionDetailNotFound":   ErrBindConnectionDetailNotFound,
	"DuplicateConnectionName":        ErrDuplicateConnectionName,
	"IncorrectCredentials":           ErrIncorrectCredentials,
	"InvalidConnectionDetails":       ErrInvalidConnectionDetails,
	"InsufficientPrivileges":         ErrForbidden,
	"PrincipalTypeNotSupported":      ErrForbidden,
	"TokenExpired":                   ErrUnauthorized,
	"RequestBlocked":                 ErrThrottled,
	"CapacityLimitExceeded":          ErrThrottled,
}

// ErrorDetail is one entry of a ResponseError's MoreDetails.
type ErrorDetail struct {
	ErrorCode string
	Message   string
}

// ResponseError is the error for a non-success answer of the Fabric API,
// and for a long-running operation that failed. Messages are scrubbed of
// secrets, even when the service echoes the request.
type ResponseError struct {
	// StatusCode is the HTTP status (200 for a failed operation, whose
	// state was read successfully).
	StatusCode int
	// ErrorCode is the service's code: the body's errorCode, else the
	// x-ms-public-api-error-code header.
	ErrorCode string
	// Message is the service's message.
	Message string
	// RequestID identifies the request for Microsoft support.
	RequestID string
	// MoreDetails are the body's moreDetails.
	MoreDetails []ErrorDetail
	// RetryAfter is the server's requested delay, when it sent one.
	RetryAfter time.Duration
	// OperationID is set when a long-running operation failed.
	OperationID string
	// Method and URL identify the request (URL without its query).
	Method, URL string
}

func newResponseError(info restclient.ErrorInfo, method, u string) error {
	e := &ResponseError{
		StatusCode: info.StatusCode, ErrorCode: info.Code, Message: info.Message,
		RequestID: info.RequestID, RetryAfter: info.RetryAfter,
		OperationID: info.OperationID, Method: method, URL: u,
	}
	for _, d := range info.Details {
		e.MoreDetails = append(e.MoreDetails, ErrorDetail{ErrorCode: d.Code, Message: d.Message})
	}
	return e
}

// Error describes the failure on one line.
func (e *ResponseError) Error() string {
	var b strings.Builder
	b.WriteString("fabric: ")
	if e.OperationID != "" {
		fmt.Fprintf(&b, "operation %s failed", e.OperationID)
	} else {
		fmt.Fprintf(&b, "%s %s: %d %s", e.Method, e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	}
	if e.ErrorCode != "" {
		fmt.Fprintf(&b, ": %s", e.ErrorCode)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	for _, d := range e.MoreDetails {
		fmt.Fprintf(&b, " (%s: %s)", d.ErrorCode, d.Message)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request id %s]", e.RequestID)
	}
	return b.String()
}

// Is matches the package's sentinels by error code and HTTP status.
func (e *ResponseError) Is(target error) bool {
	if s, ok := codeSentinels[e.ErrorCode]; ok && s == target {
		return true
	}
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound || strings.HasSuffix(e.ErrorCode, "NotFound") && e.ErrorCode != "BindConnectionDetailNotFound"
	case ErrThrottled:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrOperationFailed:
		return e.OperationID != "" || e.StatusCode == http.StatusOK
	}
	return false
}

func escapeQuery(v string) string { return url.QueryEscape(v) }
