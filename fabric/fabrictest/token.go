package fabrictest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// Token audiences, as the shared token format names them (no trailing
// slash).
const (
	AudienceFabric  = "https://api.fabric.microsoft.com"
	AudiencePowerBI = "https://analysis.windows.net/powerbi/api"
	AudienceGraph   = "https://graph.microsoft.com"
)

// TenantID is the tenant of the tokens Token issues.
const TenantID = "00000000-0000-4000-8000-00000000feed"

type claims struct {
	Aud   string `json:"aud"`
	OID   string `json:"oid"`
	TID   string `json:"tid,omitempty"`
	UPN   string `json:"upn,omitempty"`
	Name  string `json:"name,omitempty"`
	Scp   string `json:"scp,omitempty"`
	AppID string `json:"appid,omitempty"`
	Iat   int64  `json:"iat,omitempty"`
	Nbf   int64  `json:"nbf,omitempty"`
	Exp   int64  `json:"exp"`
}

// Token returns an access token for user oid and audience aud (one of
// the Audience constants), valid for an hour of the server's clock. It
// has the format entratest issues (an HS256 JWT with aud, oid, tid, upn,
// name, scp, appid, iat, nbf, exp) with a random signature, which the
// emulator, like any resource server without the key, does not verify.
func (s *Server) Token(oid, aud string) string {
	now := s.now()
	c := claims{Aud: aud, OID: oid, TID: TenantID, UPN: oid + "@example.com", Name: oid,
		Scp:   "Workspace.Read.All Item.ReadWrite.All Connection.ReadWrite.All Dataset.ReadWrite.All",
		AppID: "00000000-0000-4000-8000-00000000a99c", Iat: now.Unix(), Nbf: now.Unix(), Exp: now.Add(time.Hour).Unix()}
	return encodeJWT(c)
}

func encodeJWT(c claims) string {
	enc := base64.RawURLEncoding
	body, _ := json.Marshal(c)
	sig := make([]byte, 32)
	_, _ = rand.Read(sig)
	return enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString(body) + "." + enc.EncodeToString(sig)
}

func decodeJWT(tok string) (claims, error) {
	var c claims
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return c, errors.New("not a JWT")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return c, errors.New("claims are not base64url")
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, errors.New("claims are not JSON")
	}
	return c, nil
}

// Credential returns an azcore.TokenCredential for user oid that hands
// out Token(oid, aud) with aud taken from the requested scope (the
// scope without "/.default"), for tests that do not involve entratest.
func (s *Server) Credential(oid string) azcore.TokenCredential {
	return &credential{s: s, oid: oid}
}

type credential struct {
	s   *Server
	oid string
}

func (c *credential) GetToken(_ context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if len(opts.Scopes) != 1 {
		return azcore.AccessToken{}, errors.New("fabrictest: exactly one scope expected")
	}
	aud := strings.TrimSuffix(strings.TrimSuffix(opts.Scopes[0], "/.default"), "/")
	return azcore.AccessToken{Token: c.s.Token(c.oid, aud), ExpiresOn: c.s.now().Add(time.Hour)}, nil
}
