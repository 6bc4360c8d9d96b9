package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pbipublish/pbipublish/tmdl"
)

func TestRun(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantOut    string // file under the output dir that must exist, "" for none
		wantStderr string
	}{
		{"no_args", nil, 2, "", "usage: tmdl -contract FILE"},
		{"no_out", []string{"-contract", "testdata/snowflake.odcs.yaml"}, 2, "", "usage:"},
		{"extra_arg", []string{"-contract", "x", "-out", "y", "z"}, 2, "", "usage:"},
		{"bad_flag", []string{"-nope"}, 2, "", "flag provided but not defined"},
		{"missing_file", []string{"-contract", "testdata/none.yaml", "-out", "OUT"}, 1, "", "none.yaml"},
		{"broken_contract", []string{"-contract", "testdata/broken.odcs.yaml", "-out", "OUT"}, 1, "", "testdata/broken.odcs.yaml:8:5: error: servers[0]: server type \"postgres\" is not supported"},
		{"bad_mode", []string{"-contract", "testdata/snowflake.odcs.yaml", "-mode", "live", "-out", "OUT"}, 1, "", `storage mode "live" is not import, directQuery or dual`},
		{"unknown_server", []string{"-contract", "testdata/snowflake.odcs.yaml", "-server", "dev", "-out", "OUT"}, 1, "", "no usable server"},
		{"import", []string{"-contract", "testdata/snowflake.odcs.yaml", "-out", "OUT"}, 0, "Sales Orders.SemanticModel/definition/tables/orders.tmdl", "binary column \"thumbnail\" left out"},
		{"directquery_named", []string{"-contract", "testdata/snowflake.odcs.yaml", "-mode", "directquery", "-name", "Orders DQ", "-server", "prod", "-out", "OUT"}, 0, "Orders DQ.SemanticModel/definition.pbism", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			args := make([]string, len(tt.args))
			for i, a := range tt.args {
				args[i] = strings.ReplaceAll(a, "OUT", dir)
			}
			if tt.name == "broken_contract" {
				args = append([]string{"-server", "pg"}, args...)
			}
			var stdout, stderr bytes.Buffer
			code := run(args, &stdout, &stderr)
			if code != tt.wantCode {
				t.Fatalf("run(%q) = %d, want %d; stderr:\n%s", args, code, tt.wantCode, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), tt.wantStderr)
			}
			if tt.wantOut == "" {
				if stdout.Len() != 0 {
					t.Errorf("stdout = %q, want nothing", stdout.String())
				}
				return
			}
			root := strings.TrimSpace(stdout.String())
			if want := filepath.Join(dir, strings.SplitN(tt.wantOut, "/", 2)[0]); root != want {
				t.Errorf("printed %q, want %q", root, want)
			}
			if _, err := os.Stat(filepath.Join(dir, tt.wantOut)); err != nil {
				t.Errorf("missing %s: %v", tt.wantOut, err)
			}
			db, err := tmdl.ReadFolder(root)
			if err != nil {
				t.Fatalf("ReadFolder(%s) = %v", root, err)
			}
			if len(db.Model.Tables) != 2 {
				t.Errorf("model has %d tables, want 2", len(db.Model.Tables))
			}
			if tt.name == "directquery_named" && db.Model.Tables[0].Partitions[0].Mode != "directQuery" {
				t.Errorf("mode = %q, want directQuery", db.Model.Tables[0].Partitions[0].Mode)
			}
		})
	}
}
