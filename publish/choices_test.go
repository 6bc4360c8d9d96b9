package publish_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pbipublish/pbipublish/fabric"
	"github.com/pbipublish/pbipublish/fabric/fabrictest"
	"github.com/pbipublish/pbipublish/publish"
)

func TestChoices(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	e.fab.AddWorkspace("Finance", map[string]fabrictest.Role{aliceOID: fabrictest.Viewer})
	admin := e.fab.AddWorkspace("Alice's sandbox", map[string]fabrictest.Role{aliceOID: fabrictest.Admin})
	fc := e.fabricClient(t)
	mk := func(cr fabric.CreateConnectionRequest) string {
		c, err := fc.CreateConnection(ctx, cr)
		if err != nil {
			t.Fatal(err)
		}
		return c.ID
	}
	fits := mk(fabric.SnowflakeConnection("Reporting", "acme-analytics.snowflakecomputing.com", "REPORTING_WH", basicCred))
	mk(fabric.SnowflakeConnection("Other warehouse", "acme-analytics.snowflakecomputing.com", "ETL_WH", basicCred))
	mk(fabric.SnowflakeConnection("Trailing slash", "acme-analytics.snowflakecomputing.com/", "REPORTING_WH", basicCred))
	dbx := mk(fabric.DatabricksConnection("Lakehouse", "adb-1234567890123456.7.azuredatabricks.net", "/sql/1.0/warehouses/8f3c2a1b9d4e5f60", keyCred))

	for _, tc := range []struct {
		name      string
		server    string
		wantConns []string
	}{
		{"snowflake", "snowflake-prod", []string{fits}},
		{"databricks", "databricks-prod", []string{dbx}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch, err := e.pub.Choices(ctx, org, aliceUser, &publish.Request{Contract: contract(t), Server: tc.server, Source: port})
			if err != nil {
				t.Fatal(err)
			}
			var ws, conns []string
			for _, w := range ch.Workspaces {
				ws = append(ws, w.ID)
			}
			for _, c := range ch.Connections {
				conns = append(conns, c.ID)
			}
			if diff := cmp.Diff([]string{e.ws, admin}, ws); diff != "" {
				t.Errorf("workspaces (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantConns, conns); diff != "" {
				t.Errorf("connections (-want +got):\n%s", diff)
			}
			if ch.DefaultName != "orders" {
				t.Errorf("default name = %q, want the port's name", ch.DefaultName)
			}
			if diff := cmp.Diff([]publish.Mode{publish.ModeImport, publish.ModeDirectQuery, publish.ModeDual}, ch.Modes); diff != "" {
				t.Errorf("modes (-want +got):\n%s", diff)
			}
		})
	}

	ch, err := e.pub.Choices(ctx, org, aliceUser, &publish.Request{Contract: contract(t), Server: "snowflake-prod"})
	if err != nil || ch.DefaultName != "Orders" {
		t.Errorf("Choices without a port: name %q, %v; want the contract's name", ch.DefaultName, err)
	}
	if _, err := e.pub.Choices(ctx, org, aliceUser, &publish.Request{Contract: contract(t)}); !errors.Is(err, publish.ErrInvalidRequest) {
		t.Errorf("Choices with an ambiguous server = %v, want ErrInvalidRequest", err)
	}
}

