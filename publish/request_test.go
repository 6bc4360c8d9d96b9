package publish

import (
	"path/filepath"
	"testing"

	"github.com/pbipublish/pbipublish/fabric"
	"github.com/pbipublish/pbipublish/odcs"
)

func sample(t *testing.T) *odcs.Contract {
	t.Helper()
	c, err := odcs.ParseFile(filepath.Join("testdata", "orders.odcs.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestResolveDetails(t *testing.T) {
	c := sample(t)
	for _, tc := range []struct {
		name, server, warehouse, httpPath string
		want                              fabric.ConnectionDetails
	}{
		{"snowflake_from_contract", "snowflake-prod", "", "", fabric.ConnectionDetails{Type: "Snowflake", Path: "acme-analytics.snowflakecomputing.com;REPORTING_WH"}},
		{"snowflake_warehouse_override", "snowflake-prod", "BI_WH", "", fabric.ConnectionDetails{Type: "Snowflake", Path: "acme-analytics.snowflakecomputing.com;BI_WH"}},
		{"databricks_from_contract", "databricks-prod", "", "", fabric.ConnectionDetails{Type: "Databricks", Path: "adb-1234567890123456.7.azuredatabricks.net;/sql/1.0/warehouses/8f3c2a1b9d4e5f60"}},
		{"databricks_path_override", "databricks-prod", "", "/sql/1.0/warehouses/x", fabric.ConnectionDetails{Type: "Databricks", Path: "adb-1234567890123456.7.azuredatabricks.net;/sql/1.0/warehouses/x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tg, bad := resolve(c, tc.server, tc.warehouse, tc.httpPath)
			if len(bad) > 0 {
				t.Fatalf("resolve = %v", bad)
			}
			if got := tg.details(); got != tc.want {
				t.Errorf("details() = %+v, want %+v", got, tc.want)
			}
		})
	}
	if _, bad := resolve(c, "snowflake-prod", "WH;DROP", ""); len(bad) == 0 {
		t.Error("resolve accepted a warehouse with ';'")
	}
}

func TestNormalizeHost(t *testing.T) {
	for in, want := range map[string]string{
		"https://adb-1.azuredatabricks.net/": "adb-1.azuredatabricks.net",
		" adb-1.azuredatabricks.net ":        "adb-1.azuredatabricks.net",
		"adb-1.azuredatabricks.net/sql":      "adb-1.azuredatabricks.net",
		"":                                   "",
	} {
		if got := normalizeHost(in); got != want {
			t.Errorf("normalizeHost(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRequestKey(t *testing.T) {
	c := sample(t)
	key := func(mode Mode, cred fabric.Credential) string {
		ck, err := check(&Request{Contract: c, Server: "snowflake-prod", WorkspaceID: "ws", Mode: mode,
			NewConnection: &NewConnection{Credential: cred}})
		if err != nil {
			t.Fatal(err)
		}
		return ck.key
	}
	a := key(ModeImport, fabric.BasicCredential{Username: "u", Password: "one"})
	if b := key(ModeImport, fabric.BasicCredential{Username: "u", Password: "two"}); a != b {
		t.Error("the request key depends on the password")
	}
	if b := key(ModeDirectQuery, fabric.BasicCredential{Username: "u", Password: "one"}); a == b {
		t.Error("the request key ignores the mode")
	}
	if b := key(ModeImport, fabric.KeyPairCredential{Identifier: "u", PrivateKey: "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----"}); a == b {
		t.Error("the request key ignores the credential kind")
	}
}

func TestModelLink(t *testing.T) {
	got := modelLink("https://app.powerbi.com/", "ws 1", "m/2")
	if want := "https://app.powerbi.com/groups/ws%201/datasets/m%2F2/details"; got != want {
		t.Errorf("modelLink = %q, want %q", got, want)
	}
}

func TestModeNormalize(t *testing.T) {
	for in, want := range map[Mode]Mode{"": ModeImport, "IMPORT": ModeImport, "directquery": ModeDirectQuery, "Dual": ModeDual} {
		if got, ok := in.normalize(); !ok || got != want {
			t.Errorf("Mode(%q).normalize() = %q, %v; want %q", in, got, ok, want)
		}
	}
	if _, ok := Mode("push").normalize(); ok {
		t.Error(`Mode("push") accepted`)
	}
}
