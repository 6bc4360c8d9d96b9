package entra

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	msalerrors "github.com/AzureAD/microsoft-authentication-library-for-go/apps/errors"
)

func TestActionFor(t *testing.T) {
	tests := []struct {
		code int
		want error
	}{
		{65001, ErrReconnectRequired}, {700082, ErrReconnectRequired}, {50173, ErrReconnectRequired},
		{50076, ErrReconnectRequired}, {70043, ErrReconnectRequired},
		{7000215, ErrAppMisconfigured}, {7000222, ErrAppMisconfigured}, {700016, ErrAppMisconfigured},
		{90002, ErrAppMisconfigured}, {900023, ErrAppMisconfigured}, {50011, ErrAppMisconfigured},
		{70008, ErrStartAgain}, {54005, ErrStartAgain},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("aadsts%d", tt.code), func(t *testing.T) {
			e := newAuthError("refresh", 400, oauthBody{Error: "x", ErrorCodes: []int{tt.code}, TraceID: "trace-1"})
			if !errors.Is(e, tt.want) {
				t.Errorf("AADSTS%d: %v does not match %v", tt.code, e, tt.want)
			}
			for _, other := range []error{ErrReconnectRequired, ErrAppMisconfigured, ErrStartAgain} {
				if other != tt.want && errors.Is(e, other) {
					t.Errorf("AADSTS%d also matches %v", tt.code, other)
				}
			}
			if s := e.Error(); !strings.Contains(s, fmt.Sprint(tt.code)) || !strings.Contains(s, "trace-1") {
				t.Errorf("Error() = %q, want the code and trace id", s)
			}
		})
	}
	if e := newAuthError("x", 400, oauthBody{Error: "invalid_grant", Description: "AADSTS700082: expired.\r\nTrace ID: t"}); e.Code != 700082 || e.Description != "AADSTS700082: expired." {
		t.Errorf("code from description: %+v", e)
	}
	if e := newAuthError("x", 500, oauthBody{Error: "temporarily_unavailable"}); e.Action != ActionRetry {
		t.Errorf("unknown error action = %v, want retry", e.Action)
	}
}

func TestMapMSALErrorScrubs(t *testing.T) {
	const secret = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.secret-access-token"
	raw := fmt.Errorf("json decode error: boom\nraw message was: {\"access_token\":%q}", secret)
	err := mapMSALError("refresh", msalerrors.InvalidJsonErr{Err: raw})
	if strings.Contains(err.Error(), secret) {
		t.Errorf("mapped error %q holds the token", err)
	}
	resp := &http.Response{StatusCode: 400, Body: io.NopCloser(strings.NewReader(`{"error":"invalid_grant","error_codes":[50173],"trace_id":"tr","correlation_id":"co"}`))}
	err = mapMSALError("refresh", msalerrors.CallErr{Resp: resp, Err: errors.New("http call failed: " + secret)})
	var ae *AuthError
	if !errors.As(err, &ae) || ae.Code != 50173 || ae.CorrelationID != "co" || strings.Contains(err.Error(), secret) {
		t.Errorf("mapped CallErr = %v", err)
	}
	if err := mapMSALError("refresh", errors.New("no token found")); !errors.Is(err, ErrReconnectRequired) {
		t.Errorf("no token found = %v, want ErrReconnectRequired", err)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		c    AppCredentials
		ok   bool
	}{
		{"guid_tenant", AppCredentials{"0b0c0d0e-0000-1111-2222-333344445555", "11111111-2222-3333-4444-555555555555", "s"}, true},
		{"domain_tenant", AppCredentials{"contoso.onmicrosoft.com", "11111111-2222-3333-4444-555555555555", "s"}, true},
		{"path_in_tenant", AppCredentials{"contoso.com/../x", "11111111-2222-3333-4444-555555555555", "s"}, false},
		{"word_tenant", AppCredentials{"common", "11111111-2222-3333-4444-555555555555", "s"}, false},
		{"braced_client", AppCredentials{"contoso.com", "{11111111-2222-3333-4444-555555555555}", "s"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.c.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate(%v) = %v, want ok=%v", tt.c, err, tt.ok)
			}
		})
	}
	if !looksLikeSecretID("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0") || looksLikeSecretID("abc~DEF.ghi_jkl-0123456789abcdefghijklm") {
		t.Error("looksLikeSecretID misjudges")
	}
}

func TestAppKindJSON(t *testing.T) {
	for _, k := range []AppKind{AppUnset, AppSSO, AppCustom} {
		b, _ := k.MarshalJSON()
		var got AppKind
		if err := got.UnmarshalJSON(b); err != nil || got != k {
			t.Errorf("round trip of %v = %v, %v", k, got, err)
		}
	}
	var k AppKind
	if err := k.UnmarshalJSON([]byte(`"other"`)); err == nil {
		t.Error("UnmarshalJSON accepted an unknown kind")
	}
}
