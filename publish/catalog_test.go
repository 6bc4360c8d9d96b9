package publish

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// testCatalog runs the behaviour every Catalog must have against the one
// newCatalog returns.
func testCatalog(t *testing.T, newCatalog func(t *testing.T) Catalog) {
	ctx := context.Background()
	orders := OutputPort{DataProduct: "sales", Port: "orders", ContractID: "urn:orders"}
	other := OutputPort{DataProduct: "sales", Port: "customers"}

	t.Run("register_then_list_newest_first", func(t *testing.T) {
		c := newCatalog(t)
		t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		for i, name := range []string{"Orders", "Orders (2)"} {
			m := PublishedModel{Name: name, WorkspaceID: "ws", ModelID: name + "-id", Link: "https://x/" + name,
				CreatedAt: t0.Add(time.Duration(i) * time.Hour), Author: "ada@example.com"}
			product, agreement, err := c.Register(ctx, Registration{Source: orders, Model: m})
			if err != nil {
				t.Fatalf("Register(%q) = %v", name, err)
			}
			if product.OutputPort.Type != "powerbi" || product.OutputPort.Link != m.Link {
				t.Errorf("Register(%q) product port = %+v, want powerbi port linking %s", name, product.OutputPort, m.Link)
			}
			if diff := cmp.Diff([]OutputPort{orders}, product.Inputs); diff != "" {
				t.Errorf("Register(%q) inputs (-want +got):\n%s", name, diff)
			}
			if agreement.State != "approved" || agreement.Consumer != product.ID || agreement.Provider != orders || agreement.Requester != m.Author {
				t.Errorf("Register(%q) agreement = %+v", name, agreement)
			}
		}
		got, err := c.Published(ctx, orders)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, m := range got {
			names = append(names, m.Name)
		}
		if diff := cmp.Diff([]string{"Orders (2)", "Orders"}, names); diff != "" {
			t.Errorf("Published names (-want +got):\n%s", diff)
		}
		none, err := c.Published(ctx, other)
		if err != nil || len(none) != 0 {
			t.Errorf("Published(other) = %v, %v; want empty, nil", none, err)
		}
	})

	t.Run("rejects_incomplete_input", func(t *testing.T) {
		c := newCatalog(t)
		if _, _, err := c.Register(ctx, Registration{Source: OutputPort{Port: "x"}, Model: PublishedModel{Name: "a", ModelID: "b"}}); err == nil {
			t.Error("Register without data product succeeded")
		}
		if _, _, err := c.Register(ctx, Registration{Source: orders}); err == nil {
			t.Error("Register without model succeeded")
		}
		if _, err := c.Published(ctx, OutputPort{}); err == nil {
			t.Error("Published(empty port) succeeded")
		}
	})

	t.Run("concurrent_registrations_all_kept", func(t *testing.T) {
		c := newCatalog(t)
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				m := PublishedModel{Name: "m", WorkspaceID: "ws", ModelID: string(rune('a' + i)), Author: "u"}
				if _, _, err := c.Register(ctx, Registration{Source: orders, Model: m}); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		got, err := c.Published(ctx, orders)
		if err != nil || len(got) != 20 {
			t.Errorf("Published after 20 concurrent registrations = %d models, %v; want 20", len(got), err)
		}
	})

	t.Run("cancelled_context", func(t *testing.T) {
		c := newCatalog(t)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, _, err := c.Register(cctx, Registration{Source: orders, Model: PublishedModel{Name: "a", ModelID: "b"}}); err == nil {
			t.Error("Register with cancelled context succeeded")
		}
	})
}

func TestMemoryCatalog(t *testing.T) {
	testCatalog(t, func(*testing.T) Catalog { return NewMemoryCatalog() })
}

func TestFileCatalog(t *testing.T) {
	testCatalog(t, func(t *testing.T) Catalog {
		c, err := NewFileCatalog(filepath.Join(t.TempDir(), "catalog.json"))
		if err != nil {
			t.Fatal(err)
		}
		return c
	})
}

func TestFileCatalogSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "catalog.json")
	port := OutputPort{DataProduct: "p", Port: "o"}
	c, err := NewFileCatalog(path)
	if err != nil {
		t.Fatal(err)
	}
	m := PublishedModel{Name: "Orders", WorkspaceID: "ws", ModelID: "m1", CreatedAt: time.Unix(100, 0).UTC(), Author: "ada"}
	if _, _, err := c.Register(ctx, Registration{Source: port, Model: m}); err != nil {
		t.Fatal(err)
	}

	reopened, err := NewFileCatalog(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := reopened.Published(ctx, port)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]PublishedModel{m}, got); diff != "" {
		t.Errorf("Published after reopen (-want +got):\n%s", diff)
	}
}

func TestFileCatalogRejectsCorruptFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.json")
	if err := writeFileAtomic(path, []byte("{not json")); err != nil {
		t.Fatal(err)
	}
	if _, err := NewFileCatalog(path); err == nil {
		t.Fatal("NewFileCatalog(corrupt file) succeeded")
	}
}
