package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pbipublish/pbipublish/publish"
)

func runIt(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	t.Setenv("PBIPUBLISH_CLIENT_ID", "")
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), code
}

func TestDefaultRun(t *testing.T) {
	out, errOut, code := runIt(t)
	if code != 0 {
		t.Fatalf("run() = %d, stderr:\n%s", code, errOut)
	}
	// The stages in order, the link, and the already-connected list.
	want := []string{
		"Connected ada@contoso.example to Power BI",
		"with a new connection (Basic credential)",
		"validating", "creating_connection", "creating_model", "binding_connection", "finalizing", "succeeded",
		`Model "orders" is published and bound.`,
		"Its first refresh has started.",
		"Link: https://127.0.0.1:",
		"Already connected to Power BI (sales/orders):",
		"  orders, import, created ",
	}
	rest := out
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Fatalf("output lacks %q (in order); output:\n%s", w, out)
		}
		rest = rest[i+len(w):]
	}
	link := regexp.MustCompile(`Link: (https://\S+/groups/[0-9a-f-]{36}/datasets/[0-9a-f-]{36}/details)`).FindStringSubmatch(out)
	if link == nil {
		t.Errorf("no model link in:\n%s", out)
	}
	if strings.Contains(out, "demo-") || strings.Contains(errOut, "demo-") {
		t.Error("the output shows a made-up secret")
	}
}

func TestRunChoices(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"databricks_directquery_pat", []string{"-server", "databricks-prod", "-mode", "directQuery"},
			[]string{"(Key credential)", "orders, directQuery"}},
		{"databricks_service_principal", []string{"-server", "databricks-prod", "-auth", "sp", "-name", "Lakehouse orders"},
			[]string{"(ServicePrincipal credential)", `Model "Lakehouse orders"`}},
		{"snowflake_keypair_dual", []string{"-auth", "keypair", "-mode", "dual", "-warehouse", "BI_WH"},
			[]string{"(KeyPair credential)", "orders, dual"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runIt(t, tc.args...)
			if code != 0 {
				t.Fatalf("run(%q) = %d, stderr:\n%s", tc.args, code, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("run(%q) output lacks %q:\n%s", tc.args, w, out)
				}
			}
		})
	}
}

func TestRunCatalogFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.json")
	for range 2 {
		if _, errOut, code := runIt(t, "-catalog", path); code != 0 {
			t.Fatalf("run = %d: %s", code, errOut)
		}
	}
	c, err := publish.NewFileCatalog(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Published(context.Background(), publish.OutputPort{DataProduct: "sales", Port: "orders"})
	if err != nil || len(got) != 2 {
		t.Errorf("catalog file lists %d models, %v; want 2", len(got), err)
	}
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), "demo-") {
		t.Error("catalog file holds a secret")
	}
}

func TestRunUsage(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown_flag", []string{"-nope"}, 2, "flag provided but not defined"},
		{"extra_argument", []string{"x"}, 2, "unexpected arguments"},
		{"bad_mode", []string{"-mode", "push"}, 2, "Mode"},
		{"unknown_server", []string{"-server", "postgres"}, 1, "postgres"},
		{"missing_contract", []string{"-contract", "nope.yaml"}, 1, "nope.yaml"},
		{"bad_auth", []string{"-auth", "magic"}, 1, "magic"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := runIt(t, tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.want) {
				t.Errorf("run(%q) = %d, stderr %q; want %d and %q", tc.args, code, errOut, tc.code, tc.want)
			}
		})
	}
}
