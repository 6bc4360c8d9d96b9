package entratest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pbipublish/pbipublish/entra"
)

// TestStore checks that a [entra.Store] honours its contract: not-found
// answers, copies in and out, versions and compare-and-put (no
// resurrection of a deleted record), and one winner among concurrent
// conditional writers. open must return a new, empty store each call.
// Run it from the tests of every Store implementation.
func TestStore(t *testing.T, open func(t *testing.T) entra.Store) {
	t.Run("not_found", func(t *testing.T) {
		s := open(t)
		ctx := context.Background()
		if _, err := s.Get(ctx, "o", "u"); !errors.Is(err, entra.ErrNotFound) {
			t.Errorf("Get = %v, want ErrNotFound", err)
		}
		if err := s.Delete(ctx, "o", "u"); !errors.Is(err, entra.ErrNotFound) {
			t.Errorf("Delete = %v, want ErrNotFound", err)
		}
	})
	t.Run("round_trip_and_copies", func(t *testing.T) {
		s := open(t)
		ctx := context.Background()
		now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		rec := &entra.Record{Org: "o", User: "u", HomeAccountID: "a.t", Username: "u@example.com",
			Scopes: []string{"s1", "s2"}, ConnectedAt: now, UpdatedAt: now, Sealed: []byte{1, 2, 3}}
		v, err := s.Put(ctx, rec, 0)
		if err != nil || v != 1 {
			t.Fatalf("Put(create) = %d, %v, want 1, nil", v, err)
		}
		rec.Scopes[0] = "changed"
		rec.Sealed[0] = 9
		got, err := s.Get(ctx, "o", "u")
		if err != nil {
			t.Fatal(err)
		}
		want := &entra.Record{Org: "o", User: "u", HomeAccountID: "a.t", Username: "u@example.com",
			Scopes: []string{"s1", "s2"}, ConnectedAt: now, UpdatedAt: now, Version: 1, Sealed: []byte{1, 2, 3}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Get (-want +got):\n%s", diff)
		}
		got.Sealed[0] = 7
		if again, _ := s.Get(ctx, "o", "u"); again == nil || again.Sealed[0] != 1 {
			t.Error("Get returned a record that aliases the store's")
		}
		if _, err := s.Get(ctx, "o", "other"); !errors.Is(err, entra.ErrNotFound) {
			t.Errorf("Get(other user) = %v, want ErrNotFound", err)
		}
		if _, err := s.Get(ctx, "other", "u"); !errors.Is(err, entra.ErrNotFound) {
			t.Errorf("Get(other org) = %v, want ErrNotFound", err)
		}
	})
	t.Run("versions", func(t *testing.T) {
		s := open(t)
		ctx := context.Background()
		rec := &entra.Record{Org: "o", User: "u"}
		if _, err := s.Put(ctx, rec, 3); !errors.Is(err, entra.ErrConflict) {
			t.Errorf("Put(missing, 3) = %v, want ErrConflict", err)
		}
		if _, err := s.Put(ctx, rec, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Put(ctx, rec, 0); !errors.Is(err, entra.ErrConflict) {
			t.Errorf("Put(existing, 0) = %v, want ErrConflict", err)
		}
		if v, err := s.Put(ctx, rec, 1); err != nil || v != 2 {
			t.Errorf("Put(v1, 1) = %d, %v, want 2, nil", v, err)
		}
		if _, err := s.Put(ctx, rec, 1); !errors.Is(err, entra.ErrConflict) {
			t.Errorf("Put(stale 1) = %v, want ErrConflict", err)
		}
		if v, err := s.Put(ctx, rec, entra.AnyVersion); err != nil || v != 3 {
			t.Errorf("Put(any) = %d, %v, want 3, nil", v, err)
		}
		if err := s.Delete(ctx, "o", "u"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Put(ctx, rec, 3); !errors.Is(err, entra.ErrConflict) {
			t.Errorf("Put(deleted, 3) = %v, want ErrConflict (no resurrection)", err)
		}
	})
	t.Run("concurrent_compare_and_put", func(t *testing.T) {
		s := open(t)
		ctx := context.Background()
		if _, err := s.Put(ctx, &entra.Record{Org: "o", User: "u"}, 0); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := s.Put(ctx, &entra.Record{Org: "o", User: "u"}, 1); err == nil {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if wins != 1 {
			t.Errorf("%d of 20 concurrent Put(…, 1) succeeded, want 1", wins)
		}
	})
}

// TestSettingsStore checks that a [entra.SettingsStore] honours its
// contract. open must return a new, empty store each call.
func TestSettingsStore(t *testing.T, open func(t *testing.T) entra.SettingsStore) {
	s := open(t)
	ctx := context.Background()
	if _, err := s.GetSettings(ctx, "o"); !errors.Is(err, entra.ErrNotFound) {
		t.Errorf("GetSettings = %v, want ErrNotFound", err)
	}
	if err := s.DeleteSettings(ctx, "o"); !errors.Is(err, entra.ErrNotFound) {
		t.Errorf("DeleteSettings = %v, want ErrNotFound", err)
	}
	rec := &entra.SettingsRecord{Org: "o", Kind: entra.AppCustom, TenantID: "t", ClientID: "c", SealedSecret: []byte{4, 5}}
	if err := s.PutSettings(ctx, rec); err != nil {
		t.Fatal(err)
	}
	rec.SealedSecret[0] = 0
	got, err := s.GetSettings(ctx, "o")
	if err != nil {
		t.Fatal(err)
	}
	want := &entra.SettingsRecord{Org: "o", Kind: entra.AppCustom, TenantID: "t", ClientID: "c", SealedSecret: []byte{4, 5}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GetSettings (-want +got):\n%s", diff)
	}
	if err := s.PutSettings(ctx, &entra.SettingsRecord{Org: "o", Kind: entra.AppSSO}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetSettings(ctx, "o"); got == nil || got.Kind != entra.AppSSO || got.SealedSecret != nil {
		t.Errorf("GetSettings after replace = %+v, want the SSO record", got)
	}
	if err := s.DeleteSettings(ctx, "o"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetSettings(ctx, "o"); !errors.Is(err, entra.ErrNotFound) {
		t.Errorf("GetSettings after delete = %v, want ErrNotFound", err)
	}
}
