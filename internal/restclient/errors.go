package restclient

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxErrorBody bounds how much of an error body is read.
const maxErrorBody = 64 << 10

// ErrorDetail is one entry of a service error's details.
type ErrorDetail struct {
	Code    string
	Message string
}

// ErrorInfo is what both services say about a failed request, already
// scrubbed of secrets.
type ErrorInfo struct {
	StatusCode int
	Code       string
	Message    string
	RequestID  string
	Details    []ErrorDetail
	RetryAfter time.Duration
	// OperationID is set for the failure of a long-running operation.
	OperationID string
}

// ParseError reads resp's body (bounded) and decodes either error shape:
// Fabric's {errorCode, message, requestId, moreDetails} or Power BI's
// {"error": {code, message, details}}. The code falls back to the
// x-ms-public-api-error-code header. Every message is scrubbed of the
// given secret values and of credential-looking fields.
func ParseError(resp *http.Response, secrets []string) ErrorInfo {
	info := ErrorInfo{StatusCode: resp.StatusCode, RequestID: RequestID(resp.Header)}
	info.RetryAfter = RetryAfter(resp.Header)
	var body []byte
	if resp.Body != nil {
		body, _ = io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		resp.Body.Close()
	}
	var fab struct {
		ErrorCode   string `json:"errorCode"`
		Message     string `json:"message"`
		RequestID   string `json:"requestId"`
		MoreDetails []struct {
			ErrorCode string `json:"errorCode"`
			Message   string `json:"message"`
		} `json:"moreDetails"`
		Error *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Details []struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"details"`
			PBIError *struct {
				Code    string `json:"code"`
				Details []struct {
					Code   string `json:"code"`
					Detail struct {
						Value string `json:"value"`
					} `json:"detail"`
				} `json:"details"`
			} `json:"pbi.error"`
		} `json:"error"`
	}
	if len(body) > 0 && json.Unmarshal(body, &fab) == nil {
		info.Code, info.Message = fab.ErrorCode, fab.Message
		if fab.RequestID != "" {
			info.RequestID = fab.RequestID
		}
		for _, d := range fab.MoreDetails {
			info.Details = append(info.Details, ErrorDetail{Code: d.ErrorCode, Message: d.Message})
		}
		if e := fab.Error; e != nil {
			if info.Code == "" {
				info.Code = e.Code
			}
			if info.Message == "" {
				info.Message = e.Message
			}
			for _, d := range e.Details {
				info.Details = append(info.Details, ErrorDetail{Code: d.Code, Message: d.Message})
			}
			if p := e.PBIError; p != nil {
				if info.Code == "" {
					info.Code = p.Code
				}
				for _, d := range p.Details {
					info.Details = append(info.Details, ErrorDetail{Code: d.Code, Message: d.Detail.Value})
				}
			}
		}
	} else if len(body) > 0 && info.Message == "" {
		info.Message = strings.TrimSpace(string(body))
		if len(info.Message) > 512 {
			info.Message = info.Message[:512] + "…"
		}
	}
	if info.Code == "" {
		info.Code = resp.Header.Get("x-ms-public-api-error-code")
	}
	info.Message = ScrubText(info.Message, secrets)
	for i := range info.Details {
		info.Details[i].Message = ScrubText(info.Details[i].Message, secrets)
	}
	return info
}

// RetryAfter reads retry-after-ms, x-ms-retry-after-ms or Retry-After
// (seconds, or an HTTP date), in that order, as azcore does.
func RetryAfter(h http.Header) time.Duration {
	for _, k := range []string{"retry-after-ms", "x-ms-retry-after-ms"} {
		if v := h.Get(k); v != "" {
			if ms, err := strconv.Atoi(v); err == nil && ms > 0 {
				return time.Duration(ms) * time.Millisecond
			}
		}
	}
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}
