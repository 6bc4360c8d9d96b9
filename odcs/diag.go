package odcs

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Severity says how bad a Diagnostic is. The zero value is SeverityError.
type Severity int

const (
	// SeverityError marks a problem that makes the contract unusable
	// or invalid against its declared ODCS version.
	SeverityError Severity = iota
	// SeverityWarning marks something that is probably a mistake.
	SeverityWarning
	// SeverityInfo marks a hint.
	SeverityInfo
)

// String returns "error", "warning" or "info".
func (s Severity) String() string {
	switch s {
	case SeverityError:
		return "error"
	case SeverityWarning:
		return "warning"
	case SeverityInfo:
		return "info"
	}
	return "severity(" + strconv.Itoa(int(s)) + ")"
}

// MarshalJSON encodes the severity as its name.
func (s Severity) MarshalJSON() ([]byte, error) {
	return json.Marshal(s.String())
}

// UnmarshalJSON decodes a severity name.
func (s *Severity) UnmarshalJSON(b []byte) error {
	var name string
	if err := json.Unmarshal(b, &name); err != nil {
		return fmt.Errorf("odcs: severity: %w", err)
	}
	switch name {
	case "error":
		*s = SeverityError
	case "warning":
		*s = SeverityWarning
	case "info":
		*s = SeverityInfo
	default:
		return fmt.Errorf("odcs: unknown severity %q", name)
	}
	return nil
}

// Diagnostic is one problem found in a contract. It is a plain value;
// its JSON form has the fields severity (as a name), file, line,
// column, path and message.
type Diagnostic struct {
	Severity Severity `json:"severity"`
	File     string   `json:"file"`
	Line     int      `json:"line"`   // 1-based; 0 when unknown
	Column   int      `json:"column"` // 1-based; 0 when unknown
	// Path is where in the contract the problem is, such as
	// "schema[1].properties[4].logicalType"; "" for the whole document.
	Path    string `json:"path"`
	Message string `json:"message"`
}

// String formats d as "FILE:LINE:COL: SEVERITY: PATH: MESSAGE". Parts
// that are unknown are left out: a diagnostic about the whole document
// reads "FILE: error: MESSAGE".
func (d Diagnostic) String() string {
	var b strings.Builder
	if d.File != "" {
		b.WriteString(d.File)
	}
	if d.Line > 0 {
		if b.Len() > 0 {
			b.WriteByte(':')
		}
		b.WriteString(strconv.Itoa(d.Line))
		if d.Column > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(d.Column))
		}
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(d.Severity.String())
	b.WriteString(": ")
	if d.Path != "" {
		b.WriteString(d.Path)
		b.WriteString(": ")
	}
	b.WriteString(d.Message)
	return b.String()
}

// Diagnostics is a list of diagnostics, usually sorted by position. A
// nil Diagnostics means no problems.
type Diagnostics []Diagnostic

// HasErrors reports whether any diagnostic has SeverityError.
func (ds Diagnostics) HasErrors() bool {
	for _, d := range ds {
		if d.Severity == SeverityError {
			return true
		}
	}
	return false
}

// Err returns nil when ds holds no errors, otherwise a *ValidationError
// holding every diagnostic.
func (ds Diagnostics) Err() error {
	if !ds.HasErrors() {
		return nil
	}
	return &ValidationError{Diagnostics: ds}
}

// String returns one diagnostic per line.
func (ds Diagnostics) String() string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(d.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// sort orders ds by line, column, then severity, path and message, so
// output is stable. Diagnostics about the whole document come first.
func (ds Diagnostics) sort() {
	slices.SortStableFunc(ds, func(a, b Diagnostic) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Column, b.Column),
			cmp.Compare(a.Severity, b.Severity),
			cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Message, b.Message),
		)
	})
}

// dedupe removes repeated diagnostics from sorted ds.
func (ds Diagnostics) dedupe() Diagnostics {
	return slices.Compact(ds)
}

// ValidationError is returned by [Diagnostics.Err]: a contract with
// errors. It holds every diagnostic, warnings included.
type ValidationError struct {
	Diagnostics Diagnostics
}

// Error summarises the first error and how many more there are.
func (e *ValidationError) Error() string {
	return summarize("invalid contract", e.Diagnostics)
}

// ParseError is returned when a contract cannot be read at all: the file
// is not YAML or JSON, is too large, empty, binary, or its top level is
// not a mapping. Diagnostics say where.
type ParseError struct {
	Filename    string
	Diagnostics Diagnostics
	// Err is a sentinel such as ErrTooLarge or ErrEmpty when one
	// applies; nil otherwise.
	Err error
}

// Error summarises the first diagnostic.
func (e *ParseError) Error() string {
	return summarize("cannot parse contract", e.Diagnostics)
}

// Unwrap returns Err.
func (e *ParseError) Unwrap() error { return e.Err }

func summarize(what string, ds Diagnostics) string {
	var first *Diagnostic
	n := 0
	for i := range ds {
		if ds[i].Severity == SeverityError {
			if first == nil {
				first = &ds[i]
			}
			n++
		}
	}
	if first == nil {
		return "odcs: " + what
	}
	s := "odcs: " + what + ": " + first.String()
	if n > 1 {
		s += " (and " + strconv.Itoa(n-1) + " more errors)"
	}
	return s
}

// Sentinel errors a *ParseError may wrap.
var (
	ErrTooLarge = errors.New("odcs: contract too large")
	ErrEmpty    = errors.New("odcs: contract is empty")
	ErrBinary   = errors.New("odcs: contract is not text")
)
