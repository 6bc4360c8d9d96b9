package odcs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// DefaultMaxBytes is the size limit on a contract when
// ParseOptions.MaxBytes is zero: 16 MiB, far above any real contract (a
// 300-table, 60-column contract is about 2 MiB).
const DefaultMaxBytes = 16 << 20

// ParseOptions configures Parse. A nil *ParseOptions means all defaults.
type ParseOptions struct {
	// Filename names the source in diagnostics and Contract.Filename.
	// Default "": diagnostics then start with the line number.
	Filename string

	// MaxBytes is the largest input accepted. Zero means
	// DefaultMaxBytes (16 MiB); a negative value means no limit.
	MaxBytes int64
}

func (o *ParseOptions) filename() string {
	if o == nil {
		return ""
	}
	return o.Filename
}

func (o *ParseOptions) maxBytes() int64 {
	if o == nil || o.MaxBytes == 0 {
		return DefaultMaxBytes
	}
	return o.MaxBytes
}

// ParseFile reads and parses the contract at path. The path names the
// file in diagnostics.
func ParseFile(path string) (*Contract, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("odcs: %w", err)
	}
	defer f.Close()
	return ParseReader(f, &ParseOptions{Filename: path})
}

// ParseReader reads r to the end (at most the size limit) and parses it.
func ParseReader(r io.Reader, opts *ParseOptions) (*Contract, error) {
	limit := opts.maxBytes()
	if limit > 0 {
		r = io.LimitReader(r, limit+1)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("odcs: cannot read %s: %w", displayName(opts.filename()), err)
	}
	return Parse(data, opts)
}

// Parse parses a contract written in YAML or JSON (JSON is read as the
// YAML subset it is). It fails only when the input cannot be read as a
// contract at all; the error then errors.As into a *ParseError. Anything
// else, including content the ODCS schema rejects, is left for
// [Validate] to report.
func Parse(data []byte, opts *ParseOptions) (*Contract, error) {
	file := opts.filename()
	root, shared, notes, perr := parseTree(data, file, opts.maxBytes())
	if perr != nil {
		return nil, perr
	}
	c := decodeContract(root)
	c.Filename = file
	c.root = root
	c.shared = shared
	c.notes = notes
	return c, nil
}

func displayName(file string) string {
	if file == "" {
		return "contract"
	}
	return file
}

func parseErr(file string, sentinel error, line, col int, msg string) *ParseError {
	return &ParseError{
		Filename: file,
		Err:      sentinel,
		Diagnostics: Diagnostics{{
			Severity: SeverityError, File: file, Line: line, Column: col, Message: msg,
		}},
	}
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseTree checks the raw bytes, parses YAML and builds the node tree.
func parseTree(data []byte, file string, limit int64) (root *node, shared bool, notes Diagnostics, perr *ParseError) {
	if limit > 0 && int64(len(data)) > limit {
		return nil, false, nil, parseErr(file, ErrTooLarge, 0, 0, fmt.Sprintf(
			"file is larger than the %s limit for a contract", byteSize(limit)))
	}
	if err := checkText(data); err != nil {
		err.Filename = file
		for i := range err.Diagnostics {
			err.Diagnostics[i].File = file
		}
		return nil, false, nil, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		// Whitespace alone, tabs included (which YAML would reject as
		// indentation), is an empty file, not a syntax error.
		return nil, false, nil, parseErr(file, ErrEmpty, 0, 0, "file is empty: it holds no YAML or JSON document")
	}
	if root, notes, ok := fastParse(data); ok && root.kind == kindMap {
		for i := range notes {
			notes[i].File = file
		}
		return root, false, notes, nil
	}
	root, shared, notes, perr = parseYAML(data, file)
	if perr == nil && root.kind != kindMap {
		return nil, false, nil, parseErr(file, nil, root.pos.Line, root.pos.Column,
			"a contract must be a mapping of fields (apiVersion, kind, id, …), not "+root.kindName())
	}
	return root, shared, notes, perr
}

// parseYAML parses with yaml.v3 and builds the node tree.
func parseYAML(data []byte, file string) (root *node, shared bool, notes Diagnostics, perr *ParseError) {
	defer func() {
		// yaml.v3 has panicked on hostile input in the past; a panic
		// must never reach the caller.
		if r := recover(); r != nil {
			root, shared, notes = nil, false, nil
			perr = parseErr(file, nil, 0, 0, fmt.Sprintf("cannot read YAML: %v", r))
		}
	}()

	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, false, nil, parseErr(file, ErrEmpty, 0, 0, "file is empty: it holds no YAML or JSON document")
		}
		return nil, false, nil, yamlError(file, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, false, nil, parseErr(file, nil, extra.Line, extra.Column,
			"file holds more than one YAML document (---); a contract is one document")
	} else if !errors.Is(err, io.EOF) {
		return nil, false, nil, yamlError(file, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, false, nil, parseErr(file, ErrEmpty, 0, 0, "file is empty: it holds no YAML or JSON document")
	}
	b := &builder{
		file:   file,
		built:  make(map[*yaml.Node]*node),
		active: make(map[*yaml.Node]bool),
		size:   make(map[*node]extent),
	}
	root, berr := b.build(doc.Content[0], 1)
	if berr != nil {
		return nil, false, nil, parseErr(file, nil, berr.pos.Line, berr.pos.Column, berr.msg)
	}
	e := extent{size: b.count}
	if b.shared {
		e = b.expanded(root)
	}
	if e.depth > MaxDepth {
		return nil, false, nil, parseErr(file, nil, root.pos.Line, root.pos.Column, fmt.Sprintf(
			"aliases expand the document deeper than %d levels", MaxDepth))
	}
	if budget := b.count + max(b.count, maxAliasGrowth); e.size > budget {
		return nil, false, nil, parseErr(file, nil, root.pos.Line, root.pos.Column, fmt.Sprintf(
			"aliases expand the document's %d nodes to more than %d; refusing an alias bomb", b.count, budget))
	}
	for i := range b.diags {
		b.diags[i].File = file
	}
	return root, b.shared, b.diags, nil
}

// yamlError turns a yaml.v3 error into a ParseError with the line.
func yamlError(file string, err error) *ParseError {
	msg := err.Error()
	line := 0
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else if len(msg) > 6 && msg[:6] == "yaml: " {
		msg = msg[6:]
	}
	return parseErr(file, nil, line, 0, "invalid YAML: "+msg)
}

// checkText rejects input that is not UTF-8 text (yaml.v3 also reads
// UTF-16 with a byte order mark, which is let through).
func checkText(data []byte) *ParseError {
	if bytes.HasPrefix(data, []byte{0xFE, 0xFF}) || bytes.HasPrefix(data, []byte{0xFF, 0xFE}) {
		return nil
	}
	if utf8.Valid(data) && bytes.IndexByte(data, 0) < 0 {
		return nil
	}
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == 0 || r == utf8.RuneError && size == 1 {
			return parseErr("", ErrBinary, line, col, fmt.Sprintf(
				"not a text file: byte 0x%02x at offset %d is not UTF-8 text", data[i], i))
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return nil
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
