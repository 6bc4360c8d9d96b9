package fabric_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pbipublish/pbipublish/fabric"
)

// sequence answers the i-th request with handlers[i] (the last one
// repeats).
func sequence(handlers ...http.HandlerFunc) http.HandlerFunc {
	var n atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		if i >= len(handlers) {
			i = len(handlers) - 1
		}
		handlers[i](w, r)
	}
}

// drop closes the connection without an answer.
func drop(w http.ResponseWriter, r *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

var created = jsonHandler(201, `{"id":"c1","displayName":"conn"}`)

func createConn(c *fabric.Client) error {
	_, err := c.CreateConnection(context.Background(), fabric.SnowflakeConnection("conn", "s", "w", fabric.BasicCredential{Username: "u", Password: "pw"}))
	return err
}

func createModel(c *fabric.Client) error {
	_, err := c.BeginCreateSemanticModel(context.Background(), "w", fabric.CreateSemanticModelRequest{DisplayName: "m",
		Parts: []fabric.DefinitionPart{{Path: "definition.pbism", Payload: []byte("{}")}}}, nil)
	return err
}

func getConn(c *fabric.Client) error {
	_, err := c.GetConnection(context.Background(), "c1")
	return err
}

func TestRetryRule(t *testing.T) {
	tests := []struct {
		name     string
		handlers []http.HandlerFunc
		call     func(*fabric.Client) error
		wantReqs int
		wantErr  error // nil: success
	}{
		{"post_429_is_resent", []http.HandlerFunc{jsonHandler(429, `{"errorCode":"RequestBlocked"}`, "Retry-After", "0"), created}, createConn, 2, nil},
		{"post_500_is_not_resent", []http.HandlerFunc{jsonHandler(500, `{"errorCode":"InternalError"}`), created}, createConn, 1, errAny},
		{"post_503_is_not_resent", []http.HandlerFunc{jsonHandler(503, `{"errorCode":"ServiceUnavailable"}`, "Retry-After", "0"), created}, createConn, 1, errAny},
		{"post_dropped_is_not_resent", []http.HandlerFunc{drop, created}, createConn, 1, errAny},
		{"create_model_500_is_not_resent", []http.HandlerFunc{jsonHandler(500, `{}`), jsonHandler(201, `{"id":"m"}`)}, createModel, 1, errAny},
		{"create_model_429_is_resent", []http.HandlerFunc{jsonHandler(429, `{}`), jsonHandler(201, `{"id":"m"}`)}, createModel, 2, nil},
		{"get_503_is_retried", []http.HandlerFunc{jsonHandler(503, `{}`), jsonHandler(500, `{}`), jsonHandler(200, `{"id":"c1"}`)}, getConn, 3, nil},
		{"get_dropped_is_retried", []http.HandlerFunc{drop, jsonHandler(200, `{"id":"c1"}`)}, getConn, 2, nil},
		{"retries_are_bounded", []http.HandlerFunc{jsonHandler(503, `{}`)}, getConn, 4, errAny},
		{"post_429_retries_are_bounded", []http.HandlerFunc{jsonHandler(429, `{}`)}, createConn, 4, fabric.ErrThrottled},
		{"retry_after_beyond_max_is_returned", []http.HandlerFunc{jsonHandler(429, `{}`, "Retry-After", "1"), jsonHandler(200, `{}`)}, getConn, 1, fabric.ErrThrottled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, c := newRecorder(t, sequence(tc.handlers...))
			err := tc.call(c)
			switch {
			case tc.wantErr == nil && err != nil:
				t.Fatalf("call = %v, want success", err)
			case tc.wantErr == errAny && err == nil:
				t.Fatalf("call succeeded, want an error")
			case tc.wantErr != nil && tc.wantErr != errAny && !errors.Is(err, tc.wantErr):
				t.Fatalf("call = %v, want %v", err, tc.wantErr)
			}
			if n := len(rec.requests()); n != tc.wantReqs {
				t.Errorf("server saw %d requests, want %d", n, tc.wantReqs)
			}
		})
	}
}

var errAny = errors.New("any error")

// TestRetryAfterHonoured checks that the retry waits what the server
// asks (retry-after-ms here, so the test stays fast; whole seconds are
// read the same way, see retry_after_beyond_max_is_returned).
func TestRetryAfterHonoured(t *testing.T) {
	var times []time.Time
	h := sequence(
		func(w http.ResponseWriter, r *http.Request) {
			times = append(times, time.Now())
			jsonHandler(429, `{}`, "Retry-After", "1", "retry-after-ms", "150")(w, r)
		},
		func(w http.ResponseWriter, r *http.Request) {
			times = append(times, time.Now())
			jsonHandler(200, `{"id":"c1"}`)(w, r)
		},
	)
	_, c := newRecorder(t, h)
	if err := getConn(c); err != nil {
		t.Fatal(err)
	}
	if len(times) != 2 {
		t.Fatalf("got %d requests, want 2", len(times))
	}
	if d := times[1].Sub(times[0]); d < 150*time.Millisecond || d > 900*time.Millisecond {
		t.Errorf("delay between attempts = %v, want about 150ms (the server's retry-after-ms)", d)
	}
}
