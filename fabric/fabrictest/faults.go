package fabrictest

import (
	"net/http"
	"path"
	"time"
)

// Fault is a programmed failure of the requests matching Method and
// Path. Faults are checked in the order added; the first matching one
// that still has uses applies.
type Fault struct {
	// Method matches the HTTP method; empty matches any.
	Method string
	// Path is a path.Match pattern on the URL path, e.g.
	// "/v1/operations/*" or "/v1/workspaces/*/semanticModels".
	Path string

	// Skip lets that many matching requests through before the fault
	// starts applying.
	Skip int
	// Times is how many requests the fault applies to; 0 means every
	// matching request until ClearFaults.
	Times int

	// Status is the HTTP status to answer (e.g. 429, 500, 503); 0 with
	// Drop false and Latency set only delays the request.
	Status int
	// Code and Message form the error body; Code defaults by status
	// ("RequestBlocked" for 429, "InternalServerError", …).
	Code, Message string
	// RetryAfter is sent with the fault (as Options.RetryAfter is);
	// 0 sends none.
	RetryAfter time.Duration
	// Latency delays the answer (or the handling) by that long.
	Latency time.Duration
	// Drop closes the connection without an answer.
	Drop bool
	// AfterHandler lets the server act on the request first and then
	// answers with the fault: the case where a client cannot know
	// whether its POST took effect.
	AfterHandler bool
}

type faultState struct {
	Fault
	seen, used int
}

// applies reports whether the fault answers the request (rather than
// only delaying it).
func (f *faultState) applies() bool {
	return f.Status != 0 || f.Drop
}

// AddFault programs a fault.
func (s *Server) AddFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &faultState{Fault: f})
}

// ClearFaults removes every programmed fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// matchFault returns the fault for r, counting its use, or nil.
func (s *Server) matchFault(r *http.Request) *faultState {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.faults {
		if f.Method != "" && f.Method != r.Method {
			continue
		}
		if ok, _ := path.Match(f.Path, r.URL.Path); !ok {
			continue
		}
		if f.Times > 0 && f.used >= f.Times {
			continue
		}
		f.seen++
		if f.seen <= f.Skip {
			continue
		}
		f.used++
		cp := *f
		return &cp
	}
	return nil
}

func (s *Server) writeFault(w http.ResponseWriter, r *http.Request, f *faultState) {
	if f.Drop {
		if hj, ok := w.(interface{ Unwrap() http.ResponseWriter }); ok {
			w = hj.Unwrap()
		}
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	code := f.Code
	if code == "" {
		switch f.Status {
		case http.StatusTooManyRequests:
			code = "RequestBlocked"
		case http.StatusServiceUnavailable:
			code = "ServiceUnavailable"
		default:
			code = http.StatusText(f.Status)
		}
	}
	msg := f.Message
	if msg == "" {
		msg = "fault injected by fabrictest"
	}
	if f.RetryAfter > 0 {
		setRetryAfter(w.Header(), f.RetryAfter)
	}
	s.writeError(w, r, f.Status, code, msg)
}

// OperationFailure makes a future long-running operation fail.
type OperationFailure struct {
	// Code and Message are the operation's error; Code defaults to
	// "InternalError".
	Code, Message string
	// Undefined ends the operation in state Undefined instead of Failed.
	Undefined bool
}

// FailNextOperation makes the next long-running operation that starts
// end in failure.
func (s *Server) FailNextOperation(f OperationFailure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = append(s.failNext, f)
}
