package fabrictest

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pbipublish/pbipublish/internal/restclient"
)

// Options configure a Server. A nil *Options, and the zero value of
// every field, mean the documented default.
type Options struct {
	// OperationPolls is how many polls a long-running operation answers
	// Running before it completes on the next one. Default 1; negative
	// means 0 (the first poll sees the final state).
	OperationPolls int

	// OperationDuration, when positive, lets a long-running operation
	// end on its own once that much time (by Now) has passed since it
	// began, whether or not anyone polls it, as Fabric's operations run
	// on the service side. A client that lost the operation's Location
	// then sees the created item appear in the workspace. Default 0:
	// operations advance only when polled.
	OperationDuration time.Duration

	// Synchronous makes create, getDefinition and updateDefinition
	// answer at once (201/200) instead of 202 and an operation.
	Synchronous bool

	// RetryAfter is the delay the server asks for on 202 answers and
	// running operations. It is sent as Retry-After in whole seconds
	// (rounded up, as the real services do) and, when not a whole number
	// of seconds, also as retry-after-ms, which azcore prefers: tests
	// keep polling fast while the seconds header stays realistic.
	// Default 10ms; negative sends no header.
	RetryAfter time.Duration

	// ItemConnectionsAfter is how many item-connection listings of a new
	// model return an empty list before its data sources appear (the
	// DirectQuery case). Default 0 (at once); negative means never.
	ItemConnectionsAfter int

	// NameReuseDelay keeps a deleted model's name unavailable
	// (ItemDisplayNameNotAvailableYet) for that long. Default 0.
	NameReuseDelay time.Duration

	// PageSize is the number of entries per page of paged lists
	// (continuationToken/continuationUri). Default 100.
	PageSize int

	// Now is the server's clock (token expiry, timestamps). Default
	// time.Now.
	Now func() time.Time
}

// Server is a TLS httptest server that emulates the Fabric REST API
// under /v1 and the Power BI REST API under /v1.0/myorg, with one shared
// state. Create it with NewServer and Close it when done. All methods
// are safe for concurrent use.
type Server struct {
	ts   *httptest.Server
	opts Options

	mu          sync.Mutex
	workspaces  map[string]*workspace
	wsOrder     []string
	items       map[string]*item
	itemOrder   []string
	conns       map[string]*connection
	connOrder   []string
	ops         map[string]*operation
	dataSources map[string]*dataSource // by type + "\x00" + path
	freedNames  map[string]time.Time   // ws + "\x00" + lower(name)
	faults      []*faultState
	failNext    []OperationFailure
	requests    []Request
	salt        []byte
}

// NewServer starts an emulator.
func NewServer(opts *Options) *Server {
	s := &Server{
		workspaces: map[string]*workspace{}, items: map[string]*item{},
		conns: map[string]*connection{}, ops: map[string]*operation{},
		dataSources: map[string]*dataSource{}, freedNames: map[string]time.Time{},
		salt: make([]byte, 16),
	}
	_, _ = rand.Read(s.salt)
	if opts != nil {
		s.opts = *opts
	}
	if s.opts.OperationPolls == 0 {
		s.opts.OperationPolls = 1
	} else if s.opts.OperationPolls < 0 {
		s.opts.OperationPolls = 0
	}
	if s.opts.RetryAfter == 0 {
		s.opts.RetryAfter = 10 * time.Millisecond
	}
	if s.opts.PageSize <= 0 {
		s.opts.PageSize = 100
	}
	if s.opts.Now == nil {
		s.opts.Now = time.Now
	}
	mux := http.NewServeMux()
	s.routes(mux)
	s.ts = httptest.NewTLSServer(s.middleware(mux))
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.ts.Close() }

// URL is the server's base URL (https://127.0.0.1:port).
func (s *Server) URL() string { return s.ts.URL }

// FabricEndpoint is the base URL for fabric.ClientOptions.Endpoint.
func (s *Server) FabricEndpoint() string { return s.ts.URL + "/v1" }

// PowerBIEndpoint is the base URL for powerbi.ClientOptions.Endpoint.
func (s *Server) PowerBIEndpoint() string { return s.ts.URL + "/v1.0/myorg" }

// Client returns an *http.Client that trusts the server's certificate;
// use it as the clients' transport (azcore.ClientOptions.Transport).
func (s *Server) Client() *http.Client { return s.ts.Client() }

