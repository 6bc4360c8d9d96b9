package secrettest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/pbipublish/pbipublish/fabric/fabrictest"
)

// MinLen is the shortest secret a Registry accepts.
const MinLen = 8

// Forms are the encodings a scan looks for, besides the plain value.
var Forms = []string{"plain", "json", "query", "base64", "base64url"}

// Registry is the set of secrets a test uses. The zero value is an empty
// registry ready for use; it is safe for concurrent use.
type Registry struct {
	mu      sync.Mutex
	labels  map[string]string // value -> label
	refused []string          // labels of values that were too short
	idx     *index            // built by index, for idxLen values
	idxLen  int
}

// Add registers values under label (a name for reports, such as
// "snowflake password"). Empty values are ignored; values shorter than
// MinLen are not registered and make [Registry.Check] fail, since a
// test that uses them cannot prove they did not leak.
func (r *Registry) Add(label string, values ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.labels == nil {
		r.labels = map[string]string{}
	}
	for _, v := range values {
		switch {
		case v == "":
		case len(v) < MinLen:
			r.refused = append(r.refused, label)
		default:
			if _, ok := r.labels[v]; !ok {
				r.labels[v] = label
			}
		}
	}
}

// Len returns the number of registered values.
func (r *Registry) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.labels)
}

// Check fails t when a value was refused for being too short, or when
// nothing is registered (a scan would be blind).
func (r *Registry) Check(t testing.TB) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, l := range r.refused {
		t.Errorf("secrettest: a %s value is shorter than %d bytes and cannot be scanned for", l, MinLen)
	}
	if len(r.labels) == 0 {
		t.Error("secrettest: no secret registered; the scan is blind")
	}
}

// Leak is one secret found where it must not be. It holds no part of
// the secret.
type Leak struct {
	// Where is the place scanned, as the caller named it (for files,
	// the path).
	Where string
	// Label is the secret's label.
	Label string
	// Form is how it was encoded: one of Forms.
	Form string
	// Offset is the byte offset of the first occurrence.
	Offset int
}

func (l Leak) String() string {
	return fmt.Sprintf("%s holds the %s (%s, at byte %d)", l.Where, l.Label, l.Form, l.Offset)
}

// needle is one form of one secret.
type needle struct {
	label, form string
	b           []byte
}

// needles returns every form of every secret, in a stable order.
func (r *Registry) needles() []needle {
	r.mu.Lock()
	values := make([]string, 0, len(r.labels))
	for v := range r.labels {
		values = append(values, v)
	}
	labels := make(map[string]string, len(r.labels))
	for k, v := range r.labels {
		labels[k] = v
	}
	r.mu.Unlock()
	sort.Strings(values)

	var out []needle
	for _, v := range values {
		seen := map[string]bool{}
		add := func(form, s string) {
			if len(s) < MinLen || seen[s] {
				return
			}
			seen[s] = true
			out = append(out, needle{labels[v], form, []byte(s)})
		}
		add("plain", v)
		js, _ := json.Marshal(v)
		add("json", string(js[1:len(js)-1]))
		add("query", url.QueryEscape(v))
		// Base64 of a value depends on where it sits in the encoded
		// text (its offset modulo 3): look for the groups that hold
		// only the value's bytes, for each of the three alignments.
		for k := 0; k < 3; k++ {
			buf := append(make([]byte, k), v...)
			buf = buf[:len(buf)/3*3]
			std := base64.StdEncoding.EncodeToString(buf)
			safe := base64.URLEncoding.EncodeToString(buf)
			if k > 0 {
				std, safe = std[4:], safe[4:]
			}
			add("base64", std)
			add("base64url", safe)
		}
	}
	return out
}

// FindBytes returns the secrets found in b, one leak per secret and
// form. It reads b once, whatever the number of secrets: every form of
// every secret is at least MinLen bytes long, so each position of b is
// looked up by its first MinLen bytes.
func (r *Registry) FindBytes(where string, b []byte) []Leak {
	idx := r.index()
	found := map[int]int{} // needle -> first offset
	for i := 0; i+MinLen <= len(b); i++ {
		for _, n := range idx.byPrefix[string(b[i:i+MinLen])] {
			if _, ok := found[n]; !ok && bytes.HasPrefix(b[i:], idx.needles[n].b) {
				found[n] = i
			}
		}
	}
	var out []Leak
	for n, nd := range idx.needles {
		if i, ok := found[n]; ok {
			out = append(out, Leak{Where: where, Label: nd.label, Form: nd.form, Offset: i})
		}
	}
	return out
}

// index is the needles of a registry by their first MinLen bytes.
type index struct {
	needles  []needle
	byPrefix map[string][]int
}

