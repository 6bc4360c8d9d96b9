package restclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
)

// ErrorFunc turns a service error into the calling package's error type.
type ErrorFunc func(info ErrorInfo, method, url string) error

// Request describes one call.
type Request struct {
	Method string
	URL    string
	// Body is marshalled as JSON when non-nil.
	Body any
	// Secrets are values that must be scrubbed from any error text.
	Secrets []string
	// OK lists the success statuses; empty means 200.
	OK []int
	// NonIdempotent applies the NonIdempotent retry rule.
	NonIdempotent bool
}

// Do sends r through the pipeline and returns the response when its
// status is one of r.OK; otherwise the body is decoded into an error by
// newErr. The caller closes the returned response's body.
func (c *Client) Do(ctx context.Context, r Request, newErr ErrorFunc) (*http.Response, error) {
	if r.NonIdempotent {
		ctx = c.NonIdempotent(ctx)
	}
	req, err := runtime.NewRequest(ctx, r.Method, r.URL)
	if err != nil {
		return nil, err
	}
	req.Raw().Header.Set("Accept", "application/json")
	if r.Body != nil {
		b, err := json.Marshal(r.Body)
		if err != nil {
			return nil, fmt.Errorf("cannot encode request: %w", err)
		}
		if err := req.SetBody(streaming.NopCloser(bytes.NewReader(b)), "application/json"); err != nil {
			return nil, err
		}
	}
	resp, err := c.Pipeline.Do(req)
	if err != nil {
		return nil, scrubErr(err, r.Secrets)
	}
	ok := r.OK
	if len(ok) == 0 {
		ok = []int{http.StatusOK}
	}
	for _, s := range ok {
		if resp.StatusCode == s {
			return resp, nil
		}
	}
	info := ParseError(resp, r.Secrets)
	return nil, newErr(info, r.Method, StripQuery(r.URL))
}

// DoJSON is Do followed by decoding the body into out (when out is
// non-nil and the body is not empty).
func (c *Client) DoJSON(ctx context.Context, r Request, out any, newErr ErrorFunc) (*http.Response, error) {
	resp, err := c.Do(ctx, r, newErr)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if err := DecodeBody(resp, out); err != nil {
		return nil, err
	}
	return resp, nil
}

// DecodeBody decodes resp's JSON body into out; an empty body leaves out
// untouched. It does not close the body.
func DecodeBody(resp *http.Response, out any) error {
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("cannot read response: %w", err)
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("cannot decode response: %w", err)
	}
	return nil
}

// StripQuery drops the query string (continuation tokens, filters).
func StripQuery(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.RawQuery = ""
	return u.String()
}

// SameOrigin reports whether next has the scheme and host of endpoint;
// a continuation or operation URL pointing elsewhere is refused, so the
// bearer token is never sent to a host the caller did not configure.
func SameOrigin(endpoint, next string) error {
	e, err := url.Parse(endpoint)
	if err != nil {
		return err
	}
	n, err := url.Parse(next)
	if err != nil {
		return fmt.Errorf("invalid url from service: %w", err)
	}
	if n.Scheme != e.Scheme || n.Host != e.Host {
		return fmt.Errorf("service returned a url on another host (%s://%s), refused", n.Scheme, n.Host)
	}
	return nil
}

type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// scrubErr keeps transport errors reachable with errors.Is/As while
// making sure their text carries no secret.
func scrubErr(err error, secrets []string) error {
	msg := err.Error()
	if s := ScrubText(msg, secrets); s != msg {
		return &scrubbedError{msg: s, err: err}
	}
	return err
}