func (s *Server) now() time.Time { return s.opts.Now() }

// Request is one recorded request. Secrets are redacted: the
// Authorization header's token, and every credential field of a JSON
// body.
type Request struct {
	Method string
	// Path is the URL path; Query the raw query.
	Path, Query string
	// OID is the caller (from the token), or empty.
	OID string
	// Header holds the request headers, Authorization redacted.
	Header http.Header
	// Body is the request body with secrets redacted.
	Body []byte
	// Status is the status the server answered (0 for a dropped
	// connection).
	Status int
}

// Requests returns the requests received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	s.requests = nil
	s.mu.Unlock()
}

type ctxKey struct{}

// statusWriter records the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// middleware records the request, applies faults, checks the token and
// dispatches.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<20))
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
			Header: r.Header.Clone(), Body: restclient.ScrubJSON(body)}
		if rec.Header.Get("Authorization") != "" {
			rec.Header.Set("Authorization", "Bearer "+restclient.Redacted)
		}
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			s.mu.Lock()
			rec.Status = sw.status
			s.requests = append(s.requests, rec)
			s.mu.Unlock()
		}()

		f := s.matchFault(r)
		if f != nil && f.Latency > 0 {
			select {
			case <-time.After(f.Latency):
			case <-r.Context().Done():
				// The client gave up. Abort rather than return, so that
				// net/http never completes the exchange with an empty
				// 200 of its own.
				panic(http.ErrAbortHandler)
			}
		}
		if f != nil && !f.AfterHandler && f.applies() {
			s.writeFault(sw, r, f)
			return
		}

		c, ok := s.authenticate(sw, r)
		if !ok {
			return
		}
		rec.OID = c.OID
		r = r.WithContext(withCaller(r.Context(), c))

		if f != nil && f.AfterHandler && f.applies() {
			// The server acts, then the client sees the fault.
			next.ServeHTTP(httptest.NewRecorder(), r)
			s.writeFault(sw, r, f)
			return
		}
		next.ServeHTTP(sw, r)
	})
}

// authenticate checks the bearer token's audience and expiry.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (claims, bool) {
	want := AudienceFabric
	if strings.HasPrefix(r.URL.Path, "/v1.0/") {
		want = AudiencePowerBI
	}
	h := r.Header.Get("Authorization")
	tok, found := strings.CutPrefix(h, "Bearer ")
	if !found || tok == "" {
		s.writeError(w, r, http.StatusUnauthorized, "Unauthorized", "the request has no bearer token")
		return claims{}, false
	}
	c, err := decodeJWT(tok)
	if err != nil {
		s.writeError(w, r, http.StatusUnauthorized, "InvalidToken", "the bearer token is malformed: "+err.Error())
		return claims{}, false
	}
	if c.Aud != want && c.Aud != want+"/" {
		s.writeError(w, r, http.StatusUnauthorized, "InvalidToken", fmt.Sprintf("the token's audience %q is not %q", c.Aud, want))
		return claims{}, false
	}
	if c.Exp != 0 && s.now().Unix() >= c.Exp {
		s.writeError(w, r, http.StatusUnauthorized, "TokenExpired", "the access token has expired")
		return claims{}, false
	}
	if c.OID == "" {
		s.writeError(w, r, http.StatusUnauthorized, "InvalidToken", "the token has no oid claim")
		return claims{}, false
	}
	return c, true
}

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

// writeError answers in the shape of the API the request was for.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	reqID := newID()
	w.Header().Set("requestid", reqID)
	w.Header().Set("x-ms-public-api-error-code", code)
	if strings.HasPrefix(r.URL.Path, "/v1.0/") {
		w.Header().Set("RequestId", reqID)
		writeJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": msg}})
		return
	}
	writeJSON(w, status, map[string]any{"errorCode": code, "message": msg, "requestId": reqID})
}

// setRetryAfter writes the configured Retry-After headers.
func setRetryAfter(h http.Header, d time.Duration) {
	if d < 0 {
		return
	}
	secs := int((d + time.Second - 1) / time.Second)
	h.Set("Retry-After", strconv.Itoa(secs))
	if d%time.Second != 0 {
		h.Set("retry-after-ms", strconv.FormatInt(d.Milliseconds(), 10))
	}
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