// index returns the registry's index, built again when values were
// added since the last one.
func (r *Registry) index() *index {
	r.mu.Lock()
	if r.idx != nil && r.idxLen == len(r.labels) {
		defer r.mu.Unlock()
		return r.idx
	}
	r.mu.Unlock()
	ns := r.needles()
	idx := &index{needles: ns, byPrefix: map[string][]int{}}
	for i, n := range ns {
		p := string(n.b[:MinLen])
		idx.byPrefix[p] = append(idx.byPrefix[p], i)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.idx, r.idxLen = idx, len(r.labels)
	return idx
}

// FindString is FindBytes for a string.
func (r *Registry) FindString(where, s string) []Leak { return r.FindBytes(where, []byte(s)) }

// FindError scans err's text and, for each error in its chain (through
// Unwrap, both forms), its %+v and %#v forms, which show fields the text
// may leave out.
func (r *Registry) FindError(where string, err error) []Leak {
	if err == nil {
		return nil
	}
	var b strings.Builder
	b.WriteString(err.Error())
	walk(err, func(e error) { fmt.Fprintf(&b, "\n%+v\n%#v", e, e) })
	return r.FindString(where, b.String())
}

func walk(err error, f func(error)) {
	if err == nil {
		return
	}
	f(err)
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		walk(u.Unwrap(), f)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			walk(e, f)
		}
	}
}

// FindValue scans v's JSON encoding and its %+v and %#v forms: the ways
// a record is stored, logged or shown.
func (r *Registry) FindValue(where string, v any) []Leak {
	var b bytes.Buffer
	if js, err := json.Marshal(v); err == nil {
		b.Write(js)
	}
	fmt.Fprintf(&b, "\n%+v\n%#v", v, v)
	return r.FindBytes(where, b.Bytes())
}

// FindDir scans every regular file under dir. It returns an error when
// the directory cannot be read or holds no file at all (the scan would
// be blind).
func (r *Registry) FindDir(dir string) ([]Leak, error) {
	var out []Leak
	files := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		out = append(out, r.FindBytes(p, b)...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("secrettest: cannot scan %s: %w", dir, err)
	}
	if files == 0 {
		return nil, fmt.Errorf("secrettest: %s holds no file: %w", dir, errBlind)
	}
	return out, nil
}

var errBlind = errors.New("nothing to scan")

// FindRequests scans the recorded requests: paths, queries, headers and
// bodies.
func (r *Registry) FindRequests(reqs []fabrictest.Request) []Leak {
	var out []Leak
	for i, q := range reqs {
		var b bytes.Buffer
		fmt.Fprintf(&b, "%s %s?%s\n", q.Method, q.Path, q.Query)
		for k, vs := range q.Header {
			fmt.Fprintf(&b, "%s: %s\n", k, strings.Join(vs, ", "))
		}
		b.Write(q.Body)
		out = append(out, r.FindBytes(fmt.Sprintf("request %d (%s %s)", i, q.Method, q.Path), b.Bytes())...)
	}
	return out
}

// report fails t once per leak.
func report(t testing.TB, leaks []Leak) {
	t.Helper()
	for _, l := range leaks {
		t.Errorf("secret leaked: %s", l)
	}
}

// CheckString fails t for each secret in s.
func (r *Registry) CheckString(t testing.TB, where, s string) {
	t.Helper()
	report(t, r.FindString(where, s))
}

// CheckBytes fails t for each secret in b.
func (r *Registry) CheckBytes(t testing.TB, where string, b []byte) {
	t.Helper()
	report(t, r.FindBytes(where, b))
}

// CheckError fails t for each secret in err (see FindError).
func (r *Registry) CheckError(t testing.TB, where string, err error) {
	t.Helper()
	report(t, r.FindError(where, err))
}

// CheckValue fails t for each secret in v (see FindValue).
func (r *Registry) CheckValue(t testing.TB, where string, v any) {
	t.Helper()
	report(t, r.FindValue(where, v))
}

// CheckDir fails t for each secret in the files under dir, and when dir
// cannot be read or is empty.
func (r *Registry) CheckDir(t testing.TB, dir string) {
	t.Helper()
	leaks, err := r.FindDir(dir)
	if err != nil {
		t.Error(err)
	}
	report(t, leaks)
}

// CheckRequests fails t for each secret in the recorded requests.
func (r *Registry) CheckRequests(t testing.TB, reqs []fabrictest.Request) {
	t.Helper()
	report(t, r.FindRequests(reqs))
}

// CheckLogs fails t for each secret in what h recorded, and when h
// recorded nothing (the scan would be blind).
func (r *Registry) CheckLogs(t testing.TB, h *Handler) {
	t.Helper()
	text := h.Text()
	if text == "" {
		t.Error("secrettest: the log handler recorded nothing; the scan is blind")
	}
	report(t, r.FindString("logs", text))
}
