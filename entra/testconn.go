package entra

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
)

// Problem says what a connection test found wrong.
type Problem int

// Problems.
const (
	ProblemNone Problem = iota
	// ProblemNameUnavailable: the credentials work, but Graph would
	// not tell the application's name (403).
	ProblemNameUnavailable
	ProblemInvalidInput   // a field has the wrong shape
	ProblemSecretInvalid  // AADSTS7000215: the secret is wrong
	ProblemSecretIDPasted // the secret's ID (a GUID) was entered instead of its value
	ProblemSecretExpired  // AADSTS7000222
	ProblemAppNotInTenant // AADSTS700016
	ProblemBadTenant      // AADSTS90002, 900023
	ProblemUnreachable    // the authority or Graph could not be reached
	ProblemOther          // another error answer; see Code and Message
)

var problemNames = [...]string{"none", "name unavailable", "invalid input", "secret invalid",
	"secret ID pasted", "secret expired", "app not in tenant", "bad tenant", "unreachable", "other"}

func (p Problem) String() string {
	if p < 0 || int(p) >= len(problemNames) {
		return fmt.Sprintf("Problem(%d)", int(p))
	}
	return problemNames[p]
}

// TestResult is the outcome of a connection test, for the owner.
type TestResult struct {
	// OK is true when a token was obtained: tenant, client ID and secret work.
	OK bool
	// DisplayName is the application's name from Graph, when available.
	DisplayName string
	Problem     Problem
	// Message says in a sentence what worked or what to fix.
	Message string
	// Code and TraceID identify an Entra error answer for support.
	Code    int
	TraceID string
}

// TestOptions configure [TestConnection]. Zero fields mean the
// defaults of [ConnectorOptions] with the same names.
type TestOptions struct {
	AuthorityHost string
	GraphEndpoint string
	HTTPClient    *http.Client
}

// TestConnection checks application credentials the way an owner's
// "Test connection" button does: a client-credentials token for
// Microsoft Graph from a fresh credential (so a cached token cannot
// hide a changed secret), then the application's display name from
// servicePrincipals(appId='…'). Problems are reported in the result;
// the error is non-nil only when ctx ends.
func TestConnection(ctx context.Context, app AppCredentials, opts *TestOptions) (*TestResult, error) {
	var o TestOptions
	if opts != nil {
		o = *opts
	}
	if o.AuthorityHost == "" {
		o.AuthorityHost = DefaultAuthorityHost
	}
	if o.GraphEndpoint == "" {
		o.GraphEndpoint = "https://graph.microsoft.com"
	}
	if o.HTTPClient == nil {
		o.HTTPClient = http.DefaultClient
	}
	if err := app.Validate(); err != nil {
		return &TestResult{Problem: ProblemInvalidInput, Message: err.Error()}, nil
	}
	cred, err := azidentity.NewClientSecretCredential(app.TenantID, app.ClientID, app.ClientSecret, &azidentity.ClientSecretCredentialOptions{
		ClientOptions: azcore.ClientOptions{
			Cloud:     cloud.Configuration{ActiveDirectoryAuthorityHost: strings.TrimSuffix(o.AuthorityHost, "/") + "/"},
			Transport: o.HTTPClient,
			Retry:     policy.RetryOptions{MaxRetries: 1},
		},
		DisableInstanceDiscovery: strings.TrimSuffix(o.AuthorityHost, "/") != DefaultAuthorityHost,
	})
	if err != nil {
		return &TestResult{Problem: ProblemInvalidInput, Message: "entra: " + err.Error()}, nil
	}
	tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{"https://graph.microsoft.com/.default"}})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return tokenProblem(app, err), nil
	}

	u := strings.TrimSuffix(o.GraphEndpoint, "/") + "/v1.0/servicePrincipals(appId='" + url.PathEscape(app.ClientID) + "')?$select=displayName"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("entra: cannot build Graph request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	resp, err := o.HTTPClient.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return &TestResult{OK: true, Problem: ProblemNameUnavailable, Message: "The credentials work, but Microsoft Graph could not be reached for the application's name."}, nil
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		var sp struct {
			DisplayName string `json:"displayName"`
		}
		if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&sp); err == nil && sp.DisplayName != "" {
			return &TestResult{OK: true, DisplayName: sp.DisplayName, Message: fmt.Sprintf("The credentials work for %q.", sp.DisplayName)}, nil
		}
	case http.StatusForbidden:
		return &TestResult{OK: true, Problem: ProblemNameUnavailable, Message: "The credentials work, but the application may not read its own name from Microsoft Graph."}, nil
	}
	return &TestResult{OK: true, Problem: ProblemNameUnavailable, Message: fmt.Sprintf("The credentials work, but Microsoft Graph answered %d for the application's name.", resp.StatusCode)}, nil
}

