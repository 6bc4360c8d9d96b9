package restclient

import (
	"encoding/json"
	"regexp"
	"strings"
)

// Redacted replaces every secret value this module scrubs.
const Redacted = "REDACTED"

// sensitiveKeys are JSON field names (lower case) whose values are
// secrets wherever they appear: connection credentials of every kind the
// Fabric API accepts, and OAuth material.
var sensitiveKeys = map[string]bool{
	"password": true, "key": true, "privatekey": true, "passphrase": true,
	"serviceprincipalsecret": true, "clientsecret": true, "client_secret": true,
	"secret": true, "token": true, "access_token": true, "refresh_token": true,
	"id_token": true, "accesstoken": true, "refreshtoken": true,
	"code_verifier": true, "authorization": true, "sastoken": true,
}

// IsSensitiveKey reports whether a JSON field of that name holds a secret.
func IsSensitiveKey(name string) bool { return sensitiveKeys[strings.ToLower(name)] }

var (
	jsonSecretRE = regexp.MustCompile(`(?i)("(?:password|key|privateKey|passphrase|servicePrincipalSecret|clientSecret|client_secret|secret|token|access_token|refresh_token|id_token|code_verifier|sasToken)"\s*:\s*)"(?:[^"\\]|\\.)*"`)
	kvSecretRE   = regexp.MustCompile(`(?i)\b(password|pwd|passphrase|secret|client_secret|access_token|refresh_token)=([^;&\s"]+)`)
	pemRE        = regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)`)
	bearerRE     = regexp.MustCompile(`(?i)\bbearer\s+[A-Za-z0-9\-_.~+/]+=*`)
)

// ScrubText removes secrets from free text (an error message that may
// echo a request body): every given secret value, JSON credential fields,
// key=value credentials, PEM private keys and bearer tokens.
func ScrubText(s string, secrets []string) string {
	if s == "" {
		return s
	}
	for _, v := range secrets {
		if len(v) >= 3 {
			s = strings.ReplaceAll(s, v, Redacted)
			// The secret may appear JSON-escaped (a PEM key's newlines).
			if b, err := json.Marshal(v); err == nil {
				if esc := string(b[1 : len(b)-1]); esc != v {
					s = strings.ReplaceAll(s, esc, Redacted)
				}
			}
		}
	}
	s = jsonSecretRE.ReplaceAllString(s, `$1"`+Redacted+`"`)
	s = kvSecretRE.ReplaceAllString(s, `$1=`+Redacted)
	s = pemRE.ReplaceAllString(s, Redacted)
	s = bearerRE.ReplaceAllString(s, "Bearer "+Redacted)
	return s
}

// ScrubJSON returns body with the value of every sensitive field
// replaced, at any depth. A body that is not JSON is scrubbed as text.
func ScrubJSON(body []byte) []byte {
	if len(body) == 0 {
		return body
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return []byte(ScrubText(string(body), nil))
	}
	out, err := json.Marshal(scrubValue(v))
	if err != nil {
		return []byte(Redacted)
	}
	return out
}

func scrubValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			if IsSensitiveKey(k) {
				if _, isStr := val.(string); isStr || val == nil {
					t[k] = Redacted
					continue
				}
			}
			t[k] = scrubValue(val)
		}
	case []any:
		for i := range t {
			t[i] = scrubValue(t[i])
		}
	case string:
		return ScrubText(t, nil)
	}
	return v
}
