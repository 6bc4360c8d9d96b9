package powerbi

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pbipublish/pbipublish/internal/restclient"
)

// Sentinels for the conditions callers act on (errors.Is).
var (
	// ErrNotFound: HTTP 404 or an *NotFound error code.
	ErrNotFound = errors.New("powerbi: not found")
	// ErrThrottled: HTTP 429 after the retry policy gave up.
	ErrThrottled = errors.New("powerbi: throttled")
	// ErrUnauthorized: HTTP 401; reconnect the user.
	ErrUnauthorized = errors.New("powerbi: unauthorized")
	// ErrForbidden: HTTP 403; the caller lacks permission or ownership.
	ErrForbidden = errors.New("powerbi: forbidden")
	// ErrRefreshInProgress: a refresh of the dataset is already running.
	ErrRefreshInProgress = errors.New("powerbi: refresh already in progress")
)

// ErrorDetail is one detail of a ResponseError.
type ErrorDetail struct {
	Code    string
	Message string
}

// ResponseError is the error for a non-success answer of the Power BI
// API. Messages are scrubbed of secrets.
type ResponseError struct {
	StatusCode int
	// ErrorCode is error.code of the body (or pbi.error's code), else
	// the x-ms-public-api-error-code header.
	ErrorCode  string
	Message    string
	RequestID  string
	Details    []ErrorDetail
	RetryAfter time.Duration
	// Method and URL identify the request (URL without its query).
	Method, URL string
}

func newResponseError(info restclient.ErrorInfo, method, u string) error {
	e := &ResponseError{StatusCode: info.StatusCode, ErrorCode: info.Code, Message: info.Message,
		RequestID: info.RequestID, RetryAfter: info.RetryAfter, Method: method, URL: u}
	for _, d := range info.Details {
		e.Details = append(e.Details, ErrorDetail{Code: d.Code, Message: d.Message})
	}
	return e
}

// Error describes the failure on one line.
func (e *ResponseError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "powerbi: %s %s: %d %s", e.Method, e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	if e.ErrorCode != "" {
		fmt.Fprintf(&b, ": %s", e.ErrorCode)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	for _, d := range e.Details {
		fmt.Fprintf(&b, " (%s: %s)", d.Code, d.Message)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request id %s]", e.RequestID)
	}
	return b.String()
}

// Is matches the package's sentinels by status and error code.
func (e *ResponseError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound || strings.HasSuffix(e.ErrorCode, "NotFound")
	case ErrThrottled:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized || e.ErrorCode == "TokenExpired"
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrRefreshInProgress:
		return e.ErrorCode == "InvalidRequest" && strings.Contains(e.Message, "in progress") || e.ErrorCode == "RefreshInProgress"
	}
	return false
}

func queryEscape(s string) string { return url.QueryEscape(s) }
