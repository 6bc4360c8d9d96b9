package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pbipublish/pbipublish/publish"
)

func TestOffline(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), nil, &out, &errb); code != 0 {
		t.Fatalf("run() = %d, stderr:\n%s", code, errb.String())
	}
	got := out.String()
	for _, w := range []string{
		`Published "orders" (import) offline.`,
		`Published "orders (2)" (directQuery) offline.`,
		"Already connected to Power BI (sales/orders): 2 models",
		"  orders (2) (directQuery)\n    created ",
		"  orders (import)\n    created ",
		"/details\n",
	} {
		if !strings.Contains(got, w) {
			t.Errorf("output lacks %q:\n%s", w, got)
		}
	}
	// Newest first.
	if strings.Index(got, "  orders (2)") > strings.Index(got, "  orders (import)") {
		t.Errorf("list is not newest first:\n%s", got)
	}
}

func TestCatalogFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.json")
	c, err := publish.NewFileCatalog(path)
	if err != nil {
		t.Fatal(err)
	}
	port := publish.OutputPort{DataProduct: "sales", Port: "orders"}
	m := publish.PublishedModel{Name: "Orders", WorkspaceID: "ws", ModelID: "m1", Mode: "import",
		Link: "https://app.powerbi.com/groups/ws/datasets/m1/details", CreatedAt: time.Unix(1_700_000_000, 0), Author: "u-ada"}
	if _, _, err := c.Register(context.Background(), publish.Registration{Source: port, Model: m}); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"-catalog", path}, &out, &errb); code != 0 {
		t.Fatalf("run = %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "1 models") || !strings.Contains(out.String(), m.Link) {
		t.Errorf("output:\n%s", out.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"-catalog", path, "-port", "customers"}, &out, &errb); code != 0 || !strings.Contains(out.String(), ": 0 models") {
		t.Errorf("other port: %d, %s", code, out.String())
	}
}

func TestUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"-x"}, &out, &errb); code != 2 {
		t.Errorf("run(-x) = %d, want 2", code)
	}
	if code := run(context.Background(), []string{"-catalog", filepath.Join(t.TempDir(), "none.json")}, &out, &errb); code != 1 {
		t.Errorf("run(-catalog missing) = %d, want 1", code)
	}
}
