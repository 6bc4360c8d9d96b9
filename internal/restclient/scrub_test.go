package restclient

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
)

func TestScrubText(t *testing.T) {
	tests := []struct {
		name, in string
		secrets  []string
		want     string
	}{
		{"known_value", "login failed for pw hunter22 at host", []string{"hunter22"}, "login failed for pw REDACTED at host"},
		{"json_field", `{"username":"u","password":"x\"y"}`, nil, `{"username":"u","password":"REDACTED"}`},
		{"json_field_case", `"ServicePrincipalSecret" : "abc"`, nil, `"ServicePrincipalSecret" : "REDACTED"`},
		{"key_value", "Server=x;Password=abc;User=u", nil, "Server=x;Password=REDACTED;User=u"},
		{"pem", "key -----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY----- end", nil, "key REDACTED end"},
		{"pem_truncated", "key -----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA", nil, "key REDACTED"},
		{"bearer", "Authorization: Bearer eyJ0.eyJ1.sig", nil, "Authorization: Bearer REDACTED"},
		{"json_escaped_value", `{"note":"a\nb"}`, []string{"a\nb"}, `{"note":"REDACTED"}`},
		{"short_values_ignored", "ab", []string{"ab"}, "ab"},
		{"clean", "nothing to see", []string{"secret"}, "nothing to see"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ScrubText(tc.in, tc.secrets); got != tc.want {
				t.Errorf("ScrubText(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestScrubJSON(t *testing.T) {
	in := `{"a":{"credentials":{"credentialType":"Basic","password":"p","key":"k"}},"list":[{"privateKey":"pk","name":"n"}],"token":null}`
	got := string(ScrubJSON([]byte(in)))
	for _, s := range []string{`"p"`, `"k"`, `"pk"`} {
		if strings.Contains(got, s) {
			t.Errorf("ScrubJSON kept %s: %s", s, got)
		}
	}
	if !strings.Contains(got, `"name":"n"`) || !strings.Contains(got, `"credentialType":"Basic"`) {
		t.Errorf("ScrubJSON dropped plain fields: %s", got)
	}
	if got := string(ScrubJSON([]byte(`password=abc not json`))); got != "password=REDACTED not json" {
		t.Errorf("ScrubJSON(non-JSON) = %q", got)
	}
}

func TestSafeToResend(t *testing.T) {
	tests := []struct {
		name string
		resp *http.Response
		err  error
		want bool
	}{
		{"429", &http.Response{StatusCode: 429}, nil, true},
		{"500", &http.Response{StatusCode: 500}, nil, false},
		{"503", &http.Response{StatusCode: 503}, nil, false},
		{"408", &http.Response{StatusCode: 408}, nil, false},
		{"dial_error", nil, &net.OpError{Op: "dial", Err: errors.New("refused")}, true},
		{"refused", nil, syscall.ECONNREFUSED, true},
		{"dns", nil, &net.DNSError{Err: "no such host"}, true},
		{"read_error", nil, &net.OpError{Op: "read", Err: errors.New("reset")}, false},
		{"eof", nil, errors.New("EOF"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := SafeToResend(tc.resp, tc.err); got != tc.want {
				t.Errorf("SafeToResend(%v, %v) = %v, want %v", tc.resp, tc.err, got, tc.want)
			}
		})
	}
}

func TestSameOrigin(t *testing.T) {
	for _, tc := range []struct {
		next string
		ok   bool
	}{
		{"https://api.example.com/v1/operations/1", true},
		{"https://api.example.com:443/v1/x", false},
		{"http://api.example.com/v1/x", false},
		{"https://evil.example.com/v1/x", false},
	} {
		err := SameOrigin("https://api.example.com/v1", tc.next)
		if (err == nil) != tc.ok {
			t.Errorf("SameOrigin(%q) = %v, want ok %v", tc.next, err, tc.ok)
		}
	}
}
