package secrettest

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pbipublish/pbipublish/fabric/fabrictest"
)

const secret = "pa$$ word/+\"line\nSECRET-canary-42"

func registry() *Registry {
	r := &Registry{}
	r.Add("password", secret)
	return r
}

func forms(leaks []Leak) []string {
	var out []string
	for _, l := range leaks {
		out = append(out, l.Form)
	}
	return out
}

func TestFindForms(t *testing.T) {
	js, _ := json.Marshal(map[string]string{"p": secret})
	for _, tc := range []struct {
		name string
		text string
		want []string
	}{
		{"plain", "x" + secret + "y", []string{"plain"}},
		{"json", string(js), []string{"json"}},
		{"query", "https://h/?p=" + url.QueryEscape(secret), []string{"query"}},
		{"base64_aligned", base64.StdEncoding.EncodeToString([]byte(secret)), []string{"base64"}},
		{"base64_offset_1", base64.StdEncoding.EncodeToString([]byte("a" + secret + "tail")), []string{"base64"}},
		{"base64_offset_2", base64.StdEncoding.EncodeToString([]byte("ab" + secret)), []string{"base64"}},
		{"clean", "SECRET-canary-4 pa$$ word", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := forms(registry().FindString(tc.name, tc.text))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("FindString forms (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFindBase64URL(t *testing.T) {
	// These bytes encode to "+" and "/" in standard base64, "-" and "_"
	// in the URL-safe alphabet.
	v := "\xfb\xef\xbe\xff\xff\xffSECRET"
	r := &Registry{}
	r.Add("key", v)
	for _, k := range []string{"", "a", "ab"} {
		text := base64.RawURLEncoding.EncodeToString([]byte(k + v))
		if got, want := forms(r.FindString("x", text)), []string{"base64url"}; !cmp.Equal(want, got) {
			t.Errorf("FindString(url-safe base64 at offset %d) forms = %q, want %q", len(k), got, want)
		}
	}
}

func TestLeakNeverQuotesTheSecret(t *testing.T) {
	for _, l := range registry().FindString("log", "x"+secret) {
		if strings.Contains(l.String(), "SECRET") || strings.Contains(fmt.Sprintf("%+v", l), "SECRET") {
			t.Errorf("Leak %q quotes the secret", l)
		}
		if l.Label != "password" || l.Where != "log" || l.Offset != 1 {
			t.Errorf("Leak = %+v, want password in log at 1", l)
		}
	}
}

func TestAddRefusesShortValues(t *testing.T) {
	r := &Registry{}
	r.Add("pin", "1234", "")
	ft := &fakeT{}
	r.Check(ft)
	if len(ft.errs) != 2 {
		t.Errorf("Check with only a short value reported %q, want the short value and the blind registry", ft.errs)
	}
	r.Add("token", "long-enough-token")
	ft = &fakeT{}
	r.Check(ft)
	if len(ft.errs) != 1 || r.Len() != 1 {
		t.Errorf("Check = %q, Len = %d; want the short value reported, one value", ft.errs, r.Len())
	}
}

type wrapped struct {
	msg    string
	detail string
}

func (w *wrapped) Error() string { return w.msg }

func TestFindError(t *testing.T) {
	r := registry()
	if got := r.FindError("nil", nil); got != nil {
		t.Errorf("FindError(nil) = %v", got)
	}
	// The text is clean, a field deep in the chain is not.
	err := fmt.Errorf("publish: %w", errors.Join(errors.New("a"), &wrapped{msg: "bad", detail: secret}))
	if got := r.FindError("err", err); len(got) == 0 {
		t.Error("FindError missed a secret in a field of a wrapped error")
	}
	if got := r.FindError("err", errors.New("publish: failed")); len(got) != 0 {
		t.Errorf("FindError(clean) = %v", got)
	}
}

func TestFindValue(t *testing.T) {
	type rec struct {
		Name string
		priv string
	}
	r := registry()
	if got := r.FindValue("job", &rec{Name: "x", priv: secret}); len(got) == 0 {
		t.Error("FindValue missed a secret in an unexported field")
	}
	if got := r.FindValue("job", map[string]any{"k": []string{secret}}); len(got) == 0 {
		t.Error("FindValue missed a secret in JSON")
	}
}

func TestFindDir(t *testing.T) {
	r := registry()
	dir := t.TempDir()
	if _, err := r.FindDir(dir); err == nil {
		t.Error("FindDir(empty dir) = nil error, want blind")
	}
	if _, err := r.FindDir(filepath.Join(dir, "missing")); err == nil {
		t.Error("FindDir(missing) = nil error")
	}
	os.MkdirAll(filepath.Join(dir, "a", "b"), 0o700)
	os.WriteFile(filepath.Join(dir, "clean.txt"), []byte("nothing"), 0o600)
	leaky := filepath.Join(dir, "a", "b", "cache.bin")
	os.WriteFile(leaky, []byte("\x00\x01"+base64.StdEncoding.EncodeToString([]byte(secret))), 0o600)
	leaks, err := r.FindDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(leaks) != 1 || leaks[0].Where != leaky {
		t.Errorf("FindDir = %v, want one leak in %s", leaks, leaky)
	}
}

func TestFindRequests(t *testing.T) {
	r := registry()
	body, _ := json.Marshal(map[string]string{"password": secret})
	reqs := []fabrictest.Request{
		{Method: "GET", Path: "/v1/workspaces", Header: map[string][]string{"Authorization": {"Bearer REDACTED"}}},
		{Method: "POST", Path: "/v1/connections", Body: body},
		{Method: "GET", Path: "/x", Query: "code=" + url.QueryEscape(secret)},
	}
	leaks := r.FindRequests(reqs)
	if len(leaks) != 2 || !strings.Contains(leaks[0].Where, "request 1") || !strings.Contains(leaks[1].Where, "request 2") {
		t.Errorf("FindRequests = %v, want requests 1 and 2", leaks)
	}
}

func TestHandler(t *testing.T) {
	r := registry()
	var next strings.Builder
	h := NewHandler(slog.NewJSONHandler(&next, &slog.HandlerOptions{Level: slog.LevelWarn}))
	log := slog.New(h)
	log.Debug("debug is recorded too", "k", "v")
	if got := r.FindString("logs", h.Text()); len(got) != 0 || h.Records() != 1 {
		t.Fatalf("clean log: leaks %v, %d records", got, h.Records())
	}
	if next.Len() != 0 {
		t.Errorf("a debug record went to a warn handler: %q", next.String())
	}
	for _, tc := range []struct {
		name string
		log  func(l *slog.Logger)
	}{
		{"attr", func(l *slog.Logger) { l.Info("m", "token", secret) }},
		{"message", func(l *slog.Logger) { l.Error("failed: " + secret) }},
		{"with_attrs", func(l *slog.Logger) { l.With("cred", secret).Info("m") }},
		{"group", func(l *slog.Logger) { l.WithGroup("g").Info("m", slog.Group("h", "x", secret)) }},
		{"any_value", func(l *slog.Logger) { l.Info("m", "v", struct{ S string }{secret}) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := NewHandler(nil)
			tc.log(slog.New(h))
			if got := r.FindString("logs", h.Text()); len(got) == 0 {
				t.Errorf("the handler recorded %q, the scan found nothing", h.Text())
			}
		})
	}
	h2 := NewHandler(nil)
	slog.New(h2).WithGroup("g").With("a", 1).Info("m", "b", 2)
	if got, want := h2.Text(), "INFO m g.a=1 g.b=2\n"; got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
}

// fakeT records Errorf calls.
type fakeT struct {
	testing.TB
	errs []string
}

func (f *fakeT) Helper()                   {}
func (f *fakeT) Error(args ...any)         { f.errs = append(f.errs, fmt.Sprint(args...)) }
func (f *fakeT) Errorf(s string, a ...any) { f.errs = append(f.errs, fmt.Sprintf(s, a...)) }
