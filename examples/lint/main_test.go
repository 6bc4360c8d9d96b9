package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pbipublish/pbipublish/odcs"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func TestRun(t *testing.T) {
	td := func(name string) string { return filepath.Join("testdata", name) }
	tests := []struct {
		name     string
		args     []string
		code     int
		golden   string // compared with stdout
		stderrIs string // substring of stderr
	}{
		{name: "valid", args: []string{td("valid.odcs.yaml")}, code: 0, golden: "valid"},
		{name: "warnings_only", args: []string{td("warning.odcs.yaml")}, code: 0, golden: "warning"},
		{name: "errors", args: []string{td("broken.odcs.yaml")}, code: 1, golden: "broken"},
		{name: "several_files", args: []string{td("valid.odcs.yaml"), td("bad-yaml.odcs.yaml"), td("warning.odcs.yaml")}, code: 1, golden: "several"},
		{name: "json", args: []string{"-json", td("warning.odcs.yaml"), td("bad-yaml.odcs.yaml")}, code: 1, golden: "json"},
		{name: "json_no_diagnostics", args: []string{"-json", td("valid.odcs.yaml")}, code: 0, golden: "json-empty"},
		{name: "missing_file", args: []string{td("nope.yaml")}, code: 1, golden: "missing"},
		{name: "no_args", args: nil, code: 2, stderrIs: "usage: lint [-json] FILE..."},
		{name: "bad_flag", args: []string{"-yaml", "x"}, code: 2, stderrIs: "flag provided but not defined"},
		{name: "help", args: []string{"-h"}, code: 0, stderrIs: "usage"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)
			if code != tt.code {
				t.Errorf("run(%q) = %d, want %d; stderr: %s", tt.args, code, tt.code, stderr.String())
			}
			if tt.stderrIs != "" && !strings.Contains(stderr.String(), tt.stderrIs) {
				t.Errorf("run(%q) stderr = %q, want it to contain %q", tt.args, stderr.String(), tt.stderrIs)
			}
			if tt.golden == "" {
				return
			}
			if stderr.Len() > 0 {
				t.Errorf("run(%q) wrote to stderr: %s", tt.args, stderr.String())
			}
			golden := filepath.Join("testdata", tt.golden+".golden")
			got := filepath.ToSlash(stdout.String())
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./examples/lint -update)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("run(%q) output mismatch (-want +got):\n%s", tt.args, diff)
			}
		})
	}
}

func TestRun_jsonFields(t *testing.T) {
	var stdout, stderr bytes.Buffer
	run([]string{"-json", filepath.Join("testdata", "broken.odcs.yaml")}, &stdout, &stderr)
	var raw []map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &raw); err != nil {
		t.Fatalf("output is not a JSON array: %v", err)
	}
	if len(raw) == 0 {
		t.Fatal("no diagnostics")
	}
	var keys []string
	for k := range raw[0] {
		keys = append(keys, k)
	}
	want := []string{"column", "file", "line", "message", "path", "severity"}
	if diff := cmp.Diff(want, keys, cmp.Transformer("sort", func(s []string) []string {
		out := append([]string(nil), s...)
		for i := range out {
			for j := i + 1; j < len(out); j++ {
				if out[j] < out[i] {
					out[i], out[j] = out[j], out[i]
				}
			}
		}
		return out
	})); diff != "" {
		t.Errorf("JSON fields mismatch (-want +got):\n%s", diff)
	}
	var ds odcs.Diagnostics
	if err := json.Unmarshal(stdout.Bytes(), &ds); err != nil || !ds.HasErrors() {
		t.Errorf("decoding the output as odcs.Diagnostics = %v, %v", ds, err)
	}
}
