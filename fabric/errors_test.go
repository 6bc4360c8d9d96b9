package fabric_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pbipublish/pbipublish/fabric"
)

func TestErrorMapping(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		body       string
		headers    []string
		wantCode   string
		wantMsg    string
		wantReqID  string
		sentinels  []error
		notMatched []error
	}{
		{
			name: "duplicate_item_name", status: 409,
			body:     `{"errorCode":"ItemDisplayNameAlreadyInUse","message":"Requested 'Orders' is already in use","requestId":"r-1"}`,
			wantCode: "ItemDisplayNameAlreadyInUse", wantMsg: "Requested 'Orders' is already in use", wantReqID: "r-1",
			sentinels:  []error{fabric.ErrItemDisplayNameAlreadyInUse},
			notMatched: []error{fabric.ErrNotFound, fabric.ErrThrottled, fabric.ErrItemDisplayNameNotAvailableYet},
		},
		{
			name: "name_not_available_yet", status: 400,
			body:     `{"errorCode":"ItemDisplayNameNotAvailableYet","message":"later"}`,
			wantCode: "ItemDisplayNameNotAvailableYet", wantMsg: "later",
			sentinels: []error{fabric.ErrItemDisplayNameNotAvailableYet},
		},
		{
			name: "bind_detail_not_found", status: 400,
			body:     `{"errorCode":"BindConnectionDetailNotFound","message":"no such source"}`,
			wantCode: "BindConnectionDetailNotFound", wantMsg: "no such source",
			sentinels:  []error{fabric.ErrBindConnectionDetailNotFound},
			notMatched: []error{fabric.ErrNotFound},
		},
		{
			name: "duplicate_connection_name", status: 409,
			body:     `{"errorCode":"DuplicateConnectionName","message":"dup"}`,
			wantCode: "DuplicateConnectionName", wantMsg: "dup",
			sentinels: []error{fabric.ErrDuplicateConnectionName},
		},
		{
			name: "incorrect_credentials", status: 400,
			body:     `{"errorCode":"IncorrectCredentials","message":"bad"}`,
			wantCode: "IncorrectCredentials", wantMsg: "bad",
			sentinels: []error{fabric.ErrIncorrectCredentials},
		},
		{
			name: "not_found_by_status", status: 404,
			body:     `{"errorCode":"EntityNotFound","message":"gone","moreDetails":[{"errorCode":"X","message":"detail"}]}`,
			wantCode: "EntityNotFound", wantMsg: "gone",
			sentinels: []error{fabric.ErrNotFound},
		},
		{
			name: "code_from_header_only", status: 403, body: ``,
			headers:  []string{"x-ms-public-api-error-code", "InsufficientPrivileges", "requestid", "r-2"},
			wantCode: "InsufficientPrivileges", wantReqID: "r-2",
			sentinels: []error{fabric.ErrForbidden},
		},
		{
			name: "unauthorized", status: 401,
			body:     `{"errorCode":"TokenExpired","message":"expired"}`,
			wantCode: "TokenExpired", wantMsg: "expired",
			sentinels: []error{fabric.ErrUnauthorized},
		},
		{
			name: "throttled_beyond_max_delay", status: 429,
			body:     `{"errorCode":"RequestBlocked","message":"slow down"}`,
			headers:  []string{"Retry-After", "120"},
			wantCode: "RequestBlocked", wantMsg: "slow down",
			sentinels: []error{fabric.ErrThrottled},
		},
		{
			name: "power_bi_shape", status: 400,
			body:     `{"error":{"code":"InvalidRequest","message":"bad request"}}`,
			wantCode: "InvalidRequest", wantMsg: "bad request",
		},
		{
			name: "not_json", status: 502, body: `<html>bad gateway</html>`,
			wantMsg: "<html>bad gateway</html>",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, c := newRecorder(t, jsonHandler(tc.status, tc.body, tc.headers...))
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_, err := c.GetConnection(ctx, "c1")
			var re *fabric.ResponseError
			if !errors.As(err, &re) {
				t.Fatalf("GetConnection error = %v, want *fabric.ResponseError", err)
			}
			if re.StatusCode != tc.status || re.ErrorCode != tc.wantCode || re.Message != tc.wantMsg {
				t.Errorf("ResponseError = {%d %q %q}, want {%d %q %q}", re.StatusCode, re.ErrorCode, re.Message, tc.status, tc.wantCode, tc.wantMsg)
			}
			if tc.wantReqID != "" && re.RequestID != tc.wantReqID {
				t.Errorf("RequestID = %q, want %q", re.RequestID, tc.wantReqID)
			}
			for _, s := range tc.sentinels {
				if !errors.Is(err, s) {
					t.Errorf("errors.Is(%v, %v) = false, want true", err, s)
				}
			}
			for _, s := range tc.notMatched {
				if errors.Is(err, s) {
					t.Errorf("errors.Is(%v, %v) = true, want false", err, s)
				}
			}
			if !strings.HasPrefix(err.Error(), "fabric: GET ") {
				t.Errorf("Error() = %q, want it to start with the package and method", err.Error())
			}
		})
	}
}

func TestThrottledRetryAfterRecorded(t *testing.T) {
	_, c := newRecorder(t, jsonHandler(429, `{"errorCode":"RequestBlocked"}`, "Retry-After", "30"))
	_, err := c.GetConnection(context.Background(), "c1")
	var re *fabric.ResponseError
	if !errors.As(err, &re) || re.RetryAfter != 30*time.Second {
		t.Fatalf("error = %v, want a ResponseError with RetryAfter 30s", err)
	}
}
