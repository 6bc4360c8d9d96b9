// Package tomtest drives Microsoft's Tabular Object Model (TOM), shipped
// as the MCP server of the npm package
// @microsoft/powerbi-modeling-mcp-linux-x64, from Go tests: load a TMDL
// folder, count what TOM loaded, export TOM's own serialization and diff
// it against the input.
//
// Tests call [Start] once per test binary (or per test); when the binary
// is absent the test is skipped with instructions, unless
// PBIPUBLISH_REQUIRE_TOM=1, when it fails.
package tomtest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// Package is the npm package that holds the TOM binary.
const Package = "@microsoft/powerbi-modeling-mcp-linux-x64@0.5.0-beta.13"

// Binary returns the path of the TOM MCP server: $PBIPUBLISH_TOM_BIN, else
// the tomcheck cache under ~/.cache. It returns "" when neither exists.
func Binary() string {
	if p := os.Getenv("PBIPUBLISH_TOM_BIN"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
		return ""
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		cache = filepath.Join(home, ".cache")
	}
	p := filepath.Join(cache, "tomcheck", "node_modules", "@microsoft", "powerbi-modeling-mcp-linux-x64", "dist", "powerbi-modeling-mcp")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return ""
}

// Server is a running TOM MCP server. Its methods are safe for
// concurrent use; calls are serialised.
type Server struct {
	mu     sync.Mutex
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	id     int
}

