package powerbi_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/pbipublish/pbipublish/powerbi"
)

func TestErrorMapping(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		code     string
		sentinel error
	}{
		{"not_found", 404, `{"error":{"code":"ItemNotFound","message":"no dataset"}}`, "ItemNotFound", powerbi.ErrNotFound},
		{"unauthorized", 401, `{"error":{"code":"TokenExpired","message":"expired"}}`, "TokenExpired", powerbi.ErrUnauthorized},
		{"forbidden", 403, `{"error":{"code":"InsufficientPrivileges"}}`, "InsufficientPrivileges", powerbi.ErrForbidden},
		{"throttled", 429, `{"error":{"code":"TooManyRequests"}}`, "TooManyRequests", powerbi.ErrThrottled},
		{"refresh_in_progress", 400, `{"error":{"code":"RefreshInProgress","message":"busy"}}`, "RefreshInProgress", powerbi.ErrRefreshInProgress},
		{"pbi_error_details", 400, `{"error":{"code":"InvalidRequest","pbi.error":{"code":"DMTS_X","details":[{"code":"Detail","detail":{"value":"password=abc"}}]}}}`, "InvalidRequest", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, c, _ := newServer(t, respond(tc.status, tc.body, "Retry-After", "100"))
			err := c.TakeOver(context.Background(), "g", "d")
			var re *powerbi.ResponseError
			if !errors.As(err, &re) || re.StatusCode != tc.status || re.ErrorCode != tc.code {
				t.Fatalf("TakeOver = %v, want ResponseError %d %s", err, tc.status, tc.code)
			}
			if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
				t.Errorf("errors.Is(%v, %v) = false", err, tc.sentinel)
			}
			if bytes.Contains([]byte(err.Error()), []byte("password=abc")) {
				t.Errorf("error kept a secret: %v", err)
			}
		})
	}
}
