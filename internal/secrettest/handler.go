package secrettest

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
)

// Handler is a slog.Handler that records every record at every level,
// with its message and the raw values of all its attributes (groups and
// those added with WithAttrs included), so that a scan sees values as
// they were given, before any handler escapes them. It passes records on
// to the next handler, if any, when that one is enabled for them.
//
// Create one with [NewHandler]; handlers derived with WithAttrs and
// WithGroup record into the same buffer. It is safe for concurrent use.
type Handler struct {
	rec   *recording
	next  slog.Handler
	attrs []slog.Attr // added with WithAttrs, already qualified
	group string      // prefix of the keys, "a.b."
}

type recording struct {
	mu sync.Mutex
	b  strings.Builder
	n  int
}

// NewHandler returns a recording handler that passes records on to
// next; next may be nil.
func NewHandler(next slog.Handler) *Handler {
	return &Handler{rec: &recording{}, next: next}
}

// Enabled reports true: every level is recorded.
func (h *Handler) Enabled(context.Context, slog.Level) bool { return true }

// Handle records r and passes it on.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", r.Level, r.Message)
	for _, a := range h.attrs {
		writeAttr(&b, "", a)
	}
	r.Attrs(func(a slog.Attr) bool {
		writeAttr(&b, h.group, a)
		return true
	})
	b.WriteByte('\n')
	h.rec.mu.Lock()
	h.rec.b.WriteString(b.String())
	h.rec.n++
	h.rec.mu.Unlock()
	if h.next != nil && h.next.Enabled(ctx, r.Level) {
		return h.next.Handle(ctx, r)
	}
	return nil
}

func writeAttr(b *strings.Builder, prefix string, a slog.Attr) {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		p := prefix
		if a.Key != "" {
			p += a.Key + "."
		}
		for _, g := range v.Group() {
			writeAttr(b, p, g)
		}
		return
	}
	fmt.Fprintf(b, " %s%s=%s", prefix, a.Key, v.String())
}

// WithAttrs returns a handler that adds attrs to every record.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append([]slog.Attr(nil), h.attrs...)
	for _, a := range attrs {
		if h.group != "" {
			a = slog.Attr{Key: strings.TrimSuffix(h.group, ".") + "." + a.Key, Value: a.Value}
		}
		c.attrs = append(c.attrs, a)
	}
	if h.next != nil {
		c.next = h.next.WithAttrs(attrs)
	}
	return &c
}

// WithGroup returns a handler that qualifies later keys with name.
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	c.group = h.group + name + "."
	if h.next != nil {
		c.next = h.next.WithGroup(name)
	}
	return &c
}

// Text returns everything recorded so far, one line per record.
func (h *Handler) Text() string {
	h.rec.mu.Lock()
	defer h.rec.mu.Unlock()
	return h.rec.b.String()
}

// Records returns how many records were handled.
func (h *Handler) Records() int {
	h.rec.mu.Lock()
	defer h.rec.mu.Unlock()
	return h.rec.n
}