func TestReview(t *testing.T) {
	e := newEnv(t, nil)
	type field struct {
		Field, Label, Value, Origin string
		Editable, Secret, Set       bool
	}
	fields := func(r *publish.Review) []field {
		var out []field
		for _, f := range r.Fields {
			out = append(out, field{f.Field, f.Label, f.Value, f.Origin, f.Editable, f.Secret, f.Set})
		}
		return out
	}
	ro := func(label, v string) field { return field{"", label, v, "contract", false, false, false} }
	for _, tc := range []struct {
		name         string
		req          *publish.Request
		wantType     string
		want         []field
		wantProblems []string
	}{
		{
			name: "snowflake_basic_warehouse_edited",
			req: &publish.Request{Contract: contract(t), Server: "snowflake-prod", Warehouse: "BI_WH",
				NewConnection: &publish.NewConnection{DisplayName: "Sales BI", Credential: fabric.BasicCredential{Username: "svc", Password: "secret-value"}}},
			wantType: "Snowflake",
			want: []field{
				ro("Server", "acme-analytics.snowflakecomputing.com"), ro("Database", "SALES"), ro("Schema", "MART"), ro("Role", "REPORTER"),
				{"Warehouse", "Warehouse", "BI_WH", "user", true, false, false},
				{"NewConnection.DisplayName", "Connection name", "Sales BI", "user", true, false, false},
				{"NewConnection.Credential.Username", "User", "svc", "user", true, false, false},
				{"NewConnection.Credential.Password", "Password", "", "user", true, true, true},
			},
		},
		{
			name:     "snowflake_nothing_entered",
			req:      &publish.Request{Contract: contract(t), Server: "snowflake-prod"},
			wantType: "Snowflake",
			want: []field{
				ro("Server", "acme-analytics.snowflakecomputing.com"), ro("Database", "SALES"), ro("Schema", "MART"), ro("Role", "REPORTER"),
				{"Warehouse", "Warehouse", "REPORTING_WH", "contract", true, false, false},
				{"NewConnection.Credential.Username", "User", "", "user", true, false, false},
				{"NewConnection.Credential.Password", "Password", "", "user", true, true, false},
			},
		},
		{
			name: "snowflake_key_pair_missing_key",
			req: &publish.Request{Contract: contract(t), Server: "snowflake-prod",
				NewConnection: &publish.NewConnection{Credential: fabric.KeyPairCredential{Identifier: "svc"}}},
			wantType: "Snowflake",
			want: []field{
				ro("Server", "acme-analytics.snowflakecomputing.com"), ro("Database", "SALES"), ro("Schema", "MART"), ro("Role", "REPORTER"),
				{"Warehouse", "Warehouse", "REPORTING_WH", "contract", true, false, false},
				{"NewConnection.DisplayName", "Connection name", "", "user", true, false, false},
				{"NewConnection.Credential.Identifier", "User", "svc", "user", true, false, false},
				{"NewConnection.Credential.PrivateKey", "Private key", "", "user", true, true, false},
				{"NewConnection.Credential.Passphrase", "Private key passphrase", "", "user", true, true, false},
			},
			wantProblems: []string{"NewConnection.Credential.PrivateKey"},
		},
		{
			name: "databricks_service_principal",
			req: &publish.Request{Contract: contract(t), Server: "databricks-prod",
				NewConnection: &publish.NewConnection{Credential: spCred}},
			wantType: "Databricks",
			want: []field{
				ro("Host", "adb-1234567890123456.7.azuredatabricks.net"), ro("Catalog", "sales"), ro("Schema", "mart"),
				{"HTTPPath", "HTTP path", "/sql/1.0/warehouses/8f3c2a1b9d4e5f60", "contract", true, false, false},
				{"NewConnection.DisplayName", "Connection name", "", "user", true, false, false},
				{"NewConnection.Credential.TenantID", "Tenant ID", spCred.TenantID, "user", true, false, false},
				{"NewConnection.Credential.ClientID", "Client ID", spCred.ClientID, "user", true, false, false},
				{"NewConnection.Credential.ClientSecret", "Client secret", "", "user", true, true, true},
			},
		},
		{
			name: "databricks_wrong_kind",
			req: &publish.Request{Contract: contract(t), Server: "databricks-prod",
				NewConnection: &publish.NewConnection{Credential: basicCred}},
			wantType: "Databricks",
			want: []field{
				ro("Host", "adb-1234567890123456.7.azuredatabricks.net"), ro("Catalog", "sales"), ro("Schema", "mart"),
				{"HTTPPath", "HTTP path", "/sql/1.0/warehouses/8f3c2a1b9d4e5f60", "contract", true, false, false},
				{"NewConnection.DisplayName", "Connection name", "", "user", true, false, false},
				{"NewConnection.Credential.Username", "User", "svc_powerbi", "user", true, false, false},
				{"NewConnection.Credential.Password", "Password", "", "user", true, true, true},
			},
			wantProblems: []string{"NewConnection.Credential"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := e.pub.Review(tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if r.Type != tc.wantType {
				t.Errorf("Type = %q, want %q", r.Type, tc.wantType)
			}
			if diff := cmp.Diff(tc.want, fields(r)); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
			var problems []string
			for _, p := range r.Problems {
				problems = append(problems, p.Field)
			}
			if diff := cmp.Diff(tc.wantProblems, problems); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := e.pub.Review(&publish.Request{Contract: contract(t), Server: "nope"}); !errors.Is(err, publish.ErrInvalidRequest) {
		t.Errorf("Review(unknown server) = %v, want ErrInvalidRequest", err)
	}
}
