package restclient

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func response(status int, body string, headers ...string) *http.Response {
	h := http.Header{}
	for i := 0; i+1 < len(headers); i += 2 {
		h.Set(headers[i], headers[i+1])
	}
	return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body))}
}

func TestParseError(t *testing.T) {
	tests := []struct {
		name    string
		resp    *http.Response
		secrets []string
		want    ErrorInfo
	}{
		{
			name: "fabric_shape",
			resp: response(409, `{"errorCode":"DuplicateConnectionName","message":"dup","requestId":"r1","moreDetails":[{"errorCode":"D","message":"m"}]}`),
			want: ErrorInfo{StatusCode: 409, Code: "DuplicateConnectionName", Message: "dup", RequestID: "r1", Details: []ErrorDetail{{"D", "m"}}},
		},
		{
			name: "power_bi_shape",
			resp: response(400, `{"error":{"code":"InvalidRequest","message":"m","pbi.error":{"code":"P","details":[{"code":"X","detail":{"value":"v"}}]}}}`, "RequestId", "r2"),
			want: ErrorInfo{StatusCode: 400, Code: "InvalidRequest", Message: "m", RequestID: "r2", Details: []ErrorDetail{{"X", "v"}}},
		},
		{
			name: "header_code_and_retry_after",
			resp: response(429, ``, "x-ms-public-api-error-code", "RequestBlocked", "Retry-After", "7"),
			want: ErrorInfo{StatusCode: 429, Code: "RequestBlocked", RetryAfter: 7 * time.Second},
		},
		{
			name: "retry_after_ms_preferred",
			resp: response(503, `{}`, "Retry-After", "7", "retry-after-ms", "250"),
			want: ErrorInfo{StatusCode: 503, RetryAfter: 250 * time.Millisecond},
		},
		{
			name:    "secret_scrubbed",
			resp:    response(400, `{"errorCode":"E","message":"bad value hunter22","moreDetails":[{"errorCode":"F","message":"{\"password\":\"x\"}"}]}`),
			secrets: []string{"hunter22"},
			want:    ErrorInfo{StatusCode: 400, Code: "E", Message: "bad value REDACTED", Details: []ErrorDetail{{"F", `{"password":"REDACTED"}`}}},
		},
		{
			name: "text_body",
			resp: response(502, "upstream down\n"),
			want: ErrorInfo{StatusCode: 502, Message: "upstream down"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, ParseError(tc.resp, tc.secrets)); diff != "" {
				t.Errorf("ParseError mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