// tokenProblem explains a failed client-credentials request.
func tokenProblem(app AppCredentials, err error) *TestResult {
	var afe *azidentity.AuthenticationFailedError
	if !errors.As(err, &afe) || afe.RawResponse == nil {
		return &TestResult{Problem: ProblemUnreachable, Message: "Microsoft Entra ID could not be reached; check the network and try again."}
	}
	ae := authErrorFromResponse("client credentials", afe.RawResponse)
	r := &TestResult{Code: ae.Code, TraceID: ae.TraceID}
	switch ae.Code {
	case 7000215, 7000218:
		if looksLikeSecretID(app.ClientSecret) {
			r.Problem = ProblemSecretIDPasted
			r.Message = "The client secret is a secret's ID, not its value. Copy the Value column of the secret (shown once, when it is created)."
		} else {
			r.Problem = ProblemSecretInvalid
			r.Message = "The client secret is wrong. Copy the secret's value again, or create a new secret."
		}
	case 7000222:
		r.Problem = ProblemSecretExpired
		r.Message = "The client secret has expired. Create a new secret and enter its value."
	case 700016:
		r.Problem = ProblemAppNotInTenant
		r.Message = "No application with this client ID exists in the tenant. Check the client ID and the tenant ID."
	case 90002, 900023:
		r.Problem = ProblemBadTenant
		r.Message = "The tenant does not exist. Check the tenant ID (the directory ID, a GUID)."
	default:
		r.Problem = ProblemOther
		r.Message = fmt.Sprintf("Microsoft Entra ID refused the credentials (%s).", ae.Error())
	}
	return r
}

// TestConnection tests an organization's settings. With s nil it tests
// the stored settings; otherwise it tests s, using the stored secret
// when s.ClientSecret is empty (the owner edits other fields).
func (c *Connector) TestConnection(ctx context.Context, org string, s *Settings) (*TestResult, error) {
	var app AppCredentials
	switch {
	case s == nil:
		a, err := c.appCredentials(ctx, org)
		if err != nil {
			return nil, err
		}
		app = a
	case s.Kind == AppSSO:
		if c.opts.SSO == nil {
			return nil, errors.New("entra: this host offers no single sign-on application")
		}
		app = *c.opts.SSO
	default:
		app = AppCredentials{TenantID: strings.TrimSpace(s.TenantID), ClientID: strings.TrimSpace(s.ClientID), ClientSecret: s.ClientSecret}
		if app.ClientSecret == "" {
			stored, err := c.appCredentials(ctx, org)
			if err == nil {
				app.ClientSecret = stored.ClientSecret
			}
		}
	}
	res, err := TestConnection(ctx, app, &TestOptions{AuthorityHost: c.authorityHost, GraphEndpoint: c.graph, HTTPClient: c.httpClient})
	if res != nil {
		c.log.Info("entra: connection tested", "org", org, "ok", res.OK, "problem", res.Problem.String(), "aadsts", res.Code, "trace_id", res.TraceID)
	}
	return res, err
}