// Start starts the server or skips (fails with PBIPUBLISH_REQUIRE_TOM=1)
// the test when the binary is not installed. The server is closed when
// the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Binary()
	if bin == "" {
		msg := "TOM not installed: set PBIPUBLISH_TOM_BIN or run `npm install --prefix ~/.cache/tomcheck " + Package + "` (or .ci/run)"
		if os.Getenv("PBIPUBLISH_REQUIRE_TOM") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	s, err := New(bin)
	if err != nil {
		t.Fatalf("tomtest: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// New starts the server binary at path.
func New(path string) (*Server, error) {
	cmd := exec.Command(path, "--start")
	cmd.Env = append(os.Environ(), "DOTNET_CLI_TELEMETRY_OPTOUT=1")
	cmd.Stderr = nil // discarded
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("tomtest: cannot start %s: %w", path, err)
	}
	s := &Server{cmd: cmd, stdin: in, stdout: bufio.NewReaderSize(out, 1<<20)}
	if _, err := s.rpc("initialize", map[string]any{"protocolVersion": "2025-06-18", "capabilities": map[string]any{},
		"clientInfo": map[string]any{"name": "tomtest", "version": "1"}}); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.send(map[string]any{"jsonrpc": "2.0", "method": "notifications/initialized", "params": map[string]any{}}); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close stops the server.
func (s *Server) Close() error {
	s.stdin.Close()
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
	return nil
}

func (s *Server) send(msg any) error {
	b, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	_, err = s.stdin.Write(append(b, '\n'))
	return err
}

func (s *Server) rpc(method string, params any) (json.RawMessage, error) {
	s.id++
	if err := s.send(map[string]any{"jsonrpc": "2.0", "id": s.id, "method": method, "params": params}); err != nil {
		return nil, err
	}
	for {
		line, err := s.stdout.ReadBytes('\n')
		if err != nil {
			return nil, fmt.Errorf("tomtest: server exited: %w", err)
		}
		var msg struct {
			ID     *int            `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  json.RawMessage `json:"error"`
		}
		if json.Unmarshal(line, &msg) != nil || msg.ID == nil || *msg.ID != s.id {
			continue
		}
		if len(msg.Error) > 0 && string(msg.Error) != "null" {
			return nil, fmt.Errorf("tomtest: %s: %s", method, msg.Error)
		}
		return msg.Result, nil
	}
}

// tool calls an MCP tool and returns its decoded JSON body.
func (s *Server) tool(name string, request map[string]any) (map[string]any, error) {
	raw, err := s.rpc("tools/call", map[string]any{"name": name, "arguments": map[string]any{"request": request}})
	if err != nil {
		return nil, err
	}
	var res struct {
		Content []struct {
			Text string `json:"text"`
		} `json:"content"`
		IsError bool `json:"isError"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		return nil, err
	}
	var text strings.Builder
	for _, c := range res.Content {
		text.WriteString(c.Text)
	}
	body := map[string]any{}
	if json.Unmarshal([]byte(text.String()), &body) != nil {
		body = map[string]any{"message": text.String()}
	}
	if res.IsError {
		msg, _ := body["message"].(string)
		return body, errors.New(msg)
	}
	return body, nil
}

// Result is what TOM made of a folder.
type Result struct {
	Tables, Columns, Partitions, Relationships, Measures int
	Modes                                                []string // storage modes of the tables, sorted
	// Diff lists the files whose TOM export differs from the input
	// ("differs: tables/X.tmdl", "only in input: …", "only in TOM export: …");
	// empty means TOM-canonical.
	Diff []string
	// Export is TOM's serialization, keyed by path relative to definition/.
	Export map[string][]byte
}

// Check loads folder (a .SemanticModel folder or its definition folder)
// into TOM, exports it to a temporary folder and diffs the two.
func (s *Server) Check(folder string) (*Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	abs, err := filepath.Abs(folder)
	if err != nil {
		return nil, err
	}
	body, err := s.tool("connection_operations", map[string]any{"operation": "ConnectFolder", "folderPath": abs})
	if err != nil {
		return nil, fmt.Errorf("tomtest: TOM cannot load %s: %w", folder, err)
	}
	defer s.tool("connection_operations", map[string]any{"operation": "Disconnect"})
	r := &Result{}
	if d, ok := body["data"].(map[string]any); ok {
		r.Relationships = num(d["relationshipsLoaded"])
		r.Measures = num(d["measuresLoaded"])
	}
	tabs, err := s.tool("table_operations", map[string]any{"operation": "List"})
	if err != nil {
		return nil, fmt.Errorf("tomtest: list tables: %w", err)
	}
	modes := map[string]bool{}
	if list, ok := tabs["data"].([]any); ok {
		for _, x := range list {
			t, _ := x.(map[string]any)
			r.Tables++
			r.Columns += num(t["columnCount"])
			r.Partitions += num(t["partitionCount"])
			if m, _ := t["storageMode"].(string); m != "" {
				modes[m] = true
			}
		}
	}
	for m := range modes {
		r.Modes = append(r.Modes, m)
	}
	sort.Strings(r.Modes)
	tmp, err := os.MkdirTemp("", "tomtest-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "export")
	if _, err := s.tool("database_operations", map[string]any{"operation": "ExportToTmdlFolder", "tmdlFolderPath": out}); err != nil {
		return nil, fmt.Errorf("tomtest: export: %w", err)
	}
	def := abs
	if st, err := os.Stat(filepath.Join(abs, "definition")); err == nil && st.IsDir() {
		def = filepath.Join(abs, "definition")
	}
	in, err := readTree(def)
	if err != nil {
		return nil, err
	}
	if r.Export, err = readTree(out); err != nil {
		return nil, err
	}
	r.Diff = DiffTrees(in, r.Export)
	return r, nil
}

func num(v any) int {
	f, _ := v.(float64)
	return int(f)
}

func readTree(root string) (map[string][]byte, error) {
	files := map[string][]byte{}
	err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	return files, err
}

// DiffTrees compares two file trees (path → content), sorted by path.
func DiffTrees(in, export map[string][]byte) []string {
	var out []string
	for p, b := range in {
		e, ok := export[p]
		switch {
		case !ok:
			out = append(out, "only in input: "+p)
		case !bytes.Equal(b, e):
			out = append(out, "differs: "+p)
		}
	}
	for p := range export {
		if _, ok := in[p]; !ok {
			out = append(out, "only in TOM export: "+p)
		}
	}
	sort.Strings(out)
	return out
}
