package entra

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	msalerrors "github.com/AzureAD/microsoft-authentication-library-for-go/apps/errors"
)

// Sentinels for the conditions callers branch on. [*AuthError] values
// match the one that says what to do (errors.Is).
var (
	// ErrNotConfigured: the organization has no application settings.
	ErrNotConfigured = errors.New("entra: organization has no application settings")
	// ErrNotConnected: the user has not connected (or has disconnected).
	ErrNotConnected = errors.New("entra: user has not connected to Power BI")
	// ErrReconnectRequired: the stored grant no longer works (consent
	// missing, refresh token expired or revoked, MFA or sign-in
	// frequency): the user must connect again.
	ErrReconnectRequired = errors.New("entra: user must reconnect to Power BI")
	// ErrAppMisconfigured: the organization's application settings or
	// app registration are wrong (secret, app, tenant, redirect URI):
	// the owner must fix them.
	ErrAppMisconfigured = errors.New("entra: application settings are wrong")
	// ErrStartAgain: the authorization code expired or was already
	// redeemed, or the user declined: start the connect flow again.
	ErrStartAgain = errors.New("entra: sign-in must be started again")
)

// Action says what a user or owner must do about an [AuthError].
type Action int

// Actions.
const (
	// ActionRetry: nothing to fix; a later attempt may work.
	ActionRetry Action = iota
	// ActionReconnect: the user connects again (with consent).
	ActionReconnect
	// ActionFixSettings: the organization owner fixes the settings.
	ActionFixSettings
	// ActionStartAgain: the user starts the sign-in again.
	ActionStartAgain
)

func (a Action) String() string {
	switch a {
	case ActionReconnect:
		return "reconnect"
	case ActionFixSettings:
		return "fix settings"
	case ActionStartAgain:
		return "start again"
	}
	return "retry"
}

// AuthError is an error answer from Microsoft Entra ID, reduced to what
// support needs: the OAuth error, the AADSTS code, trace and
// correlation IDs. It never holds tokens, codes or secrets.
type AuthError struct {
	Op            string // what was attempted: "redeem code", "refresh", ...
	StatusCode    int    // HTTP status, 0 when the answer came in a redirect
	OAuthError    string // e.g. "invalid_grant"
	Code          int    // AADSTS number, 0 if none was given
	TraceID       string
	CorrelationID string
	// Description is the first line of the service's error_description.
	Description string
	Action      Action
}

func (e *AuthError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "entra: %s failed", e.Op)
	if e.Code != 0 {
		fmt.Fprintf(&b, ": AADSTS%d", e.Code)
	}
	if e.OAuthError != "" {
		fmt.Fprintf(&b, " (%s)", e.OAuthError)
	}
	if e.Description != "" {
		fmt.Fprintf(&b, ": %s", e.Description)
	}
	fmt.Fprintf(&b, "; action: %s", e.Action)
	if e.TraceID != "" {
		fmt.Fprintf(&b, "; trace id %s", e.TraceID)
	}
	return b.String()
}

// Is matches the sentinel for the error's Action.
func (e *AuthError) Is(target error) bool {
	switch target {
	case ErrReconnectRequired:
		return e.Action == ActionReconnect
	case ErrAppMisconfigured:
		return e.Action == ActionFixSettings
	case ErrStartAgain:
		return e.Action == ActionStartAgain
	}
	return false
}

// actionFor maps an AADSTS code and OAuth error to an Action.
func actionFor(code int, oauthErr string) Action {
	switch code {
	case 65001, 700082, 50173, 50076, 70043, 50079, 50078, 700084:
		return ActionReconnect
	case 7000215, 7000222, 700016, 90002, 900023, 50011, 7000218, 500113:
		return ActionFixSettings
	case 70008, 54005, 65004:
		return ActionStartAgain
	}
	switch oauthErr {
	case "invalid_grant", "interaction_required", "consent_required", "login_required":
		return ActionReconnect
	case "invalid_client", "unauthorized_client":
		return ActionFixSettings
	case "access_denied":
		return ActionStartAgain
	}
	return ActionRetry
}

// oauthBody is an Entra error answer.
type oauthBody struct {
	Error         string `json:"error"`
	Description   string `json:"error_description"`
	ErrorCodes    []int  `json:"error_codes"`
	TraceID       string `json:"trace_id"`
	CorrelationID string `json:"correlation_id"`
}

var aadstsRE = regexp.MustCompile(`AADSTS(\d+)`)

// newAuthError builds an AuthError from the fields of an Entra answer.
func newAuthError(op string, status int, b oauthBody) *AuthError {
	e := &AuthError{
		Op:            op,
		StatusCode:    status,
		OAuthError:    b.Error,
		TraceID:       b.TraceID,
		CorrelationID: b.CorrelationID,
	}
	if len(b.ErrorCodes) > 0 {
		e.Code = b.ErrorCodes[0]
	} else if m := aadstsRE.FindStringSubmatch(b.Description); m != nil {
		e.Code, _ = strconv.Atoi(m[1])
	}
	desc, _, _ := strings.Cut(b.Description, "\n")
	e.Description = strings.TrimSpace(desc)
	e.Action = actionFor(e.Code, e.OAuthError)
	return e
}

// authErrorFromResponse reads an Entra error answer from resp; the body
// is restored so others may read it again.
func authErrorFromResponse(op string, resp *http.Response) *AuthError {
	var b oauthBody
	if resp.Body != nil {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body = io.NopCloser(bytes.NewReader(data))
		_ = json.Unmarshal(data, &b)
	}
	return newAuthError(op, resp.StatusCode, b)
}

// mapMSALError turns an error from MSAL into one safe to show and log.
// MSAL's own messages can quote whole response bodies (a malformed
// token response included), so only the parsed error answer survives;
// other errors are wrapped, except for MSAL's JSON decode errors, which
// are replaced.
func mapMSALError(op string, err error) error {
	var ce msalerrors.CallErr
	if errors.As(err, &ce) && ce.Resp != nil {
		return authErrorFromResponse(op, ce.Resp)
	}
	var je msalerrors.InvalidJsonErr
	if errors.As(err, &je) {
		return fmt.Errorf("entra: %s failed: the authority's answer could not be decoded", op)
	}
	if strings.Contains(err.Error(), "no token found") {
		return fmt.Errorf("entra: %s failed: the stored sign-in has no refresh token: %w", op, ErrReconnectRequired)
	}
	if strings.Contains(err.Error(), "declined scopes") {
		return &AuthError{Op: op, OAuthError: "declined_scopes", Description: "the authority granted fewer permissions than required", Action: ActionReconnect}
	}
	return fmt.Errorf("entra: %s failed: %w", op, err)
}
