package restclient

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// Config describes one service client's pipeline.
type Config struct {
	Module, Version string
	// Scope is the OAuth scope the bearer policy asks the credential for.
	Scope string
	// Options are the caller's azcore options (may be nil).
	Options *azcore.ClientOptions
	// Logger receives one record per HTTP attempt; nil discards.
	Logger *slog.Logger
	// Service names the service in log records ("fabric", "powerbi").
	Service string
}

// Client is a pipeline plus the retry options it was built with, so
// that non-idempotent calls can derive their stricter rule from them.
type Client struct {
	Pipeline runtime.Pipeline
	retry    policy.RetryOptions
}

// New builds the pipeline: azcore's telemetry, retry (honouring
// Retry-After, retry-after-ms and x-ms-retry-after-ms on 408, 429 and
// 5xx, bounded by RetryOptions), then per attempt the bearer-token policy
// and the request logger, then azcore's redacting logger and transport.
func New(cred azcore.TokenCredential, cfg Config) (*Client, error) {
	if cred == nil {
		return nil, errors.New("credential is nil")
	}
	var opts azcore.ClientOptions
	if cfg.Options != nil {
		opts = *cfg.Options
	}
	auth := runtime.NewBearerTokenPolicy(cred, []string{cfg.Scope}, &policy.BearerTokenOptions{
		InsecureAllowCredentialWithHTTP: opts.InsecureAllowCredentialWithHTTP,
	})
	perRetry := []policy.Policy{auth}
	if cfg.Logger != nil {
		perRetry = append(perRetry, &logPolicy{log: cfg.Logger, service: cfg.Service})
	}
	pl := runtime.NewPipeline(cfg.Module, cfg.Version, runtime.PipelineOptions{
		AllowedHeaders: []string{
			"x-ms-public-api-error-code", "x-ms-operation-id", "requestid",
			"RequestId", "Retry-After", "Location", "x-ms-request-id",
		},
		AllowedQueryParameters: []string{"roles", "type", "format", "updateMetadata",
			"showAllCreationMethods", "continuationToken", "$top", "$skip"},
		PerRetry: perRetry,
		Tracing:  runtime.TracingOptions{Namespace: "Microsoft.Fabric"},
	}, &opts)
	return &Client{Pipeline: pl, retry: opts.Retry}, nil
}

// NonIdempotent returns a context under which the retry policy re-sends
// a request only when the server certainly did not act on it:
//
//   - a 429 answer (throttled requests are rejected before any work), or
//   - a connection that could not be established (nothing was sent).
//
// A 5xx answer, a timeout or a connection dropped after the request was
// written are returned to the caller: the server may have created the
// resource, and a blind second POST would create a duplicate. Callers
// decide, typically by listing what exists. The bounds (MaxRetries,
// MaxRetryDelay) are the client's.
func (c *Client) NonIdempotent(ctx context.Context) context.Context {
	o := c.retry
	user := o.ShouldRetry
	o.ShouldRetry = func(resp *http.Response, err error) bool {
		if !SafeToResend(resp, err) {
			return false
		}
		if user != nil {
			return user(resp, err)
		}
		return true
	}
	return policy.WithRetryOptions(ctx, o)
}

// SafeToResend reports whether a non-idempotent request that got resp or
// err was certainly not acted upon by the server. See NonIdempotent.
func SafeToResend(resp *http.Response, err error) bool {
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			return true
		}
		var dns *net.DNSError
		if errors.As(err, &dns) {
			return true
		}
		return errors.Is(err, syscall.ECONNREFUSED)
	}
	return resp != nil && resp.StatusCode == http.StatusTooManyRequests
}

// logPolicy writes one record per attempt with stable keys; never
// bodies, headers or query strings (continuation tokens are opaque but
// long; the path identifies the call).
type logPolicy struct {
	log     *slog.Logger
	service string
}

func (p *logPolicy) Do(req *policy.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := req.Next()
	raw := req.Raw()
	attrs := []slog.Attr{
		slog.String("service", p.service),
		slog.String("method", raw.Method),
		slog.String("path", raw.URL.Path),
		slog.Duration("elapsed", time.Since(start)),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
		p.log.LogAttrs(raw.Context(), slog.LevelWarn, "http request failed", attrs...)
		return resp, err
	}
	attrs = append(attrs, slog.Int("status", resp.StatusCode))
	if id := RequestID(resp.Header); id != "" {
		attrs = append(attrs, slog.String("request_id", id))
	}
	level := slog.LevelDebug
	if resp.StatusCode >= 400 {
		level = slog.LevelInfo
	}
	p.log.LogAttrs(raw.Context(), level, "http request", attrs...)
	return resp, nil
}

// RequestID returns the service's request id from response headers.
func RequestID(h http.Header) string {
	for _, k := range []string{"requestid", "x-ms-request-id", "RequestId", "x-ms-routing-request-id"} {
		if v := h.Get(k); v != "" {
			return v
		}
	}
	return ""
}

// JoinURL appends escaped path segments to base.
func JoinURL(base string, segments ...string) string {
	s := base
	for _, seg := range segments {
		s += "/" + url.PathEscape(seg)
	}
	return s
}
